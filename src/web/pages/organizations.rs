//! Organizations: the list, "my organizations", one organization's page with the
//! report form, the coordinator's actions and the registry edit form.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::i18n::Texts;
use super::{db, html, html_status, see_other, Chrome, Page, PageError};
use crate::auth::permissions;
use crate::domain::deadline::almaty_date;
use crate::domain::status::{Reporter, Status};
use crate::domain::{OrganizationKind, Region};
use crate::registry::model::{OrgRef, OrganizationFilter, OrganizationRow, Sort};
use crate::registry::service::{self as registry, RegistryError, UpdateReach};
use crate::rollout::model::{
    EventRow, ExtensionRow, RolloutRow, StatusFilter, StatusRow, StatusSort,
};
use crate::rollout::service::{
    self, load_status, reporter_for, Rollout, RolloutError, StatusChange,
};
use crate::web::ApiError;
use crate::AppState;

const PER_PAGE: i64 = 50;

pub struct Row {
    pub bin: String,
    pub name: String,
    pub region: String,
    pub status: &'static str,
    pub status_key: String,
    pub deadline: String,
    pub due: String,
}

#[derive(Template)]
#[template(path = "web/organizations.html")]
struct ListPage {
    chrome: Chrome,
    t: &'static Texts,
    heading: &'static str,
    rows: Vec<Row>,
    q: String,
    kind: String,
    region: String,
    kinds: Vec<&'static str>,
    regions: Vec<(&'static str, &'static str)>,
    page: i64,
    pages: i64,
    total: i64,
    base: String,
    show_filters: bool,
}

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    kind: Option<String>,
    region: Option<String>,
    page: Option<i64>,
}

fn due_text(t: &Texts, deadline: chrono::NaiveDate, status: &str) -> String {
    let days = (deadline - almaty_date(chrono::Utc::now())).num_days();
    if Status::parse(status).is_ok_and(Status::is_settled) {
        String::new()
    } else if days < 0 {
        format!("{}: {}", t.days_overdue, -days)
    } else {
        format!("{}: {}", t.days_left, days)
    }
}

fn encode(v: &str) -> String {
    url::form_urlencoded::byte_serialize(v.as_bytes()).collect()
}

pub async fn list(
    state: web::Data<AppState>,
    page: Page,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    let t = page.t();
    let ru = page.lang == super::i18n::Lang::Ru;
    let query = query.into_inner();
    let mut filter = OrganizationFilter::default();
    if let Some(q) = query.q.as_deref().filter(|q| !q.trim().is_empty()) {
        filter.set_query(q);
    }
    filter.kind = query
        .kind
        .as_deref()
        .and_then(|k| OrganizationKind::parse(k).ok())
        .map(|k| k.as_str().to_owned());
    filter.region = query
        .region
        .as_deref()
        .and_then(|r| Region::parse(r).ok())
        .map(|r| r.code().to_owned());
    let number = query.page.unwrap_or(1).max(1);
    let (rows, total, statuses) = db(&state, move |conn| {
        let (rows, total) = OrganizationRow::list(
            conn,
            &filter,
            Sort::NameRu(true),
            PER_PAGE,
            (number - 1) * PER_PAGE,
        )?;
        let statuses = statuses_of(conn, &rows)?;
        Ok((rows, total, statuses))
    })
    .await?;
    let base = format!(
        "/organizations?q={}&kind={}&region={}",
        encode(query.q.as_deref().unwrap_or("")),
        encode(query.kind.as_deref().unwrap_or("")),
        encode(query.region.as_deref().unwrap_or(""))
    );
    html(&ListPage {
        chrome: page.chrome(t.organizations),
        t,
        heading: t.organizations,
        rows: rows.into_iter().map(|o| row(t, ru, o, &statuses)).collect(),
        q: query.q.unwrap_or_default(),
        kind: query.kind.unwrap_or_default(),
        region: query.region.unwrap_or_default(),
        kinds: OrganizationKind::ALL.iter().map(|k| k.as_str()).collect(),
        regions: crate::domain::region::REGIONS.to_vec(),
        page: number,
        pages: (total + PER_PAGE - 1) / PER_PAGE,
        total,
        base,
        show_filters: true,
    })
}

