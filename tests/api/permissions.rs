//! The whole permission matrix: every endpoint, every role, anonymous, and users acting
//! outside their scope. It fails when an endpoint of the OpenAPI document has no entry.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::helpers::*;

/// Who makes the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Admin,
    /// A coordinator whose scope is ministry A (where the objects live).
    Coordinator,
    /// A coordinator scoped to ministry B: outside the objects' scope.
    CoordinatorElsewhere,
    /// An IT head of ministry A.
    ItHead,
    /// An IT head of ministry B.
    ItHeadElsewhere,
    Observer,
    Anonymous,
}

const EVERYONE: [Who; 7] = [
    Who::Admin,
    Who::Coordinator,
    Who::CoordinatorElsewhere,
    Who::ItHead,
    Who::ItHeadElsewhere,
    Who::Observer,
    Who::Anonymous,
];

struct Fixture {
    org_a: String,
    org_a_bin: String,
    child_a_bin: String,
    child_a: String,
    user_id: String,
    spare_token_id: String,
    admin_email: String,
}

struct Case {
    method: &'static str,
    path: &'static str,
    body: fn(&Fixture) -> Option<Value>,
    /// Expected status for each of EVERYONE, in order.
    expect: [u16; 7],
    /// A CSV body instead of JSON.
    csv: Option<fn(&Fixture) -> String>,
}

fn none(_: &Fixture) -> Option<Value> {
    None
}

