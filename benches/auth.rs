//! What authentication costs next to the request it guards.
//!
//! Every API request checks its token before its handler runs: SHA-256 of the token,
//! then the memory of recently checked tokens (`auth::check_token_cached`), and on a miss
//! one indexed join query (`auth::check_token`). This measures those steps beside the
//! whole request `GET /api/v1/organizations/{bin}`, served in process by the real
//! application (middleware, extractor, handler, database, JSON) through
//! `actix_web::test`, for an observer (no contact data, so no audit row) and for an
//! admin (contact data, so one `personal_data.read` audit row), with the token memory
//! on (the default) and off (`auth.token_cache_seconds = 0`).
//!
//! It runs on SQLite (a temporary file) and, when `BENCH_DATABASE_URL` names a
//! PostgreSQL server where the user may create databases, on PostgreSQL (a fresh
//! database, dropped at the end). After Criterion's own report it prints the share of
//! authentication in the request: token check (cached) / whole request.
//!
//! ```sh
//! cargo bench --bench auth
//! BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench auth
//! ```

use std::cell::RefCell;
use std::hint::black_box;
use std::rc::Rc;
use std::time::{Duration, Instant};

use actix_http::Request;
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::AUTHORIZATION;
use actix_web::test;
use aitu_tracker::audit::{self, AuditActor, AuditEntry, Outcome};
use aitu_tracker::auth::accounts::{create_user, issue_token, NewUser};
use aitu_tracker::auth::cache::TokenCache;
use aitu_tracker::auth::{check_token, check_token_cached, secret};
use aitu_tracker::config::Settings;
use aitu_tracker::db::DbConnection;
use aitu_tracker::registry::import::{import_organizations, ImportContext};
use aitu_tracker::registry::model::OrganizationRow;
use aitu_tracker::registry::view::Organization;
use aitu_tracker::reminders::worker::Engine;
use aitu_tracker::startup::{app, app_state, prepare_database};
use aitu_tracker::web::openapi;
use criterion::Criterion;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::Connection;

/// The demo registry: about 1,900 organizations with realistic names and contacts.
const REGISTRY_CSV: &str = include_str!("../demo/organizations.csv");

/// Samples per benchmark; small so that `cargo bench --bench auth` stays short.
const SAMPLE_SIZE: usize = 30;
const WARM_UP: Duration = Duration::from_millis(500);
const MEASUREMENT: Duration = Duration::from_secs(2);

/// The timings a benchmark's routine saw: (iterations, elapsed) per call.
type Samples = Rc<RefCell<Vec<(u64, Duration)>>>;

/// Runs `f` `iters` times, records the call, and hands the time to Criterion.
fn timed(samples: &Samples, iters: u64, mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        f();
    }
    let elapsed = start.elapsed();
    samples.borrow_mut().push((iters, elapsed));
    elapsed
}

/// Mean time per iteration over Criterion's measurement samples: the last
/// `SAMPLE_SIZE` calls (the ones before them are its warm-up).
fn mean(samples: &Samples) -> Option<Duration> {
    let samples = samples.borrow();
    let measured = &samples[samples.len().saturating_sub(SAMPLE_SIZE)..];
    let iters: u64 = measured.iter().map(|(n, _)| n).sum();
    let total: Duration = measured.iter().map(|(_, t)| *t).sum();
    (iters > 0).then(|| Duration::from_secs_f64(total.as_secs_f64() / iters as f64))
}

/// Runs `iters` requests inside the actix system and records the whole batch.
fn timed_requests<F: std::future::Future<Output = ()>>(
    samples: &Samples,
    system: &actix_web::rt::SystemRunner,
    iters: u64,
    mut request: impl FnMut() -> F,
) -> Duration {
    let start = Instant::now();
    system.block_on(async {
        for _ in 0..iters {
            request().await;
        }
    });
    let elapsed = start.elapsed();
    samples.borrow_mut().push((iters, elapsed));
    elapsed
}

/// One authenticated GET through the application, which must answer 2xx.
async fn get_ok<S, B>(service: &S, uri: &str, token: &str)
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let request = test::TestRequest::get()
        .uri(uri)
        .insert_header((AUTHORIZATION, format!("Bearer {token}")))
        .to_request();
    let response = test::call_service(service, request).await;
    assert!(response.status().is_success(), "{}", response.status());
    black_box(test::read_body(response).await);
}

/// What one backend measured (means per call).
struct Figures {
    backend: &'static str,
    cached_check: Option<Duration>,
    request_observer: Option<Duration>,
    request_observer_uncached: Option<Duration>,
    request_admin: Option<Duration>,
    check_token: Option<Duration>,
    find_by_bin: Option<Duration>,
    to_json: Option<Duration>,
    hash_secret: Option<Duration>,
    audit_row: Option<Duration>,
}

