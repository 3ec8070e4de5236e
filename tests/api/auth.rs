use reqwest::header::{HeaderMap, HeaderValue, COOKIE, SET_COOKIE};
use serde_json::{json, Value};

use crate::helpers::*;

/// Logs in; returns the cookie header value and the CSRF token.
async fn log_in(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    app.anonymous()
        .post_json(
            "/api/v1/session",
            &json!({"email": email, "password": password}),
        )
        .await
}

async fn session_of(app: &TestApp, email: &str) -> (String, String) {
    let response = log_in(app, email, PASSWORD).await;
    assert_eq!(response.status(), 200);
    let cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    let pair = cookie.split(';').next().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    (pair, body["csrf_token"].as_str().unwrap().to_owned())
}

fn with_cookie(cookie: &str, csrf: Option<&str>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(COOKIE, HeaderValue::from_str(cookie).unwrap());
    if let Some(csrf) = csrf {
        headers.insert("X-CSRF-Token", HeaderValue::from_str(csrf).unwrap());
    }
    headers
}

async fn me_with_cookie(app: &TestApp, cookie: &str) -> u16 {
    app.client
        .get(app.url("/api/v1/me"))
        .headers(with_cookie(cookie, None))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn anonymous_requests_reach_only_health_docs_and_login() {
    let app = spawn_app().await;
    let anonymous = app.anonymous();
    for path in ["/healthz", "/readyz", "/api/v1/openapi.json", "/api/docs/"] {
        assert_eq!(anonymous.get(path).await.status(), 200, "{path}");
    }
    for path in [
        "/api/v1/organizations",
        "/api/v1/me",
        "/api/v1/users",
        "/api/v1/audit",
        "/api/v1/tokens",
    ] {
        let response = anonymous.get(path).await;
        assert_eq!(
            response.headers()["www-authenticate"],
            "Bearer realm=\"aitu-tracker\""
        );
        problem(response, 401).await;
    }
    problem(
        app.as_token("aitu_not-a-real-token")
            .get("/api/v1/me")
            .await,
        401,
    )
    .await;
}

#[tokio::test]
async fn me_tells_role_and_scope() {
    let app = spawn_app().await;
    let ministry = app.create_org(org_body(&new_bin(), "Министерство")).await;
    let (email, token) = app.add_user("it_head", ministry["bin"].as_str()).await;
    let me = app.as_token(&token).get_json("/api/v1/me").await;
    assert_eq!(me["email"], email);
    assert_eq!(me["role"], "it_head");
    assert_eq!(me["scope"]["organization_id"], ministry["id"]);
    assert_eq!(me["authenticated_by"], "token");
}

#[tokio::test]
async fn passwords_and_tokens_are_never_stored_in_clear() {
    let app = spawn_app().await;
    let created: Value = app
        .post_json(
            "/api/v1/users",
            &json!({"email": "Coordinator@Example.kz", "display_name": "К", "role": "coordinator", "password": "a secret long password"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(created["email"], "coordinator@example.kz");
    assert_eq!(created["generated_password"], Value::Null);
    let generated: Value = app
        .post_json(
            "/api/v1/users",
            &json!({"email": "o@example.kz", "display_name": "O", "role": "observer"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let generated_password = generated["generated_password"].as_str().unwrap().to_owned();
    assert!(generated_password.len() >= 20);

    let token: Value = app
        .post_json("/api/v1/tokens", &json!({"name": "export job"}))
        .await
        .json()
        .await
        .unwrap();
    let secret = token["token"].as_str().unwrap().to_owned();
    assert!(
        secret.starts_with("aitu_") && secret.len() >= 48,
        "{secret}"
    );
    assert_eq!(token["prefix"], secret[..12]);

    let (users, tokens) = app
        .with_conn(|conn| {
            use aitu_tracker::auth::model::{TokenRow, UserRow};
            (
                UserRow::list(conn, 100, 0).unwrap().0,
                TokenRow::list(conn, None).unwrap(),
            )
        })
        .await;
    for user in &users {
        let hash = user.password_hash.as_deref().unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains("a secret long password") && !hash.contains(&generated_password));
    }
    let stored = tokens.iter().find(|t| t.name == "export job").unwrap();
    assert_ne!(stored.token_hash, secret);
    assert!(
        !format!("{stored:?}").contains(&secret[12..]),
        "only the prefix may be stored"
    );
    // Listing shows no secret either.
    let listed = app.get("/api/v1/tokens").await.text().await.unwrap();
    assert!(!listed.contains(&secret));
}

#[tokio::test]
async fn expired_and_revoked_tokens_are_rejected() {
    // The expiry is moved into the past behind the server's back, as another instance
    // might; with the token memory off the very next request sees it.
    let app = spawn_app_with(|s| s.auth.token_cache_seconds = 0).await;
    let short: Value = app
        .post_json(
            "/api/v1/tokens",
            &json!({"name": "short", "expires_in_days": 1}),
        )
        .await
        .json()
        .await
        .unwrap();
    let short_app = app.as_token(short["token"].as_str().unwrap());
    assert_eq!(short_app.get("/api/v1/me").await.status(), 200);
    let id = short["id"].as_str().unwrap().to_owned();
    app.with_conn(move |conn| {
        use aitu_tracker::db::schema::api_tokens::dsl;
        use diesel::prelude::*;
        let past = chrono::Utc::now().naive_utc() - chrono::Duration::minutes(1);
        diesel::update(dsl::api_tokens.find(id))
            .set(dsl::expires_at.eq(Some(past)))
            .execute(conn)
            .unwrap();
    })
    .await;
    problem(short_app.get("/api/v1/me").await, 401).await;

    let other: Value = app
        .post_json("/api/v1/tokens", &json!({"name": "to revoke"}))
        .await
        .json()
        .await
        .unwrap();
    let other_app = app.as_token(other["token"].as_str().unwrap());
    assert_eq!(other_app.get("/api/v1/me").await.status(), 200);
    let revoked = app
        .delete(&format!("/api/v1/tokens/{}", other["id"].as_str().unwrap()))
        .await;
    assert_eq!(revoked.status(), 204);
    problem(other_app.get("/api/v1/me").await, 401).await;
    let listed = app.get_json("/api/v1/tokens").await;
    let row = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == other["id"])
        .unwrap();
    assert!(row["revoked_at"].is_string());
}

#[tokio::test]
async fn remembered_tokens_still_expire_and_die_with_their_revocation() {
    let app = spawn_app_with(|s| s.auth.token_cache_seconds = 1).await;
    let (_, token) = app.add_user("observer", None).await;
    let observer = app.as_token(&token);
    assert_eq!(observer.get("/api/v1/me").await.status(), 200);

    // Revoked elsewhere (straight in the database, as another instance would): accepted
    // from memory for at most auth.token_cache_seconds, then refused.
    let hash = aitu_tracker::auth::secret::hash_secret(&token);
    app.with_conn(move |conn| {
        use aitu_tracker::db::schema::api_tokens::dsl;
        use diesel::prelude::*;
        let now = chrono::Utc::now().naive_utc();
        let n = diesel::update(dsl::api_tokens.filter(dsl::token_hash.eq(hash)))
            .set(dsl::revoked_at.eq(Some(now)))
            .execute(conn)
            .unwrap();
        assert_eq!(n, 1);
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    problem(observer.get("/api/v1/me").await, 401).await;

    // Revoked through this instance: refused at once, memory or not.
    let created: Value = app
        .post_json("/api/v1/tokens", &json!({"name": "remembered"}))
        .await
        .json()
        .await
        .unwrap();
    let remembered = app.as_token(created["token"].as_str().unwrap());
    assert_eq!(remembered.get("/api/v1/me").await.status(), 200);
    assert_eq!(remembered.get("/api/v1/me").await.status(), 200);
    let revoked = app
        .delete(&format!(
            "/api/v1/tokens/{}",
            created["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(revoked.status(), 204);
    problem(remembered.get("/api/v1/me").await, 401).await;
}

#[tokio::test]
async fn logout_and_deactivation_end_sessions_at_once() {
    let app = spawn_app().await;
    let (email, token) = app.add_user("coordinator", None).await;
    let (cookie, csrf) = session_of(&app, &email).await;
    assert_eq!(me_with_cookie(&app, &cookie).await, 200);
    let me: Value = app
        .client
        .get(app.url("/api/v1/me"))
        .headers(with_cookie(&cookie, None))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["authenticated_by"], "session");

    let logout = app
        .client
        .delete(app.url("/api/v1/session"))
        .headers(with_cookie(&cookie, Some(&csrf)))
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 204);
    assert_eq!(me_with_cookie(&app, &cookie).await, 401);

    // A new login, then the account is deactivated: session and token die together.
    let (cookie, _) = session_of(&app, &email).await;
    assert_eq!(me_with_cookie(&app, &cookie).await, 200);
    let user_id = me["id"].as_str().unwrap();
    let response = app
        .patch_json(
            &format!("/api/v1/users/{user_id}"),
            &json!({"active": false}),
            None,
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(me_with_cookie(&app, &cookie).await, 401);
    problem(app.as_token(&token).get("/api/v1/me").await, 401).await;
    problem(log_in(&app, &email, PASSWORD).await, 401).await;
}

#[tokio::test]
async fn a_cookie_write_without_the_csrf_token_fails() {
    let app = spawn_app().await;
    let (email, _) = app.add_user("coordinator", None).await;
    let (cookie, csrf) = session_of(&app, &email).await;
    let before = app.snapshot().await;
    let send = |csrf: Option<String>| {
        let app = app.clone();
        let cookie = cookie.clone();
        async move {
            app.client
                .post(app.url("/api/v1/organizations"))
                .headers(with_cookie(&cookie, csrf.as_deref()))
                .json(&org_body(&new_bin(), "Через сессию"))
                .send()
                .await
                .unwrap()
        }
    };
    problem(send(None).await, 403).await;
    problem(send(Some("forged".into())).await, 403).await;
    assert_eq!(app.snapshot().await, before);
    assert_eq!(send(Some(csrf)).await.status(), 201);
}

#[tokio::test]
async fn failed_logins_are_slowed_and_a_correct_login_later_still_works() {
    let app = spawn_app().await;
    let (email, _) = app.add_user("observer", None).await;
    for _ in 0..4 {
        problem(log_in(&app, &email, "wrong password!").await, 401).await;
    }
    // After the free failures, even the right password must wait.
    let throttled = log_in(&app, &email, PASSWORD).await;
    assert!(
        throttled.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    problem(throttled, 429).await;
    // Time passes (the failure is moved into the past rather than sleeping).
    app.with_conn(|conn| {
        use aitu_tracker::db::schema::login_failures::dsl;
        use diesel::prelude::*;
        let earlier = chrono::Utc::now().naive_utc() - chrono::Duration::minutes(5);
        diesel::update(dsl::login_failures)
            .set(dsl::last_failure_at.eq(earlier))
            .execute(conn)
            .unwrap();
    })
    .await;
    assert_eq!(log_in(&app, &email, PASSWORD).await.status(), 200);
    // Success clears the account's count: one new failure is not throttled.
    problem(log_in(&app, &email, "wrong password!").await, 401).await;
    assert_eq!(log_in(&app, &email, PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn unknown_accounts_fail_like_wrong_passwords() {
    let app = spawn_app().await;
    let body = problem(
        log_in(&app, "nobody@example.kz", "whatever password").await,
        401,
    )
    .await;
    assert_eq!(body["detail"], "wrong email or password");
}

#[tokio::test]
async fn changing_the_password_ends_the_other_sessions() {
    let app = spawn_app().await;
    let (email, _) = app.add_user("coordinator", None).await;
    let (first, _) = session_of(&app, &email).await;
    let (second, csrf) = session_of(&app, &email).await;
    assert_ne!(first, second, "each login gets a new session id");
    let response = app
        .client
        .post(app.url("/api/v1/me/password"))
        .headers(with_cookie(&second, Some(&csrf)))
        .json(&json!({"current_password": PASSWORD, "new_password": "another long password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(me_with_cookie(&app, &first).await, 401);
    assert_eq!(me_with_cookie(&app, &second).await, 200);
    problem(log_in(&app, &email, PASSWORD).await, 401).await;
    assert_eq!(
        log_in(&app, &email, "another long password").await.status(),
        200
    );
}

#[tokio::test]
async fn responses_carry_security_headers() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/organizations").await;
    let headers = response.headers();
    assert!(headers["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert!(
        headers.get("strict-transport-security").is_none(),
        "no HSTS over http"
    );
    assert!(headers.get("x-request-id").is_some());

    let https = spawn_app_with(|s| s.public_url = "https://aitu-tracker.example".into()).await;
    let response = https.get("/healthz").await;
    assert!(response.headers()["strict-transport-security"]
        .to_str()
        .unwrap()
        .contains("max-age="));
    let (email, _) = https.add_user("observer", None).await;
    let login = log_in(&https, &email, PASSWORD).await;
    let cookie = login.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with("__Host-aitu_session=") && cookie.contains("Secure"),
        "{cookie}"
    );
}
