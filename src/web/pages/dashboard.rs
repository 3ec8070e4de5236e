//! The dashboard of a rollout: progress, coverage, burndown, breakdowns, the lagging list.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::i18n::Texts;
use super::{db, html, Chrome, Page, PageError};
use crate::domain::deadline::almaty_date;
use crate::domain::status::Status;
use crate::rollout::model::{RolloutRow, StatusFilter, StatusRow, StatusSort};
use crate::rollout::report::{self, GroupBy, Scope};
use crate::rollout::service::Rollout;
use crate::AppState;

pub struct Bar {
    pub label: &'static str,
    pub key: &'static str,
    pub count: i64,
    pub percent: f64,
}

pub struct GroupLine {
    pub label: String,
    pub href: String,
    pub total: i64,
    pub done_percent: f64,
    pub coverage_percent: f64,
    pub overdue: i64,
}

pub struct LaggingLine {
    pub bin: String,
    pub name: String,
    pub status: &'static str,
    pub deadline: String,
    pub days_overdue: i64,
}

#[derive(Template)]
#[template(path = "web/dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    t: &'static Texts,
    title: String,
    total: i64,
    bars: Vec<Bar>,
    done_percent: String,
    verified_percent: String,
    coverage_percent: String,
    overdue: i64,
    at_risk: i64,
    chart: String,
    group: &'static str,
    groups: Vec<GroupLine>,
    lagging: Vec<LaggingLine>,
    projected: String,
    rollouts: Vec<(String, String, bool)>,
}

#[derive(Deserialize)]
pub struct DashboardQuery {
    rollout: Option<String>,
    group: Option<String>,
}

fn percent(share: f64) -> String {
    format!("{:.1} %", share * 100.0)
}

pub async fn dashboard(
    state: web::Data<AppState>,
    page: Page,
    query: web::Query<DashboardQuery>,
) -> Result<HttpResponse, PageError> {
    let t = page.t();
    let ru = page.lang == super::i18n::Lang::Ru;
    let group = match query.group.as_deref() {
        Some("kind") => GroupBy::Kind,
        Some("parent") => GroupBy::Parent,
        _ => GroupBy::Region,
    };
    let wanted = query.rollout.clone();
    let risk = state.settings.rollouts.at_risk_days;
    let (rollout, all, summary, burndown, lagging) = db(&state, move |conn| {
        let all = RolloutRow::list(conn)?;
        let slug = wanted
            .filter(|w| all.iter().any(|r| r.slug == *w))
            .or_else(|| all.first().map(|r| r.slug.clone()))
            .unwrap_or_else(|| "aitu".into());
        let rollout = Rollout::load(conn, &slug)?;
        let scope = Scope { within_path: None };
        let today = almaty_date(chrono::Utc::now());
        let summary = report::summary(conn, &rollout, &scope, Some(group), today, false, risk)?;
        let burndown = report::burndown(conn, &rollout, &scope, today, &summary.figures)?;
        let filter = StatusFilter {
            rollout: slug.clone(),
            kinds: rollout.kinds(),
            statuses: vec!["not_started".into(), "in_progress".into()],
            ..Default::default()
        };
        let (lagging, _) = StatusRow::list(conn, &filter, StatusSort::DaysOverdue, 15, 0)?;
        Ok((rollout, all, summary, burndown, lagging))
    })
    .await?;
    let today = almaty_date(chrono::Utc::now());
    let total = summary.figures.total.max(1);
    let bars = Status::ALL
        .iter()
        .map(|s| {
            let count = summary.figures.counts.get(s.as_str()).copied().unwrap_or(0);
            Bar {
                label: t.status_label(s.as_str()),
                key: s.as_str(),
                count,
                percent: count as f64 * 100.0 / total as f64,
            }
        })
        .collect();
    let groups = summary
        .groups
        .unwrap_or_default()
        .into_iter()
        .map(|g| GroupLine {
            href: match group {
                GroupBy::Region => format!("/organizations?region={}", g.key),
                GroupBy::Kind => format!("/organizations?kind={}", g.key),
                GroupBy::Parent => format!("/organizations/{}", g.key),
            },
            label: g.label,
            total: g.figures.total,
            done_percent: g.figures.done_share * 100.0,
            coverage_percent: g.figures.staff_coverage * 100.0,
            overdue: g.figures.overdue,
        })
        .collect();
    let lagging = lagging
        .into_iter()
        .map(|(status, org)| {
            let days = (status.deadline - today).num_days();
            LaggingLine {
                bin: org.bin.clone(),
                name: if ru { org.name_ru } else { org.name_kk },
                status: t.status_label(&status.status),
                deadline: status.deadline.format("%d.%m.%Y").to_string(),
                days_overdue: (-days).max(0),
            }
        })
        .collect();
    let title = if ru {
        rollout.row.title_ru.clone()
    } else {
        rollout.row.title_kk.clone()
    };
    let chart = super::svg::burndown_svg(&burndown, t.burndown);
    let projected = burndown
        .projected_completion
        .map(|d| d.format("%d.%m.%Y").to_string())
        .unwrap_or_else(|| "—".into());
    let slug = rollout.row.slug.clone();
    html(&DashboardPage {
        chrome: page.chrome(t.dashboard),
        t,
        title,
        total: summary.figures.total,
        bars,
        done_percent: percent(summary.figures.done_share),
        verified_percent: percent(summary.figures.verified_share),
        coverage_percent: percent(summary.figures.staff_coverage),
        overdue: summary.figures.overdue,
        at_risk: summary.figures.at_risk,
        chart,
        group: match group {
            GroupBy::Region => "region",
            GroupBy::Kind => "kind",
            GroupBy::Parent => "parent",
        },
        groups,
        lagging,
        projected,
        rollouts: all
            .into_iter()
            .map(|r| {
                let current = r.slug == slug;
                let title = if ru { r.title_ru } else { r.title_kk };
                (r.slug, title, current)
            })
            .collect(),
    })
    .map(|mut r| {
        let _ = risk;
        r.headers_mut().insert(
            actix_web::http::header::CACHE_CONTROL,
            actix_web::http::header::HeaderValue::from_static("no-store"),
        );
        r
    })
}
