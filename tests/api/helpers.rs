//! Test harness: every test gets its own database (a temporary SQLite file, or a fresh
//! PostgreSQL database when TEST_DATABASE_URL names a server) and a real server on port 0.

use std::sync::atomic::{AtomicU32, Ordering};

use aitu_tracker::config::Settings;
use aitu_tracker::db::{DbConnection, Pool};
use aitu_tracker::registry::model::OrganizationRow;
use aitu_tracker::Application;
use diesel::prelude::*;
use reqwest::header::CONTENT_TYPE;
use serde_json::{json, Value};

/// A database that exists for one test only.
pub struct TestDb {
    pub url: String,
    /// For PostgreSQL: the server's admin URL and this database's name, to drop it after.
    postgres: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub fn new() -> Self {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(admin) if !admin.is_empty() => {
                let name = format!("aitu_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = diesel::PgConnection::establish(&admin)
                    .unwrap_or_else(|e| panic!("TEST_DATABASE_URL is set but unreachable: {e}"));
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .expect("creating the test database");
                let mut url = url::Url::parse(&admin).expect("TEST_DATABASE_URL is a URL");
                url.set_path(&name);
                Self {
                    url: url.to_string(),
                    postgres: Some((admin, name)),
                    _dir: None,
                }
            }
            _ => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = format!("sqlite://{}", dir.path().join("test.db").display());
                Self {
                    url,
                    postgres: None,
                    _dir: Some(dir),
                }
            }
        }
    }

    /// The host and port of the PostgreSQL server, for tests that put a proxy in front.
    pub fn postgres_addr(&self) -> Option<String> {
        let (admin, _) = self.postgres.as_ref()?;
        let url = url::Url::parse(admin).ok()?;
        Some(format!(
            "{}:{}",
            url.host_str().unwrap_or("127.0.0.1"),
            url.port().unwrap_or(5432)
        ))
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.postgres {
            if let Ok(mut conn) = diesel::PgConnection::establish(admin) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn);
            }
        }
    }
}

/// A running server and a client that sends `token` (an admin's, unless changed).
#[derive(Clone)]
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub pool: Pool,
    /// Sent as `Authorization: Bearer`; `None` for anonymous requests.
    pub token: Option<String>,
    /// Kept so the database lives as long as the server.
    _db: std::sync::Arc<TestDb>,
}

impl TestApp {
    /// The test database's URL (for a second instance on the same data).
    pub fn db_url(&self) -> String {
        self._db.url.clone()
    }
}

/// Settings for a test server on `db`.
pub fn test_settings(db_url: &str) -> Settings {
    let mut settings = Settings::defaults();
    settings.server.bind = "127.0.0.1:0".into();
    settings.server.workers = 1;
    settings.database.url = db_url.to_owned();
    settings.database.pool_size = 4;
    settings.database.connect_timeout = 1;
    // Tests drive reminder passes themselves, with a clock of their choosing.
    settings.reminders.enabled = false;
    settings.mail.transport = aitu_tracker::reminders::settings::TransportKind::Log;
    settings
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the real server on port 0, with `adjust` applied to the settings.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let db = TestDb::new();
    let mut settings = test_settings(&db.url);
    adjust(&mut settings);
    spawn_on(db, settings).await
}

pub async fn spawn_on(db: TestDb, settings: Settings) -> TestApp {
    let app = Application::build(settings).expect("building the application");
    let address = format!("http://127.0.0.1:{}", app.port());
    let pool = app.pool().clone();
    tokio::spawn(app.run_until_stopped());
    let mut test_app = TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        pool,
        token: None,
        _db: std::sync::Arc::new(db),
    };
    let (_, token) = test_app.add_user("admin", None).await;
    test_app.token = Some(token);
    test_app
}

static SERIAL: AtomicU32 = AtomicU32::new(1);

/// A fresh BIN with a valid check digit.
pub fn new_bin() -> String {
    loop {
        let serial = SERIAL.fetch_add(1, Ordering::Relaxed);
        if let Some(bin) = bin_with_serial(serial) {
            return bin;
        }
    }
}

/// The valid BIN `2401 4 0 <serial:05>` + check digit, if one exists for that serial.
pub fn bin_with_serial(serial: u32) -> Option<String> {
    let stem = format!("240140{serial:05}");
    let mut digits = [0u8; 12];
    for (d, b) in digits.iter_mut().zip(stem.bytes()) {
        *d = b - b'0';
    }
    aitu_tracker::domain::bin::check_digit(&digits).map(|c| format!("{stem}{c}"))
}

/// A BIN with a wrong check digit.
pub fn bad_checksum_bin() -> String {
    let good = new_bin();
    let last = good.as_bytes()[11] - b'0';
    format!("{}{}", &good[..11], (last + 1) % 10)
}

/// A minimal valid organization body.
pub fn org_body(bin: &str, name_ru: &str) -> Value {
    json!({
        "bin": bin,
        "kind": "central_state_body",
        "region": "republican",
        "headcount": 100,
        "name_kk": format!("{name_ru} (kk)"),
        "name_ru": name_ru,
        "it_head": {"name": "Асель Нурланова", "email": "it@example.kz", "phone": "+7 701 234 56 78"},
        "head": {"name": "Ерлан Сапаров", "email": "head@example.kz"},
    })
}