fn bench_backend(c: &mut Criterion, backend: &'static str, database_url: &str) -> Figures {
    let mut settings = Settings::defaults();
    settings.database.url = database_url.to_owned();
    let pool = prepare_database(&settings).expect("preparing the benchmark database");
    let mut conn = pool.get().expect("a connection from the pool");
    let conn: &mut DbConnection = &mut conn;

    let report = import_organizations(
        conn,
        &REGISTRY_CSV.as_bytes(),
        &ImportContext::default(),
        false,
        &mut (),
    )
    .expect("importing the demo registry");
    let actor = AuditActor::default();
    let new_user = NewUser {
        email: "bench@example.kz".into(),
        display_name: "Bench".into(),
        role: "admin".into(),
        organization: None,
        password: None,
    };
    let (user, _) = create_user(conn, &actor, &new_user).expect("creating the account");
    let (_, token) = issue_token(conn, &actor, &user.id, "bench", None).expect("a token");
    let observer = NewUser {
        email: "observer@example.kz".into(),
        display_name: "Observer".into(),
        role: "observer".into(),
        organization: None,
        password: None,
    };
    let (observer, _) = create_user(conn, &actor, &observer).expect("creating the observer");
    let (_, observer_token) =
        issue_token(conn, &actor, &observer.id, "bench", None).expect("a token");

    // A BIN from the middle of the file: a territorial department, say.
    let bin = REGISTRY_CSV
        .lines()
        .nth(1 + report.rows as usize / 2)
        .and_then(|line| line.split(',').next())
        .expect("a BIN in the demo registry")
        .to_owned();
    let row = OrganizationRow::find_by_bin(conn, &bin)
        .expect("find_by_bin")
        .expect("the BIN was imported");
    let checked = check_token(conn, &token, &settings.auth).expect("check_token");
    assert!(
        checked.is_some_and(|u| u.id == user.id),
        "the token must authenticate its user"
    );

    // The application in process, once with the token memory on and once with it off.
    let system = actix_web::rt::System::new();
    let build = |cache_seconds: u64| {
        let mut settings = settings.clone();
        settings.auth.token_cache_seconds = cache_seconds;
        let engine = Engine::new(pool.clone(), &settings, "bench".into()).expect("the engine");
        let state = app_state(std::sync::Arc::new(settings), pool.clone(), engine);
        system.block_on(test::init_service(app(state, openapi::document())))
    };
    let service = build(settings.auth.token_cache_seconds);
    let uncached_service = build(0);
    let uri = format!("/api/v1/organizations/{bin}");
    let cache = TokenCache::new(Duration::from_secs(settings.auth.token_cache_seconds));
    assert!(check_token_cached(&pool, &cache, &token)
        .expect("check_token_cached")
        .is_some());

    let samples: [Samples; 9] = Default::default();
    let mut group = c.benchmark_group(format!("auth/{backend}"));
    group.bench_function("request_observer", |b| {
        b.iter_custom(|iters| {
            timed_requests(&samples[5], &system, iters, || {
                get_ok(&service, &uri, &observer_token)
            })
        })
    });
    group.bench_function("request_observer_uncached", |b| {
        b.iter_custom(|iters| {
            timed_requests(&samples[6], &system, iters, || {
                get_ok(&uncached_service, &uri, &observer_token)
            })
        })
    });
    group.bench_function("request_admin", |b| {
        b.iter_custom(|iters| {
            timed_requests(&samples[7], &system, iters, || {
                get_ok(&service, &uri, &token)
            })
        })
    });
    group.bench_function("check_token_cached", |b| {
        b.iter_custom(|iters| {
            timed(&samples[8], iters, || {
                black_box(check_token_cached(&pool, &cache, black_box(&token)).unwrap());
            })
        })
    });
    group.bench_function("check_token", |b| {
        b.iter_custom(|iters| {
            timed(&samples[0], iters, || {
                black_box(check_token(conn, black_box(&token), &settings.auth).unwrap());
            })
        })
    });
    group.bench_function("find_by_bin", |b| {
        b.iter_custom(|iters| {
            timed(&samples[1], iters, || {
                black_box(OrganizationRow::find_by_bin(conn, black_box(&bin)).unwrap());
            })
        })
    });
    group.bench_function("organization_to_json", |b| {
        b.iter_custom(|iters| {
            timed(&samples[2], iters, || {
                let view = Organization::full(black_box(row.clone()));
                black_box(serde_json::to_vec(&view).unwrap());
            })
        })
    });
    group.bench_function("hash_secret", |b| {
        b.iter_custom(|iters| {
            timed(&samples[3], iters, || {
                black_box(secret::hash_secret(black_box(&token)));
            })
        })
    });
    // Not part of the share: what GET one organization adds for users who see
    // contacts (admins, coordinators in scope): one `personal_data.read` audit row.
    group.bench_function("audit_personal_read", |b| {
        b.iter_custom(|iters| {
            timed(&samples[4], iters, || {
                let entry = AuditEntry::new("personal_data.read", Outcome::Success)
                    .detail("contacts of 1 organization(s)")
                    .object("organization", row.id.clone())
                    .scope_path(row.path.clone());
                audit::record(conn, &actor, entry).unwrap();
            })
        })
    });
    group.finish();

    Figures {
        backend,
        cached_check: mean(&samples[8]),
        request_observer: mean(&samples[5]),
        request_observer_uncached: mean(&samples[6]),
        request_admin: mean(&samples[7]),
        check_token: mean(&samples[0]),
        find_by_bin: mean(&samples[1]),
        to_json: mean(&samples[2]),
        hash_secret: mean(&samples[3]),
        audit_row: mean(&samples[4]),
    }
}

