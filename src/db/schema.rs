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

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        display_name -> Text,
        role -> Text,
        scope_id -> Nullable<Text>,
        active -> Bool,
        password_hash -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Text,
        user_id -> Text,
        name -> Text,
        prefix -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sessions (id_hash) {
        id_hash -> Text,
        user_id -> Text,
        csrf_hash -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
        client_addr -> Nullable<Text>,
    }
}

diesel::table! {
    login_failures (throttle_key) {
        throttle_key -> Text,
        failures -> Integer,
        last_failure_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> Timestamp,
        actor_user_id -> Nullable<Text>,
        actor_token_id -> Nullable<Text>,
        actor_email -> Nullable<Text>,
        action -> Text,
        object_type -> Nullable<Text>,
        object_id -> Nullable<Text>,
        scope_path -> Nullable<Text>,
        before_value -> Nullable<Text>,
        after_value -> Nullable<Text>,
        request_id -> Nullable<Text>,
        client_addr -> Nullable<Text>,
        outcome -> Text,
        detail -> Nullable<Text>,
    }
}

diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(users -> organizations (scope_id));

diesel::table! {
    rollouts (slug) {
        slug -> Text,
        title_kk -> Text,
        title_ru -> Text,
        description -> Text,
        kinds -> Text,
        starts_on -> Date,
        default_deadline -> Date,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        reminder_policy -> Nullable<Text>,
    }
}

diesel::table! {
    rollout_deadlines (rollout_slug, kind) {
        rollout_slug -> Text,
        kind -> Text,
        deadline -> Date,
    }
}

diesel::table! {
    statuses (rollout_slug, organization_id) {
        rollout_slug -> Text,
        organization_id -> Text,
        status -> Text,
        accounts_active -> BigInt,
        note -> Nullable<Text>,
        evidence_url -> Nullable<Text>,
        reason -> Nullable<Text>,
        extended_deadline -> Nullable<Date>,
        deadline -> Date,
        completed_at -> Nullable<Timestamp>,
        version -> BigInt,
        updated_at -> Timestamp,
        updated_by -> Nullable<Text>,
        /// Copies of the organization's fields for reports, kept in step by a trigger.
        org_kind -> Text,
        org_region -> Text,
        org_headcount -> BigInt,
        org_archived -> Bool,
        org_path -> Text,
    }
}

diesel::table! {
    status_events (id) {
        id -> BigInt,
        rollout_slug -> Text,
        organization_id -> Text,
        at -> Timestamp,
        actor_user_id -> Nullable<Text>,
        actor_role -> Nullable<Text>,
        event_kind -> Text,
        from_status -> Text,
        to_status -> Text,
        accounts_active -> BigInt,
        note -> Nullable<Text>,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    /// Active units per rollout, region, kind, status and deadline, kept by triggers
    /// on `statuses`; read by the national summary.
    status_tally (rollout_slug, org_region, org_kind, status, deadline) {
        rollout_slug -> Text,
        org_region -> Text,
        org_kind -> Text,
        status -> Text,
        deadline -> Date,
        units -> BigInt,
        accounts_active -> BigInt,
        headcount -> BigInt,
    }
}

diesel::table! {
    extensions (id) {
        id -> Text,
        rollout_slug -> Text,
        organization_id -> Text,
        deadline -> Date,
        reason -> Text,
        granted_by -> Nullable<Text>,
        granted_at -> Timestamp,
    }
}

diesel::joinable!(statuses -> organizations (organization_id));
diesel::joinable!(statuses -> rollouts (rollout_slug));
diesel::joinable!(rollout_deadlines -> rollouts (rollout_slug));
diesel::joinable!(extensions -> organizations (organization_id));

diesel::table! {
    reminder_messages (id) {
        id -> Text,
        recipient_email -> Text,
        recipient_name -> Nullable<Text>,
        digest_date -> Date,
        state -> Text,
        escalation -> Bool,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        lease_until -> Nullable<Timestamp>,
        claimed_by -> Nullable<Text>,
        message_id -> Nullable<Text>,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    reminder_items (id) {
        id -> Text,
        rollout_slug -> Text,
        organization_id -> Text,
        stage -> Text,
        recipient_role -> Text,
        recipient_email -> Text,
        escalation -> Bool,
        message_id -> Nullable<Text>,
        state -> Text,
        reason -> Nullable<Text>,
        deadline -> Date,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    reminder_slots (slot) {
        slot -> Text,
        instance -> Text,
        started_at -> Timestamp,
    }
}

diesel::joinable!(reminder_items -> reminder_messages (message_id));
diesel::joinable!(reminder_items -> organizations (organization_id));

diesel::allow_tables_to_appear_in_same_query!(
    organizations,
    users,
    api_tokens,
    sessions,
    login_failures,
    audit_log,
    rollouts,
    rollout_deadlines,
    statuses,
    status_events,
    status_tally,
    extensions,
    reminder_messages,
    reminder_items,
    reminder_slots,
);