/// A password good enough for test accounts.
pub const PASSWORD: &str = "correct horse battery staple";

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// The same server, seen by the holder of `token`.
    pub fn as_token(&self, token: &str) -> TestApp {
        TestApp {
            token: Some(token.to_owned()),
            ..self.clone()
        }
    }

    /// The same server, seen by nobody in particular.
    pub fn anonymous(&self) -> TestApp {
        TestApp {
            token: None,
            ..self.clone()
        }
    }

    /// Adds a user with `role` (scoped to the organization `scope`, a UUID or BIN) and
    /// password [`PASSWORD`]; returns its email and a fresh API token.
    pub async fn add_user(&self, role: &str, scope: Option<&str>) -> (String, String) {
        let pool = self.pool.clone();
        let email = format!("{role}-{}@example.kz", uuid::Uuid::new_v4().simple());
        let new = aitu_tracker::auth::accounts::NewUser {
            email: email.clone(),
            display_name: format!("Test {role}"),
            role: role.to_owned(),
            organization: scope.map(str::to_owned),
            password: Some(PASSWORD.to_owned()),
        };
        let token = tokio::task::spawn_blocking(move || {
            use aitu_tracker::auth::accounts::{create_user, issue_token};
            let mut conn = pool.get().expect("connection");
            let actor = aitu_tracker::audit::AuditActor::default();
            let (user, _) = create_user(&mut conn, &actor, &new).expect("adding a test user");
            issue_token(&mut conn, &actor, &user.id, "tests", None)
                .expect("issuing a test token")
                .1
        })
        .await
        .expect("user task");
        (email, token)
    }

    fn authorize(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.authorize(self.client.get(self.url(path)))
            .send()
            .await
            .expect("request sent")
    }

    pub async fn get_json(&self, path: &str) -> Value {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.expect("JSON body")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.authorize(self.client.post(self.url(path)))
            .json(body)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> reqwest::Response {
        self.authorize(self.client.post(self.url(path)))
            .header(CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn patch_json(
        &self,
        path: &str,
        body: &Value,
        if_match: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self.authorize(self.client.patch(self.url(path))).json(body);
        if let Some(tag) = if_match {
            request = request.header("If-Match", tag);
        }
        request.send().await.expect("request sent")
    }

    /// Creates an organization and returns its JSON.
    pub async fn create_org(&self, body: Value) -> Value {
        let response = self.post_json("/api/v1/organizations", &body).await;
        let status = response.status();
        let json: Value = response.json().await.expect("JSON body");
        assert_eq!(status, 201, "creating {body}: {json}");
        json
    }

    /// Creates an organization under `parent` (an id), returning its JSON.
    pub async fn create_child(&self, parent: &Value, name_ru: &str) -> Value {
        let mut body = org_body(&new_bin(), name_ru);
        body["parent_id"] = parent["id"].clone();
        body["kind"] = json!("departmental_body");
        self.create_org(body).await
    }

    pub async fn import_csv(&self, csv: &str, dry_run: bool) -> reqwest::Response {
        self.post_raw(
            &format!("/api/v1/organizations/import?dry_run={dry_run}"),
            "text/csv",
            csv.to_owned(),
        )
        .await
    }

    pub async fn put_json(
        &self,
        path: &str,
        body: &Value,
        if_match: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self.authorize(self.client.put(self.url(path))).json(body);
        if let Some(tag) = if_match {
            request = request.header("If-Match", tag);
        }
        request.send().await.expect("request sent")
    }

    /// Statuses, events, extensions and rollouts, as text: compare before and after a
    /// refused write.
    pub async fn status_snapshot(&self) -> Vec<String> {
        self.with_conn(|conn| {
            use aitu_tracker::db::schema::{
                extensions, rollouts, status_events, status_tally, statuses,
            };
            use aitu_tracker::rollout::model::{EventRow, ExtensionRow, RolloutRow, StatusRow};
            let mut out: Vec<String> = statuses::table
                .order((statuses::rollout_slug, statuses::organization_id))
                .select(StatusRow::as_select())
                .load(conn)
                .unwrap()
                .iter()
                .map(|r| format!("{r:?}"))
                .collect();
            out.extend(
                status_events::table
                    .order(status_events::id)
                    .select(EventRow::as_select())
                    .load(conn)
                    .unwrap()
                    .iter()
                    .map(|r| format!("{r:?}")),
            );
            out.extend(
                extensions::table
                    .order(extensions::id)
                    .select(ExtensionRow::as_select())
                    .load(conn)
                    .unwrap()
                    .iter()
                    .map(|r| format!("{r:?}")),
            );
            out.extend(
                rollouts::table
                    .order(rollouts::slug)
                    .select(RolloutRow::as_select())
                    .load(conn)
                    .unwrap()
                    .iter()
                    .map(|r| format!("{r:?}")),
            );
            out.extend(
                status_tally::table
                    .order((
                        status_tally::rollout_slug,
                        status_tally::org_region,
                        status_tally::org_kind,
                        status_tally::status,
                        status_tally::deadline,
                    ))
                    .load::<(
                        String,
                        String,
                        String,
                        String,
                        chrono::NaiveDate,
                        i64,
                        i64,
                        i64,
                    )>(conn)
                    .unwrap()
                    .iter()
                    .map(|r| format!("{r:?}")),
            );
            out
        })
        .await
    }

    pub async fn delete(&self, path: &str) -> reqwest::Response {
        self.authorize(self.client.delete(self.url(path)))
            .send()
            .await
            .expect("request sent")
    }

    /// Runs blocking database work "from the side" (checks, or changes a test makes
    /// behind the service's back). On SQLite it runs as a write transaction, on the
    /// writer every write of the process goes through (pooled connections only read);
    /// on PostgreSQL on a pooled connection, statement by statement.
    pub async fn with_conn<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> T + Send + 'static,
    ) -> T {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().expect("connection");
            if matches!(*conn, DbConnection::Pg(_)) {
                return f(&mut conn);
            }
            aitu_tracker::db::write_transaction(&mut conn, |conn| {
                Ok::<_, diesel::result::Error>(f(conn))
            })
            .expect("a write transaction on the side")
        })
        .await
        .expect("database task")
    }

    /// Every organization row, ordered by id: compare before and after a refused write.
    pub async fn snapshot(&self) -> Vec<OrganizationRow> {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            use aitu_tracker::db::schema::organizations::dsl;
            let mut conn = pool.get().expect("connection");
            let conn: &mut DbConnection = &mut conn;
            dsl::organizations
                .order(dsl::id)
                .select(OrganizationRow::as_select())
                .load(conn)
                .expect("loading organizations")
        })
        .await
        .expect("snapshot task")
    }
}

