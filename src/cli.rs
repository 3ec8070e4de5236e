//! The command line: `serve`, `migrate`, `import`.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use crate::audit::AuditActor;
use crate::auth::accounts::{self, AccountError, NewUser, UserUpdate};
use crate::auth::model::UserRow;
use crate::config::Settings;
use crate::registry::import::{import_organizations, ImportContext, ImportError, Progress};
use crate::reminders::worker::{run_scheduler, Engine, PassOptions};
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
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Run one reminder pass now: plan what is due, enqueue it and send it.
    Remind(RemindArgs),
}

#[derive(Debug, Args)]
pub struct RemindArgs {
    /// Show what would be planned; write and send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Send even outside the sending window (weekday office hours, holidays excluded).
    #[arg(long)]
    pub ignore_window: bool,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user. Without --password-stdin a strong password is generated and printed once.
    Add {
        /// Login email (unique, case-insensitive).
        #[arg(long)]
        email: String,
        /// The name shown in the interface and the audit trail.
        #[arg(long)]
        name: String,
        /// admin, coordinator, it_head or observer.
        #[arg(long)]
        role: String,
        /// UUID or BIN of the organization whose subtree the user acts on (required for it_head).
        #[arg(long, value_name = "UUID-OR-BIN")]
        organization: Option<String>,
        /// Read the password from standard input (one line) instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users.
    List,
    /// Deactivate a user: its sessions end and its tokens stop working at once.
    Deactivate {
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user and print it alone on standard output (shown once).
    Create {
        /// The user's email.
        #[arg(long)]
        email: String,
        /// A label to recognise the token by.
        #[arg(long, default_value = "cli")]
        name: String,
        /// Days until it expires (default: until revoked).
        #[arg(long, value_name = "N")]
        expires_in_days: Option<i64>,
    },
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
        Command::User(command) => users(settings, command).await,
        Command::Token(command) => tokens(settings, command).await,
        Command::Remind(args) => remind(settings, args).await,
    }
}

/// The audit identity of a command-line operator.
fn cli_actor() -> AuditActor {
    AuditActor {
        email: Some(format!("cli:{}", whoami())),
        ..Default::default()
    }
}

/// Turns account errors into messages that say what to fix.
fn explain(error: AccountError) -> anyhow::Error {
    match error {
        AccountError::Invalid(errors) => anyhow::anyhow!(
            "{}",
            errors
                .iter()
                .map(|e| format!("--{} {}", e.field.replace('_', "-"), e.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => anyhow::anyhow!("{other}"),
    }
}

async fn blocking<T: Send + 'static>(
    settings: &Settings,
    f: impl FnOnce(&mut crate::db::DbConnection) -> anyhow::Result<T> + Send + 'static,
) -> anyhow::Result<T> {
    let pool = prepare_database(settings)?;
    actix_web::web::block(move || {
        let mut conn = pool.get()?;
        f(&mut conn)
    })
    .await?
}

async fn users(settings: Settings, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add {
            email,
            name,
            role,
            organization,
            password_stdin,
        } => {
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)?;
                Some(line.trim_end_matches(['\r', '\n']).to_owned())
            } else {
                None
            };
            let new = NewUser {
                email,
                display_name: name,
                role,
                organization,
                password,
            };
            let (user, generated) = blocking(&settings, move |conn| {
                accounts::create_user(conn, &cli_actor(), &new).map_err(explain)
            })
            .await?;
            println!("added {} ({}) with id {}", user.email, user.role, user.id);
            if let Some(password) = generated {
                println!("password (shown once): {password}");
            }
            Ok(())
        }
        UserCommand::List => {
            let rows = blocking(&settings, |conn| Ok(UserRow::list(conn, i64::MAX, 0)?.0)).await?;
            println!(
                "{:<36}  {:<32}  {:<11}  {:<6}  name",
                "id", "email", "role", "active"
            );
            for user in rows {
                println!(
                    "{:<36}  {:<32}  {:<11}  {:<6}  {}",
                    user.id, user.email, user.role, user.active, user.display_name
                );
            }
            Ok(())
        }
        UserCommand::Deactivate { email } => {
            let shown = email.clone();
            blocking(&settings, move |conn| {
                let user = UserRow::find_by_email(conn, &email)?
                    .ok_or_else(|| anyhow::anyhow!("no user with email {email}"))?;
                let update = UserUpdate {
                    active: Some(false),
                    ..Default::default()
                };
                accounts::update_user(conn, &cli_actor(), &user.id, &update).map_err(explain)
            })
            .await?;
            println!("deactivated {shown}; its sessions and tokens no longer work");
            Ok(())
        }
    }
}

