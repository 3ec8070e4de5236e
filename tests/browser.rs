//! The pages in a real headless Chromium (Debian's chromium and chromedriver), driven
//! over WebDriver against the real server. Run with
//! `cargo test --features browser-tests --test browser`; they never skip: a missing
//! browser is a failure. Screenshots for the README land in docs/screenshots/.

#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use helpers::*;

/// chromedriver on a free port, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_driver() -> Driver {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let binary = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let child = Command::new(&binary)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start {binary} (install chromium and chromium-driver): {e}")
        });
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "chromedriver did not start listening"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    }
}

async fn browser(driver: &Driver) -> Client {
    // Two crypto providers are linked (test dependencies bring their own): pick one.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let profile = tempfile::tempdir().unwrap().keep();
    let capabilities = json!({
        "goog:chromeOptions": {
            "binary": binary,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-quic", "--window-size=1280,900",
                format!("--user-data-dir={}", profile.display()),
            ]
        }
    });
    ClientBuilder::rustls()
        .expect("TLS setup")
        .capabilities(capabilities.as_object().unwrap().clone())
        .connect(&driver.url)
        .await
        .expect("connecting to chromedriver")
}

/// The text of the first element matching `css`, waiting (bounded) for it to appear:
/// after a click the next page may still be loading.
async fn text(client: &Client, css: &str) -> String {
    for _ in 0..3 {
        let element = client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        // The element may belong to the page being left; look again if it went stale.
        if let Ok(text) = element.text().await {
            return text;
        }
    }
    panic!("{css} kept going stale")
}

async fn number(client: &Client, css: &str) -> i64 {
    text(client, css).await.trim().parse().unwrap()
}

async fn fill(client: &Client, css: &str, value: &str) {
    let field = client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    field.clear().await.unwrap();
    field.send_keys(value).await.unwrap();
}

