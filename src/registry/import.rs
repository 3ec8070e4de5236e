//! CSV import: upsert by BIN, all or nothing.
//!
//! The file is read twice. The first pass checks every row (fields, parents, cycles)
//! and keeps only a few dozen bytes per row; the second writes, parents before
//! children. Memory therefore grows with the number of rows, not with their width,
//! and the whole import is one transaction: a file with any bad row writes nothing.
//! When every row is new, the second pass runs on two threads: one builds the rows
//! of a chunk while the other writes the chunk before (`write_new`).

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::PathBuf;

use diesel::result::Error as DieselError;
use serde::Serialize;

use super::csv::{CsvRow, OrganizationCsvReader, RowError};
use super::model::{self, child_path, NewOrganizationRow, OrganizationChanges, OrganizationRow};
use super::search_words::KnownWords;
use super::service::now;
use super::view::Organization;
use crate::audit::{self, AuditActor, AuditEntry, Outcome};
use crate::db::{write_transaction, DbConnection, DeferredIndexes};
use crate::domain::organization::{FieldNaming, OrganizationFields};
use crate::domain::Bin;

/// Rows looked up in the database at a time.
const CHUNK: usize = 500;
/// Files of at least this many rows may defer the index upkeep of the tables they fill
/// (see [`DeferredIndexes`]).
const BULK_ROWS: usize = 5_000;
/// Bytes of new trigram entries a large import gathers in memory (SQLite; see
/// [`model::set_search_buffer`]).
const BULK_SEARCH_BUFFER: i64 = 16 << 20;
/// Row errors listed at most; the count covers all of them.
pub const MAX_LISTED_ERRORS: usize = 1000;

/// Something the file can be read from, more than once (and from another thread).
pub trait CsvSource: Sync {
    fn open(&self) -> std::io::Result<Box<dyn Read + '_>>;
}

impl CsvSource for &[u8] {
    fn open(&self) -> std::io::Result<Box<dyn Read + '_>> {
        Ok(Box::new(*self))
    }
}

impl CsvSource for PathBuf {
    fn open(&self) -> std::io::Result<Box<dyn Read + '_>> {
        Ok(Box::new(std::fs::File::open(self)?))
    }
}

/// What an import did, or would do in a dry run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub dry_run: bool,
    /// Data rows in the file.
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{total} row(s) of the file are invalid; nothing was imported")]
    Rejected { errors: Vec<RowError>, total: u64 },
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    #[error(
        "an organization in the file was changed by someone else during the import; run it again"
    )]
    Concurrent,
    #[error("rows on lines {} change organizations outside your scope", lines_list(.lines))]
    OutOfScope { lines: Vec<u64> },
    #[error(transparent)]
    Database(#[from] DieselError),
}