async fn tokens(settings: Settings, command: TokenCommand) -> anyhow::Result<()> {
    let TokenCommand::Create {
        email,
        name,
        expires_in_days,
    } = command;
    let (_, token) = blocking(&settings, move |conn| {
        let user = UserRow::find_by_email(conn, &email)?
            .ok_or_else(|| anyhow::anyhow!("no user with email {email}"))?;
        accounts::issue_token(conn, &cli_actor(), &user.id, &name, expires_in_days).map_err(explain)
    })
    .await?;
    println!("{token}");
    Ok(())
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
            crate::registry::demo::load_demo(&mut conn).context("loading the demo data")
        })
        .await??;
        match loaded {
            Some((report, users)) => {
                log::info!("demo: loaded {} sample organizations", report.created);
                println!("\nDemo accounts (passwords shown once; log in at POST /api/v1/session):");
                for (email, role, password) in users {
                    println!("  {role:<12} {email:<28} {password}");
                }
                println!();
            }
            None => log::info!("demo: the registry is not empty; sample data not loaded"),
        }
    }
    let app = Application::build_with_pool(settings.clone(), pool)?;
    if settings.reminders.enabled {
        log::info!(
            "reminders: a pass every {} s, mail via {}",
            settings.reminders.interval,
            settings.mail.transport.as_str()
        );
        actix_web::rt::spawn(run_scheduler(app.engine().clone()));
    } else {
        log::info!("reminders: scheduler switched off (reminders.enabled = false)");
    }
    let host = settings
        .server
        .bind
        .rsplit_once(':')
        .map_or("127.0.0.1", |(h, _)| h);
    log::info!(
        "listening on http://{host}:{} (API docs at /api/docs/)",
        app.port()
    );
    let engine = app.engine().clone();
    let served = app.run_until_stopped().await;
    // A reminder pass still running ends after the messages in hand.
    engine.stop.request();
    served?;
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
        let context = ImportContext {
            actor: cli_actor(),
            scope_path: None,
        };
        let outcome = crate::db::with_own_journal(&mut conn, |conn| {
            import_organizations(conn, &file, &context, dry_run, &mut progress)
        });
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

/// The operating-system user running the command, for the audit trail.
fn whoami() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".into())
}

async fn remind(settings: Settings, args: RemindArgs) -> anyhow::Result<()> {
    let pool = prepare_database(&settings)?;
    let engine = Engine::new(pool, &settings, crate::startup::instance_name())?;
    let options = PassOptions {
        dry_run: args.dry_run,
        ignore_window: args.ignore_window,
        deliver_only: false,
    };
    let report =
        actix_web::web::block(move || engine.run_pass(chrono::Utc::now(), options)).await??;
    if !report.window_open && !args.dry_run {
        let next = report
            .next_opening
            .map_or_else(|| "not within a year".to_owned(), |t| t.to_rfc3339());
        println!("outside the sending window: nothing sent (next opening {next}); --ignore-window sends now");
        return Ok(());
    }
    if args.dry_run {
        for p in &report.preview {
            let skip = p
                .skip_reason
                .as_deref()
                .map(|r| format!("  SKIPPED: {r}"))
                .unwrap_or_default();
            println!(
                "{}  {}  {:<12} {:<16} {}{skip}",
                p.rollout, p.stage, p.recipient_role, p.organization_id, p.recipient_email
            );
        }
        println!(
            "{} reminder(s) due; dry run: nothing written or sent",
            report.planned
        );
        return Ok(());
    }
    println!(
        "{} queued, {} skipped (no address), {} deferred to tomorrow, {} sent, {} retrying, {} failed, {} cancelled",
        report.queued, report.skipped, report.deferred, report.sent, report.retrying, report.failed, report.cancelled
    );
    Ok(())
}
