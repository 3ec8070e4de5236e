//! The organization CSV format: reading what people export from Excel (`;` or `,`,
//! BOM, CRLF, quotes) and writing files Excel opens safely.

use std::io::{BufRead, BufReader, Read, Write};

use crate::domain::organization::OrganizationInput;

/// Every column the format knows, in export order.
pub const COLUMNS: [&str; 13] = [
    "bin",
    "kind",
    "parent_bin",
    "region",
    "headcount",
    "name_kk",
    "name_ru",
    "name_en",
    "it_head_name",
    "it_head_email",
    "it_head_phone",
    "head_name",
    "head_email",
];

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A problem with one row (or the header), located for the user.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct RowError {
    /// 1-based line in the file (the header is line 1).
    pub line: u64,
    /// The column at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The row's BIN as written, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bin: Option<String>,
    pub message: String,
}

/// One data row: the fields it sets and its parent.
#[derive(Debug, Clone)]
pub struct CsvRow {
    pub line: u64,
    /// Fields whose column is present (`Some`), even if the cell is empty.
    pub cells: [Option<String>; 13],
}

impl CsvRow {
    pub fn cell(&self, column: usize) -> Option<&str> {
        self.cells[column].as_deref()
    }

    pub fn bin(&self) -> &str {
        self.cell(0).unwrap_or("").trim()
    }

    /// `None`: the file has no parent_bin column; `Some(None)`: the cell is empty (a root).
    pub fn parent_bin(&self) -> Option<Option<&str>> {
        self.cell(2)
            .map(|p| Some(p.trim()).filter(|p| !p.is_empty()))
    }

    /// Lays the present cells over `base` (the current values, or empty for a new row).
    /// Returns the error of an unparsable headcount.
    pub fn apply(&self, base: &mut OrganizationInput) -> Result<(), RowError> {
        let text = |i: usize| self.cells[i].as_ref().map(|v| v.trim().to_owned());
        let set = |target: &mut Option<String>, i: usize| {
            if let Some(v) = text(i) {
                *target = Some(v).filter(|v| !v.is_empty());
            }
        };
        set(&mut base.bin, 0);
        set(&mut base.kind, 1);
        set(&mut base.region, 3);
        if let Some(raw) = text(4) {
            base.headcount = if raw.is_empty() {
                Some(0)
            } else {
                Some(
                    raw.replace([' ', '\u{a0}'], "")
                        .parse::<i64>()
                        .map_err(|_| RowError {
                            line: self.line,
                            column: Some("headcount".into()),
                            bin: Some(self.bin().to_owned()),
                            message: format!("'{raw}' is not a whole number"),
                        })?,
                )
            };
        }
        set(&mut base.name_kk, 5);
        set(&mut base.name_ru, 6);
        set(&mut base.name_en, 7);
        set(&mut base.it_head_name, 8);
        set(&mut base.it_head_email, 9);
        set(&mut base.it_head_phone, 10);
        set(&mut base.head_name, 11);
        set(&mut base.head_email, 12);
        Ok(())
    }
}

/// A CSV reader for files as people save them: `;` or `,` (from the header line),
/// with or without a UTF-8 BOM, CRLF or LF.
pub fn excel_reader<R: Read>(source: R) -> Result<csv::Reader<BufReader<R>>, RowError> {
    let mut buffered = BufReader::with_capacity(64 * 1024, source);
    let head = buffered
        .fill_buf()
        .map_err(|e| header_error(format!("cannot read the file: {e}")))?;
    let skip = if head.starts_with(BOM) { BOM.len() } else { 0 };
    let delimiter = detect_delimiter(&head[skip..]);
    buffered.consume(skip);
    // Lines end at '\n' and a trailing '\r' is dropped by hand (see `cell`): the csv
    // crate's own CRLF handling miscounts line numbers, and users need those.
    Ok(csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .terminator(csv::Terminator::Any(b'\n'))
        .has_headers(true)
        .flexible(false)
        .from_reader(buffered))
}

/// The `i`-th cell of a record, without the `\r` a CRLF file leaves on the last one,
/// and with spreadsheet neutralization undone.
pub fn cell(record: &csv::StringRecord, i: usize) -> Option<&str> {
    let value = record.get(i)?;
    let value = if i + 1 == record.len() {
        value.strip_suffix('\r').unwrap_or(value)
    } else {
        value
    };
    Some(unneutralize(value))
}

/// The line a record starts on (the header is line 1).
pub fn line_of(record: &csv::StringRecord) -> u64 {
    record.position().map_or(0, |p| p.line())
}

/// Reads organization rows from CSV text.
pub struct OrganizationCsvReader<R: Read> {
    reader: csv::Reader<BufReader<R>>,
    /// For each file column, its index in [`COLUMNS`].
    positions: Vec<usize>,
    record: csv::StringRecord,
}

pub fn header_error(message: String) -> RowError {
    RowError {
        line: 1,
        column: None,
        bin: None,
        message,
    }
}

/// Picks `;` or `,` by counting them outside quotes in the header line.
fn detect_delimiter(head: &[u8]) -> u8 {
    let (mut semicolons, mut commas, mut quoted) = (0, 0, false);
    for &b in head {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            b';' if !quoted => semicolons += 1,
            b',' if !quoted => commas += 1,
            _ => {}
        }
    }
    if semicolons > commas {
        b';'
    } else {
        b','
    }
}