fn lines_list(lines: &[u64]) -> String {
    let shown: Vec<String> = lines.iter().take(20).map(u64::to_string).collect();
    let more = lines.len().saturating_sub(20);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// Who imports, for the audit trail, and the part of the tree they may change.
#[derive(Debug, Clone, Default)]
pub struct ImportContext {
    pub actor: AuditActor,
    /// Every created or changed organization must lie below this path (scoped coordinators).
    pub scope_path: Option<String>,
}

/// Told how far the import has come (for a progress bar).
pub trait Progress {
    fn checked(&mut self, _rows: u64) {}
    fn written(&mut self, _rows: u64, _total: u64) {}
}

impl Progress for () {}

/// A row as remembered between the passes.
struct Entry {
    bin: u64,
    /// `None`: keep the current parent (existing rows) or root (new rows).
    parent: ParentRef,
    existing: Option<Existing>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ParentRef {
    Keep,
    Root,
    Bin(u64),
}

/// The database's view of a row before the import.
struct Existing {
    id: String,
    parent_id: Option<String>,
    archived: bool,
}

/// Collects row errors, listing the first [`MAX_LISTED_ERRORS`].
#[derive(Default)]
struct Errors {
    listed: Vec<RowError>,
    total: u64,
}

impl Errors {
    fn push(&mut self, error: RowError) {
        self.total += 1;
        if self.listed.len() < MAX_LISTED_ERRORS {
            self.listed.push(error);
        }
    }

    fn at(&mut self, row: &CsvRow, column: Option<&str>, message: impl Into<String>) {
        self.push(RowError {
            line: row.line,
            column: column.map(str::to_owned),
            bin: Some(row.bin().to_owned()).filter(|b| !b.is_empty()),
            message: message.into(),
        });
    }
}

/// Imports organizations from `source`. With `dry_run` everything is checked and
/// counted, then rolled back.
pub fn import_organizations(
    conn: &mut DbConnection,
    source: &dyn CsvSource,
    context: &ImportContext,
    dry_run: bool,
    progress: &mut dyn Progress,
) -> Result<ImportReport, ImportError> {
    let started = std::time::Instant::now();
    let phase = |name: &str| log::debug!("import: {name} after {:.2?}", started.elapsed());
    let outcome = write_transaction(conn, |conn| {
        if let DbConnection::Pg(pg) = conn {
            // PostgreSQL only: a plan cached while the table was small (the first pass)
            // would be reused as it fills, turning BIN lookups into full scans. The
            // few statements over whole tables (status rows, keys added back) run
            // once: compiling them (JIT) costs more than it saves, 0.1-0.2 s a load.
            diesel::connection::SimpleConnection::batch_execute(
                pg,
                "SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL jit = off",
            )
            .map_err(ImportError::from)?;
        }
        // Organization edits reach the status rows' copies one row at a time.
        let tally = crate::rollout::tally::Deferred::begin(conn)?;
        let mut plan = check(conn, source, progress)?;
        phase("checked");
        // A file larger than the tables it fills (a first load): their secondary
        // indexes are built once at the end instead of row by row.
        let rows = plan.entries.len();
        let deferred = (rows >= BULK_ROWS)
            .then(|| {
                DeferredIndexes::drop(
                    conn,
                    &[
                        ("organizations", rows),
                        ("statuses", rows),
                        ("audit_log", rows),
                    ],
                )
            })
            .transpose()?;
        let search_buffer = rows >= BULK_ROWS;
        if search_buffer {
            model::set_search_buffer(conn, BULK_SEARCH_BUFFER)?;
        }
        let mut report = if plan.by_id.is_empty() {
            write_new(conn, source, &plan, context, progress)?
        } else {
            write(conn, source, &mut plan, context, progress)?
        };
        report.dry_run = dry_run;
        phase("written");
        if search_buffer {
            model::set_search_buffer(conn, model::SEARCH_BUFFER_DEFAULT)?;
        }
        // New organizations, and ones whose kind changed, join the rollouts that apply.
        crate::rollout::service::sync_all_rollouts(conn)?;
        tally.finish(conn)?;
        phase("rollouts synced");
        if let Some(deferred) = deferred {
            deferred.restore(conn)?;
            phase("indexes rebuilt");
        }
        audit::record(
            conn,
            &context.actor,
            AuditEntry::new("organization.import", Outcome::Success).detail(format!(
                "{} rows: {} created, {} updated, {} unchanged",
                report.rows, report.created, report.updated, report.unchanged
            )),
        )?;
        if dry_run {
            // Roll back: the report is all a dry run leaves.
            return Err(DryRunOr::DryRun(report));
        }
        Ok(report)
    });
    phase("committed");
    match outcome {
        Ok(report) => Ok(report),
        Err(DryRunOr::DryRun(report)) => Ok(report),
        Err(DryRunOr::Error(error)) => Err(error),
    }
}

/// A dry run leaves the transaction as an "error" so that it rolls back.
enum DryRunOr {
    DryRun(ImportReport),
    Error(ImportError),
}

impl<E: Into<ImportError>> From<E> for DryRunOr {
    fn from(e: E) -> Self {
        Self::Error(e.into())
    }
}

/// The outcome of the checking pass.
struct Plan {
    entries: Vec<Entry>,
    by_bin: HashMap<u64, usize>,
    /// Rows of the file that exist already, by id.
    by_id: HashMap<String, usize>,
    /// Parents in the registry but not in the file, by BIN.
    outside: HashMap<u64, Placed>,
}

fn parse_bin(raw: &str) -> Option<u64> {
    Bin::parse(raw).ok().map(|b| b.as_u64())
}

fn bin_text(bin: u64) -> String {
    Bin::from_u64(bin).to_string()
}

/// Merges a row over the current values and checks it.
fn row_fields(
    row: &CsvRow,
    current: Option<&OrganizationRow>,
) -> Result<OrganizationFields, Vec<RowError>> {
    let mut input = current.map(OrganizationRow::to_input).unwrap_or_default();
    row.apply(&mut input).map_err(|e| vec![e])?;
    input.validate(FieldNaming::Csv).map_err(|errors| {
        errors
            .into_iter()
            .map(|e| RowError {
                line: row.line,
                bin: Some(row.bin().to_owned()).filter(|b| !b.is_empty()),
                message: if current.is_none() && row.cells[column_of(&e.field)].is_none() {
                    format!(
                        "{} (the file has no {} column, and this BIN is new)",
                        e.message, e.field
                    )
                } else {
                    e.message
                },
                column: Some(e.field),
            })
            .collect()
    })
}

fn column_of(field: &str) -> usize {
    super::csv::COLUMNS
        .iter()
        .position(|c| *c == field)
        .unwrap_or(0)
}

/// The file, [`CHUNK`] rows at a time.
struct Chunks<'a> {
    csv: OrganizationCsvReader<Box<dyn Read + 'a>>,
}

impl<'a> Chunks<'a> {
    /// Opens the file; `Ok(Err(..))` is a header the import cannot use.
    fn open(source: &'a dyn CsvSource) -> Result<Result<Self, RowError>, ImportError> {
        Ok(OrganizationCsvReader::new(source.open()?).map(|csv| Self { csv }))
    }

    fn next_chunk(&mut self) -> Option<Vec<Result<CsvRow, RowError>>> {
        let chunk: Vec<_> = std::iter::from_fn(|| self.csv.next_row())
            .take(CHUNK)
            .collect();
        (!chunk.is_empty()).then_some(chunk)
    }
}

/// Reads the file in chunks, with the current rows of each chunk's BINs. A thread of
/// its own reads and parses the file a few chunks ahead of `f`: on a first load that
/// is a third of the time the check takes.
fn for_each_chunk(
    conn: &mut DbConnection,
    source: &dyn CsvSource,
    mut on_header_error: impl FnMut(RowError),
    mut f: impl FnMut(
        &mut DbConnection,
        Vec<Result<CsvRow, RowError>>,
        HashMap<String, OrganizationRow>,
    ) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    std::thread::scope(|scope| {
        let (sender, chunks) = std::sync::mpsc::sync_channel(2);
        let reader = scope.spawn(move || -> Result<Option<RowError>, ImportError> {
            let mut file = match Chunks::open(source)? {
                Ok(file) => file,
                Err(header) => return Ok(Some(header)),
            };
            while let Some(chunk) = file.next_chunk() {
                if sender.send(chunk).is_err() {
                    // `f` failed; its error is the one to report.
                    break;
                }
            }
            Ok(None)
        });
        let mut each = || -> Result<(), ImportError> {
            for chunk in &chunks {
                let bins: Vec<String> = chunk
                    .iter()
                    .filter_map(|r| r.as_ref().ok())
                    .filter_map(|r| Bin::parse(r.bin()).ok())
                    .map(|b| b.to_string())
                    .collect();
                let current = OrganizationRow::find_many_by_bin(conn, &bins)?
                    .into_iter()
                    .map(|r| (r.bin.clone(), r))
                    .collect();
                f(conn, chunk, current)?;
            }
            Ok(())
        };
        let consumed = each();
        // Stops the reader if `f` stopped first.
        drop(chunks);
        let read = reader
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        consumed?;
        if let Some(header) = read? {
            on_header_error(header);
        }
        Ok(())
    })
}

/// Pass 1: checks every row and the tree they make; writes nothing.
fn check(
    conn: &mut DbConnection,
    source: &dyn CsvSource,
    progress: &mut dyn Progress,
) -> Result<Plan, ImportError> {
    let mut errors = Errors::default();
    let mut entries: Vec<Entry> = Vec::new();
    let mut by_bin: HashMap<u64, usize> = HashMap::new();
    let mut lines: Vec<u64> = Vec::new();
    let mut header_errors = Vec::new();
    for_each_chunk(
        conn,
        source,
        |e| header_errors.push(e),
        |_, chunk, current| {
            for row in chunk {
                let row = match row {
                    Ok(row) => row,
                    Err(error) => {
                        errors.push(error);
                        continue;
                    }
                };
                let existing = Bin::parse(row.bin())
                    .ok()
                    .and_then(|b| current.get(&b.to_string()));
                let fields = match row_fields(&row, existing) {
                    Ok(fields) => fields,
                    Err(row_errors) => {
                        row_errors.into_iter().for_each(|e| errors.push(e));
                        continue;
                    }
                };
                let bin = fields.bin.as_u64();
                let parent = match row.parent_bin() {
                    None => ParentRef::Keep,
                    Some(None) => ParentRef::Root,
                    Some(Some(raw)) => match parse_bin(raw) {
                        Some(p) if p == bin => {
                            errors.at(
                                &row,
                                Some("parent_bin"),
                                "an organization cannot be its own parent",
                            );
                            continue;
                        }
                        Some(p) => ParentRef::Bin(p),
                        None => {
                            let why = Bin::parse(raw)
                                .err()
                                .map(|e| e.to_string())
                                .unwrap_or_default();
                            errors.at(
                                &row,
                                Some("parent_bin"),
                                format!("'{raw}' is not a valid BIN: {why}"),
                            );
                            continue;
                        }
                    },
                };
                if let Some(&first) = by_bin.get(&bin) {
                    errors.at(
                        &row,
                        Some("bin"),
                        format!(
                            "the BIN appears again: it is already on line {}",
                            lines[first]
                        ),
                    );
                    continue;
                }
                by_bin.insert(bin, entries.len());
                lines.push(row.line);
                entries.push(Entry {
                    bin,
                    parent,
                    existing: existing.map(|r| Existing {
                        id: r.id.clone(),
                        parent_id: r.parent_id.clone(),
                        archived: r.is_archived(),
                    }),
                });
            }
            progress.checked(entries.len() as u64 + errors.total);
            Ok(())
        },
    )?;
    if !header_errors.is_empty() {
        return Err(ImportError::Rejected {
            total: header_errors.len() as u64,
            errors: header_errors,
        });
    }
    let outside = check_tree(conn, &entries, &by_bin, &lines, &mut errors)?;
    if errors.total > 0 {
        let mut listed = errors.listed;
        listed.sort_by_key(|e| e.line);
        return Err(ImportError::Rejected {
            errors: listed,
            total: errors.total,
        });
    }
    let by_id = entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| e.existing.as_ref().map(|x| (x.id.clone(), i)))
        .collect();
    Ok(Plan {
        entries,
        by_bin,
        by_id,
        outside,
    })
}

