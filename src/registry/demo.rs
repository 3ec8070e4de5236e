//! The sample registry loaded by `serve --demo`.

use super::import::{import_organizations, ImportError, ImportReport};
use super::model::OrganizationRow;
use crate::db::DbConnection;

/// The sample registry of Kazakhstan (fictional BINs and contacts), compiled in.
pub const SAMPLE_CSV: &[u8] = include_bytes!("../../demo/organizations.csv");

/// Loads the sample registry through the ordinary import, only into an empty registry.
/// Returns `None` when the registry already has organizations.
pub fn load_sample_registry(conn: &mut DbConnection) -> Result<Option<ImportReport>, ImportError> {
    if OrganizationRow::count_all(conn)? > 0 {
        return Ok(None);
    }
    import_organizations(conn, &SAMPLE_CSV, false, &mut ()).map(Some)
}
