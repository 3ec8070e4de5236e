//! The sample registry loaded by `serve --demo`.

use super::import::{import_organizations, ImportContext, ImportError, ImportReport};
use super::model::{OrganizationFilter, OrganizationRow, Sort};
use crate::audit::AuditActor;
use crate::auth::accounts::{create_user, NewUser};
use crate::db::DbConnection;

/// The sample registry of Kazakhstan (fictional BINs and contacts), compiled in.
pub const SAMPLE_CSV: &[u8] = include_bytes!("../../demo/organizations.csv");

/// A demo account: email, role and its generated password.
pub type DemoAccount = (String, String, String);

/// Loads the sample registry through the ordinary import, only into an empty registry,
/// and creates one account per role. Returns `None` when the registry is not empty.
pub fn load_demo(
    conn: &mut DbConnection,
) -> anyhow::Result<Option<(ImportReport, Vec<DemoAccount>)>> {
    let Some(report) = load_sample_registry(conn)? else {
        return Ok(None);
    };
    let events = crate::rollout::demo::load_demo_history(conn)?;
    log::info!("demo: wrote {events} status changes since August 2025");
    // The IT head reports for the digital ministry (the first ministry in the file).
    let ministry = OrganizationRow::list(
        conn,
        &OrganizationFilter {
            kind: Some("central_state_body".into()),
            ..Default::default()
        },
        Sort::Bin(true),
        1,
        0,
    )?
    .0
    .into_iter()
    .next()
    .map(|o| o.id);
    let actor = AuditActor {
        email: Some("demo-loader".into()),
        ..Default::default()
    };
    let mut accounts = Vec::new();
    for (role, email, name, scope) in [
        ("admin", "admin@demo.example", "Demo Admin", None),
        (
            "coordinator",
            "coordinator@demo.example",
            "Demo Coordinator",
            None,
        ),
        (
            "it_head",
            "it-head@demo.example",
            "Demo IT Head",
            ministry.clone(),
        ),
        ("observer", "observer@demo.example", "Demo Observer", None),
    ] {
        let new = NewUser {
            email: email.into(),
            display_name: name.into(),
            role: role.into(),
            organization: scope,
            password: None,
        };
        let (_, password) = create_user(conn, &actor, &new).map_err(|e| anyhow::anyhow!("{e}"))?;
        accounts.push((
            email.to_owned(),
            role.to_owned(),
            password.unwrap_or_default(),
        ));
    }
    Ok(Some((report, accounts)))
}

/// Loads the sample registry through the ordinary import, only into an empty registry.
/// Returns `None` when the registry already has organizations.
pub fn load_sample_registry(conn: &mut DbConnection) -> Result<Option<ImportReport>, ImportError> {
    if OrganizationRow::count_all(conn)? > 0 {
        return Ok(None);
    }
    let context = ImportContext {
        actor: AuditActor {
            email: Some("demo-loader".into()),
            ..Default::default()
        },
        scope_path: None,
    };
    import_organizations(conn, &SAMPLE_CSV, &context, false, &mut ()).map(Some)
}