async fn choose(client: &Client, select: &str, value: &str) {
    client
        .find(Locator::Css(&format!("{select} option[value='{value}']")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap();
}

async fn log_in(client: &Client, app: &TestApp, email: &str, start: &str) {
    client.goto(&app.url(start)).await.unwrap();
    assert!(client
        .current_url()
        .await
        .unwrap()
        .path()
        .starts_with("/login"));
    fill(client, "#email", email).await;
    fill(client, "#password", PASSWORD).await;
    click(client, "form button[type=submit]").await;
    // Signed-in pages have the logout form; wait for one to load.
    text(client, "form[action='/logout']").await;
}

async fn log_out(client: &Client) {
    click(client, "form[action='/logout'] button").await;
    text(client, "#password").await;
}

async fn screenshot(client: &Client, name: &str, width: u32, height: u32) {
    client.set_window_size(width, height).await.unwrap();
    let png = client.screenshot().await.unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    client.set_window_size(1280, 900).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn it_heads_report_coordinators_verify_and_the_pages_keep_up() {
    let driver = start_driver();
    let app = spawn_app().await;
    // The demo registry and history, so the dashboard screenshots show a real picture.
    app.with_conn(|conn| aitu_tracker::registry::demo::load_demo(conn).unwrap())
        .await;
    // A ministry with a committee; the IT head answers for the ministry's subtree.
    let mut ministry = org_body(&new_bin(), "Министерство цифрового развития");
    ministry["name_kk"] = json!("Цифрлық даму министрлігі");
    ministry["headcount"] = json!(420);
    let ministry = app.create_org(ministry).await;
    let committee = app
        .create_child(&ministry, "Комитет телекоммуникаций")
        .await;
    let bin = committee["bin"].as_str().unwrap().to_owned();
    let (it_head, _) = app.add_user("it_head", ministry["id"].as_str()).await;
    let (coordinator, _) = app.add_user("coordinator", None).await;
    let client = browser(&driver).await;

    // The IT head follows the link of a reminder email and reports "migrated".
    log_in(&client, &app, &it_head, &format!("/organizations/{bin}")).await;
    assert_eq!(
        client.current_url().await.unwrap().path(),
        format!("/organizations/{bin}")
    );
    screenshot(&client, "report-form-desktop", 1280, 1100).await;
    screenshot(&client, "report-form-phone", 390, 1400).await;
    choose(&client, "#status", "migrated").await;
    fill(&client, "#accounts_active", "35").await;
    fill(&client, "#note", "Барлық қызметкерлер Aitu-да").await;
    click(&client, "#report-submit").await;
    assert!(text(&client, "#saved").await.len() > 3);
    assert_eq!(text(&client, "#current-status").await, "көшті");
    let verified_choice = client
        .find_all(Locator::Css("#status option[value='verified']"))
        .await
        .unwrap();
    assert!(verified_choice.is_empty(), "IT heads cannot verify");
    log_out(&client).await;

    // The coordinator sees it on the dashboard, verifies it, and the numbers move.
    log_in(&client, &app, &coordinator, "/").await;
    let migrated = number(&client, "#count-migrated").await;
    let verified = number(&client, "#count-verified").await;
    assert!(migrated >= 1);
    screenshot(&client, "dashboard-desktop", 1280, 1500).await;
    screenshot(&client, "dashboard-phone", 390, 2200).await;
    client
        .goto(&app.url(&format!("/organizations/{bin}")))
        .await
        .unwrap();
    screenshot(&client, "organization-desktop", 1280, 1500).await;
    screenshot(&client, "organization-phone", 390, 2600).await;
    choose(&client, "#status", "verified").await;
    click(&client, "#report-submit").await;
    text(&client, "#saved").await;
    assert_eq!(text(&client, "#current-status").await, "расталды");
    client.goto(&app.url("/")).await.unwrap();
    assert_eq!(number(&client, "#count-migrated").await, migrated - 1);
    assert_eq!(number(&client, "#count-verified").await, verified + 1);

    // Switching the language is remembered.
    click(&client, "a[hreflang='ru']").await;
    assert_eq!(text(&client, "nav a[aria-current='page']").await, "Сводка");
    client.goto(&app.url("/organizations")).await.unwrap();
    assert_eq!(text(&client, "h1").await, "Организации");
    click(&client, "a[hreflang='kk']").await;
    assert_eq!(text(&client, "h1").await, "Ұйымдар");

    // A CSV with a bad row: the row error is shown, nothing is imported.
    client.goto(&app.url("/import")).await.unwrap();
    let csv = format!("bin,kind,region,name_kk,name_ru\n{},central_state_body,republican,Жаңа,Новая\n940140000386,central_state_body,republican,Қате,Ошибка\n", new_bin());
    fill(&client, "#csv", &csv).await;
    click(&client, "#check").await;
    let errors = text(&client, "#import-errors").await;
    assert!(
        errors.contains('3') && errors.contains("940140000386") && errors.contains("check digit"),
        "{errors}"
    );
    let before = app.get_json("/api/v1/organizations?per_page=1").await["total"].clone();
    click(&client, "#import").await;
    assert!(text(&client, "#import-errors")
        .await
        .contains("940140000386"));
    assert_eq!(
        app.get_json("/api/v1/organizations?per_page=1").await["total"],
        before
    );

    // A stale edit explains the conflict instead of failing silently.
    client
        .goto(&app.url(&format!("/organizations/{bin}")))
        .await
        .unwrap();
    let changed = app
        .patch_json(
            &format!("/api/v1/organizations/{bin}"),
            &json!({"headcount": 99}),
            None,
        )
        .await;
    assert_eq!(changed.status(), 200);
    fill(&client, "#name_ru", "Комитет связи").await;
    click(&client, "#edit-submit").await;
    assert!(text(&client, "#conflict").await.contains("басқа"));
    let name = app.get_json(&format!("/api/v1/organizations/{bin}")).await["name_ru"].clone();
    assert_eq!(
        name, "Комитет телекоммуникаций",
        "the stale edit changed nothing"
    );

    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_need_a_login_and_the_right_role() {
    let driver = start_driver();
    let app = spawn_app().await;
    let (observer, _) = app.add_user("observer", None).await;
    let client = browser(&driver).await;
    client.goto(&app.url("/audit")).await.unwrap();
    assert_eq!(client.current_url().await.unwrap().path(), "/login");
    fill(&client, "#email", &observer).await;
    fill(&client, "#password", "wrong password").await;
    click(&client, "form button[type=submit]").await;
    assert!(text(&client, "#login-error").await.len() > 3);
    fill(&client, "#email", &observer).await;
    fill(&client, "#password", PASSWORD).await;
    click(&client, "form button[type=submit]").await;
    // Back to the page asked for, which an observer may not see.
    assert!(text(&client, "main p.alert").await.contains("рөліңізге"));
    assert_eq!(client.current_url().await.unwrap().path(), "/audit");
    client.goto(&app.url("/")).await.unwrap();
    let nav = text(&client, "header nav").await;
    assert!(!nav.contains("Аудит") && !nav.contains("Импорт"), "{nav}");
    client.close().await.unwrap();
}