/// The `aitu` (first) rollout's status of each row.
fn statuses_of(
    conn: &mut crate::db::DbConnection,
    rows: &[OrganizationRow],
) -> Result<HashMap<String, StatusRow>, ApiError> {
    use diesel::prelude::*;
    let Some(first) = RolloutRow::list(conn)?.into_iter().next() else {
        return Ok(HashMap::new());
    };
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let found: Vec<StatusRow> = crate::db::schema::statuses::table
        .filter(crate::db::schema::statuses::rollout_slug.eq(first.slug))
        .filter(crate::db::schema::statuses::organization_id.eq_any(ids))
        .select(StatusRow::as_select())
        .load(conn)?;
    Ok(found
        .into_iter()
        .map(|s| (s.organization_id.clone(), s))
        .collect())
}

fn row(t: &Texts, ru: bool, o: OrganizationRow, statuses: &HashMap<String, StatusRow>) -> Row {
    let status = statuses.get(&o.id);
    Row {
        name: if ru { o.name_ru } else { o.name_kk },
        bin: o.bin,
        region: o.region,
        status: status.map_or("", |s| t.status_label(&s.status)),
        status_key: status.map_or(String::new(), |s| s.status.clone()),
        deadline: status.map_or(String::new(), |s| s.deadline.format("%d.%m.%Y").to_string()),
        due: status.map_or(String::new(), |s| due_text(t, s.deadline, &s.status)),
    }
}

/// "My organizations": the user's subtree, what is due first.
pub async fn mine(state: web::Data<AppState>, page: Page) -> Result<HttpResponse, PageError> {
    let t = page.t();
    let ru = page.lang == super::i18n::Lang::Ru;
    let Some(scope) = page.actor.user.scope.clone() else {
        return Ok(see_other("/organizations"));
    };
    let (rows, statuses) = db(&state, move |conn| {
        let Some(first) = RolloutRow::list(conn)?.into_iter().next() else {
            return Ok((Vec::new(), HashMap::new()));
        };
        let rollout = Rollout::load(conn, &first.slug)?;
        let filter = StatusFilter {
            rollout: first.slug.clone(),
            kinds: rollout.kinds(),
            within_path: Some(scope.path.clone()),
            ..Default::default()
        };
        let (rows, _) = StatusRow::list(conn, &filter, StatusSort::DaysOverdue, 500, 0)?;
        let statuses = rows
            .iter()
            .map(|(s, o)| (o.id.clone(), s.clone()))
            .collect();
        Ok((
            rows.into_iter().map(|(_, o)| o).collect::<Vec<_>>(),
            statuses,
        ))
    })
    .await?;
    let total = rows.len() as i64;
    html(&ListPage {
        chrome: page.chrome(t.my_organizations),
        t,
        heading: t.my_organizations,
        rows: rows.into_iter().map(|o| row(t, ru, o, &statuses)).collect(),
        q: String::new(),
        kind: String::new(),
        region: String::new(),
        kinds: Vec::new(),
        regions: Vec::new(),
        page: 1,
        pages: 1,
        total,
        base: "/my?".into(),
        show_filters: false,
    })
}

