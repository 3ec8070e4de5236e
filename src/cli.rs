//! The command line: `serve`, `migrate`, `import`.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use crate::config::Settings;
use crate::registry::import::{import_organizations, ImportError, Progress};
use crate::startup::{prepare_database, Application};

/// Registry and migration tracker for Kazakhstan's move onto the Aitu messenger.
///
/// Configuration comes from config/default.toml (compiled in), config/<AITU_ENV>.toml,
/// --config FILE and AITU__SECTION__KEY environment variables, in that order.
#[derive(Debug, Parser)]
#[command(name = "aitu-tracker", version, propagate_version = true)]
pub struct Cli {
    /// An extra TOML configuration file, applied over the defaults.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP service (applies pending migrations first).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Import data from a file.
    #[command(subcommand)]
    Import(ImportCommand),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Load the sample registry of Kazakhstan if the database is empty.
    #[arg(long)]
    pub demo: bool,
    /// Listen on this address instead of server.bind, e.g. 0.0.0.0:8080.
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import organizations from a CSV file (upsert by BIN; all rows or none).
    ///
    /// Columns: bin (required), kind, parent_bin, region, headcount, name_kk, name_ru,
    /// name_en, it_head_name, it_head_email, it_head_phone, head_name, head_email; any
    /// order, ';' or ',' separated, UTF-8 with or without BOM.
    Organizations {
        /// The CSV file.
        file: PathBuf,
        /// Check the file and report what would change, without writing anything.
        #[arg(long)]
        dry_run: bool,
    },
}

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut settings = Settings::load(cli.config.as_deref())?;
    match cli.command {
        Command::Serve(args) => {
            if let Some(bind) = args.bind {
                settings.server.bind = bind;
            }
            serve(settings, args.demo).await
        }
        Command::Migrate => {
            let pool = prepare_database(&settings)?;
            drop(pool);
            println!("database is up to date");
            Ok(())
        }
        Command::Import(ImportCommand::Organizations { file, dry_run }) => {
            import_file(settings, file, dry_run).await
        }
    }
}

async fn serve(settings: Settings, demo: bool) -> anyhow::Result<()> {
    log::info!(
        "starting: database {}, listening on {}",
        settings.database.parsed_url()?,
        settings.server.bind
    );
    let pool = prepare_database(&settings)?;
    if demo {
        let pool = pool.clone();
        let loaded = actix_web::web::block(move || -> anyhow::Result<_> {
            let mut conn = pool.get()?;
            crate::registry::demo::load_sample_registry(&mut conn)
                .context("loading the sample registry")
        })
        .await??;
        match loaded {
            Some(report) => log::info!("demo: loaded {} sample organizations", report.created),
            None => log::info!("demo: the registry is not empty; sample data not loaded"),
        }
    }
    let app = Application::build_with_pool(settings.clone(), pool)?;
    let host = settings
        .server
        .bind
        .rsplit_once(':')
        .map_or("127.0.0.1", |(h, _)| h);
    log::info!(
        "listening on http://{host}:{} (API docs at /api/docs/)",
        app.port()
    );
    app.run_until_stopped().await?;
    log::info!("stopped");
    Ok(())
}

/// A terminal progress bar for imports.
struct Bar(indicatif::ProgressBar);

impl Progress for Bar {
    fn checked(&mut self, rows: u64) {
        self.0.set_message(format!("checked {rows} rows"));
        self.0.tick();
    }
    fn written(&mut self, rows: u64, total: u64) {
        if self.0.length() != Some(total) {
            self.0.set_length(total);
            self.0.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} rows written ({per_sec})",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
        }
        self.0.set_position(rows);
    }
}

async fn import_file(settings: Settings, file: PathBuf, dry_run: bool) -> anyhow::Result<()> {
    anyhow::ensure!(file.is_file(), "{} is not a readable file", file.display());
    let pool = prepare_database(&settings)?;
    let result = actix_web::web::block(move || {
        let mut conn = pool.get()?;
        let bar = indicatif::ProgressBar::new_spinner();
        let mut progress = Bar(bar.clone());
        let outcome = import_organizations(&mut conn, &file, dry_run, &mut progress);
        bar.finish_and_clear();
        anyhow::Ok(outcome)
    })
    .await??;
    match result {
        Ok(report) => {
            let verb = if report.dry_run { "would be" } else { "were" };
            println!(
                "{} rows: {} {verb} created, {} {verb} updated, {} unchanged{}",
                report.rows,
                report.created,
                report.updated,
                report.unchanged,
                if report.dry_run {
                    " (dry run: nothing written)"
                } else {
                    ""
                }
            );
            Ok(())
        }
        Err(ImportError::Rejected { errors, total }) => {
            for e in &errors {
                let column = e
                    .column
                    .as_deref()
                    .map(|c| format!(", column {c}"))
                    .unwrap_or_default();
                let bin = e
                    .bin
                    .as_deref()
                    .map(|b| format!(" (BIN {b})"))
                    .unwrap_or_default();
                eprintln!("line {}{column}{bin}: {}", e.line, e.message);
            }
            if total > errors.len() as u64 {
                eprintln!("... and {} more", total - errors.len() as u64);
            }
            anyhow::bail!("{total} problem(s) in the file; nothing was imported")
        }
        Err(other) => Err(other.into()),
    }
}
