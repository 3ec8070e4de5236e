//! The one schema shared by both backends: portable SQL types only.

diesel::table! {
    organizations (id) {
        id -> Text,
        bin -> Text,
        kind -> Text,
        parent_id -> Nullable<Text>,
        path -> Text,
        depth -> Integer,
        region -> Text,
        headcount -> BigInt,
        name_kk -> Text,
        name_ru -> Text,
        name_en -> Nullable<Text>,
        search_text -> Text,
        it_head_name -> Nullable<Text>,
        it_head_email -> Nullable<Text>,
        it_head_phone -> Nullable<Text>,
        head_name -> Nullable<Text>,
        head_email -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        archived_at -> Nullable<Timestamp>,
    }
}