impl<R: Read> OrganizationCsvReader<R> {
    /// Reads and checks the header. Errors name the offending columns.
    pub fn new(source: R) -> Result<Self, RowError> {
        let mut reader = excel_reader(source)?;
        let header = reader
            .headers()
            .map_err(|e| header_error(describe(&e)))?
            .clone();
        let mut positions = Vec::with_capacity(header.len());
        let mut errors = Vec::new();
        for name in header.iter() {
            let name = name.trim().to_ascii_lowercase();
            match COLUMNS.iter().position(|c| *c == name) {
                Some(_) if positions.iter().any(|p| COLUMNS[*p] == name) => {
                    errors.push(format!("column '{name}' appears twice"));
                }
                Some(i) => positions.push(i),
                None if name.is_empty() => errors.push("a column has no name".to_owned()),
                None => errors.push(format!("unknown column '{name}'")),
            }
        }
        if !positions.contains(&0) {
            errors.push("the bin column is required".to_owned());
        }
        if !errors.is_empty() {
            return Err(header_error(format!(
                "{}; the columns are: {}",
                errors.join("; "),
                COLUMNS.join(", ")
            )));
        }
        Ok(Self {
            reader,
            positions,
            record: csv::StringRecord::new(),
        })
    }

    /// The next row, `None` at the end.
    pub fn next_row(&mut self) -> Option<Result<CsvRow, RowError>> {
        match self.reader.read_record(&mut self.record) {
            Ok(false) => None,
            Ok(true) => {
                let line = line_of(&self.record);
                let mut cells: [Option<String>; 13] = Default::default();
                for (i, &column) in self.positions.iter().enumerate() {
                    cells[column] = cell(&self.record, i).map(str::to_owned);
                }
                Some(Ok(CsvRow { line, cells }))
            }
            Err(error) => {
                let line = error.position().map_or(0, |p| p.line());
                let message = describe(&error);
                // A broken row is reported; reading goes on with the next one where possible.
                Some(Err(RowError {
                    line,
                    column: None,
                    bin: None,
                    message,
                }))
            }
        }
    }
}

pub fn describe(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("the row has {len} cells but the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => {
            "the text is not UTF-8: save the file as 'CSV UTF-8' in Excel".to_owned()
        }
        csv::ErrorKind::Io(e) => format!("cannot read the file: {e}"),
        _ => error.to_string(),
    }
}

/// Characters that make a spreadsheet treat a cell as a formula.
fn is_formula_start(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r')
}

/// Protects a cell for spreadsheets: a leading formula character gets a `'` before it.
pub fn neutralize(value: &str) -> std::borrow::Cow<'_, str> {
    if value.starts_with(is_formula_start) {
        format!("'{value}").into()
    } else {
        value.into()
    }
}

/// Undoes [`neutralize`], so an export imports back unchanged.
pub fn unneutralize(value: &str) -> &str {
    match value.strip_prefix('\'') {
        Some(rest) if rest.starts_with(is_formula_start) => rest,
        _ => value,
    }
}

/// Writes the export format: BOM, `;` separator, CRLF, neutralized cells (Excel-friendly).
pub struct OrganizationCsvWriter<W: Write> {
    writer: csv::Writer<W>,
}

impl<W: Write> OrganizationCsvWriter<W> {
    pub fn new(out: W) -> std::io::Result<Self> {
        Self::with_columns(out, &COLUMNS)
    }

    /// The same Excel-friendly format with other columns (status exports).
    pub fn with_columns(mut out: W, columns: &[&str]) -> std::io::Result<Self> {
        out.write_all(BOM)?;
        let mut writer = csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(csv::Terminator::CRLF)
            .from_writer(out);
        writer.write_record(columns)?;
        Ok(Self { writer })
    }

    pub fn write(&mut self, cells: &[String]) -> std::io::Result<()> {
        self.writer
            .write_record(cells.iter().map(|c| neutralize(c).into_owned()))?;
        Ok(())
    }

    pub fn into_inner(self) -> std::io::Result<W> {
        self.writer
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(text: &[u8]) -> Result<Vec<Result<CsvRow, RowError>>, RowError> {
        let mut reader = OrganizationCsvReader::new(text)?;
        Ok(std::iter::from_fn(|| reader.next_row()).collect())
    }

    #[test]
    fn excel_files_with_bom_semicolons_and_crlf_read() {
        let text = "\u{feff}bin;name_ru;name_kk\r\n940140000385;\"Мин; финансов\";Қаржы\r\n\
                    990140004654;\"Две\r\nстроки\";\"Қаржы\"\r\n";
        let rows = read_all(text.as_bytes()).unwrap();
        let row = rows[0].as_ref().unwrap();
        assert_eq!(row.bin(), "940140000385");
        assert_eq!(row.cell(6), Some("Мин; финансов"));
        assert_eq!(row.cell(5), Some("Қаржы"));
        assert_eq!(row.cell(1), None);
        assert_eq!(row.line, 2);
        let second = rows[1].as_ref().unwrap();
        assert_eq!(second.line, 3);
        assert_eq!(second.cell(5), Some("Қаржы"));
    }

    #[test]
    fn unknown_and_duplicate_columns_are_named() {
        let err = read_all(b"bin,colour,bin\n").err().unwrap();
        assert!(
            err.message.contains("unknown column 'colour'"),
            "{}",
            err.message
        );
        assert!(
            err.message.contains("'bin' appears twice"),
            "{}",
            err.message
        );
    }

    #[test]
    fn short_rows_are_reported_with_their_line() {
        let rows = read_all(b"bin,kind\n940140000385,x\n990140004654\n").unwrap();
        let err = rows[1].as_ref().unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("1 cells"), "{}", err.message);
    }

    #[test]
    fn formula_cells_are_neutralized_and_restored() {
        for cell in ["=1+1", "+7 701 000 00 00", "-x", "@SUM(A1)", "plain"] {
            assert_eq!(unneutralize(&neutralize(cell)), cell);
        }
        assert_eq!(neutralize("=HYPERLINK()"), "'=HYPERLINK()");
        assert_eq!(unneutralize("'quoted"), "'quoted");
    }
}
