//! Bulk status import (CSV, all or nothing) and the status table export.

use std::collections::HashMap;

use serde::Serialize;

use super::model::{EventRow, StatusRow};
use super::service::{
    apply_change, event_for, load_status, reporter_for, status_audit, ChangeError, Rollout,
    StatusChange,
};
use crate::audit::{self, AuditActor, AuditEntry, Outcome};
use crate::auth::Actor;
use crate::db::{write_transaction, DbConnection};
use crate::domain::status::{EventKind, Reporter};
use crate::domain::Bin;
use crate::registry::csv::{cell, describe, excel_reader, header_error, line_of, RowError};
use crate::registry::model::OrganizationRow;

/// Rows read and written at a time.
const CHUNK: usize = 500;

/// Columns of a status file.
pub const STATUS_COLUMNS: [&str; 6] = [
    "bin",
    "status",
    "accounts_active",
    "note",
    "reason",
    "evidence_url",
];

/// What a status import did, or would do.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StatusImportReport {
    pub dry_run: bool,
    pub rows: u64,
    pub changed: u64,
    pub unchanged: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum StatusImportError {
    #[error("{} row(s) of the file are invalid; nothing was imported", .0.len())]
    Rejected(Vec<RowError>),
    #[error("rows on lines {lines:?} concern organizations outside your scope")]
    OutOfScope { lines: Vec<u64> },
    #[error("the status of {0} changed during the import; run it again")]
    Concurrent(String),
    #[error(transparent)]
    Rollout(#[from] super::service::RolloutError),
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

struct Line {
    line: u64,
    bin: String,
    change: StatusChange,
}

fn row_error(
    line: u64,
    column: Option<&str>,
    bin: Option<&str>,
    message: impl Into<String>,
) -> RowError {
    RowError {
        line,
        column: column.map(str::to_owned),
        bin: bin.map(str::to_owned).filter(|b| !b.is_empty()),
        message: message.into(),
    }
}

/// The rows that parse, and the problems of the others (a bad header: only that).
fn parse(bytes: &[u8]) -> Result<(Vec<Line>, Vec<RowError>), Vec<RowError>> {
    let mut reader = excel_reader(bytes).map_err(|e| vec![e])?;
    let header = reader
        .headers()
        .map_err(|e| vec![header_error(describe(&e))])?
        .clone();
    let mut positions = HashMap::new();
    let mut problems = Vec::new();
    for (i, name) in header.iter().enumerate() {
        let name = name.trim().to_ascii_lowercase();
        match STATUS_COLUMNS.iter().find(|c| **c == name) {
            Some(c) if positions.contains_key(c) => {
                problems.push(format!("column '{name}' appears twice"))
            }
            Some(c) => {
                positions.insert(*c, i);
            }
            None => problems.push(format!("unknown column '{name}'")),
        }
    }
    if !positions.contains_key("bin") {
        problems.push("the bin column is required".into());
    }
    if !problems.is_empty() {
        return Err(vec![header_error(format!(
            "{}; the columns are: {}",
            problems.join("; "),
            STATUS_COLUMNS.join(", ")
        ))]);
    }
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                errors.push(row_error(
                    e.position().map_or(0, |p| p.line()),
                    None,
                    None,
                    describe(&e),
                ));
                continue;
            }
        }
        let line = line_of(&record);
        let get = |column: &str| {
            positions
                .get(column)
                .and_then(|i| cell(&record, *i))
                .map(str::trim)
        };
        let bin = get("bin").unwrap_or("").to_owned();
        if let Err(e) = Bin::parse(&bin) {
            errors.push(row_error(line, Some("bin"), Some(&bin), e.to_string()));
            continue;
        }
        let optional = |v: Option<&str>| v.map(|t| Some(t.to_owned()).filter(|t| !t.is_empty()));
        let accounts_active = match get("accounts_active") {
            None | Some("") => None,
            Some(raw) => match raw.replace([' ', '\u{a0}'], "").parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.push(row_error(
                        line,
                        Some("accounts_active"),
                        Some(&bin),
                        format!("'{raw}' is not a whole number"),
                    ));
                    continue;
                }
            },
        };
        lines.push(Line {
            line,
            change: StatusChange {
                status: get("status").filter(|s| !s.is_empty()).map(str::to_owned),
                accounts_active,
                note: optional(get("note")),
                evidence_url: optional(get("evidence_url")),
                reason: get("reason").filter(|s| !s.is_empty()).map(str::to_owned),
            },
            bin,
        });
    }
    Ok((lines, errors))
}

