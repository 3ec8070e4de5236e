//! The command line against a real database, then the token it printed against the server.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::helpers::*;

fn cli(db_url: &str, args: &[&str], stdin: Option<&str>) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_aitu-tracker"))
        .args(args)
        .env("AITU__DATABASE__URL", db_url)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running the binary");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    child.wait_with_output().expect("binary output")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_and_tokens_made_on_the_command_line_work_against_the_server() {
    let db = TestDb::new();
    let url = db.url.clone();
    let mut settings = test_settings(&url);
    // The CLI is another process: the server learns of its changes within this time.
    settings.auth.token_cache_seconds = 1;
    let app = spawn_on(db, settings).await;
    let ministry = app.create_org(org_body(&new_bin(), "Министерство")).await;
    let bin = ministry["bin"].as_str().unwrap();

    let generated = cli(
        &url,
        &[
            "user",
            "add",
            "--email",
            "head@example.kz",
            "--name",
            "IT Head",
            "--role",
            "it_head",
            "--organization",
            bin,
        ],
        None,
    );
    assert!(
        generated.status.success(),
        "{}",
        String::from_utf8_lossy(&generated.stderr)
    );
    let out = String::from_utf8(generated.stdout).unwrap();
    assert!(out.contains("password (shown once): "), "{out}");

    let given = cli(
        &url,
        &[
            "user",
            "add",
            "--email",
            "obs@example.kz",
            "--name",
            "Obs",
            "--role",
            "observer",
            "--password-stdin",
        ],
        Some("a long enough password\n"),
    );
    assert!(given.status.success());
    assert!(!String::from_utf8(given.stdout)
        .unwrap()
        .contains("password"));

    let missing_scope = cli(
        &url,
        &[
            "user",
            "add",
            "--email",
            "x@example.kz",
            "--name",
            "X",
            "--role",
            "it_head",
        ],
        None,
    );
    assert!(!missing_scope.status.success());
    assert!(String::from_utf8_lossy(&missing_scope.stderr).contains("--organization"));

    let token = cli(
        &url,
        &[
            "token",
            "create",
            "--email",
            "head@example.kz",
            "--name",
            "script",
        ],
        None,
    );
    assert!(token.status.success());
    let token = String::from_utf8(token.stdout).unwrap();
    let token = token.trim_end();
    assert!(
        token.starts_with("aitu_") && !token.contains(char::is_whitespace),
        "only the token is printed: {token:?}"
    );
    let me = app.as_token(token).get_json("/api/v1/me").await;
    assert_eq!(me["email"], "head@example.kz");
    assert_eq!(me["scope"]["bin"], bin);

    let listed = cli(&url, &["user", "list"], None);
    let listed = String::from_utf8(listed.stdout).unwrap();
    assert!(listed.contains("head@example.kz") && listed.contains("obs@example.kz"));

    let deactivated = cli(
        &url,
        &["user", "deactivate", "--email", "head@example.kz"],
        None,
    );
    assert!(deactivated.status.success());
    // The server may accept the token it checked a moment ago for up to
    // auth.token_cache_seconds (1 s here), never longer.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    problem(app.as_token(token).get("/api/v1/me").await, 401).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_import_command_reports_bad_rows_and_writes_nothing() {
    let db = TestDb::new();
    let url = db.url.clone();
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.csv");
    let bad = dir.path().join("bad.csv");
    let (parent, child) = (new_bin(), new_bin());
    std::fs::write(&good, format!("bin;kind;region;name_kk;name_ru;parent_bin\r\n{child};departmental_body;republican;Комитет;Комитет;{parent}\r\n{parent};central_state_body;republican;Министрлік;Министерство;\r\n")).unwrap();
    std::fs::write(
        &bad,
        format!(
            "bin,kind,region,name_kk,name_ru\n{},ministry,republican,А,А\n",
            new_bin()
        ),
    )
    .unwrap();

    let out = cli(
        &url,
        &["import", "organizations", bad.to_str().unwrap()],
        None,
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 2, column kind"), "{stderr}");

    let dry = cli(
        &url,
        &[
            "import",
            "organizations",
            good.to_str().unwrap(),
            "--dry-run",
        ],
        None,
    );
    assert!(
        String::from_utf8_lossy(&dry.stdout).contains("2 would be created"),
        "{}",
        String::from_utf8_lossy(&dry.stdout)
    );
    let real = cli(
        &url,
        &["import", "organizations", good.to_str().unwrap()],
        None,
    );
    assert!(
        real.status.success(),
        "{}",
        String::from_utf8_lossy(&real.stderr)
    );
    assert!(String::from_utf8_lossy(&real.stdout).contains("2 were created"));

    let app = spawn_on(db, test_settings(&url)).await;
    assert_eq!(app.get_json("/api/v1/organizations").await["total"], 2);
    assert_eq!(
        app.get_json(&format!("/api/v1/organizations/{parent}/children"))
            .await["total"],
        1
    );
}

/// The SQLite file behind a test database URL (`None` on PostgreSQL).
fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    url.strip_prefix("sqlite://").map(std::path::PathBuf::from)
}

