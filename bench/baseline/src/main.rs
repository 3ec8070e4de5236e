//! The bare stack: an actix-web server that reads and writes through diesel and an
//! r2d2 pool, with none of the service's logic (no authentication, permissions, audit
//! trail, validation, problem documents or request log). `bench/baseline.py` runs it on
//! the database the service has just imported into, sends both the same load, and
//! prints how far apart they are.
//!
//! Usage: `aitu-baseline DATABASE_URL BIND_ADDRESS`
//!
//! - `GET /read/{bin}`: one organization by BIN, as JSON (one query);
//! - `GET /audited/{bin}`: the same read and one inserted row, in one transaction;
//! - `PUT /write/{bin}`: parses a small JSON body and inserts three rows in one
//!   transaction.
//!
//! Settings that matter for speed are the service's defaults: one HTTP worker per
//! core, a pool of 10 connections checked on checkout, the same SQLite pragmas.

use std::time::Duration;

use actix_web::{web, App, HttpResponse, HttpServer};
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::r2d2::R2D2Connection;
use diesel::sqlite::SqliteConnection;

/// The service's own table definitions, so the bare server reads the same columns.
#[path = "../../../src/db/schema.rs"]
#[allow(dead_code)]
mod schema;
use schema::organizations;

diesel::table! {
    baseline_rows (id) {
        id -> BigInt,
        at -> Timestamp,
        object_id -> Text,
        detail -> Text,
    }
}

#[derive(diesel::MultiConnection)]
enum Db {
    Sqlite(SqliteConnection),
    Pg(PgConnection),
}

/// The organization as the service shows it to an observer (no contacts).
#[derive(Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = organizations)]
struct Organization {
    id: String,
    bin: String,
    kind: String,
    parent_id: Option<String>,
    depth: i32,
    region: String,
    headcount: i64,
    name_kk: String,
    name_ru: String,
    name_en: Option<String>,
    version: i64,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
    archived_at: Option<chrono::NaiveDateTime>,
}

#[derive(serde::Deserialize)]
struct Change {
    status: String,
    accounts_active: i64,
}

struct Manager(String);

impl Manager {
    fn is_postgres(&self) -> bool {
        self.0.starts_with("postgres://") || self.0.starts_with("postgresql://")
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = Db;
    type Error = diesel::ConnectionError;

    fn connect(&self) -> Result<Db, Self::Error> {
        if self.is_postgres() {
            return PgConnection::establish(&self.0).map(Db::Pg);
        }
        let path = self.0.strip_prefix("sqlite://").unwrap_or(&self.0);
        let mut conn = SqliteConnection::establish(path)?;
        conn.batch_execute(
            "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
             PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
             PRAGMA cache_size = -16384;",
        )
        .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
        Ok(Db::Sqlite(conn))
    }

    fn is_valid(&self, conn: &mut Db) -> Result<(), Self::Error> {
        conn.ping()
            .map_err(diesel::ConnectionError::CouldntSetupConfiguration)
    }

    fn has_broken(&self, conn: &mut Db) -> bool {
        conn.is_broken()
    }
}

type Pool = r2d2::Pool<Manager>;

/// SQLite has one writer at a time: this process's writers take turns here instead
/// of sleeping in SQLite's busy handler.
static SQLITE_WRITER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A write transaction. SQLite's takes the write lock at once, so a read followed by a
/// write cannot fail on a snapshot another writer has moved past.
fn write<T>(conn: &mut Db, f: impl FnOnce(&mut Db) -> QueryResult<T>) -> QueryResult<T> {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let Db::Sqlite(inner) = conn else {
        return conn.transaction(f);
    };
    let _turn = SQLITE_WRITER.lock().unwrap_or_else(|e| e.into_inner());
    AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
    let result = f(conn);
    let Db::Sqlite(inner) = conn else {
        unreachable!("the backend of a connection does not change")
    };
    match result {
        Ok(value) => AnsiTransactionManager::commit_transaction(inner).map(|()| value),
        Err(error) => {
            AnsiTransactionManager::rollback_transaction(inner)?;
            Err(error)
        }
    }
}

fn find(conn: &mut Db, bin: &str) -> QueryResult<Option<Organization>> {
    organizations::table
        .filter(organizations::bin.eq(bin))
        .select(Organization::as_select())
        .get_result(conn)
        .optional()
}

fn log_row(conn: &mut Db, object_id: &str, detail: &str) -> QueryResult<usize> {
    diesel::insert_into(baseline_rows::table)
        .values((
            baseline_rows::at.eq(chrono::Utc::now().naive_utc()),
            baseline_rows::object_id.eq(object_id),
            baseline_rows::detail.eq(detail),
        ))
        .execute(conn)
}

async fn on_pool<T: Send + 'static>(
    pool: web::Data<Pool>,
    f: impl FnOnce(&mut Db) -> QueryResult<T> + Send + 'static,
) -> Result<T, actix_web::Error> {
    /// Why a request failed, said once it is back on the HTTP worker.
    enum Failure {
        Pool(r2d2::Error),
        Query(diesel::result::Error),
    }
    let done = web::block(move || {
        let mut conn = pool.get().map_err(Failure::Pool)?;
        f(&mut conn).map_err(Failure::Query)
    })
    .await?;
    done.map_err(|failure| match failure {
        Failure::Pool(e) => actix_web::error::ErrorServiceUnavailable(e),
        Failure::Query(e) => actix_web::error::ErrorInternalServerError(e),
    })
}

