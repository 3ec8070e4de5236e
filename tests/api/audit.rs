use serde_json::{json, Value};

use crate::helpers::*;

/// Audit rows of the request that produced `response`.
async fn rows_of(
    app: &TestApp,
    response: &reqwest::Response,
) -> Vec<aitu_tracker::audit::AuditRow> {
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    app.with_conn(move |conn| {
        aitu_tracker::audit::AuditRow::for_request(conn, &request_id).unwrap()
    })
    .await
}

#[tokio::test]
async fn a_write_leaves_one_row_with_before_and_after() {
    let app = spawn_app().await;
    let org = app.create_org(org_body(&new_bin(), "До")).await;
    let response = app
        .patch_json(
            &format!("/api/v1/organizations/{}", org["id"].as_str().unwrap()),
            &json!({"name_ru": "После"}),
            None,
        )
        .await;
    assert_eq!(response.status(), 200);
    let rows = rows_of(&app, &response).await;
    // One row: it records the change, and (with its after value) what the answer showed.
    assert_eq!(rows.len(), 1, "{rows:?}");
    let update = &rows[0];
    assert_eq!(update.action, "organization.update");
    assert_eq!(update.outcome, "success");
    assert_eq!(update.object_id.as_deref(), org["id"].as_str());
    assert!(update.actor_user_id.is_some() && update.actor_token_id.is_some());
    let before: Value = serde_json::from_str(update.before_value.as_deref().unwrap()).unwrap();
    let after: Value = serde_json::from_str(update.after_value.as_deref().unwrap()).unwrap();
    assert_eq!(before["name_ru"], "До");
    assert_eq!(after["name_ru"], "После");
    assert!(update
        .client_addr
        .as_deref()
        .unwrap()
        .starts_with("127.0.0.1"));
}

#[tokio::test]
async fn a_denial_leaves_one_denied_row_and_changes_nothing() {
    let app = spawn_app().await;
    let (_, observer) = app.add_user("observer", None).await;
    let before = app.snapshot().await;
    let response = app
        .as_token(&observer)
        .post_json("/api/v1/organizations", &org_body(&new_bin(), "Нельзя"))
        .await;
    assert_eq!(response.status(), 403);
    let rows = rows_of(&app, &response).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].outcome, "denied");
    assert_eq!(rows[0].action, "organization.create");
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn reading_personal_data_is_recorded_once_per_request_and_observers_see_none() {
    let app = spawn_app().await;
    for name in ["Первая", "Вторая", "Третья"] {
        app.create_org(org_body(&new_bin(), name)).await;
    }
    let response = app.get("/api/v1/organizations").await;
    let rows = rows_of(&app, &response).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].action, "personal_data.read");
    assert_eq!(
        rows[0].detail.as_deref(),
        Some("contacts of 3 organization(s)")
    );

    let (_, observer) = app.add_user("observer", None).await;
    let response = app.as_token(&observer).get("/api/v1/organizations").await;
    assert!(rows_of(&app, &response).await.is_empty());
    let page: Value = response.json().await.unwrap();
    for item in page["items"].as_array().unwrap() {
        assert_eq!(item["it_head"], Value::Null);
        assert_eq!(item["head"], Value::Null);
    }
}

#[tokio::test]
async fn logins_and_token_changes_are_recorded() {
    let app = spawn_app().await;
    let (email, _) = app.add_user("observer", None).await;
    let failed = app
        .anonymous()
        .post_json(
            "/api/v1/session",
            &json!({"email": email, "password": "wrong password"}),
        )
        .await;
    let rows = rows_of(&app, &failed).await;
    assert_eq!(
        (rows[0].action.as_str(), rows[0].outcome.as_str()),
        ("login", "failure")
    );
    let ok = app
        .anonymous()
        .post_json(
            "/api/v1/session",
            &json!({"email": email, "password": PASSWORD}),
        )
        .await;
    let rows = rows_of(&app, &ok).await;
    assert_eq!(
        (rows[0].action.as_str(), rows[0].outcome.as_str()),
        ("login", "success")
    );

    let created = app.post_json("/api/v1/tokens", &json!({"name": "t"})).await;
    assert_eq!(rows_of(&app, &created).await[0].action, "token.create");
    let token: Value = created.json().await.unwrap();
    let revoked = app
        .delete(&format!("/api/v1/tokens/{}", token["id"].as_str().unwrap()))
        .await;
    assert_eq!(rows_of(&app, &revoked).await[0].action, "token.revoke");
}

#[tokio::test]
async fn the_audit_table_refuses_updates_and_deletes() {
    let app = spawn_app().await;
    app.create_org(org_body(&new_bin(), "Запись")).await;
    let (update, delete) = app
        .with_conn(|conn| {
            use diesel::prelude::*;
            let update = diesel::sql_query("UPDATE audit_log SET action = 'forged'").execute(conn);
            let delete = diesel::sql_query("DELETE FROM audit_log").execute(conn);
            (
                update.map_err(|e| e.to_string()),
                delete.map_err(|e| e.to_string()),
            )
        })
        .await;
    assert!(update.unwrap_err().contains("append-only"));
    assert!(delete.unwrap_err().contains("append-only"));
}

#[tokio::test]
async fn the_audit_trail_filters_and_scopes() {
    let app = spawn_app().await;
    let a = app.create_org(org_body(&new_bin(), "А")).await;
    let b = app.create_org(org_body(&new_bin(), "Б")).await;
    let page = app
        .get_json("/api/v1/audit?action=organization.create")
        .await;
    assert_eq!(page["total"], 2);
    let only_a = app
        .get_json(&format!(
            "/api/v1/audit?object_type=organization&object_id={}",
            a["id"].as_str().unwrap()
        ))
        .await;
    assert!(only_a["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["object_id"] == a["id"]));
    // A coordinator scoped to A sees what concerns A, not B.
    let (_, coordinator) = app.add_user("coordinator", a["id"].as_str()).await;
    let scoped = app
        .as_token(&coordinator)
        .get_json("/api/v1/audit?action=organization.create")
        .await;
    let ids: Vec<&Value> = scoped["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["object_id"])
        .collect();
    assert_eq!(ids, [&a["id"]]);
    assert_ne!(ids[0], &b["id"]);
    let future = app.get_json("/api/v1/audit?from=2999-01-01").await;
    assert_eq!(future["total"], 0);
    let body = problem(app.get("/api/v1/audit?from=yesterday").await, 422).await;
    assert_eq!(error_fields(&body), ["from"]);
}
