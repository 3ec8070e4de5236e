use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn malformed_json_is_a_400_problem() {
    let app = spawn_app().await;
    let response = app
        .post_raw("/api/v1/organizations", "application/json", "{\"bin\": ")
        .await;
    let body = problem(response, 400).await;
    assert!(body["detail"].as_str().unwrap().contains("not valid JSON"));
    assert!(app.snapshot().await.is_empty());
}

#[tokio::test]
async fn a_wrongly_typed_or_unknown_field_is_named() {
    let app = spawn_app().await;
    let mut body = org_body(&new_bin(), "Тип");
    body["headcount"] = json!("many");
    let problem_body = problem(app.post_json("/api/v1/organizations", &body).await, 422).await;
    assert_eq!(error_fields(&problem_body), ["headcount"]);

    let mut body = org_body(&new_bin(), "Лишнее поле");
    body["colour"] = json!("red");
    let problem_body = problem(app.post_json("/api/v1/organizations", &body).await, 422).await;
    assert!(problem_body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("colour"));
    assert!(app.snapshot().await.is_empty());
}

#[tokio::test]
async fn every_invalid_field_is_listed_at_once() {
    let app = spawn_app().await;
    let body = json!({
        "bin": "123",
        "kind": "ministry",
        "region": "Atlantis",
        "headcount": -3,
        "name_kk": "",
        "name_ru": "Имя",
        "it_head": {"email": "not-an-email", "phone": "call me"},
        "head": {"email": "@"},
    });
    let problem_body = problem(app.post_json("/api/v1/organizations", &body).await, 422).await;
    assert_eq!(
        error_fields(&problem_body),
        [
            "bin",
            "kind",
            "region",
            "headcount",
            "name_kk",
            "it_head.email",
            "it_head.phone",
            "head.email"
        ]
    );
    assert!(app.snapshot().await.is_empty());
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_413() {
    let app = spawn_app_with(|s| s.server.json_limit = 1024).await;
    let mut body = org_body(&new_bin(), "Большое тело");
    body["name_en"] = json!("x".repeat(4096));
    problem(app.post_json("/api/v1/organizations", &body).await, 413).await;
    let app = spawn_app_with(|s| s.server.import_limit = 64).await;
    let csv = format!("bin,name_ru\n{}\n", "940140000385,Имя\n".repeat(10));
    problem(app.import_csv(&csv, false).await, 413).await;
    assert!(app.snapshot().await.is_empty());
}

#[tokio::test]
async fn unknown_organizations_and_routes_are_404_problems() {
    let app = spawn_app().await;
    problem(app.get("/api/v1/organizations/940140000385").await, 404).await;
    problem(
        app.get("/api/v1/organizations/0b7f2c7e-5d0e-4a8e-9b1a-1f2d3c4b5a69")
            .await,
        404,
    )
    .await;
    problem(app.get("/api/v1/organizations/not-an-id").await, 404).await;
    problem(
        app.patch_json(
            "/api/v1/organizations/940140000385",
            &json!({"headcount": 1}),
            None,
        )
        .await,
        404,
    )
    .await;
    problem(app.get("/api/v1/nothing-here").await, 404).await;
}

#[tokio::test]
async fn json_is_required_for_json_endpoints() {
    let app = spawn_app().await;
    let response = app
        .post_raw(
            "/api/v1/organizations",
            "text/plain",
            org_body(&new_bin(), "x").to_string(),
        )
        .await;
    problem(response, 415).await;
}

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let app = spawn_app().await;
    let doc = app.get_json("/api/v1/openapi.json").await;
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/api/v1/organizations",
        "/api/v1/organizations/{organization}",
        "/api/v1/organizations/{organization}/archive",
        "/api/v1/organizations/{organization}/unarchive",
        "/api/v1/organizations/{organization}/children",
        "/api/v1/organizations/{organization}/subtree",
        "/api/v1/organizations/import",
        "/api/v1/organizations/export",
        "/healthz",
        "/readyz",
    ] {
        assert!(
            paths.contains_key(path),
            "{path} missing from the OpenAPI document"
        );
    }
    assert!(doc["components"]["schemas"]["Organization"].is_object());
    let docs_page = app.get("/api/docs/").await;
    assert_eq!(docs_page.status(), 200);
    let html = docs_page.text().await.unwrap();
    assert!(
        !html.contains("cdn") && !html.contains("unpkg"),
        "the docs page must work offline"
    );
}