/// Parents must exist (in the file or the registry), be active, and make no cycle.
/// Returns the parents found in the registry.
fn check_tree(
    conn: &mut DbConnection,
    entries: &[Entry],
    by_bin: &HashMap<u64, usize>,
    lines: &[u64],
    errors: &mut Errors,
) -> Result<HashMap<u64, Placed>, ImportError> {
    let error_at = |errors: &mut Errors, i: usize, message: String| {
        errors.push(RowError {
            line: lines[i],
            column: Some("parent_bin".into()),
            bin: Some(bin_text(entries[i].bin)),
            message,
        })
    };
    // Parents outside the file, looked up once each.
    let outside: Vec<String> = entries
        .iter()
        .filter_map(|e| match e.parent {
            ParentRef::Bin(p) if !by_bin.contains_key(&p) => Some(bin_text(p)),
            _ => None,
        })
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut registry: HashMap<u64, OrganizationRow> = HashMap::new();
    for chunk in outside.chunks(CHUNK) {
        for row in OrganizationRow::find_many_by_bin(conn, chunk)? {
            registry.insert(parse_bin(&row.bin).unwrap_or(0), row);
        }
    }
    let file_ids: HashMap<&str, usize> = entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| e.existing.as_ref().map(|x| (x.id.as_str(), i)))
        .collect();
    // Kept parents of existing rows, and ancestors above registry parents, may be rows of
    // the file too: load what is needed to follow the chain.
    let mut by_id: HashMap<String, OrganizationRow> = HashMap::new();
    let mut wanted: Vec<String> = entries
        .iter()
        .filter(|e| e.parent == ParentRef::Keep)
        .filter_map(|e| e.existing.as_ref().and_then(|x| x.parent_id.clone()))
        .filter(|id| !file_ids.contains_key(id.as_str()))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    wanted.sort();
    for chunk in wanted.chunks(CHUNK) {
        use crate::db::schema::organizations::dsl;
        use diesel::prelude::*;
        for row in dsl::organizations
            .filter(dsl::id.eq_any(chunk))
            .select(OrganizationRow::as_select())
            .load(conn)?
        {
            by_id.insert(row.id.clone(), row);
        }
    }
    for (i, entry) in entries.iter().enumerate() {
        if let ParentRef::Bin(p) = entry.parent {
            match by_bin.get(&p) {
                Some(&j) => {
                    if entries[j].existing.as_ref().is_some_and(|x| x.archived) {
                        error_at(errors, i, format!("the parent {} is archived", bin_text(p)));
                    }
                }
                None => match registry.get(&p) {
                    None => error_at(
                        errors,
                        i,
                        format!(
                            "the parent {} is neither in the file nor in the registry",
                            bin_text(p)
                        ),
                    ),
                    Some(row) if row.is_archived() => {
                        error_at(errors, i, format!("the parent {} is archived", bin_text(p)))
                    }
                    Some(_) => {}
                },
            }
        }
    }
    // Cycle check: follow each row's chain of parents. Outside the file, a registry
    // row's stored path lists its ancestors; the deepest one that is in the file decides.
    let next = |i: usize| -> Option<usize> {
        let entry = &entries[i];
        let outside_path = match entry.parent {
            ParentRef::Root => return None,
            ParentRef::Bin(p) => match by_bin.get(&p) {
                Some(&j) => return Some(j),
                None => registry.get(&p).map(|r| r.path.as_str()),
            },
            ParentRef::Keep => {
                let parent_id = entry.existing.as_ref()?.parent_id.as_deref()?;
                if let Some(&j) = file_ids.get(parent_id) {
                    return Some(j);
                }
                by_id.get(parent_id).map(|r| r.path.as_str())
            }
        }?;
        outside_path
            .split('/')
            .filter(|s| !s.is_empty())
            .rev()
            .find_map(|id| file_ids.get(id).copied())
    };
    // 0 = unseen, 1 = on the current chain, 2 = known to reach a root.
    let mut state = vec![0u8; entries.len()];
    for start in 0..entries.len() {
        let mut chain = Vec::new();
        let mut at = Some(start);
        while let Some(i) = at {
            match state[i] {
                2 => break,
                1 => {
                    let from = chain.iter().position(|&c| c == i).unwrap_or(0);
                    for &c in &chain[from..] {
                        error_at(
                            errors,
                            c,
                            "this parent would make a cycle: the organization would end up below itself".into(),
                        );
                    }
                    break;
                }
                _ => {
                    state[i] = 1;
                    chain.push(i);
                    at = next(i);
                }
            }
        }
        for c in chain {
            state[c] = 2;
        }
    }
    Ok(registry
        .into_iter()
        .map(|(bin, row)| (bin, Placed::stored(row)))
        .collect())
}