/// What a form sent, shown again with the errors beside the fields.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StatusForm {
    pub csrf_token: String,
    pub version: Option<i64>,
    pub rollout: Option<String>,
    pub status: Option<String>,
    pub accounts_active: Option<String>,
    pub note: Option<String>,
    pub evidence_url: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct EditForm {
    pub csrf_token: String,
    pub version: Option<i64>,
    pub name_kk: Option<String>,
    pub name_ru: Option<String>,
    pub name_en: Option<String>,
    pub headcount: Option<String>,
    pub it_head_name: Option<String>,
    pub it_head_email: Option<String>,
    pub it_head_phone: Option<String>,
    pub head_name: Option<String>,
    pub head_email: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ExtensionForm {
    pub csrf_token: String,
    pub rollout: Option<String>,
    pub deadline: Option<String>,
    pub reason: Option<String>,
}

/// What the organization page shows besides the stored data.
#[derive(Default)]
struct Feedback {
    status_form: Option<StatusForm>,
    edit_form: Option<EditForm>,
    extension_form: Option<ExtensionForm>,
    errors: HashMap<String, String>,
    conflict: bool,
    saved: bool,
    status: Option<StatusCode>,
}

pub struct EventLine {
    pub when: String,
    pub from: &'static str,
    pub to: &'static str,
    pub kind: String,
    pub accounts_active: i64,
    pub note: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "web/organization.html")]
struct DetailPage {
    chrome: Chrome,
    t: &'static Texts,
    org: OrganizationRow,
    name: String,
    parent: Option<(String, String)>,
    contacts: bool,
    rollout_slug: String,
    rollout_title: String,
    status_key: String,
    status_label: &'static str,
    version: i64,
    deadline: String,
    due: String,
    overdue: bool,
    extended: bool,
    accounts_active: i64,
    events: Vec<EventLine>,
    extensions: Vec<(String, String, String)>,
    can_report: bool,
    coordinator: bool,
    can_edit: bool,
    choices: Vec<(&'static str, &'static str)>,
    form: StatusForm,
    edit: EditForm,
    extension: ExtensionForm,
    errors: HashMap<String, String>,
    conflict: bool,
    saved: bool,
}

impl DetailPage {
    fn error(&self, field: &str) -> String {
        self.errors.get(field).cloned().unwrap_or_default()
    }

    fn has_error(&self, field: &str) -> bool {
        self.errors.contains_key(field)
    }
}

#[derive(Deserialize)]
pub struct DetailQuery {
    rollout: Option<String>,
    saved: Option<String>,
}

pub async fn detail(
    state: web::Data<AppState>,
    page: Page,
    path: web::Path<String>,
    query: web::Query<DetailQuery>,
) -> Result<HttpResponse, PageError> {
    let feedback = Feedback {
        saved: query.saved.is_some(),
        ..Default::default()
    };
    render_detail(
        &state,
        &page,
        path.into_inner(),
        query.rollout.clone(),
        feedback,
    )
    .await
}