/// A fresh PostgreSQL database, dropped when this goes out of scope (also on a panic).
struct PgDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl PgDatabase {
    fn create(admin_url: &str) -> Self {
        let name = format!(
            "aitu_bench_auth_{}",
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        let mut admin =
            PgConnection::establish(admin_url).expect("connecting to BENCH_DATABASE_URL");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("creating the benchmark database");
        let mut url = url::Url::parse(admin_url).expect("BENCH_DATABASE_URL is a URL");
        url.set_path(&format!("/{name}"));
        Self {
            admin_url: admin_url.to_owned(),
            name,
            url: url.to_string(),
        }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let dropped = PgConnection::establish(&self.admin_url).map(|mut admin| {
            admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
        });
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop the benchmark database {}", self.name);
        }
    }
}

fn micros(d: Option<Duration>) -> String {
    d.map_or_else(
        || "n/a".into(),
        |d| format!("{:.1} µs", d.as_secs_f64() * 1e6),
    )
}

fn share(part: Option<Duration>, whole: Option<Duration>) -> String {
    match (part, whole) {
        (Some(part), Some(whole)) if !whole.is_zero() => {
            format!("{:.1} %", 100.0 * part.as_secs_f64() / whole.as_secs_f64())
        }
        _ => "n/a".into(),
    }
}

fn print_shares(figures: &[Figures]) {
    println!();
    println!("GET /api/v1/organizations/{{bin}} in process, mean per call:");
    println!(
        "{:<9} {:>14} {:>14} {:>14} {:>14} {:>14} {:>14} {:>12} {:>12}",
        "backend",
        "check cached",
        "check in db",
        "req observer",
        "req obs, db",
        "req admin",
        "find_by_bin",
        "to JSON",
        "audit row"
    );
    for f in figures {
        println!(
            "{:<9} {:>14} {:>14} {:>14} {:>14} {:>14} {:>14} {:>12} {:>12}",
            f.backend,
            micros(f.cached_check),
            micros(f.check_token),
            micros(f.request_observer),
            micros(f.request_observer_uncached),
            micros(f.request_admin),
            micros(f.find_by_bin),
            micros(f.to_json),
            micros(f.audit_row),
        );
    }
    println!();
    println!("Share of authentication in the request (target: at most 20 %):");
    for f in figures {
        println!(
            "{:<9} observer {} · admin {} · observer with the token memory off {} (check in db / request)",
            f.backend,
            share(f.cached_check, f.request_observer),
            share(f.cached_check, f.request_admin),
            share(f.check_token, f.request_observer_uncached),
        );
    }
    println!(
        "(the hash alone: {})",
        figures
            .iter()
            .map(|f| format!("{} {}", f.backend, micros(f.hash_secret)))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

fn main() {
    let mut c = Criterion::default()
        .sample_size(SAMPLE_SIZE)
        .warm_up_time(WARM_UP)
        .measurement_time(MEASUREMENT)
        .configure_from_args();
    let mut figures = Vec::new();
    {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let url = format!("sqlite://{}", dir.path().join("auth-bench.db").display());
        figures.push(bench_backend(&mut c, "sqlite", &url));
    }
    match std::env::var("BENCH_DATABASE_URL") {
        Ok(admin_url) if !admin_url.trim().is_empty() => {
            let db = PgDatabase::create(admin_url.trim());
            figures.push(bench_backend(&mut c, "postgres", &db.url));
        }
        _ => eprintln!("BENCH_DATABASE_URL is not set: PostgreSQL skipped"),
    }
    c.final_summary();
    print_shares(&figures);
}