/// Where a written row sits, for its children.
#[derive(Clone)]
struct Placed {
    id: String,
    path: String,
    depth: i32,
}

impl Placed {
    /// Where a registry row sits.
    fn stored(row: OrganizationRow) -> Self {
        Self {
            id: row.id,
            path: row.path,
            depth: row.depth,
        }
    }

    /// Where a row about to be inserted will sit.
    fn of(row: &NewOrganizationRow) -> Self {
        Self {
            id: row.id.clone(),
            path: row.path.clone(),
            depth: row.depth,
        }
    }
}

/// Pass 2: writes rows whose parent is already placed, in as many rounds as the
/// file needs (one when parents come first).
fn write(
    conn: &mut DbConnection,
    source: &dyn CsvSource,
    plan: &mut Plan,
    context: &ImportContext,
    progress: &mut dyn Progress,
) -> Result<ImportReport, ImportError> {
    let mut out_of_scope = Vec::new();
    let total = plan.entries.len() as u64;
    let mut report = ImportReport {
        rows: total,
        ..Default::default()
    };
    let mut done = vec![false; plan.entries.len()];
    let mut placed: HashMap<u64, Placed> = HashMap::new();
    let mut outside: HashMap<String, Placed> = HashMap::new();
    let mut words = KnownWords::default();
    let mut written = 0u64;
    // Once a subtree has moved, stored paths read earlier may be out of date.
    let mut moved = false;
    while written < total {
        let before = written;
        let mut index = 0usize;
        for_each_chunk(
            conn,
            source,
            |_| {},
            |conn, chunk, mut current| {
                let mut inserts = Vec::new();
                let mut audits = Vec::new();
                for row in chunk.into_iter().flatten() {
                    let i = index;
                    index += 1;
                    if done[i] {
                        continue;
                    }
                    let entry = &plan.entries[i];
                    let bin_key = bin_text(entry.bin);
                    let existing = current.remove(&bin_key);
                    let parent = match entry.parent {
                        ParentRef::Root => None,
                        ParentRef::Bin(p) => match plan.by_bin.get(&p) {
                            Some(&j) if !done[j] => continue,
                            Some(_) => Some(placed[&p].clone()),
                            None => Some(lookup_outside(
                                conn,
                                &mut outside,
                                Some(&bin_text(p)),
                                None,
                            )?),
                        },
                        ParentRef::Keep => {
                            match existing.as_ref().and_then(|r| r.parent_id.clone()) {
                                None => None,
                                Some(parent_id) => match plan.by_id.get(&parent_id).copied() {
                                    Some(j) if !done[j] => continue,
                                    Some(j) => Some(placed[&plan.entries[j].bin].clone()),
                                    None => Some(lookup_outside(
                                        conn,
                                        &mut outside,
                                        None,
                                        Some(&parent_id),
                                    )?),
                                },
                            }
                        }
                    };
                    let fields =
                        row_fields(&row, existing.as_ref()).map_err(|e| ImportError::Rejected {
                            total: e.len() as u64,
                            errors: e,
                        })?;
                    let line = row.line;
                    let parent_pos = parent.as_ref().map(|p| (p.path.as_str(), p.depth));
                    let here = match existing {
                        None => {
                            let (new_row, audit) = create(&fields, parent.as_ref());
                            let here = Placed::of(&new_row);
                            report.created += 1;
                            if !in_scope(context, &new_row.path) {
                                out_of_scope.push(line);
                            }
                            audits.push(audit);
                            inserts.push(new_row);
                            here
                        }
                        Some(row) => {
                            let changes = OrganizationChanges::new(
                                &fields,
                                parent.as_ref().map(|p| p.id.clone()),
                            );
                            // Earlier moves in this transaction may have rewritten its path.
                            let row = if moved {
                                OrganizationRow::find(conn, &row.id)?.unwrap_or(row)
                            } else {
                                row
                            };
                            let (path, depth) = child_path(parent_pos, &row.id);
                            if changes.is_unchanged(&row) && path == row.path {
                                report.unchanged += 1;
                            } else {
                                if !in_scope(context, &path) || !in_scope(context, &row.path) {
                                    out_of_scope.push(line);
                                }
                                OrganizationRow::insert_batch(
                                    conn,
                                    &std::mem::take(&mut inserts),
                                    &mut words,
                                )?;
                                if !OrganizationRow::update_if_version(
                                    conn,
                                    &row.id,
                                    row.version,
                                    &changes,
                                    now(),
                                )? {
                                    return Err(ImportError::Concurrent);
                                }
                                if path != row.path {
                                    OrganizationRow::move_subtree(
                                        conn,
                                        &row.path,
                                        &path,
                                        depth - row.depth,
                                    )?;
                                    outside.clear();
                                    moved = true;
                                }
                                let after = OrganizationRow::find(conn, &row.id)?
                                    .ok_or(DieselError::NotFound)?;
                                audits.push(
                                    AuditEntry::new("organization.update", Outcome::Success)
                                        .object("organization", row.id.clone())
                                        .scope_path(after.path.clone())
                                        .change(
                                            Some(&Organization::full(row.clone())),
                                            Some(&Organization::full(after)),
                                        ),
                                );
                                report.updated += 1;
                            }
                            Placed {
                                id: row.id,
                                path,
                                depth,
                            }
                        }
                    };
                    placed.insert(entry.bin, here);
                    done[i] = true;
                    written += 1;
                }
                OrganizationRow::insert_batch(conn, &inserts, &mut words)?;
                audit::record_many(conn, &context.actor, std::mem::take(&mut audits))?;
                progress.written(written, total);
                Ok(())
            },
        )?;
        if written == before {
            // Unreachable after check_tree; a guard against looping forever.
            return Err(ImportError::Database(DieselError::RollbackTransaction));
        }
    }
    refuse_out_of_scope(out_of_scope)?;
    Ok(report)
}