async fn render_detail(
    state: &web::Data<AppState>,
    page: &Page,
    reference: String,
    rollout: Option<String>,
    feedback: Feedback,
) -> Result<HttpResponse, PageError> {
    let t = page.t();
    let ru = page.lang == super::i18n::Lang::Ru;
    let actor = page.actor.clone();
    let lang = page.lang;
    let loaded = db(state, move |conn| {
        let Some(org) = OrgRef::parse(&reference)
            .map(|r| OrganizationRow::find_by_ref(conn, &r))
            .transpose()?
            .flatten()
        else {
            return Ok(None);
        };
        let parent = match &org.parent_id {
            Some(id) => OrganizationRow::find(conn, id)?,
            None => None,
        };
        let contacts = permissions::can_see_contacts(&actor.user, &org.path);
        if contacts {
            crate::registry::api::audit_personal_read(conn, &actor, Some(&org), 1)?;
        }
        let rollouts = RolloutRow::list(conn)?;
        let slug = rollout
            .filter(|s| rollouts.iter().any(|r| r.slug == *s))
            .or_else(|| rollouts.first().map(|r| r.slug.clone()));
        let mut status = None;
        if let Some(slug) = slug {
            let rollout = Rollout::load(conn, &slug)?;
            if rollout.applies_to(&org) {
                let row =
                    crate::db::write_transaction(conn, |conn| load_status(conn, &rollout, &org))?;
                let events = EventRow::history(conn, &slug, &org.id)?;
                let extensions = ExtensionRow::list(conn, &slug, &org.id)?;
                status = Some((rollout, row, events, extensions));
            }
        }
        Ok(Some((org, parent, contacts, status)))
    })
    .await?;
    let Some((org, parent, contacts, status)) = loaded else {
        return Err(PageError::NotFound(lang));
    };
    let reporter = reporter_for(&page.actor, &org.path, "status.update").ok();
    let can_edit = permissions::require_can_write_registry(
        &page.actor.user,
        Some(&org.path),
        "organization.update",
    )
    .is_ok();
    let today = almaty_date(chrono::Utc::now());
    let (rollout_slug, rollout_title, row, events, extensions) = match status {
        Some((rollout, row, events, extensions)) => {
            let title = if ru {
                rollout.row.title_ru.clone()
            } else {
                rollout.row.title_kk.clone()
            };
            (
                rollout.row.slug.clone(),
                title,
                Some(row),
                events,
                extensions,
            )
        }
        None => (String::new(), String::new(), None, Vec::new(), Vec::new()),
    };
    let status_key = row.as_ref().map_or(String::new(), |r| r.status.clone());
    let coordinator = reporter == Some(Reporter::Coordinator);
    let choices: Vec<(&'static str, &'static str)> = Status::ALL
        .iter()
        .filter(|s| coordinator || !matches!(s, Status::Verified | Status::Exempt))
        .map(|s| (s.as_str(), t.status_label(s.as_str())))
        .collect();
    let settled_for_it_head = matches!(status_key.as_str(), "verified" | "exempt") && !coordinator;
    let form = feedback.status_form.clone().unwrap_or_else(|| StatusForm {
        status: Some(status_key.clone()),
        accounts_active: row.as_ref().map(|r| r.accounts_active.to_string()),
        note: row.as_ref().and_then(|r| r.note.clone()),
        evidence_url: row.as_ref().and_then(|r| r.evidence_url.clone()),
        ..Default::default()
    });
    let edit = feedback.edit_form.clone().unwrap_or_else(|| EditForm {
        name_kk: Some(org.name_kk.clone()),
        name_ru: Some(org.name_ru.clone()),
        name_en: org.name_en.clone(),
        headcount: Some(org.headcount.to_string()),
        it_head_name: org.it_head_name.clone(),
        it_head_email: org.it_head_email.clone(),
        it_head_phone: org.it_head_phone.clone(),
        head_name: org.head_name.clone(),
        head_email: org.head_email.clone(),
        ..Default::default()
    });
    let label = |s: &str| t.status_label(s);
    let detail = DetailPage {
        chrome: page.chrome(if ru { &org.name_ru } else { &org.name_kk }),
        t,
        name: if ru {
            org.name_ru.clone()
        } else {
            org.name_kk.clone()
        },
        parent: parent.map(|p| (p.bin.clone(), if ru { p.name_ru } else { p.name_kk })),
        contacts,
        rollout_slug,
        rollout_title,
        status_label: label(&status_key),
        version: row.as_ref().map_or(0, |r| r.version),
        deadline: row
            .as_ref()
            .map_or(String::new(), |r| r.deadline.format("%d.%m.%Y").to_string()),
        due: row
            .as_ref()
            .map_or(String::new(), |r| due_text(t, r.deadline, &r.status)),
        overdue: row.as_ref().is_some_and(|r| {
            r.deadline < today && !Status::parse(&r.status).is_ok_and(Status::is_settled)
        }),
        extended: row.as_ref().is_some_and(|r| r.extended_deadline.is_some()),
        accounts_active: row.as_ref().map_or(0, |r| r.accounts_active),
        status_key,
        events: events
            .into_iter()
            .map(|e| EventLine {
                when: e.at.format("%d.%m.%Y %H:%M UTC").to_string(),
                from: label(&e.from_status),
                to: label(&e.to_status),
                kind: e.event_kind,
                accounts_active: e.accounts_active,
                note: e.note.unwrap_or_default(),
                reason: e.reason.unwrap_or_default(),
            })
            .collect(),
        extensions: extensions
            .into_iter()
            .map(|x| {
                (
                    x.deadline.format("%d.%m.%Y").to_string(),
                    x.reason,
                    x.granted_at.format("%d.%m.%Y").to_string(),
                )
            })
            .collect(),
        can_report: reporter.is_some() && row.is_some() && !settled_for_it_head,
        coordinator: coordinator && row.is_some(),
        can_edit,
        choices,
        form,
        edit,
        extension: feedback.extension_form.unwrap_or_default(),
        errors: feedback.errors,
        conflict: feedback.conflict,
        saved: feedback.saved,
        org,
    };
    match feedback.status {
        Some(code) => html_status(code, &detail),
        None => html(&detail),
    }
}