/// SQLite: the file is in WAL mode (header bytes 18 and 19 are 2), no rollback journal
/// is left beside it, and both the database and its search index pass their checks.
fn assert_sqlite_file_whole(url: &str) {
    use diesel::{Connection, RunQueryDsl};
    let Some(path) = sqlite_file(url) else { return };
    let header = std::fs::read(&path).unwrap();
    assert_eq!(
        (header[18], header[19]),
        (2, 2),
        "the file is not in WAL mode"
    );
    let journal = path.with_file_name(format!(
        "{}-journal",
        path.file_name().unwrap().to_str().unwrap()
    ));
    assert!(!journal.exists(), "a rollback journal was left behind");

    #[derive(diesel::QueryableByName)]
    struct Check {
        #[diesel(sql_type = diesel::sql_types::Text)]
        integrity_check: String,
    }
    let mut conn = diesel::SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    let checks = diesel::sql_query("PRAGMA integrity_check")
        .load::<Check>(&mut conn)
        .unwrap();
    assert_eq!(
        checks
            .iter()
            .map(|c| c.integrity_check.as_str())
            .collect::<Vec<_>>(),
        ["ok"]
    );
    diesel::sql_query(
        "INSERT INTO organization_search (organization_search) VALUES ('integrity-check')",
    )
    .execute(&mut conn)
    .expect("the search index agrees with the organizations");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_load_on_the_command_line_leaves_the_database_whole_and_in_wal_mode() {
    let db = TestDb::new();
    let url = db.url.clone();
    let dir = tempfile::tempdir().unwrap();
    let (mut refused, _) = crate::import_export::large_file(5_000);
    refused.push_str(&format!("{},ministry,,republican,1,А,А,,,,,,\n", new_bin()));
    let refused_file = dir.path().join("refused.csv");
    std::fs::write(&refused_file, refused).unwrap();
    let (accepted, root) = crate::import_export::large_file(5_000);
    let accepted_file = dir.path().join("accepted.csv");
    std::fs::write(&accepted_file, accepted).unwrap();

    // Refused after every row was checked: the rollback leaves nothing behind.
    let out = cli(
        &url,
        &["import", "organizations", refused_file.to_str().unwrap()],
        None,
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 5002, column kind"), "{stderr}");
    assert_sqlite_file_whole(&url);

    let out = cli(
        &url,
        &["import", "organizations", accepted_file.to_str().unwrap()],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("5000 were created"));
    assert_sqlite_file_whole(&url);

    // The service finds every row, through every index, as after an import of its own.
    let app = spawn_on(db, test_settings(&url)).await;
    let fresh = spawn_app().await;
    assert_eq!(
        crate::import_export::indexes_and_keys(&app).await,
        crate::import_export::indexes_and_keys(&fresh).await
    );
    assert_eq!(app.get_json("/api/v1/organizations").await["total"], 5_000);
    let found = app.get_json("/api/v1/organizations?q=4999").await;
    assert_eq!(found["total"], 1, "{found}");
    let children = app
        .get_json(&format!("/api/v1/organizations/{root}/children?per_page=1"))
        .await;
    assert_eq!(children["total"], 4_999);
    let statuses = app
        .get_json("/api/v1/rollouts/aitu/status?per_page=1")
        .await;
    assert_eq!(statuses["total"], 5_000);
    assert_eq!(report_data_out_of_step(&app).await, Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_line_import_beside_a_running_service_leaves_it_answering() {
    let db = TestDb::new();
    let url = db.url.clone();
    let app = spawn_on(db, test_settings(&url)).await;
    app.create_org(org_body(&new_bin(), "Министерство")).await;
    let dir = tempfile::tempdir().unwrap();
    let (csv, _) = crate::import_export::large_file(5_000);
    let file = dir.path().join("orgs.csv");
    std::fs::write(&file, csv).unwrap();

    // The service reads all through the import.
    let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
    let reader = {
        let app = app.clone();
        tokio::spawn(async move {
            let mut answers = Vec::new();
            while stopped.try_recv().is_err() {
                answers.push(app.get("/api/v1/organizations?per_page=1").await.status());
            }
            answers
        })
    };
    let import_url = url.clone();
    let out = tokio::task::spawn_blocking(move || {
        cli(
            &import_url,
            &["import", "organizations", file.to_str().unwrap()],
            None,
        )
    })
    .await
    .unwrap();
    stop.send(()).unwrap();
    let answers = reader.await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!answers.is_empty());
    assert!(answers.iter().all(|s| s.as_u16() == 200), "{answers:?}");
    assert_eq!(app.get_json("/api/v1/organizations").await["total"], 5_001);
    app.create_org(org_body(&new_bin(), "Комитет")).await;
    assert_eq!(app.get_json("/api/v1/organizations").await["total"], 5_002);
    assert_sqlite_file_whole(&url);
}

/// A SQLite file whatever the backend under test: the lock is SQLite's own.
#[test]
fn commands_wait_for_another_process_that_holds_the_sqlite_file() {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("held.db");
    let url = format!("sqlite://{}", path.display());
    assert!(cli(&url, &["migrate"], None).status.success());

    // Held as a first load on the command line holds it: rollback journal, exclusive.
    let mut holder = diesel::SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    holder
        .batch_execute("PRAGMA journal_mode = DELETE; BEGIN EXCLUSIVE;")
        .unwrap();
    let mut waiting = Command::new(env!("CARGO_BIN_EXE_aitu-tracker"))
        .arg("migrate")
        .env("AITU__DATABASE__URL", &url)
        .env("AITU__DATABASE__SQLITE_BUSY_TIMEOUT", "100")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Ten busy timeouts later it has not given up.
    std::thread::sleep(std::time::Duration::from_secs(1));
    assert!(waiting.try_wait().unwrap().is_none(), "the command gave up");
    holder.batch_execute("COMMIT").unwrap();
    drop(holder);

    let out = waiting.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("locked by another process (an import on the command line?)"),
        "{stderr}"
    );
    assert_sqlite_file_whole(&url);
}