/// Imports statuses for `rollout` from CSV: every row applies, or none.
pub fn import_statuses(
    conn: &mut DbConnection,
    actor: &Actor,
    slug: &str,
    bytes: &[u8],
    dry_run: bool,
) -> Result<StatusImportReport, StatusImportError> {
    let (lines, parse_errors) = parse(bytes).map_err(StatusImportError::Rejected)?;
    enum Abort {
        DryRun(StatusImportReport),
        Error(StatusImportError),
    }
    impl<E: Into<StatusImportError>> From<E> for Abort {
        fn from(e: E) -> Self {
            Self::Error(e.into())
        }
    }
    let outcome = write_transaction(conn, |conn| -> Result<StatusImportReport, Abort> {
        let rollout = Rollout::load(conn, slug).map_err(StatusImportError::from)?;
        let tally = super::tally::Deferred::begin(conn)?;
        let mut errors = parse_errors.clone();
        let mut outside = Vec::new();
        let mut seen: HashMap<&str, u64> = HashMap::new();
        let audit_actor = AuditActor::from(actor);
        let mut report = StatusImportReport {
            dry_run,
            rows: lines.len() as u64,
            ..Default::default()
        };
        // A chunk at a time: its organizations and their status rows in one query each
        // (a unit without a status row gets it from `load_status`), then its writes.
        // Once a row is refused nothing more is written, but every row is still
        // checked; the refusal rolls back what was.
        for chunk in lines.chunks(CHUNK) {
            let bins: Vec<String> = chunk.iter().map(|line| line.bin.clone()).collect();
            let orgs: HashMap<String, OrganizationRow> =
                OrganizationRow::find_many_by_bin(conn, &bins)?
                    .into_iter()
                    .map(|org| (org.bin.clone(), org))
                    .collect();
            let ids: Vec<&str> = chunk
                .iter()
                .filter_map(|line| orgs.get(&line.bin))
                .map(|org| org.id.as_str())
                .collect();
            let mut current_rows: HashMap<String, StatusRow> =
                StatusRow::find_many(conn, slug, &ids)?
                    .into_iter()
                    .map(|row| (row.organization_id.clone(), row))
                    .collect();
            let mut updates = Vec::with_capacity(chunk.len());
            let mut events = Vec::with_capacity(chunk.len());
            let mut audits = Vec::with_capacity(chunk.len());
            for line in chunk {
                if let Some(first) = seen.insert(&line.bin, line.line) {
                    errors.push(row_error(
                        line.line,
                        Some("bin"),
                        Some(&line.bin),
                        format!("the BIN appears again: it is already on line {first}"),
                    ));
                    continue;
                }
                let Some(org) = orgs.get(&line.bin) else {
                    errors.push(row_error(
                        line.line,
                        Some("bin"),
                        Some(&line.bin),
                        "no organization with this BIN in the registry",
                    ));
                    continue;
                };
                if !rollout.applies_to(org) {
                    errors.push(row_error(
                        line.line,
                        Some("bin"),
                        Some(&line.bin),
                        "the rollout does not apply to this organization",
                    ));
                    continue;
                }
                if !matches!(
                    reporter_for(actor, &org.path, "status.import"),
                    Ok(Reporter::Coordinator)
                ) {
                    outside.push(line.line);
                    continue;
                }
                let current = match current_rows.remove(&org.id) {
                    Some(row) => row,
                    None => load_status(conn, &rollout, org).map_err(StatusImportError::from)?,
                };
                let (next, _) = match apply_change(&current, &line.change, Reporter::Coordinator) {
                    Ok(next) => next,
                    Err(ChangeError::Invalid(fields)) => {
                        for f in fields {
                            errors.push(row_error(
                                line.line,
                                Some(&f.field),
                                Some(&line.bin),
                                f.message,
                            ));
                        }
                        continue;
                    }
                    Err(ChangeError::Denied(message)) => {
                        errors.push(row_error(
                            line.line,
                            Some("status"),
                            Some(&line.bin),
                            message,
                        ));
                        continue;
                    }
                };
                if next == current {
                    report.unchanged += 1;
                    continue;
                }
                let next = StatusRow {
                    updated_by: Some(actor.user.id.clone()),
                    ..next
                };
                events.push(event_for(
                    &audit_actor,
                    Some(actor.user.role),
                    &current,
                    &next,
                    EventKind::Import,
                ));
                audits.push(status_audit(&current, &next, org));
                report.changed += 1;
                updates.push((next, current.version));
            }
            if errors.is_empty() && outside.is_empty() {
                if let Some(stale) = StatusRow::update_many_if_version(conn, &updates)? {
                    let bin = chunk
                        .iter()
                        .find(|line| orgs.get(&line.bin).is_some_and(|org| org.id == stale))
                        .map_or_else(|| stale.to_owned(), |line| line.bin.clone());
                    return Err(StatusImportError::Concurrent(bin).into());
                }
                EventRow::insert_many(conn, &events)?;
                audit::record_many(conn, &audit_actor, audits)?;
            }
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.line);
            return Err(StatusImportError::Rejected(errors).into());
        }
        if !outside.is_empty() {
            return Err(StatusImportError::OutOfScope { lines: outside }.into());
        }
        tally.finish(conn)?;
        audit::record(
            conn,
            &audit_actor,
            AuditEntry::new("status.import", Outcome::Success)
                .object("rollout", slug.to_owned())
                .detail(format!(
                    "{} rows: {} changed, {} unchanged",
                    report.rows, report.changed, report.unchanged
                )),
        )?;
        if dry_run {
            return Err(Abort::DryRun(report));
        }
        Ok(report)
    });
    match outcome {
        Ok(report) | Err(Abort::DryRun(report)) => Ok(report),
        Err(Abort::Error(e)) => Err(e),
    }
}
