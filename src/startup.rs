//! Building and running the HTTP server.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{from_fn, Logger};
use actix_web::{web, App, HttpServer};
use anyhow::Context;
use utoipa_swagger_ui::SwaggerUi;

use crate::config::Settings;
use crate::db::{self, Pool};
use crate::reminders::worker::Engine;
use crate::web::{extract, health, metrics, middleware, openapi};
use crate::AppState;

/// A bound, migrated, ready-to-run server.
pub struct Application {
    port: u16,
    server: Server,
    pool: Pool,
    engine: Engine,
}

/// A name for this process in reminder leases and slots: host, pid and a random part.
pub fn instance_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".into());
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("{host}-{}-{}", std::process::id(), &random[..8])
}

/// Opens the pool and applies migrations; fails with the database's own words.
pub fn prepare_database(settings: &Settings) -> anyhow::Result<Pool> {
    let url = settings.database.parsed_url()?;
    let options = settings.database.pool_options();
    // A direct connection first: the pool would only say "timed out", this says why.
    let manager = db::ConnectionManager::new(url.clone(), options.sqlite_busy_timeout);
    let mut conn = connect_when_free(&manager).context("connecting to the database")?;
    let applied = db::run_migrations(&mut conn)?;
    for version in applied {
        log::info!("applied migration {version}");
    }
    Ok(db::build_pool(&url, &options))
}

/// How long a command waits, beyond `database.sqlite_busy_timeout`, for another process
/// that holds the SQLite file to itself: a first load on the command line does, for
/// as long as it writes (about 5 s per 100,000 rows).
const LOCKED_WAIT: Duration = Duration::from_secs(600);

/// Connects; on SQLite, waits while another process holds the file to itself, saying so
/// once, instead of failing after the busy timeout.
fn connect_when_free(
    manager: &db::ConnectionManager,
) -> Result<db::DbConnection, db::ConnectError> {
    let started = std::time::Instant::now();
    let mut said = false;
    loop {
        match manager.connect() {
            Err(e) if e.is_locked() && started.elapsed() < LOCKED_WAIT => {
                if !said {
                    log::warn!(
                        "the database is locked by another process (an import on the command line?); waiting up to {} s for it",
                        LOCKED_WAIT.as_secs()
                    );
                    said = true;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            other => return other,
        }
    }
}

impl Application {
    /// Binds the listener first (so `server.bind` may use port 0), then the database.
    pub fn build(settings: Settings) -> anyhow::Result<Self> {
        let pool = prepare_database(&settings)?;
        Self::build_with_pool(settings, pool)
    }

    pub fn build_with_pool(settings: Settings, pool: Pool) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(&settings.server.bind)
            .with_context(|| format!("cannot listen on {}", settings.server.bind))?;
        let port = listener.local_addr()?.port();
        let engine = Engine::new(pool.clone(), &settings, instance_name())?;
        let server = run(listener, settings, pool.clone(), engine.clone())?;
        Ok(Self {
            port,
            server,
            pool,
            engine,
        })
    }

    /// The reminder engine (the scheduler and tests drive it).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Serves until SIGINT or SIGTERM, then lets running requests finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// The shared state of every request.
pub fn app_state(settings: Arc<Settings>, pool: Pool, engine: Engine) -> web::Data<AppState> {
    web::Data::new(AppState {
        pool,
        hashing: crate::auth::secret::HashingGate::new(
            settings.auth.max_concurrent_hashes,
            Duration::from_secs(5),
        ),
        tokens: crate::auth::cache::TokenCache::new(Duration::from_secs(
            settings.auth.token_cache_seconds,
        )),
        settings,
        reminders: engine,
    })
}

/// The whole application: middleware, API, documentation and pages. Each HTTP worker
/// builds one; benchmarks build one to measure a request in process.
pub fn app(
    state: web::Data<AppState>,
    openapi: utoipa::openapi::OpenApi,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .wrap(from_fn(middleware::audit_denials))
        .wrap(from_fn(middleware::security_headers))
        .wrap(Logger::new(r#"%a "%r" %s %b %Dms %{x-request-id}o"#))
        .wrap(from_fn(middleware::request_id))
        .app_data(state)
        .app_data(web::QueryConfig::default().error_handler(extract::query_error))
        .app_data(web::PathConfig::default().error_handler(extract::path_error))
        .route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/metrics", web::get().to(metrics::metrics))
        .service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/v1/openapi.json", openapi))
        .service(
            web::scope("/api/v1")
                .configure(crate::auth::api::configure)
                .configure(crate::registry::api::configure)
                .configure(crate::rollout::api::configure)
                .configure(crate::reminders::api::configure)
                .route("/audit", web::get().to(crate::audit::api::list_audit)),
        )
        .configure(crate::web::pages::configure)
        .default_service(web::to(extract::no_route))
}

fn run(
    listener: TcpListener,
    settings: Settings,
    pool: Pool,
    engine: Engine,
) -> anyhow::Result<Server> {
    let settings = Arc::new(settings);
    let workers = match settings.server.workers {
        0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
        n => n,
    };
    let shutdown = settings.server.shutdown_timeout;
    let state = app_state(settings, pool, engine);
    let openapi = openapi::document();
    let server = HttpServer::new(move || app(state.clone(), openapi.clone()))
        .workers(workers)
        .shutdown_timeout(shutdown)
        .client_request_timeout(Duration::from_secs(60))
        .listen(listener)?
        .run();
    Ok(server)
}