/// Refuses the import if rows on any of `lines` lie outside the importer's scope.
fn refuse_out_of_scope(mut lines: Vec<u64>) -> Result<(), ImportError> {
    if lines.is_empty() {
        return Ok(());
    }
    lines.sort_unstable();
    Err(ImportError::OutOfScope { lines })
}

/// Whether a row at `path` lies where the importing user may write.
fn in_scope(context: &ImportContext, path: &str) -> bool {
    context
        .scope_path
        .as_deref()
        .is_none_or(|scope| path.starts_with(scope))
}

/// A new organization under `parent`: its row and its audit entry.
fn create(
    fields: &OrganizationFields,
    parent: Option<&Placed>,
) -> (NewOrganizationRow, AuditEntry) {
    let id = uuid::Uuid::now_v7().hyphenated().to_string();
    let new_row = OrganizationChanges::new(fields, parent.map(|p| p.id.clone())).into_new_row(
        id,
        parent.map(|p| (p.path.as_str(), p.depth)),
        now(),
    );
    let audit = AuditEntry::new("organization.create", Outcome::Success)
        .object("organization", new_row.id.clone())
        .scope_path(new_row.path.clone())
        .change(None::<&()>, Some(&new_row_view(&new_row)));
    (new_row, audit)
}

/// Pass 2 when every row of the file is new (a first load, or a batch of new units).
/// Nothing needs reading back, so this thread builds each chunk's rows (parsing,
/// checking, folding names, the audit JSON) while a second thread writes the chunk
/// before: the database and the rest of the work each get a core.
fn write_new(
    conn: &mut DbConnection,
    source: &dyn CsvSource,
    plan: &Plan,
    context: &ImportContext,
    progress: &mut dyn Progress,
) -> Result<ImportReport, ImportError> {
    let (batches, received) = std::sync::mpsc::sync_channel::<Batch>(2);
    let actor = &context.actor;
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || -> Result<(), ImportError> {
            let mut words = KnownWords::default();
            for (rows, audits) in received {
                OrganizationRow::insert_batch(conn, &rows, &mut words)?;
                audit::record_many(conn, actor, audits)?;
            }
            Ok(())
        });
        let built = build_new(source, plan, context, progress, &batches);
        // The writer ends once every batch is in, or at its first error: the
        // builder then finds the channel closed and stops.
        drop(batches);
        let written = writer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        written?;
        built
    })
}

