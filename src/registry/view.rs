//! JSON shapes of the registry API, separate from the database rows.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use super::model::OrganizationRow;
use crate::domain::organization::OrganizationInput;
use crate::domain::OrganizationKind;

/// The IT head: who answers for the migration in this organization.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItHeadContact {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

/// The head of the organization (reminders escalate to them).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HeadContact {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

/// An organization as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Organization {
    pub id: uuid::Uuid,
    /// 12-digit business identification number.
    #[schema(example = "940140000385")]
    pub bin: String,
    pub kind: OrganizationKind,
    pub parent_id: Option<uuid::Uuid>,
    /// ISO 3166-2:KZ code or `republican`.
    #[schema(example = "KZ-71")]
    pub region: String,
    /// Staff expected on the messenger.
    pub headcount: i64,
    pub name_kk: String,
    pub name_ru: String,
    pub name_en: Option<String>,
    /// Personal data: `null` for readers who may not see it (observers, other scopes).
    pub it_head: Option<ItHeadContact>,
    /// Personal data, like `it_head`.
    pub head: Option<HeadContact>,
    /// Levels above this one (0 for a root).
    pub depth: i32,
    /// Increases with every change; send it back in `If-Match`.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub archived_at: Option<DateTime<Utc>>,
}

fn utc(time: NaiveDateTime) -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(time, Utc)
}

fn uuid_of(text: &str) -> uuid::Uuid {
    // Ids are written by this service as UUIDs; a broken one shows as nil rather than panicking.
    uuid::Uuid::parse_str(text).unwrap_or_default()
}

impl Organization {
    /// Everything, contacts included (audit records, exports).
    pub fn full(row: OrganizationRow) -> Self {
        Self::shown(row, true)
    }

    /// As `user` may see it. Returns whether personal data was included.
    pub fn for_user(row: OrganizationRow, user: &crate::auth::CurrentUser) -> (Self, bool) {
        let contacts = crate::auth::permissions::can_see_contacts(user, &row.path);
        (Self::shown(row, contacts), contacts)
    }

    fn shown(row: OrganizationRow, contacts: bool) -> Self {
        let it_head = ItHeadContact {
            name: row.it_head_name,
            email: row.it_head_email,
            phone: row.it_head_phone,
        };
        let head = HeadContact {
            name: row.head_name,
            email: row.head_email,
        };
        Self {
            id: uuid_of(&row.id),
            kind: OrganizationKind::parse(&row.kind).unwrap_or(OrganizationKind::CentralStateBody),
            parent_id: row.parent_id.as_deref().map(uuid_of),
            bin: row.bin,
            region: row.region,
            headcount: row.headcount,
            name_kk: row.name_kk,
            name_ru: row.name_ru,
            name_en: row.name_en,
            it_head: contacts.then_some(it_head),
            head: contacts.then_some(head),
            depth: row.depth,
            version: row.version,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
            archived_at: row.archived_at.map(utc),
        }
    }
}

/// A page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    /// Rows matching the filters, on all pages.
    pub total: i64,
    /// 1-based page number.
    pub page: u32,
    pub per_page: u32,
}

/// The body of `POST /api/v1/organizations`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganization {
    #[schema(example = "940140000385")]
    pub bin: Option<String>,
    pub kind: Option<String>,
    /// UUID or BIN of the parent; absent for a root organization.
    #[serde(default)]
    pub parent_id: Option<String>,
    pub region: Option<String>,
    #[serde(default)]
    pub headcount: Option<i64>,
    pub name_kk: Option<String>,
    pub name_ru: Option<String>,
    #[serde(default)]
    pub name_en: Option<String>,
    #[serde(default)]
    pub it_head: Option<ItHeadContact>,
    #[serde(default)]
    pub head: Option<HeadContact>,
}

impl NewOrganization {
    pub fn to_input(&self) -> OrganizationInput {
        let it_head = self.it_head.clone().unwrap_or_default();
        let head = self.head.clone().unwrap_or_default();
        OrganizationInput {
            bin: self.bin.clone(),
            kind: self.kind.clone(),
            region: self.region.clone(),
            headcount: self.headcount,
            name_kk: self.name_kk.clone(),
            name_ru: self.name_ru.clone(),
            name_en: self.name_en.clone(),
            it_head_name: it_head.name,
            it_head_email: it_head.email,
            it_head_phone: it_head.phone,
            head_name: head.name,
            head_email: head.email,
        }
    }
}

/// Distinguishes a field set to `null` (`Some(None)`) from one left out (`None`).
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Contact changes: a field left out stays, `null` clears it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactPatch {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
}

/// The body of `PATCH /api/v1/organizations/{organization}`: only the fields given change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationPatch {
    pub bin: Option<String>,
    pub kind: Option<String>,
    /// UUID or BIN of the new parent; `null` makes it a root.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub parent_id: Option<Option<String>>,
    pub region: Option<String>,
    pub headcount: Option<i64>,
    pub name_kk: Option<String>,
    pub name_ru: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub name_en: Option<Option<String>>,
    #[serde(default)]
    pub it_head: Option<ContactPatch>,
    #[serde(default)]
    pub head: Option<ContactPatch>,
    /// The version being edited; the same check as `If-Match`.
    pub version: Option<i64>,
}

impl OrganizationPatch {
    /// Whether only contacts and headcount are touched (what an IT head may change).
    pub fn reach(&self) -> crate::registry::service::UpdateReach {
        let structural = self.bin.is_some()
            || self.kind.is_some()
            || self.parent_id.is_some()
            || self.region.is_some()
            || self.name_kk.is_some()
            || self.name_ru.is_some()
            || self.name_en.is_some();
        if structural {
            crate::registry::service::UpdateReach::Everything
        } else {
            crate::registry::service::UpdateReach::ContactsAndHeadcount
        }
    }

    /// Applies the given fields over the current ones.
    pub fn apply(&self, input: &mut OrganizationInput) {
        fn set<T: Clone>(target: &mut Option<T>, value: &Option<T>) {
            if let Some(v) = value {
                *target = Some(v.clone());
            }
        }
        fn set_nullable(target: &mut Option<String>, value: &Option<Option<String>>) {
            if let Some(v) = value {
                target.clone_from(v);
            }
        }
        set(&mut input.bin, &self.bin);
        set(&mut input.kind, &self.kind);
        set(&mut input.region, &self.region);
        set(&mut input.headcount, &self.headcount);
        set(&mut input.name_kk, &self.name_kk);
        set(&mut input.name_ru, &self.name_ru);
        set_nullable(&mut input.name_en, &self.name_en);
        if let Some(c) = &self.it_head {
            set_nullable(&mut input.it_head_name, &c.name);
            set_nullable(&mut input.it_head_email, &c.email);
            set_nullable(&mut input.it_head_phone, &c.phone);
        }
        if let Some(c) = &self.head {
            set_nullable(&mut input.head_name, &c.name);
            set_nullable(&mut input.head_email, &c.email);
        }
    }
}