#[rustfmt::skip]
fn cases() -> Vec<Case> {
    //                  admin coord c-out  it  it-out  obs  anon
    vec![
        Case {
            method: "GET",
            path: "/healthz",
            body: none,
            csv: None,
            expect: [200, 200, 200, 200, 200, 200, 200],
        },
        Case {
            method: "GET",
            path: "/readyz",
            body: none,
            csv: None,
            expect: [200, 200, 200, 200, 200, 200, 200],
        },
        Case {
            method: "POST",
            path: "/api/v1/session",
            csv: None,
            body: |f| Some(json!({"email": f.admin_email, "password": PASSWORD})),
            expect: [200, 200, 200, 200, 200, 200, 200],
        },
        Case {
            method: "DELETE",
            path: "/api/v1/session",
            body: none,
            csv: None,
            expect: [204, 204, 204, 204, 204, 204, 401],
        },
        Case {
            method: "GET",
            path: "/api/v1/me",
            body: none,
            csv: None,
            expect: [200, 200, 200, 200, 200, 200, 401],
        },
        Case {
            method: "POST",
            path: "/api/v1/me/password",
            csv: None,
            body: |_| {
                Some(
                    json!({"current_password": "not the password", "new_password": "a new long password"}),
                )
            },
            expect: [422, 422, 422, 422, 422, 422, 401],
        },
        Case {
            method: "GET",
            path: "/api/v1/organizations",
            body: none,
            csv: None,
            expect: [200, 200, 200, 200, 200, 200, 401],
        },
        Case {
            method: "POST",
            path: "/api/v1/organizations",
            csv: None,
            body: |f| {
                let mut body = org_body(&new_bin(), "Новый комитет");
                body["parent_id"] = json!(f.org_a);
                Some(body)
            },
            expect: [201, 201, 403, 403, 403, 403, 401],
        },
        Case {
            method: "GET",
            path: "/api/v1/organizations/{org}",
            body: none,
            csv: None,
            expect: [200, 200, 200, 200, 200, 200, 401],
        },
        Case {
            method: "PATCH",
            path: "/api/v1/organizations/{org}",
            csv: None,
            body: |_| Some(json!({"name_ru": "Переименованный комитет"})),
            expect: [200, 200, 403, 403, 403, 403, 401],
        },
        Case {
            method: "PATCH",
            path: "/api/v1/organizations/{org}#contacts",
            csv: None,
            body: |_| Some(json!({"headcount": 77, "it_head": {"phone": "+7 702 000 00 00"}})),
            expect: [200, 200, 403, 200, 403, 403, 401],
        },
        Case {
            method: "POST",
            path: "/api/v1/organizations/{org}/archive",
            body: none,
            csv: None,
            expect: [200, 200, 403, 403, 403, 403, 401],
        },
        Case {
            method: "POST",
            path: "/api/v1/organizations/{org}/unarchive",
            body: none,
            csv: None,
            expect: [200, 200, 403, 403, 403, 403, 401],
        },
        Case {
            method: "GET",
            path: "/api/v1/organizations/{org}/children",
            body: none,
            csv: None,
            expect: [200, 200, 200, 200, 200, 200, 401],
        },
        Case {
            method: "GET",
            path: "/api/v1/organizations/{org}/subtree",
            body: none,
            csv: None,
            expect: [200, 200, 200, 200, 200, 200, 401],
        },
        Case {
            method: "POST",
            path: "/api/v1/organizations/import",
            body: none,
            csv: Some(|f| {
                format!("bin,parent_bin,kind,region,name_kk,name_ru\n{},{},departmental_body,republican,Жаңа,Новая\n", new_bin(), f.org_a_bin)
            }),
            expect: [200, 200, 403, 403, 403, 403, 401],
        },
        Case {
            method: "GET",
            path: "/api/v1/organizations/export",
            body: none,
            csv: None,
            expect: [200, 200, 200, 403, 403, 403, 401],
        },
        Case {
            method: "GET",
            path: "/api/v1/users",
            body: none,
            csv: None,
            expect: [200, 403, 403, 403, 403, 403, 401],
        },
        Case {
            method: "POST",
            path: "/api/v1/users",
            csv: None,
            body: |_| {
                Some(
                    json!({"email": format!("new-{}@example.kz", uuid::Uuid::new_v4().simple()), "display_name": "New", "role": "observer"}),
                )
            },
            expect: [201, 403, 403, 403, 403, 403, 401],
        },
        Case {
            method: "GET",
            path: "/api/v1/users/{user}",
            body: none,
            csv: None,
            expect: [200, 403, 403, 403, 403, 403, 401],
        },
        Case {
            method: "PATCH",
            path: "/api/v1/users/{user}",
            csv: None,
            body: |_| Some(json!({"display_name": "Renamed"})),
            expect: [200, 403, 403, 403, 403, 403, 401],
        },
        Case {
            method: "GET",
            path: "/api/v1/tokens",
            body: none,
            csv: None,
            expect: [200, 200, 200, 200, 200, 200, 401],
        },
        Case {
            method: "POST",
            path: "/api/v1/tokens",
            csv: None,
            body: |_| Some(json!({"name": "matrix"})),
            expect: [201, 201, 201, 201, 201, 201, 401],
        },
        // The spare token belongs to the observer: its owner and admins may revoke it.
        Case {
            method: "DELETE",
            path: "/api/v1/tokens/{token}",
            body: none,
            csv: None,
            expect: [204, 403, 403, 403, 403, 204, 401],
        },
        Case {
            method: "GET",
            path: "/api/v1/audit",
            body: none,
            csv: None,
            expect: [200, 200, 200, 403, 403, 403, 401],
        },
        Case {
            method: "GET",
            path: "/api/v1/openapi.json",
            body: none,
            csv: None,
            expect: [200, 200, 200, 200, 200, 200, 200],
        },
        Case { method: "GET", path: "/api/v1/rollouts", body: none, csv: None, expect: [200, 200, 200, 200, 200, 200, 401] },
        Case { method: "POST", path: "/api/v1/rollouts", csv: None,
            body: |_| Some(json!({
                "slug": format!("r-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]),
                "title_kk": "QazTech", "title_ru": "QazTech", "kinds": ["central_state_body"],
                "starts_on": "2026-01-01", "default_deadline": "2026-12-31"})),
            expect: [201, 403, 403, 403, 403, 403, 401] },
        Case { method: "GET", path: "/api/v1/rollouts/{rollout}", body: none, csv: None, expect: [200, 200, 200, 200, 200, 200, 401] },
        Case { method: "PATCH", path: "/api/v1/rollouts/{rollout}", csv: None,
            body: |_| Some(json!({"description": "Updated by the matrix"})),
            expect: [200, 403, 403, 403, 403, 403, 401] },
        Case { method: "GET", path: "/api/v1/rollouts/{rollout}/summary", body: none, csv: None, expect: [200, 200, 200, 200, 200, 200, 401] },
        Case { method: "GET", path: "/api/v1/rollouts/{rollout}/burndown", body: none, csv: None, expect: [200, 200, 200, 200, 200, 200, 401] },
        Case { method: "GET", path: "/api/v1/rollouts/{rollout}/lagging", body: none, csv: None, expect: [200, 200, 200, 200, 200, 200, 401] },
        Case { method: "GET", path: "/api/v1/rollouts/{rollout}/status", body: none, csv: None, expect: [200, 200, 200, 200, 200, 200, 401] },
        Case { method: "GET", path: "/api/v1/rollouts/{rollout}/status/export", body: none, csv: None, expect: [200, 200, 200, 403, 403, 403, 401] },
        Case { method: "POST", path: "/api/v1/rollouts/{rollout}/status/import", body: none,
            csv: Some(|f| format!("bin,status,accounts_active\n{},in_progress,3\n", f.child_a_bin)),
            expect: [200, 200, 403, 403, 403, 403, 401] },
        Case { method: "GET", path: "/api/v1/rollouts/{rollout}/status/{org}", body: none, csv: None, expect: [200, 200, 200, 200, 200, 200, 401] },
        Case { method: "PUT", path: "/api/v1/rollouts/{rollout}/status/{org}", csv: None,
            body: |_| Some(json!({"status": "in_progress", "accounts_active": 5})),
            expect: [200, 200, 403, 200, 403, 403, 401] },
        Case { method: "GET", path: "/api/v1/rollouts/{rollout}/status/{org}/history", body: none, csv: None, expect: [200, 200, 200, 200, 200, 200, 401] },
        Case { method: "GET", path: "/api/v1/rollouts/{rollout}/status/{org}/extensions", body: none, csv: None, expect: [200, 200, 200, 200, 200, 200, 401] },
        Case { method: "POST", path: "/api/v1/rollouts/{rollout}/status/{org}/extensions", csv: None,
            body: |_| Some(json!({"deadline": "2026-12-31", "reason": "reorganization"})),
            expect: [201, 201, 403, 403, 403, 403, 401] },
        Case { method: "GET", path: "/api/v1/reminders", body: none, csv: None, expect: [200, 200, 200, 403, 403, 403, 401] },
        Case { method: "POST", path: "/api/v1/reminders/preview", body: none, csv: None, expect: [200, 200, 200, 403, 403, 403, 401] },
        Case { method: "POST", path: "/api/v1/reminders/run", body: none, csv: None, expect: [200, 200, 200, 403, 403, 403, 401] },
        Case { method: "GET", path: "/metrics", body: none, csv: None, expect: [200, 200, 200, 200, 200, 200, 401] },
    ]
}

/// Everything a denied write must leave as it was.
async fn state_of(
    app: &TestApp,
) -> (
    Vec<aitu_tracker::registry::model::OrganizationRow>,
    Vec<String>,
) {
    let organizations = app.snapshot().await;
    let accounts = app
        .with_conn(|conn| {
            use aitu_tracker::auth::model::{TokenRow, UserRow};
            let (users, _) = UserRow::list(conn, 1000, 0).unwrap();
            let tokens = TokenRow::list(conn, None).unwrap();
            users
                .iter()
                .map(|u| format!("{u:?}"))
                .chain(
                    tokens
                        .iter()
                        .map(|t| format!("{:?}", (&t.id, &t.name, &t.revoked_at))),
                )
                .collect()
        })
        .await;
    (organizations, accounts)
}

#[tokio::test]
async fn every_endpoint_answers_every_role_as_the_matrix_says() {
    let admin = spawn_app().await;
    let org_a = admin
        .create_org(org_body(&new_bin(), "Министерство А"))
        .await;
    let org_b = admin
        .create_org(org_body(&new_bin(), "Министерство Б"))
        .await;
    let child_a = admin.create_child(&org_a, "Комитет министерства А").await;
    let a = org_a["id"].as_str().unwrap().to_owned();
    let b = org_b["id"].as_str().unwrap().to_owned();

    let (_, coordinator) = admin.add_user("coordinator", Some(&a)).await;
    let (_, coordinator_elsewhere) = admin.add_user("coordinator", Some(&b)).await;
    let (_, it_head) = admin.add_user("it_head", Some(&a)).await;
    let (_, it_head_elsewhere) = admin.add_user("it_head", Some(&b)).await;
    let (observer_email, observer) = admin.add_user("observer", None).await;
    let observer_app = admin.as_token(&observer);
    let spare: Value = observer_app
        .post_json("/api/v1/tokens", &json!({"name": "spare"}))
        .await
        .json()
        .await
        .unwrap();
    let me: Value = observer_app.get_json("/api/v1/me").await;
    let admin_me: Value = admin.get_json("/api/v1/me").await;
    let fixture = Fixture {
        org_a: a.clone(),
        org_a_bin: org_a["bin"].as_str().unwrap().to_owned(),
        child_a_bin: child_a["bin"].as_str().unwrap().to_owned(),
        child_a: child_a["id"].as_str().unwrap().to_owned(),
        user_id: me["id"].as_str().unwrap().to_owned(),
        spare_token_id: spare["id"].as_str().unwrap().to_owned(),
        admin_email: admin_me["email"].as_str().unwrap().to_owned(),
    };
    assert_eq!(me["email"], observer_email);

    let client_for = |who: Who| match who {
        Who::Admin => admin.clone(),
        Who::Coordinator => admin.as_token(&coordinator),
        Who::CoordinatorElsewhere => admin.as_token(&coordinator_elsewhere),
        Who::ItHead => admin.as_token(&it_head),
        Who::ItHeadElsewhere => admin.as_token(&it_head_elsewhere),
        Who::Observer => admin.as_token(&observer),
        Who::Anonymous => admin.anonymous(),
    };

    let cases = cases();
    // Every operation the API documents must have an entry here.
    let documented: BTreeSet<String> = {
        let doc = admin.get_json("/api/v1/openapi.json").await;
        doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(path, ops)| {
                ops.as_object()
                    .unwrap()
                    .keys()
                    .map(move |method| format!("{} {path}", method.to_uppercase()))
            })
            .collect()
    };
    let covered: BTreeSet<String> = cases
        .iter()
        .map(|c| {
            let path = c
                .path
                .split('#')
                .next()
                .unwrap()
                .replace("{org}", "{organization}");
            format!("{} {path}", c.method)
        })
        .collect();
    let missing: Vec<_> = documented.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "endpoints without a permission-matrix entry: {missing:?}"
    );

    let mut failures = Vec::new();
    for case in &cases {
        for (who, expected) in EVERYONE.into_iter().zip(case.expect) {
            let app = client_for(who);
            let path = case
                .path
                .split('#')
                .next()
                .unwrap()
                .replace("{org}", &fixture.child_a)
                .replace("{user}", &fixture.user_id)
                .replace("{token}", &fixture.spare_token_id)
                .replace("{rollout}", "aitu");
            let before = state_of(&admin).await;
            let response = match (case.method, case.csv) {
                ("GET", _) => app.get(&path).await,
                ("DELETE", _) => app.delete(&path).await,
                ("POST", Some(csv)) => {
                    app.post_raw(&format!("{path}?dry_run=true"), "text/csv", csv(&fixture))
                        .await
                }
                ("POST", None) => {
                    app.post_json(&path, &(case.body)(&fixture).unwrap_or(json!({})))
                        .await
                }
                ("PATCH", _) => {
                    app.patch_json(&path, &(case.body)(&fixture).unwrap(), None)
                        .await
                }
                ("PUT", _) => {
                    app.put_json(&path, &(case.body)(&fixture).unwrap(), None)
                        .await
                }
                (other, _) => panic!("unknown method {other}"),
            };
            let status = response.status().as_u16();
            if status != expected {
                let body = response.text().await.unwrap_or_default();
                failures.push(format!(
                    "{} {} as {who:?}: {status}, expected {expected}: {body}",
                    case.method, case.path
                ));
                continue;
            }
            if status >= 400 && case.method != "GET" {
                assert_eq!(
                    state_of(&admin).await,
                    before,
                    "{} {} as {who:?} was refused but changed data",
                    case.method,
                    case.path
                );
            }
        }
    }
    assert!(
        failures.is_empty(),
        "permission matrix mismatches:\n{}",
        failures.join("\n")
    );
}