/// One chunk for the writer: organization rows and their audit entries.
type Batch = (Vec<NewOrganizationRow>, Vec<AuditEntry>);

/// The building half of [`write_new`]: rows whose parent is placed, in as many rounds
/// as the file needs (one when parents come first).
fn build_new(
    source: &dyn CsvSource,
    plan: &Plan,
    context: &ImportContext,
    progress: &mut dyn Progress,
    batches: &std::sync::mpsc::SyncSender<Batch>,
) -> Result<ImportReport, ImportError> {
    let total = plan.entries.len() as u64;
    let mut done = vec![false; plan.entries.len()];
    // Only rows that are the parent of another row in the file need remembering:
    // in a deep tree most rows are leaves.
    let parents: HashSet<u64> = plan
        .entries
        .iter()
        .filter_map(|e| match e.parent {
            ParentRef::Bin(p) if plan.by_bin.contains_key(&p) => Some(p),
            _ => None,
        })
        .collect();
    let mut placed: HashMap<u64, Placed> = HashMap::with_capacity(parents.len());
    let mut out_of_scope = Vec::new();
    let mut written = 0u64;
    while written < total {
        let before = written;
        let mut index = 0usize;
        let Ok(mut chunks) = Chunks::open(source)? else {
            // The header passed the first reading; a file changed under us.
            return Err(ImportError::Database(DieselError::RollbackTransaction));
        };
        while let Some(chunk) = chunks.next_chunk() {
            let mut rows = Vec::with_capacity(chunk.len());
            let mut audits = Vec::with_capacity(chunk.len());
            for row in chunk.into_iter().flatten() {
                let i = index;
                index += 1;
                if done[i] {
                    continue;
                }
                let entry = &plan.entries[i];
                let parent = match entry.parent {
                    ParentRef::Root | ParentRef::Keep => None,
                    ParentRef::Bin(p) => match plan.by_bin.get(&p) {
                        Some(&j) if !done[j] => continue,
                        Some(_) => placed.get(&p),
                        None => Some(
                            plan.outside
                                .get(&p)
                                .ok_or(ImportError::Database(DieselError::NotFound))?,
                        ),
                    },
                };
                let fields = row_fields(&row, None).map_err(|e| ImportError::Rejected {
                    total: e.len() as u64,
                    errors: e,
                })?;
                let (new_row, audit) = create(&fields, parent);
                if !in_scope(context, &new_row.path) {
                    out_of_scope.push(row.line);
                }
                if parents.contains(&entry.bin) {
                    placed.insert(entry.bin, Placed::of(&new_row));
                }
                rows.push(new_row);
                audits.push(audit);
                done[i] = true;
                written += 1;
            }
            if batches.send((rows, audits)).is_err() {
                // The writer failed: its error is the one to report.
                return Err(ImportError::Database(DieselError::RollbackTransaction));
            }
            progress.written(written, total);
        }
        if written == before {
            // Unreachable after check_tree; a guard against looping forever.
            return Err(ImportError::Database(DieselError::RollbackTransaction));
        }
    }
    refuse_out_of_scope(out_of_scope)?;
    Ok(ImportReport {
        rows: total,
        created: total,
        ..Default::default()
    })
}

