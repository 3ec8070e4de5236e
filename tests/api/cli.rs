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