fn field_errors(errors: Vec<crate::domain::FieldError>) -> HashMap<String, String> {
    errors
        .into_iter()
        .map(|e| {
            (
                e.field
                    .replace("it_head.", "it_head_")
                    .replace("head.", "head_"),
                e.message,
            )
        })
        .collect()
}

fn text(v: &Option<String>) -> Option<String> {
    v.as_ref()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

pub async fn report_status(
    state: web::Data<AppState>,
    page: Page,
    path: web::Path<String>,
    form: web::Form<StatusForm>,
) -> Result<HttpResponse, PageError> {
    page.check_csrf(&form.csrf_token)?;
    let form = form.into_inner();
    let reference = path.into_inner();
    let mut errors = HashMap::new();
    let accounts_active = match text(&form.accounts_active) {
        None => None,
        Some(raw) => match raw.replace(' ', "").parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.insert("accounts_active".to_owned(), page.t().fix_errors.to_owned());
                None
            }
        },
    };
    let slug = form.rollout.clone().unwrap_or_else(|| "aitu".into());
    if errors.is_empty() {
        let change = StatusChange {
            status: text(&form.status),
            accounts_active,
            note: Some(text(&form.note)),
            evidence_url: Some(text(&form.evidence_url)),
            reason: text(&form.reason),
        };
        let actor = page.actor.clone();
        let versions = form.version.map(|v| vec![v]);
        let (slug2, reference2) = (slug.clone(), reference.clone());
        let outcome = crate::web::with_db(&state, move |conn| {
            Ok(service::change_status(
                conn,
                &actor,
                &slug2,
                &reference2,
                &change,
                versions.as_deref(),
            ))
        })
        .await?;
        match outcome {
            Ok((_, org)) => return Ok(see_other(&format!("/organizations/{}?saved=1", org.bin))),
            Err(RolloutError::Invalid(list)) => errors = field_errors(list),
            Err(RolloutError::Stale { .. }) => {
                let feedback = Feedback {
                    conflict: true,
                    status: Some(StatusCode::CONFLICT),
                    ..Default::default()
                };
                return render_detail(&state, &page, reference, Some(slug), feedback).await;
            }
            Err(other) => return Err(PageError::Api(other.into())),
        }
    }
    let feedback = Feedback {
        status_form: Some(form),
        errors,
        status: Some(StatusCode::UNPROCESSABLE_ENTITY),
        ..Default::default()
    };
    render_detail(&state, &page, reference, Some(slug), feedback).await
}

