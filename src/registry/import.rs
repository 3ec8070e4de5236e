//! CSV import: upsert by BIN, all or nothing.
//!
//! The file is read twice. The first pass checks every row (fields, parents, cycles)
//! and keeps only a few dozen bytes per row; the second writes, parents before
//! children. Memory therefore grows with the number of rows, not with their width,
//! and the whole import is one transaction: a file with any bad row writes nothing.
//! When every row is new, the second pass runs on two threads: one builds the rows
//! of a chunk while the other writes the chunk before (`write_new`).
//!
//! A first load (the registry is empty) reads the file once (`load_first`): every row
//! is new, so each is written as soon as it passes its checks and its parent is
//! written, and the rare row listed before its parent waits for another reading. A
//! bad row anywhere still refuses the whole file, with every bad row listed.

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
        let (mut report, bulk) = match first_load(conn)? {
            Some(bulk) => (load_first(conn, source, context, progress)?, Some(bulk)),
            None => {
                let mut plan = check(conn, source, progress)?;
                phase("checked");
                // A file larger than the tables it fills: their secondary indexes are
                // built once at the end instead of row by row.
                let rows = plan.entries.len();
                let bulk = (rows >= BULK_ROWS)
                    .then(|| {
                        Bulk::begin(
                            conn,
                            &[
                                ("organizations", rows),
                                ("statuses", rows),
                                ("audit_log", rows),
                            ],
                        )
                    })
                    .transpose()?;
                let report = if plan.by_id.is_empty() {
                    write_new(conn, source, &plan, context, progress)?
                } else {
                    write(conn, source, &mut plan, context, progress)?
                };
                (report, bulk)
            }
        };
        report.dry_run = dry_run;
        phase("written");
        // New organizations, and ones whose kind changed, join the rollouts that apply.
        crate::rollout::service::sync_all_rollouts(conn)?;
        tally.finish(conn)?;
        phase("rollouts synced");
        if let Some(bulk) = bulk {
            bulk.finish(conn)?;
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

/// What a large load changes for its transaction: the secondary indexes of the tables
/// it fills are set aside (see [`DeferredIndexes`]), and SQLite's search index gathers
/// more in memory (see [`model::set_search_buffer`]). Both are put back before commit.
#[must_use = "the indexes must be restored before the transaction commits"]
struct Bulk(DeferredIndexes);

impl Bulk {
    /// `tables` pairs a table with the number of rows the load adds to it.
    fn begin(conn: &mut DbConnection, tables: &[(&str, usize)]) -> Result<Self, ImportError> {
        let indexes = DeferredIndexes::drop(conn, tables)?;
        model::set_search_buffer(conn, BULK_SEARCH_BUFFER)?;
        Ok(Self(indexes))
    }

    fn finish(self, conn: &mut DbConnection) -> Result<(), ImportError> {
        self.0.restore(conn)?;
        model::set_search_buffer(conn, model::SEARCH_BUFFER_DEFAULT)?;
        Ok(())
    }
}

/// Whether this is a first load: the registry is empty. If so, the tables it fills
/// are locked against other writers until the commit (on PostgreSQL; SQLite's write
/// transaction holds the whole file), and the load is set up as a [`Bulk`] one for
/// `organizations` and `statuses` (empty as well).
fn first_load(conn: &mut DbConnection) -> Result<Option<Bulk>, ImportError> {
    use diesel::prelude::*;
    let empty = |conn: &mut DbConnection| -> QueryResult<bool> {
        use crate::db::schema::organizations::dsl;
        dsl::organizations
            .select(dsl::id)
            .limit(1)
            .load::<String>(conn)
            .map(|rows| rows.is_empty())
    };
    if !empty(conn)? {
        return Ok(None);
    }
    if let DbConnection::Pg(pg) = conn {
        diesel::connection::SimpleConnection::batch_execute(
            pg,
            "LOCK TABLE organizations IN SHARE MODE",
        )?;
        // Someone may have written between the look and the lock.
        if !empty(conn)? {
            return Ok(None);
        }
    }
    Bulk::begin(conn, &[("organizations", 1), ("statuses", 1)]).map(Some)
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

/// Reads the file in chunks. A thread of its own reads and parses the file a few
/// chunks ahead of `f`: on a first load that is a third of the time the check takes.
fn read_ahead(
    source: &dyn CsvSource,
    mut on_header_error: impl FnMut(RowError),
    mut f: impl FnMut(Vec<Result<CsvRow, RowError>>) -> Result<(), ImportError>,
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
        let consumed = chunks.iter().try_for_each(&mut f);
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

/// Reads the file in chunks (see [`read_ahead`]), with the current rows of each
/// chunk's BINs.
fn for_each_chunk(
    conn: &mut DbConnection,
    source: &dyn CsvSource,
    on_header_error: impl FnMut(RowError),
    mut f: impl FnMut(
        &mut DbConnection,
        Vec<Result<CsvRow, RowError>>,
        HashMap<String, OrganizationRow>,
    ) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    read_ahead(source, on_header_error, |chunk| {
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
        f(conn, chunk, current)
    })
}

/// The rows of the file admitted so far: what the tree check and the writing rounds
/// need of each (a few dozen bytes), in file order.
#[derive(Default)]
struct Rows {
    entries: Vec<Entry>,
    by_bin: HashMap<u64, usize>,
    lines: Vec<u64>,
}

impl Rows {
    /// Checks one row of the file, merged over `existing` (its current row, if any):
    /// its fields, its parent column, and that its BIN is not in the file already.
    /// Returns its index and fields, or records in `errors` why not.
    fn admit(
        &mut self,
        row: &CsvRow,
        existing: Option<&OrganizationRow>,
        errors: &mut Errors,
    ) -> Option<(usize, OrganizationFields)> {
        let fields = match row_fields(row, existing) {
            Ok(fields) => fields,
            Err(row_errors) => {
                row_errors.into_iter().for_each(|e| errors.push(e));
                return None;
            }
        };
        let bin = fields.bin.as_u64();
        let parent = match row.parent_bin() {
            None => ParentRef::Keep,
            Some(None) => ParentRef::Root,
            Some(Some(raw)) => match parse_bin(raw) {
                Some(p) if p == bin => {
                    errors.at(
                        row,
                        Some("parent_bin"),
                        "an organization cannot be its own parent",
                    );
                    return None;
                }
                Some(p) => ParentRef::Bin(p),
                None => {
                    let why = Bin::parse(raw)
                        .err()
                        .map(|e| e.to_string())
                        .unwrap_or_default();
                    errors.at(
                        row,
                        Some("parent_bin"),
                        format!("'{raw}' is not a valid BIN: {why}"),
                    );
                    return None;
                }
            },
        };
        if let Some(&first) = self.by_bin.get(&bin) {
            errors.at(
                row,
                Some("bin"),
                format!(
                    "the BIN appears again: it is already on line {}",
                    self.lines[first]
                ),
            );
            return None;
        }
        let index = self.entries.len();
        self.by_bin.insert(bin, index);
        self.lines.push(row.line);
        self.entries.push(Entry {
            bin,
            parent,
            existing: existing.map(|r| Existing {
                id: r.id.clone(),
                parent_id: r.parent_id.clone(),
                archived: r.is_archived(),
            }),
        });
        Some((index, fields))
    }
}

/// Refuses the import if any row was refused, listing the errors in file order.
fn refuse_errors(errors: Errors) -> Result<(), ImportError> {
    if errors.total == 0 {
        return Ok(());
    }
    let mut listed = errors.listed;
    listed.sort_by_key(|e| e.line);
    Err(ImportError::Rejected {
        errors: listed,
        total: errors.total,
    })
}

/// Refuses the import for a header it cannot use.
fn refuse_header(header_errors: Vec<RowError>) -> Result<(), ImportError> {
    if header_errors.is_empty() {
        return Ok(());
    }
    Err(ImportError::Rejected {
        total: header_errors.len() as u64,
        errors: header_errors,
    })
}

/// Pass 1: checks every row and the tree they make; writes nothing.
fn check(
    conn: &mut DbConnection,
    source: &dyn CsvSource,
    progress: &mut dyn Progress,
) -> Result<Plan, ImportError> {
    let mut errors = Errors::default();
    let mut rows = Rows::default();
    let mut header_errors = Vec::new();
    for_each_chunk(
        conn,
        source,
        |e| header_errors.push(e),
        |_, chunk, current| {
            for row in chunk {
                match row {
                    Ok(row) => {
                        let existing = Bin::parse(row.bin())
                            .ok()
                            .and_then(|b| current.get(&b.to_string()));
                        rows.admit(&row, existing, &mut errors);
                    }
                    Err(error) => errors.push(error),
                }
            }
            progress.checked(rows.entries.len() as u64 + errors.total);
            Ok(())
        },
    )?;
    refuse_header(header_errors)?;
    let registry = Registry::load(conn, &rows)?;
    check_tree(&rows, &registry, &mut errors);
    refuse_errors(errors)?;
    let by_id = rows
        .entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| e.existing.as_ref().map(|x| (x.id.clone(), i)))
        .collect();
    Ok(Plan {
        outside: registry.parents(),
        entries: rows.entries,
        by_bin: rows.by_bin,
        by_id,
    })
}

/// The registry rows the tree check needs: parents outside the file, and the
/// ancestors above them that the file may move.
#[derive(Default)]
struct Registry {
    /// Parents named by BIN that are not rows of the file.
    by_bin: HashMap<u64, OrganizationRow>,
    /// Kept parents of existing rows that are not rows of the file.
    by_id: HashMap<String, OrganizationRow>,
}

impl Registry {
    fn load(conn: &mut DbConnection, rows: &Rows) -> Result<Self, ImportError> {
        let outside: Vec<String> = rows
            .entries
            .iter()
            .filter_map(|e| match e.parent {
                ParentRef::Bin(p) if !rows.by_bin.contains_key(&p) => Some(bin_text(p)),
                _ => None,
            })
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut by_bin = HashMap::new();
        for chunk in outside.chunks(CHUNK) {
            for row in OrganizationRow::find_many_by_bin(conn, chunk)? {
                by_bin.insert(parse_bin(&row.bin).unwrap_or(0), row);
            }
        }
        let file_ids = file_ids(rows);
        let mut wanted: Vec<String> = rows
            .entries
            .iter()
            .filter(|e| e.parent == ParentRef::Keep)
            .filter_map(|e| e.existing.as_ref().and_then(|x| x.parent_id.clone()))
            .filter(|id| !file_ids.contains_key(id.as_str()))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        wanted.sort();
        let mut by_id = HashMap::new();
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
        Ok(Self { by_bin, by_id })
    }

    /// Where the parents outside the file sit, by BIN.
    fn parents(self) -> HashMap<u64, Placed> {
        self.by_bin
            .into_iter()
            .map(|(bin, row)| (bin, Placed::stored(row)))
            .collect()
    }
}

/// The rows of the file that exist already, by id.
fn file_ids(rows: &Rows) -> HashMap<&str, usize> {
    rows.entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| e.existing.as_ref().map(|x| (x.id.as_str(), i)))
        .collect()
}

/// Parents must exist (in the file or the registry), be active, and make no cycle.
fn check_tree(rows: &Rows, registry: &Registry, errors: &mut Errors) {
    let Rows {
        entries,
        by_bin,
        lines,
    } = rows;
    let error_at = |errors: &mut Errors, i: usize, message: String| {
        errors.push(RowError {
            line: lines[i],
            column: Some("parent_bin".into()),
            bin: Some(bin_text(entries[i].bin)),
            message,
        })
    };
    let file_ids = file_ids(rows);
    let by_id = &registry.by_id;
    let registry = &registry.by_bin;
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
                            let (new_row, audit) =
                                create(uuid::Uuid::now_v7(), &fields, parent.as_ref());
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

/// A new organization with this id under `parent`: its row and its audit entry.
fn create(
    id: uuid::Uuid,
    fields: &OrganizationFields,
    parent: Option<&Placed>,
) -> (NewOrganizationRow, AuditEntry) {
    let new_row = OrganizationChanges::new(fields, parent.map(|p| p.id.clone())).into_new_row(
        id.hyphenated().to_string(),
        parent.map(|p| (p.path.as_str(), p.depth)),
        now(),
    );
    let audit = AuditEntry::new("organization.create", Outcome::Success)
        .object("organization", new_row.id.clone())
        .scope_path(new_row.path.clone())
        .change(None::<&()>, Some(&new_row_view(&new_row)));
    (new_row, audit)
}

/// Pass 2 when every row of the file is new (a batch of new units): the rows in as
/// many rounds as the file needs, on two threads (see [`with_writer`]).
fn write_new(
    conn: &mut DbConnection,
    source: &dyn CsvSource,
    plan: &Plan,
    context: &ImportContext,
    progress: &mut dyn Progress,
) -> Result<ImportReport, ImportError> {
    with_writer(conn, &context.actor, |batches| {
        let mut new = NewRows::new(plan.outside.clone(), plan.entries.len());
        new.rounds(
            source,
            &plan.entries,
            &plan.by_bin,
            context,
            progress,
            batches,
        )?;
        new.finish(plan.entries.len() as u64)
    })
}

/// Runs `build` on this thread while a second thread writes the batches it sends:
/// nothing needs reading back, so this thread builds each chunk's rows (parsing,
/// checking, folding names, the audit JSON) while the other writes the chunk before,
/// and the database and the rest of the work each get a core.
fn with_writer(
    conn: &mut DbConnection,
    actor: &AuditActor,
    build: impl FnOnce(&std::sync::mpsc::SyncSender<Batch>) -> Result<ImportReport, ImportError>,
) -> Result<ImportReport, ImportError> {
    let (batches, received) = std::sync::mpsc::sync_channel::<Batch>(2);
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || -> Result<(), ImportError> {
            let mut words = KnownWords::default();
            for (rows, audits) in received {
                OrganizationRow::insert_batch(conn, &rows, &mut words)?;
                audit::record_many(conn, actor, audits)?;
            }
            Ok(())
        });
        let built = build(&batches);
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

/// Sends a batch to the writer; an error if the writer has stopped (its own error is
/// the one reported).
fn send(batches: &std::sync::mpsc::SyncSender<Batch>, batch: Batch) -> Result<(), ImportError> {
    if batch.0.is_empty() {
        return Ok(());
    }
    batches
        .send(batch)
        .map_err(|_| ImportError::Database(DieselError::RollbackTransaction))
}

/// Where the new rows sit once written: each one's id and parent by BIN, about 40
/// bytes a row, and the parents outside the file. A path is put together from the
/// chain of ids when a child needs it.
struct Tree {
    nodes: HashMap<u64, (uuid::Uuid, Option<u64>)>,
    outside: HashMap<u64, Placed>,
    /// The last parent asked for: siblings usually follow each other.
    last: Option<(u64, Placed)>,
}

impl Tree {
    fn new(outside: HashMap<u64, Placed>) -> Self {
        Self {
            nodes: HashMap::new(),
            outside,
            last: None,
        }
    }

    /// Where the row with this BIN sits, if it is written (or outside the file).
    fn placed(&mut self, bin: u64) -> Option<Placed> {
        if let Some((last, placed)) = &self.last {
            if *last == bin {
                return Some(placed.clone());
            }
        }
        if let Some(outside) = self.outside.get(&bin) {
            return Some(outside.clone());
        }
        // The ids from this row up to a root, or to a parent outside the file.
        let mut chain = Vec::new();
        let mut above = None;
        let mut at = Some(bin);
        while let Some(b) = at {
            if let Some(outside) = self.outside.get(&b) {
                above = Some(outside);
                break;
            }
            let &(id, parent) = self.nodes.get(&b)?;
            chain.push(id);
            at = parent;
        }
        let (mut path, base) = above.map_or(("/".to_owned(), -1), |p| (p.path.clone(), p.depth));
        for id in chain.iter().rev() {
            path.push_str(
                id.hyphenated()
                    .encode_lower(&mut uuid::Uuid::encode_buffer()),
            );
            path.push('/');
        }
        let placed = Placed {
            id: chain[0].hyphenated().to_string(),
            path,
            depth: base + chain.len() as i32,
        };
        self.last = Some((bin, placed.clone()));
        Some(placed)
    }

    /// Records a row about to be written below the row with BIN `parent`.
    fn insert(&mut self, bin: u64, id: uuid::Uuid, parent: Option<u64>) {
        self.nodes.insert(bin, (id, parent));
    }
}

/// The state of writing new rows: which are written and where, across the rounds.
struct NewRows {
    tree: Tree,
    done: Vec<bool>,
    written: u64,
    out_of_scope: Vec<u64>,
}

impl NewRows {
    fn new(outside: HashMap<u64, Placed>, rows: usize) -> Self {
        Self {
            tree: Tree::new(outside),
            done: vec![false; rows],
            written: 0,
            out_of_scope: Vec::new(),
        }
    }

    /// Adds row `i` to `batch` if its parent is placed; returns whether it did.
    fn place(
        &mut self,
        i: usize,
        entry: &Entry,
        fields: &OrganizationFields,
        line: u64,
        context: &ImportContext,
        batch: &mut Batch,
    ) -> bool {
        let parent = match entry.parent {
            ParentRef::Root | ParentRef::Keep => None,
            ParentRef::Bin(p) => match self.tree.placed(p) {
                Some(placed) => Some((p, placed)),
                None => return false,
            },
        };
        let id = uuid::Uuid::now_v7();
        let (new_row, audit) = create(id, fields, parent.as_ref().map(|(_, placed)| placed));
        if !in_scope(context, &new_row.path) {
            self.out_of_scope.push(line);
        }
        self.tree.insert(entry.bin, id, parent.map(|(bin, _)| bin));
        batch.0.push(new_row);
        batch.1.push(audit);
        self.done[i] = true;
        self.written += 1;
        true
    }

    /// Reads the file again as often as needed to write every row not written yet,
    /// parents before children (the rows passed their checks).
    fn rounds(
        &mut self,
        source: &dyn CsvSource,
        entries: &[Entry],
        by_bin: &HashMap<u64, usize>,
        context: &ImportContext,
        progress: &mut dyn Progress,
        batches: &std::sync::mpsc::SyncSender<Batch>,
    ) -> Result<(), ImportError> {
        let total = entries.len() as u64;
        while self.written < total {
            let before = self.written;
            let mut index = 0usize;
            let Ok(mut chunks) = Chunks::open(source)? else {
                // The header passed the first reading; a file changed under us.
                return Err(ImportError::Database(DieselError::RollbackTransaction));
            };
            while let Some(chunk) = chunks.next_chunk() {
                let mut batch = Batch::default();
                for row in chunk.into_iter().flatten() {
                    let i = index;
                    index += 1;
                    if self.done[i] {
                        continue;
                    }
                    let entry = &entries[i];
                    let waits = matches!(entry.parent,
                        ParentRef::Bin(p) if by_bin.get(&p).is_some_and(|&j| !self.done[j]));
                    if waits {
                        continue;
                    }
                    let fields = row_fields(&row, None).map_err(|e| ImportError::Rejected {
                        total: e.len() as u64,
                        errors: e,
                    })?;
                    if !self.place(i, entry, &fields, row.line, context, &mut batch) {
                        // A parent neither in the file nor outside it: check_tree refused that.
                        return Err(ImportError::Database(DieselError::NotFound));
                    }
                }
                send(batches, batch)?;
                progress.written(self.written, total);
            }
            if self.written == before {
                // Unreachable after check_tree; a guard against looping forever.
                return Err(ImportError::Database(DieselError::RollbackTransaction));
            }
        }
        Ok(())
    }

    /// The report once every row is written, unless some lie outside the importer's scope.
    fn finish(self, rows: u64) -> Result<ImportReport, ImportError> {
        refuse_out_of_scope(self.out_of_scope)?;
        Ok(ImportReport {
            rows,
            created: rows,
            ..Default::default()
        })
    }
}

/// A first load: the registry is empty, so every row is new and its parent, if any,
/// is in the file. The file is read once: each row is checked and, as soon as its
/// parent is written (or it has none), built and handed to the writer, so the
/// database starts at the first chunk instead of after a checking pass. Rows that
/// come before their parent wait for a later round. A row that fails a check stops
/// the writing (the transaction is refused and rolls back) but not the checking:
/// every bad row is still listed.
fn load_first(
    conn: &mut DbConnection,
    source: &dyn CsvSource,
    context: &ImportContext,
    progress: &mut dyn Progress,
) -> Result<ImportReport, ImportError> {
    with_writer(conn, &context.actor, |batches| {
        let mut rows = Rows::default();
        let mut errors = Errors::default();
        let mut header_errors = Vec::new();
        let mut new = NewRows::new(HashMap::new(), 0);
        read_ahead(
            source,
            |e| header_errors.push(e),
            |chunk| {
                let mut batch = Batch::default();
                for row in chunk {
                    let row = match row {
                        Ok(row) => row,
                        Err(error) => {
                            errors.push(error);
                            continue;
                        }
                    };
                    let Some((i, fields)) = rows.admit(&row, None, &mut errors) else {
                        continue;
                    };
                    new.done.push(false);
                    if errors.total == 0 {
                        new.place(i, &rows.entries[i], &fields, row.line, context, &mut batch);
                    }
                }
                progress.checked(rows.entries.len() as u64 + errors.total);
                if errors.total > 0 {
                    return Ok(());
                }
                send(batches, batch)
            },
        )?;
        refuse_header(header_errors)?;
        let total = rows.entries.len() as u64;
        if new.written < total || errors.total > 0 {
            // Parents that are not in the file (the registry is empty), and cycles.
            check_tree(&rows, &Registry::default(), &mut errors);
        }
        refuse_errors(errors)?;
        new.rounds(
            source,
            &rows.entries,
            &rows.by_bin,
            context,
            progress,
            batches,
        )?;
        new.finish(total)
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