/// The audit view of a row about to be inserted.
fn new_row_view(row: &NewOrganizationRow) -> Organization {
    Organization::full(OrganizationRow {
        id: row.id.clone(),
        bin: row.bin.clone(),
        kind: row.kind.clone(),
        parent_id: row.parent_id.clone(),
        path: row.path.clone(),
        depth: row.depth,
        region: row.region.clone(),
        headcount: row.headcount,
        name_kk: row.name_kk.clone(),
        name_ru: row.name_ru.clone(),
        name_en: row.name_en.clone(),
        search_text: row.search_text.clone(),
        it_head_name: row.it_head_name.clone(),
        it_head_email: row.it_head_email.clone(),
        it_head_phone: row.it_head_phone.clone(),
        head_name: row.head_name.clone(),
        head_email: row.head_email.clone(),
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
        archived_at: None,
    })
}

/// A parent outside the file, by BIN or id, cached until a move changes paths.
fn lookup_outside(
    conn: &mut DbConnection,
    cache: &mut HashMap<String, Placed>,
    bin: Option<&str>,
    id: Option<&str>,
) -> Result<Placed, ImportError> {
    let key = bin.or(id).unwrap_or_default().to_owned();
    if let Some(p) = cache.get(&key) {
        return Ok(p.clone());
    }
    let row = match (bin, id) {
        (Some(bin), _) => OrganizationRow::find_by_bin(conn, bin)?,
        (None, Some(id)) => OrganizationRow::find(conn, id)?,
        (None, None) => None,
    }
    .ok_or(ImportError::Database(DieselError::NotFound))?;
    let placed = Placed::stored(row);
    cache.insert(key, placed.clone());
    Ok(placed)
}

/// Builds the CSV cells of a row for export.
pub fn export_cells(row: &OrganizationRow, parent_bin: Option<&str>) -> [String; 13] {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    [
        row.bin.clone(),
        row.kind.clone(),
        parent_bin.unwrap_or_default().to_owned(),
        row.region.clone(),
        row.headcount.to_string(),
        row.name_kk.clone(),
        row.name_ru.clone(),
        text(&row.name_en),
        text(&row.it_head_name),
        text(&row.it_head_email),
        text(&row.it_head_phone),
        text(&row.head_name),
        text(&row.head_email),
    ]
}