/// Reads a problem+json response, checking its content type and status.
/// The (line, column) of each row error in a refused import's problem body.
pub fn error_locations(body: &Value) -> Vec<(u64, String)> {
    body["errors"]
        .as_array()
        .expect("a list of row errors")
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().expect("a line"),
                e["column"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

pub async fn problem(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status(), status, "unexpected status");
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = response.json().await.expect("problem body");
    assert_eq!(body["status"], status);
    assert!(
        body["title"].is_string() && body["detail"].is_string(),
        "{body}"
    );
    body
}

/// The field names in a problem's `errors`.
pub fn error_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// What the reports' derived data says that the primary data does not: status rows
/// whose copies of their organization's fields (kind, region, headcount, archived,
/// path) differ from the organization, and `status_tally` rows that differ from the
/// active status rows added up here.
pub async fn report_data_out_of_step(app: &TestApp) -> Vec<String> {
    app.with_conn(|conn| {
        use aitu_tracker::db::schema::{organizations as o, status_tally as t, statuses as s};
        use diesel::prelude::*;
        use std::collections::BTreeMap;
        type Fields = (String, String, i64, bool, String);
        type Key = (String, String, String, String, chrono::NaiveDate);
        let rows: Vec<(String, Fields, Fields)> = s::table
            .inner_join(o::table)
            .select((
                s::organization_id,
                (
                    s::org_kind,
                    s::org_region,
                    s::org_headcount,
                    s::org_archived,
                    s::org_path,
                ),
                (
                    o::kind,
                    o::region,
                    o::headcount,
                    o::archived_at.is_not_null(),
                    o::path,
                ),
            ))
            .load(conn)
            .unwrap();
        let mut problems: Vec<String> = rows
            .into_iter()
            .filter(|(_, copy, org)| copy != org)
            .map(|(id, copy, org)| format!("{id}: {copy:?} != {org:?}"))
            .collect();

        let active: Vec<(Key, i64, i64)> = s::table
            .filter(s::org_archived.eq(false))
            .select((
                (
                    s::rollout_slug,
                    s::org_region,
                    s::org_kind,
                    s::status,
                    s::deadline,
                ),
                s::accounts_active,
                s::org_headcount,
            ))
            .load(conn)
            .unwrap();
        let mut expected: BTreeMap<Key, (i64, i64, i64)> = BTreeMap::new();
        for (key, accounts, headcount) in active {
            let sums = expected.entry(key).or_default();
            sums.0 += 1;
            sums.1 += accounts;
            sums.2 += headcount;
        }
        let tally: BTreeMap<Key, (i64, i64, i64)> = t::table
            .select((
                (
                    t::rollout_slug,
                    t::org_region,
                    t::org_kind,
                    t::status,
                    t::deadline,
                ),
                (t::units, t::accounts_active, t::headcount),
            ))
            .load::<(Key, (i64, i64, i64))>(conn)
            .unwrap()
            .into_iter()
            .filter(|(_, sums)| *sums != (0, 0, 0))
            .collect();
        if tally != expected {
            problems.push(format!("status_tally {tally:?} != statuses {expected:?}"));
        }
        problems
    })
    .await
}