fn found(org: Option<Organization>) -> HttpResponse {
    match org {
        Some(org) => HttpResponse::Ok().json(org),
        None => HttpResponse::NotFound().finish(),
    }
}

async fn read(pool: web::Data<Pool>, bin: web::Path<String>) -> actix_web::Result<HttpResponse> {
    let org = on_pool(pool, move |conn| find(conn, &bin)).await?;
    Ok(found(org))
}

async fn audited(pool: web::Data<Pool>, bin: web::Path<String>) -> actix_web::Result<HttpResponse> {
    let org = on_pool(pool, move |conn| {
        write(conn, |conn| {
            let org = find(conn, &bin)?;
            log_row(conn, &bin, "read")?;
            Ok(org)
        })
    })
    .await?;
    Ok(found(org))
}

async fn write_three(
    pool: web::Data<Pool>,
    bin: web::Path<String>,
    change: web::Json<Change>,
) -> actix_web::Result<HttpResponse> {
    let change = change.into_inner();
    let bin = bin.into_inner();
    let shown = bin.clone();
    on_pool(pool, move |conn| {
        write(conn, |conn| {
            log_row(conn, &bin, &change.status)?;
            log_row(conn, &bin, &change.accounts_active.to_string())?;
            log_row(conn, &bin, "audit")
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({"bin": shown, "status": "ok"})))
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(bind)) = (args.next(), args.next()) else {
        eprintln!("usage: aitu-baseline DATABASE_URL BIND_ADDRESS");
        std::process::exit(2);
    };
    let manager = Manager(url);
    let ddl = if manager.is_postgres() {
        "CREATE TABLE IF NOT EXISTS baseline_rows (id BIGINT GENERATED ALWAYS AS IDENTITY \
         PRIMARY KEY, at TIMESTAMP NOT NULL, object_id TEXT NOT NULL, detail TEXT NOT NULL)"
    } else {
        "CREATE TABLE IF NOT EXISTS baseline_rows (id INTEGER PRIMARY KEY AUTOINCREMENT, \
         at TIMESTAMP NOT NULL, object_id TEXT NOT NULL, detail TEXT NOT NULL)"
    };
    let pool = r2d2::Pool::builder()
        .max_size(10)
        .min_idle(Some(0))
        .connection_timeout(Duration::from_secs(5))
        .test_on_check_out(true)
        .build_unchecked(manager);
    pool.get()
        .map_err(std::io::Error::other)?
        .batch_execute(ddl)
        .map_err(std::io::Error::other)?;
    let pool = web::Data::new(pool);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(pool.clone())
            .route("/read/{bin}", web::get().to(read))
            .route("/audited/{bin}", web::get().to(audited))
            .route("/write/{bin}", web::put().to(write_three))
    })
    .bind(&bind)?;
    for addr in server.addrs() {
        println!("listening on {addr}");
    }
    server.run().await
}