/// Every page, every role: a page answers 200, 403, or (anonymous) a redirect to the
/// login. Fails when a page route has no entry.
#[tokio::test]
async fn every_page_answers_every_role_as_the_matrix_says() {
    use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
    //                 admin coord c-out  it  it-out  obs  anon (303 = to the login)
    let pages: &[(&str, &str, [u16; 7])] = &[
        ("GET", "/login", [200, 200, 200, 200, 200, 200, 200]),
        (
            "GET",
            "/static/app.css",
            [200, 200, 200, 200, 200, 200, 200],
        ),
        ("GET", "/lang/{lang}", [303, 303, 303, 303, 303, 303, 303]),
        ("GET", "/", [200, 200, 200, 200, 200, 200, 303]),
        ("GET", "/organizations", [200, 200, 200, 200, 200, 200, 303]),
        ("GET", "/my", [303, 200, 200, 200, 200, 303, 303]),
        (
            "GET",
            "/organizations/{organization}",
            [200, 200, 200, 200, 200, 200, 303],
        ),
        ("GET", "/import", [200, 200, 200, 403, 403, 403, 303]),
        ("GET", "/reminders", [200, 200, 200, 403, 403, 403, 303]),
        ("GET", "/audit", [200, 200, 200, 403, 403, 403, 303]),
        ("GET", "/users", [200, 403, 403, 403, 403, 403, 303]),
        ("GET", "/tokens", [200, 403, 403, 403, 403, 403, 303]),
        // Forms: the status form as the permission rules say; the rest need a coordinator.
        (
            "POST",
            "/organizations/{organization}/status",
            [303, 303, 403, 303, 403, 403, 303],
        ),
        (
            "POST",
            "/organizations/{organization}/extensions",
            [303, 303, 403, 403, 403, 403, 303],
        ),
        // Contacts and headcount only: an IT head of the unit may.
        (
            "POST",
            "/organizations/{organization}/edit",
            [303, 303, 403, 303, 403, 403, 303],
        ),
        ("POST", "/import", [200, 200, 403, 403, 403, 403, 303]),
        ("POST", "/login", [403, 403, 403, 403, 403, 403, 403]),
        ("POST", "/logout", [303, 303, 303, 303, 303, 303, 303]),
    ];
    let declared: BTreeSet<String> = aitu_tracker::web::pages::ROUTES
        .iter()
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    let covered: BTreeSet<String> = pages.iter().map(|(m, p, _)| format!("{m} {p}")).collect();
    assert_eq!(declared, covered, "every page route needs a matrix entry");

    let app = spawn_app().await;
    let org_a = app.create_org(org_body(&new_bin(), "Министерство А")).await;
    let org_b = app.create_org(org_body(&new_bin(), "Министерство Б")).await;
    let unit = app.create_child(&org_a, "Комитет").await;
    let bin = unit["bin"].as_str().unwrap().to_owned();
    let (a, b) = (org_a["id"].as_str().unwrap(), org_b["id"].as_str().unwrap());
    let users = [
        Some(app.add_user("admin", None).await.0),
        Some(app.add_user("coordinator", Some(a)).await.0),
        Some(app.add_user("coordinator", Some(b)).await.0),
        Some(app.add_user("it_head", Some(a)).await.0),
        Some(app.add_user("it_head", Some(b)).await.0),
        Some(app.add_user("observer", None).await.0),
        None,
    ];
    let mut failures = Vec::new();
    for (who, email) in users.iter().enumerate() {
        // A web session for each user, through the API login.
        let (cookie, csrf) = match email {
            Some(email) => {
                let response = app
                    .anonymous()
                    .post_json(
                        "/api/v1/session",
                        &serde_json::json!({"email": email, "password": PASSWORD}),
                    )
                    .await;
                let cookies: Vec<String> = response
                    .headers()
                    .get_all(SET_COOKIE)
                    .iter()
                    .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
                    .collect();
                let body: Value = response.json().await.unwrap();
                (
                    cookies.join("; "),
                    body["csrf_token"].as_str().unwrap().to_owned(),
                )
            }
            None => (String::new(), String::new()),
        };
        for (method, path, expected) in pages {
            let url = app.url(&path.replace("{organization}", &bin).replace("{lang}", "ru"));
            let version = app
                .get_json(&format!("/api/v1/rollouts/aitu/status/{bin}"))
                .await["version"]
                .clone();
            let org_version =
                app.get_json(&format!("/api/v1/organizations/{bin}")).await["version"].clone();
            let request = match *method {
                "GET" => app.client.get(&url),
                _ => {
                    let form: Vec<(&str, String)> = match *path {
                        "/organizations/{organization}/status" => vec![
                            ("csrf_token", csrf.clone()),
                            ("version", version.to_string()),
                            ("rollout", "aitu".into()),
                            ("status", "in_progress".into()),
                            ("accounts_active", format!("{who}")),
                        ],
                        "/organizations/{organization}/extensions" => vec![
                            ("csrf_token", csrf.clone()),
                            ("rollout", "aitu".into()),
                            ("deadline", "2026-12-31".into()),
                            ("reason", "matrix".into()),
                        ],
                        "/organizations/{organization}/edit" => vec![
                            ("csrf_token", csrf.clone()),
                            ("version", org_version.to_string()),
                            ("name_kk", "Комитет (kk)".into()),
                            ("name_ru", "Комитет".into()),
                            ("headcount", format!("{}", 100 + who)),
                        ],
                        "/login" => vec![
                            ("email", "x@example.kz".into()),
                            ("password", "x".into()),
                            ("login_token", "forged".into()),
                        ],
                        _ => vec![("csrf_token", csrf.clone())],
                    };
                    if *path == "/import" {
                        let multipart = reqwest::multipart::Form::new()
                            .text("csrf_token", csrf.clone())
                            .text("csv", format!("bin,name_ru\n{bin},Комитет {who}\n"))
                            .text("action", "check");
                        app.client.post(&url).multipart(multipart)
                    } else {
                        app.client.post(&url).form(&form)
                    }
                }
            };
            let request = if cookie.is_empty() {
                request
            } else {
                request.header(COOKIE, &cookie)
            };
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let expect = expected[who];
            if status != expect {
                let location = response
                    .headers()
                    .get(LOCATION)
                    .map(|l| l.to_str().unwrap().to_owned());
                failures.push(format!(
                    "{method} {path} as #{who}: {status} {location:?}, expected {expect}"
                ));
            } else if email.is_none()
                && expect == 303
                && *path != "/lang/{lang}"
                && *path != "/logout"
            {
                let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
                assert!(location.starts_with("/login"), "{path}: {location}");
            }
        }
    }
    assert!(
        failures.is_empty(),
        "page matrix mismatches:\n{}",
        failures.join("\n")
    );
}