pub async fn grant_extension(
    state: web::Data<AppState>,
    page: Page,
    path: web::Path<String>,
    form: web::Form<ExtensionForm>,
) -> Result<HttpResponse, PageError> {
    page.check_csrf(&form.csrf_token)?;
    let form = form.into_inner();
    let reference = path.into_inner();
    let slug = form.rollout.clone().unwrap_or_else(|| "aitu".into());
    let deadline =
        text(&form.deadline).and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
    let actor = page.actor.clone();
    let (slug2, reference2, reason) = (slug.clone(), reference.clone(), text(&form.reason));
    let outcome = crate::web::with_db(&state, move |conn| {
        Ok(service::grant_extension(
            conn,
            &actor,
            &slug2,
            &reference2,
            deadline,
            reason.as_deref(),
        ))
    })
    .await?;
    match outcome {
        Ok((_, status)) => {
            let bin = db(&state, move |conn| {
                Ok(OrganizationRow::find(conn, &status.organization_id)?
                    .map(|o| o.bin)
                    .unwrap_or_default())
            })
            .await?;
            Ok(see_other(&format!("/organizations/{bin}?saved=1")))
        }
        Err(RolloutError::Invalid(list)) => {
            let feedback = Feedback {
                extension_form: Some(form),
                errors: field_errors(list),
                status: Some(StatusCode::UNPROCESSABLE_ENTITY),
                ..Default::default()
            };
            render_detail(&state, &page, reference, Some(slug), feedback).await
        }
        Err(other) => Err(PageError::Api(other.into())),
    }
}

pub async fn edit(
    state: web::Data<AppState>,
    page: Page,
    path: web::Path<String>,
    form: web::Form<EditForm>,
) -> Result<HttpResponse, PageError> {
    page.check_csrf(&form.csrf_token)?;
    let form = form.into_inner();
    let reference = path.into_inner();
    let headcount = text(&form.headcount).map(|h| h.replace(' ', "").parse::<i64>());
    if let Some(Err(_)) = headcount {
        let mut errors = HashMap::new();
        errors.insert("headcount".to_owned(), page.t().fix_errors.to_owned());
        let feedback = Feedback {
            edit_form: Some(form),
            errors,
            status: Some(StatusCode::UNPROCESSABLE_ENTITY),
            ..Default::default()
        };
        return render_detail(&state, &page, reference, None, feedback).await;
    }
    let headcount = headcount.and_then(Result::ok);
    let actor = page.actor.clone();
    let values = form.clone();
    let reference2 = reference.clone();
    let outcome = crate::web::with_db(&state, move |conn| {
        let current = registry::load(conn, &reference2).map_err(ApiError::from)?;
        let names_changed = text(&values.name_kk).as_deref() != Some(current.name_kk.as_str())
            || text(&values.name_ru).as_deref() != Some(current.name_ru.as_str())
            || text(&values.name_en) != current.name_en;
        let reach = if names_changed {
            UpdateReach::Everything
        } else {
            UpdateReach::ContactsAndHeadcount
        };
        let versions = values.version.map(|v| vec![v]);
        Ok(registry::update(
            conn,
            &actor,
            &reference2,
            versions.as_deref(),
            reach,
            |input| {
                input.name_kk = text(&values.name_kk);
                input.name_ru = text(&values.name_ru);
                input.name_en = text(&values.name_en);
                input.headcount = headcount.or(Some(0));
                input.it_head_name = text(&values.it_head_name);
                input.it_head_email = text(&values.it_head_email);
                input.it_head_phone = text(&values.it_head_phone);
                input.head_name = text(&values.head_name);
                input.head_email = text(&values.head_email);
            },
            None,
        ))
    })
    .await?;
    match outcome {
        Ok(org) => Ok(see_other(&format!("/organizations/{}?saved=1", org.bin))),
        Err(RegistryError::Invalid(list)) => {
            let feedback = Feedback {
                edit_form: Some(form),
                errors: field_errors(list),
                status: Some(StatusCode::UNPROCESSABLE_ENTITY),
                ..Default::default()
            };
            render_detail(&state, &page, reference, None, feedback).await
        }
        Err(RegistryError::Stale { .. }) => {
            let feedback = Feedback {
                conflict: true,
                status: Some(StatusCode::CONFLICT),
                ..Default::default()
            };
            render_detail(&state, &page, reference, None, feedback).await
        }
        Err(other) => Err(PageError::Api(other.into())),
    }
}
