use chrono::{Duration, NaiveDate, Utc};
use serde_json::{json, Value};

use crate::helpers::*;

fn today() -> NaiveDate {
    aitu_tracker::domain::deadline::almaty_date(Utc::now())
}

/// A rollout `slug` for central state bodies with the given deadline.
async fn rollout(app: &TestApp, slug: &str, starts_on: NaiveDate, deadline: NaiveDate) -> Value {
    let response = app
        .post_json(
            "/api/v1/rollouts",
            &json!({
                "slug": slug, "title_kk": "Сынақ", "title_ru": "Тест",
                "kinds": ["central_state_body", "departmental_body"],
                "starts_on": starts_on, "default_deadline": deadline,
            }),
        )
        .await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

fn status_path(slug: &str, org: &Value) -> String {
    format!(
        "/api/v1/rollouts/{slug}/status/{}",
        org["bin"].as_str().unwrap()
    )
}

async fn set_status(app: &TestApp, slug: &str, org: &Value, body: Value) -> reqwest::Response {
    app.put_json(&status_path(slug, org), &body, None).await
}

/// One field of each event of `org`'s history in the `aitu` rollout, newest first.
async fn history_of(app: &TestApp, org: &Value, field: &str) -> Vec<String> {
    let history = app
        .get_json(&format!("{}/history", status_path("aitu", org)))
        .await;
    history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e[field].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_aitu_rollout_exists_and_new_organizations_get_a_status() {
    let app = spawn_app().await;
    let aitu = app.get_json("/api/v1/rollouts/aitu").await;
    assert_eq!(aitu["default_deadline"], "2025-09-15");
    assert_eq!(
        aitu["deadlines_by_kind"]["central_state_body"],
        "2025-09-15"
    );
    let org = app.create_org(org_body(&new_bin(), "Министерство")).await;
    let status = app.get_json(&status_path("aitu", &org)).await;
    assert_eq!(status["status"], "not_started");
    assert_eq!(status["deadline"], "2025-09-15");
    assert_eq!(status["overdue"], true);
    // Imported organizations too.
    let bin = new_bin();
    let csv = format!(
        "bin,kind,region,name_kk,name_ru\n{bin},territorial_body,KZ-35,Департамент,Департамент\n"
    );
    assert_eq!(app.import_csv(&csv, false).await.status(), 200);
    let imported = app
        .get_json(&format!("/api/v1/rollouts/aitu/status/{bin}"))
        .await;
    assert_eq!(imported["status"], "not_started");
    assert_eq!(
        app.get_json("/api/v1/rollouts/aitu/status").await["total"],
        2
    );
}

#[tokio::test]
async fn every_role_moves_statuses_exactly_as_the_transition_table_says() {
    let app = spawn_app().await;
    let ministry = app.create_org(org_body(&new_bin(), "Министерство")).await;
    let unit = app.create_child(&ministry, "Комитет").await;
    let scope = ministry["id"].as_str().unwrap().to_owned();
    let (_, it_head) = app.add_user("it_head", Some(&scope)).await;
    let (_, coordinator) = app.add_user("coordinator", Some(&scope)).await;
    let (_, observer) = app.add_user("observer", None).await;
    let statuses = [
        "not_started",
        "in_progress",
        "migrated",
        "verified",
        "exempt",
    ];
    let allowed = |role: &str, from: &str, to: &str| -> u16 {
        match role {
            "observer" => 403,
            "it_head" => {
                let open = |s: &str| matches!(s, "not_started" | "in_progress" | "migrated");
                if open(from) && open(to) {
                    200
                } else {
                    403
                }
            }
            _ => 200,
        }
    };
    let mut failures = Vec::new();
    for (role, token) in [
        ("admin", None),
        ("coordinator", Some(&coordinator)),
        ("it_head", Some(&it_head)),
        ("observer", Some(&observer)),
    ] {
        let actor = token.map_or_else(|| app.clone(), |t| app.as_token(t));
        for from in statuses {
            for to in statuses {
                let reset = set_status(
                    &app,
                    "aitu",
                    &unit,
                    json!({"status": from, "reason": "set up"}),
                )
                .await;
                assert_eq!(reset.status(), 200, "setting up {from}");
                let before = app.status_snapshot().await;
                let response = set_status(
                    &actor,
                    "aitu",
                    &unit,
                    json!({"status": to, "reason": "because"}),
                )
                .await;
                let expected = allowed(role, from, to);
                if response.status().as_u16() != expected {
                    failures.push(format!(
                        "{role}: {from} → {to}: {} (expected {expected})",
                        response.status()
                    ));
                } else if expected == 403 {
                    assert_eq!(
                        app.status_snapshot().await,
                        before,
                        "{role}: {from} → {to} was refused but changed data"
                    );
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(report_data_out_of_step(&app).await, Vec::<String>::new());
}

#[tokio::test]
async fn rejecting_and_exempting_need_a_reason() {
    let app = spawn_app().await;
    let org = app.create_org(org_body(&new_bin(), "Министерство")).await;
    assert_eq!(
        set_status(
            &app,
            "aitu",
            &org,
            json!({"status": "migrated", "accounts_active": 80})
        )
        .await
        .status(),
        200
    );
    let before = app.status_snapshot().await;
    let body = problem(
        set_status(&app, "aitu", &org, json!({"status": "in_progress"})).await,
        422,
    )
    .await;
    assert_eq!(error_fields(&body), ["reason"]);
    let body = problem(
        set_status(
            &app,
            "aitu",
            &org,
            json!({"status": "exempt", "reason": "  "}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(error_fields(&body), ["reason"]);
    assert_eq!(app.status_snapshot().await, before);
    let rejected: Value = set_status(
        &app,
        "aitu",
        &org,
        json!({"status": "in_progress", "reason": "no evidence"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(rejected["status"], "in_progress");
    assert_eq!(rejected["reason"], "no evidence");
    assert_eq!(history_of(&app, &org, "kind").await, ["reject", "mark"]);
}

#[tokio::test]
async fn bad_values_are_named_and_change_nothing() {
    let app = spawn_app().await;
    let org = app.create_org(org_body(&new_bin(), "Министерство")).await;
    let before = app.status_snapshot().await;
    let body = problem(
        set_status(
            &app,
            "aitu",
            &org,
            json!({"status": "done", "accounts_active": -1, "evidence_url": "ftp://x"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(
        error_fields(&body),
        ["status", "accounts_active", "evidence_url"]
    );
    problem(
        set_status(&app, "nope", &org, json!({"status": "in_progress"})).await,
        404,
    )
    .await;
    problem(
        app.put_json(
            "/api/v1/rollouts/aitu/status/940140000385",
            &json!({"status": "in_progress"}),
            None,
        )
        .await,
        404,
    )
    .await;
    assert_eq!(app.status_snapshot().await, before);

    // An archived unit keeps its status row, but the rollout no longer applies to it.
    let archived = app
        .post_json(
            &format!(
                "/api/v1/organizations/{}/archive",
                org["id"].as_str().unwrap()
            ),
            &json!({}),
        )
        .await;
    assert_eq!(archived.status(), 200);
    let before = app.status_snapshot().await;
    let body = problem(
        set_status(&app, "aitu", &org, json!({"status": "in_progress"})).await,
        422,
    )
    .await;
    assert!(
        body["detail"].as_str().unwrap().contains("does not apply"),
        "{body}"
    );
    assert_eq!(app.status_snapshot().await, before);
}

#[tokio::test]
async fn a_stale_version_is_refused_and_two_writers_cannot_both_win() {
    let app = spawn_app().await;
    let org = app.create_org(org_body(&new_bin(), "Министерство")).await;
    let path = status_path("aitu", &org);
    let current = app.get(&path).await;
    let tag = current.headers()["etag"].to_str().unwrap().to_owned();
    let (a, b) = (
        json!({"status": "in_progress"}),
        json!({"status": "migrated"}),
    );
    let (first, second) = tokio::join!(
        app.put_json(&path, &a, Some(&tag)),
        app.put_json(&path, &b, Some(&tag)),
    );
    let mut statuses = [first.status().as_u16(), second.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 412]);
    let history = app.get_json(&format!("{path}/history")).await;
    assert_eq!(history["items"].as_array().unwrap().len(), 1);

    let audit_before = app.get_json("/api/v1/audit?action=status.update").await["total"].clone();
    let snapshot = app.status_snapshot().await;
    problem(
        app.put_json(&path, &json!({"status": "verified"}), Some(&tag))
            .await,
        412,
    )
    .await;
    problem(
        app.put_json(&path, &json!({"status": "verified", "version": 1}), None)
            .await,
        412,
    )
    .await;
    assert_eq!(app.status_snapshot().await, snapshot);
    assert_eq!(
        app.get_json("/api/v1/audit?action=status.update").await["total"],
        audit_before
    );
    assert_eq!(report_data_out_of_step(&app).await, Vec::<String>::new());
}

/// `n` new central state bodies.
async fn organizations(app: &TestApp, n: usize) -> Vec<Value> {
    let mut orgs = Vec::new();
    for i in 0..n {
        orgs.push(
            app.create_org(org_body(&new_bin(), &format!("Орган {i}")))
                .await,
        );
    }
    orgs
}

/// Sends every unit's status change at once (`body(i)` for the i-th) and checks that
/// each was accepted.
async fn set_all_at_once(app: &TestApp, orgs: &[Value], body: impl Fn(usize) -> Value) {
    let mut writers = tokio::task::JoinSet::new();
    for (i, org) in orgs.iter().enumerate() {
        let (app, org, body) = (app.clone(), org.clone(), body(i));
        writers.spawn(async move {
            let answer = set_status(&app, "aitu", &org, body).await;
            (answer.status(), answer.text().await.unwrap())
        });
    }
    while let Some(answer) = writers.join_next().await {
        let (status, body) = answer.unwrap();
        assert_eq!(status, 200, "{body}");
    }
}

#[tokio::test]
async fn concurrent_writers_in_the_same_groups_keep_the_tally_exact() {
    let app = spawn_app().await;
    let orgs = organizations(&app, 12).await;
    // Every unit is in one region and kind, so all writers meet on the same few tally
    // rows, half of them moving one way between two statuses and half the other way.
    let rounds = [
        ["in_progress", "migrated"],
        ["migrated", "in_progress"],
        ["verified", "verified"],
    ];
    for round in rounds {
        // Moving a reported unit back is a rejection: it takes a reason.
        set_all_at_once(
            &app,
            &orgs,
            |i| json!({"status": round[i % 2], "accounts_active": i + 1, "reason": "recount"}),
        )
        .await;
        assert_eq!(report_data_out_of_step(&app).await, Vec::<String>::new());
    }
    let summary = app.get_json("/api/v1/rollouts/aitu/summary").await;
    assert_eq!(summary["counts"]["verified"], 12);
    assert_eq!(summary["accounts_active"], (1..=12).sum::<i64>());
}

/// A counter of `/metrics`, if it is there.
fn metric(text: &str, name: &str) -> Option<i64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn changes_sent_at_once_each_keep_their_event_and_audit_row() {
    let app = spawn_app().await;
    let orgs = organizations(&app, 16).await;
    let before = app.get("/metrics").await.text().await.unwrap();
    for status in ["in_progress", "migrated"] {
        set_all_at_once(&app, &orgs, |_| json!({"status": status})).await;
    }
    for org in &orgs {
        assert_eq!(
            history_of(&app, org, "to").await,
            ["migrated", "in_progress"],
            "{org}"
        );
    }
    let (audited, postgres) = app
        .with_conn(|conn| {
            use aitu_tracker::db::schema::audit_log::dsl;
            use diesel::prelude::*;
            let n: i64 = dsl::audit_log
                .filter(dsl::action.eq("status.update"))
                .count()
                .get_result(conn)
                .unwrap();
            (n, matches!(conn, aitu_tracker::db::DbConnection::Pg(_)))
        })
        .await;
    assert_eq!(audited, 32);
    let after = app.get("/metrics").await.text().await.unwrap();
    let written = |text: &str| metric(text, "aitu_sqlite_write_transactions_total");
    let committed = |text: &str| metric(text, "aitu_sqlite_write_commits_total");
    if postgres {
        assert_eq!(written(&after), None, "{after}");
    } else {
        // 32 changes, plus the writes of the requests themselves (token use).
        let transactions = written(&after).unwrap() - written(&before).unwrap();
        let commits = committed(&after).unwrap() - committed(&before).unwrap();
        assert!(transactions >= 32, "{after}");
        assert!((1..=transactions).contains(&commits), "{after}");
    }
}

#[tokio::test]
async fn a_write_while_another_process_holds_sqlite_answers_503_and_changes_nothing() {
    use diesel::connection::SimpleConnection;
    let app = spawn_app_with(|s| s.database.sqlite_busy_timeout = 300).await;
    let org = app.create_org(org_body(&new_bin(), "Министерство")).await;
    let url = aitu_tracker::db::DatabaseUrl::parse(&app.db_url()).unwrap();
    if url.is_postgres() {
        // PostgreSQL has no file-wide write lock: writers of other processes never
        // hold the service's writes back this way.
        return;
    }
    // Another process (as `aitu-tracker import` would) takes the write lock and keeps it.
    let (release, released) = std::sync::mpsc::channel::<()>();
    let (held, holding) = std::sync::mpsc::channel::<()>();
    let other = std::thread::spawn(move || {
        let manager = aitu_tracker::db::ConnectionManager::new(url, std::time::Duration::ZERO);
        let mut conn = manager.connect().unwrap();
        conn.batch_execute("BEGIN IMMEDIATE").unwrap();
        held.send(()).unwrap();
        released.recv().unwrap();
        conn.batch_execute("ROLLBACK").unwrap();
    });
    holding.recv().unwrap();
    let body = json!({"status": "in_progress"});
    let refused = set_status(&app, "aitu", &org, body.clone()).await;
    let problem = problem(refused, 503).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("another process"),
        "{problem}"
    );
    release.send(()).unwrap();
    other.join().unwrap();
    let status = app.get_json(&status_path("aitu", &org)).await;
    assert_eq!(
        (&status["status"], &status["version"]),
        (&json!("not_started"), &json!(1))
    );
    let history = app
        .get_json(&format!("{}/history", status_path("aitu", &org)))
        .await;
    assert_eq!(history["items"], json!([]));
    // The writer goes on once the lock is free.
    let answer = set_status(&app, "aitu", &org, body).await;
    assert_eq!(answer.status(), 200);
}

#[tokio::test]
async fn the_demo_history_leaves_every_report_consistent() {
    let app = spawn_app().await;
    let loaded = app
        .with_conn(|conn| aitu_tracker::registry::demo::load_demo(conn).unwrap())
        .await;
    assert!(loaded.is_some());
    assert_eq!(report_data_out_of_step(&app).await, Vec::<String>::new());
    let summary = app.get_json("/api/v1/rollouts/aitu/summary").await;
    assert!(summary["total"].as_i64().unwrap() > 1_000, "{summary}");
    assert!(
        summary["counts"]["verified"].as_i64().unwrap() > 0,
        "{summary}"
    );
    assert!(summary["overdue"].as_i64().unwrap() > 0, "{summary}");
    let mut by_parent = app
        .get_json("/api/v1/rollouts/aitu/summary?group_by=parent")
        .await;
    by_parent.as_object_mut().unwrap().remove("groups");
    assert_eq!(by_parent, summary);
}

#[tokio::test]
async fn a_change_writes_status_event_and_audit_together() {
    let app = spawn_app().await;
    let org = app.create_org(org_body(&new_bin(), "Министерство")).await;
    let response = set_status(&app, "aitu", &org, json!({"status": "migrated", "accounts_active": 40, "note": "done", "evidence_url": "https://aitu.example/report"})).await;
    assert_eq!(response.status(), 200);
    let status: Value = response.json().await.unwrap();
    assert_eq!(status["version"], 2);
    assert_eq!(
        status["completed_late"], true,
        "done after 15 September 2025"
    );
    let history = app
        .get_json(&format!("{}/history", status_path("aitu", &org)))
        .await;
    let event = &history["items"][0];
    assert_eq!(
        (event["from"].as_str(), event["to"].as_str()),
        (Some("not_started"), Some("migrated"))
    );
    assert_eq!(event["accounts_active"], 40);
    let audit = app
        .get_json(&format!(
            "/api/v1/audit?action=status.update&object_id={}",
            org["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(audit["total"], 1);
    assert_eq!(audit["items"][0]["after"]["status"], "migrated");
    // Setting the same values again changes nothing and records nothing.
    let again: Value = set_status(
        &app,
        "aitu",
        &org,
        json!({"status": "migrated", "accounts_active": 40}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(again["version"], 2);
}

#[tokio::test]
async fn an_extension_moves_the_deadline_and_the_flags() {
    let app = spawn_app().await;
    let org = app.create_org(org_body(&new_bin(), "Министерство")).await;
    let path = status_path("aitu", &org);
    assert_eq!(app.get_json(&path).await["overdue"], true);
    let deadline = today() + Duration::days(3);
    let body = problem(
        app.post_json(
            &format!("{path}/extensions"),
            &json!({"deadline": deadline}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(error_fields(&body), ["reason"]);
    let granted = app
        .post_json(
            &format!("{path}/extensions"),
            &json!({"deadline": deadline, "reason": "reorganization"}),
        )
        .await;
    assert_eq!(granted.status(), 201);
    let status = app.get_json(&path).await;
    assert_eq!(status["deadline"], deadline.to_string());
    assert_eq!(status["extended"], true);
    assert_eq!(status["overdue"], false);
    assert_eq!(status["at_risk"], true);
    assert_eq!(status["days_left"], 3);
    let later = today() + Duration::days(30);
    app.post_json(
        &format!("{path}/extensions"),
        &json!({"deadline": later, "reason": "more time"}),
    )
    .await;
    let status = app.get_json(&path).await;
    assert_eq!(status["at_risk"], false);
    assert_eq!(status["days_left"], 30);
    let list = app.get_json(&format!("{path}/extensions")).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    assert_eq!(list["items"][0]["deadline"], later.to_string());
    // The overdue filter follows.
    assert_eq!(
        app.get_json("/api/v1/rollouts/aitu/status?overdue=true")
            .await["total"],
        0
    );
    assert_eq!(report_data_out_of_step(&app).await, Vec::<String>::new());
}

/// Sets up a rollout with a hand-checkable mix of statuses.
async fn fixture(app: &TestApp) -> (Vec<Value>, String) {
    let slug = "fixture";
    rollout(
        app,
        slug,
        today() - Duration::days(30),
        today() + Duration::days(5),
    )
    .await;
    let mut orgs = Vec::new();
    for (i, (region, headcount)) in [
        ("KZ-71", 100),
        ("KZ-71", 50),
        ("KZ-75", 200),
        ("KZ-75", 10),
        ("KZ-35", 40),
    ]
    .iter()
    .enumerate()
    {
        let mut body = org_body(&new_bin(), &format!("Орган {i}"));
        body["region"] = json!(region);
        body["headcount"] = json!(headcount);
        orgs.push(app.create_org(body).await);
    }
    let moves = [
        json!({"status": "verified", "accounts_active": 90}),
        json!({"status": "migrated", "accounts_active": 50}),
        json!({"status": "in_progress", "accounts_active": 20}),
        json!({"status": "exempt", "reason": "liquidated"}),
    ];
    for (org, body) in orgs.iter().zip(moves) {
        assert_eq!(set_status(app, slug, org, body).await.status(), 200);
    }
    (orgs, slug.to_owned())
}

#[tokio::test]
async fn the_summary_equals_numbers_worked_out_by_hand() {
    let app = spawn_app().await;
    let (orgs, slug) = fixture(&app).await;
    let summary = app
        .get_json(&format!("/api/v1/rollouts/{slug}/summary"))
        .await;
    assert_eq!(summary["total"], 5);
    assert_eq!(
        summary["counts"],
        json!({"not_started": 1, "in_progress": 1, "migrated": 1, "verified": 1, "exempt": 1})
    );
    // Exempt units are left out of the shares: 2 done of 4.
    assert_eq!(summary["done_share"], 0.5);
    assert_eq!(summary["verified_share"], 0.25);
    // (90 + 50 + 20 + 0) / (100 + 50 + 200 + 40)
    assert_eq!(summary["staff_coverage"], 160.0 / 390.0);
    assert_eq!(summary["overdue"], 0);
    // Deadline in 5 days, window 7: the two unsettled units are at risk.
    assert_eq!(summary["at_risk"], 2);

    let by_region = app
        .get_json(&format!("/api/v1/rollouts/{slug}/summary?group_by=region"))
        .await;
    let groups = by_region["groups"].as_array().unwrap();
    let astana = groups.iter().find(|g| g["key"] == "KZ-71").unwrap();
    assert_eq!(astana["label"], "Astana");
    assert_eq!(astana["total"], 2);
    assert_eq!(astana["done_share"], 1.0);
    let almaty = groups.iter().find(|g| g["key"] == "KZ-75").unwrap();
    assert_eq!(almaty["counts"]["exempt"], 1);
    assert_eq!(almaty["done_share"], 0.0);

    // Grouped by top-level parent: a child rolls up into its ministry.
    app.create_child(&orgs[0], "Комитет").await;
    let by_parent = app
        .get_json(&format!("/api/v1/rollouts/{slug}/summary?group_by=parent"))
        .await;
    let first = by_parent["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"] == orgs[0]["id"])
        .unwrap();
    assert_eq!(first["total"], 2);
    assert_eq!(first["label"], "Орган 0");
    let scoped = app
        .get_json(&format!(
            "/api/v1/rollouts/{slug}/summary?parent={}",
            orgs[0]["bin"].as_str().unwrap()
        ))
        .await;
    assert_eq!(scoped["total"], 2);

    // Archived organizations drop out.
    app.post_json(
        &format!(
            "/api/v1/organizations/{}/archive",
            orgs[4]["id"].as_str().unwrap()
        ),
        &json!({}),
    )
    .await;
    let after = app
        .get_json(&format!("/api/v1/rollouts/{slug}/summary"))
        .await;
    assert_eq!(after["total"], 5);
    assert_eq!(
        after["counts"]["not_started"], 1,
        "the new child is not started; the archived one is gone"
    );
    // The national figures add up the tally; the breakdown by parent counts the status
    // rows one by one: both say the same.
    let mut by_parent = app
        .get_json(&format!("/api/v1/rollouts/{slug}/summary?group_by=parent"))
        .await;
    by_parent.as_object_mut().unwrap().remove("groups");
    assert_eq!(by_parent, after);
    assert_eq!(report_data_out_of_step(&app).await, Vec::<String>::new());
}

#[tokio::test]
async fn as_of_a_past_day_shows_the_state_then_and_the_burndown_agrees() {
    let app = spawn_app().await;
    let slug = "history";
    let start = today() - Duration::days(10);
    rollout(&app, slug, start, today() - Duration::days(2)).await;
    let a = app.create_org(org_body(&new_bin(), "А")).await;
    let b = app.create_org(org_body(&new_bin(), "Б")).await;
    let c = app.create_org(org_body(&new_bin(), "В")).await;
    // The registry existed before the rollout started.
    app.with_conn(|conn| {
        use aitu_tracker::db::schema::organizations::dsl;
        use diesel::prelude::*;
        let then = (Utc::now() - Duration::days(20)).naive_utc();
        diesel::update(dsl::organizations)
            .set(dsl::created_at.eq(then))
            .execute(conn)
            .unwrap();
    })
    .await;
    // History written as it would have been: events in the past (noon Almaty = 07:00 UTC).
    let at = |days_ago: i64| {
        (today() - Duration::days(days_ago))
            .and_hms_opt(7, 0, 0)
            .unwrap()
    };
    let history = [
        (a.clone(), 8, "not_started", "in_progress", 10),
        (a.clone(), 5, "in_progress", "migrated", 90),
        (b.clone(), 4, "not_started", "migrated", 30),
        (b.clone(), 3, "migrated", "verified", 30),
        (c.clone(), 1, "not_started", "in_progress", 5),
    ];
    let ids: Vec<(String, i64, String, String, i64)> = history
        .iter()
        .map(|(org, days, from, to, accounts)| {
            (
                org["id"].as_str().unwrap().to_owned(),
                *days,
                (*from).to_owned(),
                (*to).to_owned(),
                *accounts,
            )
        })
        .collect();
    app.with_conn(move |conn| {
        use aitu_tracker::db::schema::statuses::dsl as s;
        use aitu_tracker::rollout::model::{EventRow, NewEventRow};
        use diesel::prelude::*;
        for (org, days, from, to, accounts) in &ids {
            EventRow::insert(
                conn,
                &NewEventRow {
                    rollout_slug: "history".into(),
                    organization_id: org.clone(),
                    at: at(*days),
                    actor_user_id: None,
                    actor_role: Some("coordinator".into()),
                    event_kind: "mark".into(),
                    from_status: from.clone(),
                    to_status: to.clone(),
                    accounts_active: *accounts,
                    note: None,
                    reason: None,
                },
            )
            .unwrap();
            diesel::update(
                s::statuses
                    .filter(s::rollout_slug.eq("history"))
                    .filter(s::organization_id.eq(org)),
            )
            .set((s::status.eq(to), s::accounts_active.eq(accounts)))
            .execute(conn)
            .unwrap();
        }
    })
    .await;
    let summary_on = |days_ago: i64| {
        let app = app.clone();
        async move {
            app.get_json(&format!(
                "/api/v1/rollouts/{slug}/summary?as_of={}",
                today() - Duration::days(days_ago)
            ))
            .await
        }
    };
    let day6 = summary_on(6).await;
    assert_eq!(
        day6["counts"],
        json!({"not_started": 2, "in_progress": 1, "migrated": 0, "verified": 0, "exempt": 0})
    );
    assert_eq!(day6["accounts_active"], 10);
    assert_eq!(day6["overdue"], 0, "the deadline was still 4 days away");
    let day3 = summary_on(3).await;
    assert_eq!(
        day3["counts"],
        json!({"not_started": 1, "in_progress": 0, "migrated": 1, "verified": 1, "exempt": 0})
    );
    assert_eq!(day3["accounts_active"], 120);
    assert_eq!(
        day3["at_risk"], 1,
        "c was unsettled one day before its deadline"
    );
    let now = app
        .get_json(&format!("/api/v1/rollouts/{slug}/summary"))
        .await;
    assert_eq!(
        now["counts"],
        json!({"not_started": 0, "in_progress": 1, "migrated": 1, "verified": 1, "exempt": 0})
    );
    assert_eq!(now["overdue"], 1);
    problem(
        app.get(&format!(
            "/api/v1/rollouts/{slug}/summary?as_of={}",
            today() + Duration::days(1)
        ))
        .await,
        422,
    )
    .await;

    let burndown = app
        .get_json(&format!("/api/v1/rollouts/{slug}/burndown"))
        .await;
    let points = burndown["points"].as_array().unwrap();
    assert_eq!(points.len(), 11);
    assert_eq!(points[0]["date"], start.to_string());
    let remaining = |days_ago: i64| {
        points[(10 - days_ago) as usize]["remaining"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(remaining(10), 3);
    assert_eq!(remaining(6), 3);
    assert_eq!(remaining(5), 2);
    assert_eq!(remaining(3), 1);
    assert_eq!(remaining(0), 1);
    // Each point agrees with the summary of that day.
    for days_ago in [6, 3] {
        let s = summary_on(days_ago).await;
        let settled =
            s["counts"]["migrated"].as_i64().unwrap() + s["counts"]["verified"].as_i64().unwrap();
        assert_eq!(remaining(days_ago), s["total"].as_i64().unwrap() - settled);
    }
    assert!(burndown["pace_per_day"].as_f64().unwrap() > 0.0);
    assert!(burndown["projected_completion"].is_string());
}

#[tokio::test]
async fn the_lagging_list_puts_the_worst_first() {
    let app = spawn_app().await;
    let (orgs, slug) = fixture(&app).await;
    let extra = app.create_org(org_body(&new_bin(), "Просроченный")).await;
    app.post_json(
        &format!("{}/extensions", status_path(&slug, &extra)),
        &json!({"deadline": today() - Duration::days(3), "reason": "test"}),
    )
    .await;
    let lagging = app
        .get_json(&format!("/api/v1/rollouts/{slug}/lagging"))
        .await;
    let bins: Vec<&str> = lagging["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["bin"].as_str().unwrap())
        .collect();
    assert_eq!(
        bins[0],
        extra["bin"].as_str().unwrap(),
        "the overdue one first"
    );
    assert_eq!(lagging["items"][0]["days_overdue"], 3);
    assert_eq!(lagging["total"], 3);
    assert!(
        !bins.contains(&orgs[0]["bin"].as_str().unwrap()),
        "verified units are not lagging"
    );
    let overdue = app
        .get_json(&format!("/api/v1/rollouts/{slug}/status?overdue=true"))
        .await;
    assert_eq!(overdue["total"], 1);
    let risky = app
        .get_json(&format!("/api/v1/rollouts/{slug}/status?at_risk=true"))
        .await;
    assert_eq!(risky["total"], 2);
    let by_status = app
        .get_json(&format!(
            "/api/v1/rollouts/{slug}/status?status=migrated,verified"
        ))
        .await;
    assert_eq!(by_status["total"], 2);
}

#[tokio::test]
async fn status_import_is_all_or_nothing_with_line_numbers_and_a_dry_run() {
    let app = spawn_app().await;
    let a = app.create_org(org_body(&new_bin(), "А")).await;
    let b = app.create_org(org_body(&new_bin(), "Б")).await;
    let (a_bin, b_bin) = (a["bin"].as_str().unwrap(), b["bin"].as_str().unwrap());
    let before = app.status_snapshot().await;
    let bad = format!("bin;status;accounts_active\r\n{a_bin};migrated;40\r\n{b_bin};done;x\r\n940140000385;migrated;1\r\n{b_bin};exempt;\r\n");
    let response = app
        .post_raw("/api/v1/rollouts/aitu/status/import", "text/csv", bad)
        .await;
    let body = problem(response, 422).await;
    assert_eq!(
        error_locations(&body),
        [
            (3, "accounts_active".into()),
            (4, "bin".into()),
            (5, "reason".into())
        ],
        "{body}"
    );
    assert_eq!(app.status_snapshot().await, before);

    let good = format!("bin,status,accounts_active,note\n{a_bin},migrated,40,from the messenger export\n{b_bin},in_progress,12,\n");
    let dry: Value = app
        .post_raw(
            "/api/v1/rollouts/aitu/status/import?dry_run=true",
            "text/csv",
            good.clone(),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        dry,
        json!({"dry_run": true, "rows": 2, "changed": 2, "unchanged": 0})
    );
    assert_eq!(app.status_snapshot().await, before);
    let real: Value = app
        .post_raw(
            "/api/v1/rollouts/aitu/status/import",
            "text/csv",
            good.clone(),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(real["changed"], 2);
    let status = app.get_json(&status_path("aitu", &a)).await;
    assert_eq!(
        (
            status["status"].as_str(),
            status["accounts_active"].as_i64()
        ),
        (Some("migrated"), Some(40))
    );
    let history = app
        .get_json(&format!("{}/history", status_path("aitu", &a)))
        .await;
    assert_eq!(history["items"][0]["kind"], "import");
    let again: Value = app
        .post_raw("/api/v1/rollouts/aitu/status/import", "text/csv", good)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["unchanged"], 2);
    assert_eq!(report_data_out_of_step(&app).await, Vec::<String>::new());
}

#[tokio::test]
async fn a_status_import_of_several_chunks_writes_every_row_once() {
    // 1,200 units: the import reads and writes them 500 at a time.
    let app = spawn_app().await;
    let root = new_bin();
    let bins: Vec<String> = (0..1_200).map(|_| new_bin()).collect();
    let mut registry = format!(
        "bin,kind,parent_bin,region,headcount,name_kk,name_ru\n\
         {root},central_state_body,,republican,100,Министрлік,Министерство\n"
    );
    for (i, bin) in bins.iter().enumerate() {
        registry.push_str(&format!(
            "{bin},departmental_body,{root},KZ-71,50,Басқарма {i},Управление {i}\n"
        ));
    }
    assert_eq!(app.import_csv(&registry, false).await.status(), 200);
    let status_of = |i: usize| {
        if i % 2 == 0 {
            "in_progress"
        } else {
            "migrated"
        }
    };
    let mut csv = "bin,status,accounts_active\n".to_owned();
    for (i, bin) in bins.iter().enumerate() {
        csv.push_str(&format!("{bin},{},{}\n", status_of(i), i % 50 + 1));
    }
    // A bad row in the third chunk: the two chunks before it were written by then, and
    // are rolled back with everything else.
    let audit_rows = || {
        app.with_conn(|conn| {
            use aitu_tracker::db::schema::audit_log;
            use diesel::prelude::*;
            audit_log::table.count().get_result::<i64>(conn).unwrap()
        })
    };
    let (before, audited) = (app.status_snapshot().await, audit_rows().await);
    let mut bad: Vec<String> = csv.lines().map(str::to_owned).collect();
    bad[1_151] = format!("{},done,1", bins[1_150]);
    let refused = app
        .post_raw(
            "/api/v1/rollouts/aitu/status/import",
            "text/csv",
            bad.join("\n"),
        )
        .await;
    let body = problem(refused, 422).await;
    assert_eq!(body["errors"][0]["line"], 1_152, "{body}");
    assert_eq!(body["errors"][0]["column"], "status", "{body}");
    assert_eq!(app.status_snapshot().await, before);
    assert_eq!(audit_rows().await, audited);
    let report: Value = app
        .post_raw(
            "/api/v1/rollouts/aitu/status/import",
            "text/csv",
            csv.clone(),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        report,
        json!({"dry_run": false, "rows": 1_200, "changed": 1_200, "unchanged": 0})
    );
    for status in ["in_progress", "migrated"] {
        let page = app
            .get_json(&format!(
                "/api/v1/rollouts/aitu/status?status={status}&kind=departmental_body&per_page=1"
            ))
            .await;
        assert_eq!(page["total"], 600, "{status}: {page}");
    }
    // Rows on both sides of each chunk boundary, each with exactly one import event.
    for i in [0, 499, 500, 999, 1_000, 1_199] {
        let path = format!("/api/v1/rollouts/aitu/status/{}", bins[i]);
        let status = app.get_json(&path).await;
        assert_eq!(status["status"], status_of(i), "row {i}: {status}");
        assert_eq!(status["accounts_active"], i as u64 % 50 + 1, "row {i}");
        assert_eq!(status["version"], 2, "row {i}: {status}");
        let history = app.get_json(&format!("{path}/history")).await;
        assert_eq!(history["items"].as_array().unwrap().len(), 1, "{history}");
        assert_eq!(history["items"][0]["kind"], "import");
    }
    let again: Value = app
        .post_raw("/api/v1/rollouts/aitu/status/import", "text/csv", csv)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["unchanged"], 1_200);
    assert_eq!(report_data_out_of_step(&app).await, Vec::<String>::new());
}

#[tokio::test]
async fn batched_status_writes_skip_rows_changed_since_they_were_read() {
    use aitu_tracker::rollout::model::StatusRow;
    let app = spawn_app().await;
    let a = app.create_org(org_body(&new_bin(), "А")).await;
    let b = app.create_org(org_body(&new_bin(), "Б")).await;
    let ids = [
        a["id"].as_str().unwrap().to_owned(),
        b["id"].as_str().unwrap().to_owned(),
    ];
    let (stale, rows) = app
        .with_conn(move |conn| {
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            let read = StatusRow::find_many(conn, "aitu", &ids).unwrap();
            assert_eq!(read.len(), 2);
            let changed = |row: &StatusRow, note: &str| StatusRow {
                note: Some(note.to_owned()),
                ..row.clone()
            };
            // The second row is paired with a version it no longer has.
            let writes = [
                (changed(&read[0], "first"), read[0].version),
                (changed(&read[1], "second"), read[1].version + 1),
            ];
            let stale = StatusRow::update_many_if_version(conn, &writes)
                .unwrap()
                .map(str::to_owned);
            let after = StatusRow::find_many(conn, "aitu", &ids).unwrap();
            let find = |id: &str| after.iter().find(|r| r.organization_id == id).cloned();
            (
                (stale, read[1].organization_id.clone()),
                (
                    find(&read[0].organization_id).unwrap(),
                    find(&read[1].organization_id).unwrap(),
                    read[0].version,
                    read[1].version,
                ),
            )
        })
        .await;
    assert_eq!(stale.0.as_deref(), Some(stale.1.as_str()));
    let (first, second, first_version, second_version) = rows;
    assert_eq!(first.note.as_deref(), Some("first"));
    assert_eq!(first.version, first_version + 1);
    assert_eq!(second.note, None);
    assert_eq!(second.version, second_version);
}

#[tokio::test]
async fn rollouts_are_created_and_changed_with_their_deadlines() {
    let app = spawn_app().await;
    let org = app.create_org(org_body(&new_bin(), "Министерство")).await;
    let start = today() - Duration::days(1);
    let created = rollout(&app, "qaztech", start, today() + Duration::days(60)).await;
    assert_eq!(
        created["kinds"],
        json!(["central_state_body", "departmental_body"])
    );
    let status = app.get_json(&status_path("qaztech", &org)).await;
    assert_eq!(status["days_left"], 60);
    let patched = app
        .patch_json(
            "/api/v1/rollouts/qaztech",
            &json!({"deadlines_by_kind": {"central_state_body": today() + Duration::days(2)}}),
            Some("\"1\""),
        )
        .await;
    assert_eq!(patched.status(), 200);
    let status = app.get_json(&status_path("qaztech", &org)).await;
    assert_eq!(status["days_left"], 2);
    assert_eq!(status["at_risk"], true);
    problem(
        app.patch_json(
            "/api/v1/rollouts/qaztech",
            &json!({"description": "x"}),
            Some("\"1\""),
        )
        .await,
        412,
    )
    .await;
    let body = problem(
        app.post_json("/api/v1/rollouts", &json!({"slug": "Bad Slug", "kinds": ["ministry"], "starts_on": "2026-01-01", "default_deadline": "2025-01-01"})).await,
        422,
    )
    .await;
    assert_eq!(
        error_fields(&body),
        ["slug", "title_kk", "title_ru", "kinds", "default_deadline"]
    );
    problem(app.post_json("/api/v1/rollouts", &json!({"slug": "qaztech", "title_kk": "a", "title_ru": "b", "kinds": ["military_unit"], "starts_on": "2026-01-01", "default_deadline": "2026-02-01"})).await, 409).await;
}

#[tokio::test]
async fn the_status_export_is_excel_friendly() {
    let app = spawn_app().await;
    let (orgs, slug) = fixture(&app).await;
    let response = app
        .get(&format!("/api/v1/rollouts/{slug}/status/export"))
        .await;
    assert_eq!(response.status(), 200);
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 6);
    assert!(lines[0].starts_with("bin;name_kk;name_ru;kind;region;headcount;status"));
    assert!(lines
        .iter()
        .any(|l| l.starts_with(orgs[0]["bin"].as_str().unwrap()) && l.contains(";verified;90;")));
}

fn region_group<'a>(summary: &'a Value, region: &str) -> Option<&'a Value> {
    summary["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"] == region)
}

#[tokio::test]
async fn reports_follow_every_change_of_an_organization() {
    let app = spawn_app().await;
    let mut body = org_body(&new_bin(), "Министерство");
    body["region"] = json!("KZ-71");
    let ministry = app.create_org(body).await;
    let committee = app.create_child(&ministry, "Комитет").await;
    rollout(&app, "second", today(), today() + Duration::days(10)).await;
    assert_eq!(
        app.get_json("/api/v1/rollouts/second/summary").await["total"],
        2
    );
    let by_region = "/api/v1/rollouts/aitu/summary?group_by=region";
    assert!(report_data_out_of_step(&app).await.is_empty());
    let summary = app.get_json(by_region).await;
    assert_eq!(region_group(&summary, "KZ-71").unwrap()["total"], 1);
    assert_eq!(summary["headcount"], 200);

    // Region and headcount.
    let ministry_path = format!("/api/v1/organizations/{}", ministry["id"].as_str().unwrap());
    let edited = app
        .patch_json(
            &ministry_path,
            &json!({"region": "KZ-75", "headcount": 250}),
            None,
        )
        .await;
    assert_eq!(edited.status(), 200);
    assert_eq!(report_data_out_of_step(&app).await, Vec::<String>::new());
    let summary = app.get_json(by_region).await;
    assert!(region_group(&summary, "KZ-71").is_none());
    assert_eq!(region_group(&summary, "KZ-75").unwrap()["headcount"], 250);
    assert_eq!(summary["headcount"], 350);

    // Kind: a territorial body is outside the second rollout's kinds.
    let committee_path = format!(
        "/api/v1/organizations/{}",
        committee["id"].as_str().unwrap()
    );
    let changed = app
        .patch_json(&committee_path, &json!({"kind": "territorial_body"}), None)
        .await;
    assert_eq!(changed.status(), 200);
    assert!(report_data_out_of_step(&app).await.is_empty());
    assert_eq!(
        app.get_json("/api/v1/rollouts/second/summary").await["total"],
        1
    );
    let by_kind = app
        .get_json("/api/v1/rollouts/aitu/summary?group_by=kind")
        .await;
    let territorial = by_kind["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"] == "territorial_body")
        .unwrap();
    assert_eq!(territorial["total"], 1);

    // A move changes the path: the committee becomes its own top-level group.
    let moved = app
        .patch_json(&committee_path, &json!({"parent_id": null}), None)
        .await;
    assert_eq!(moved.status(), 200);
    assert!(report_data_out_of_step(&app).await.is_empty());
    let by_parent = app
        .get_json("/api/v1/rollouts/aitu/summary?group_by=parent")
        .await;
    assert_eq!(by_parent["groups"].as_array().unwrap().len(), 2);
    let scoped = app
        .get_json(&format!(
            "/api/v1/rollouts/aitu/summary?parent={}",
            ministry["bin"].as_str().unwrap()
        ))
        .await;
    assert_eq!(scoped["total"], 1);
    let listed = app
        .get_json(&format!(
            "/api/v1/rollouts/aitu/status?parent={}",
            committee["bin"].as_str().unwrap()
        ))
        .await;
    assert_eq!(listed["total"], 1);

    // Archived units drop out of reports and lists, and come back.
    let archived = app
        .post_json(&format!("{committee_path}/archive"), &json!({}))
        .await;
    assert_eq!(archived.status(), 200);
    assert!(report_data_out_of_step(&app).await.is_empty());
    assert_eq!(app.get_json(by_region).await["total"], 1);
    assert_eq!(
        app.get_json("/api/v1/rollouts/aitu/status").await["total"],
        1
    );
    let back = app
        .post_json(&format!("{committee_path}/unarchive"), &json!({}))
        .await;
    assert_eq!(back.status(), 200);
    assert!(report_data_out_of_step(&app).await.is_empty());
    assert_eq!(app.get_json(by_region).await["total"], 2);

    // A registry import that changes an organization.
    let csv = format!(
        "bin,kind,parent_bin,region,headcount,name_kk,name_ru,name_en,it_head_name,it_head_email,it_head_phone,head_name,head_email\n\
         {},central_state_body,,KZ-35,75,Министрлік,Министерство,,Асель Нурланова,it@example.kz,+7 701 234 56 78,Ерлан Сапаров,head@example.kz\n",
        ministry["bin"].as_str().unwrap()
    );
    let imported = app.import_csv(&csv, false).await;
    assert_eq!(imported.status(), 200);
    assert!(report_data_out_of_step(&app).await.is_empty());
    let summary = app.get_json(by_region).await;
    assert_eq!(region_group(&summary, "KZ-35").unwrap()["headcount"], 75);
}

/// Overdue and at-risk units by the status list's own flags, unit by unit.
async fn flags_from_the_list(app: &TestApp, slug: &str) -> (i64, i64) {
    let list = app
        .get_json(&format!("/api/v1/rollouts/{slug}/status?per_page=500"))
        .await;
    let items = list["items"].as_array().unwrap();
    let count = |flag: &str| items.iter().filter(|i| i[flag] == true).count() as i64;
    (count("overdue"), count("at_risk"))
}

/// The effective deadline stored on each status row, by organization id.
async fn stored_deadlines(app: &TestApp, slug: &'static str) -> Vec<(String, NaiveDate)> {
    app.with_conn(move |conn| {
        use aitu_tracker::db::schema::statuses::dsl as s;
        use diesel::prelude::*;
        s::statuses
            .filter(s::rollout_slug.eq(slug))
            .order(s::organization_id)
            .select((s::organization_id, s::deadline))
            .load(conn)
            .unwrap()
    })
    .await
}

#[tokio::test]
async fn stored_deadlines_and_summary_flags_follow_extensions_and_rollout_edits() {
    let app = spawn_app().await;
    let slug = "flags";
    let start = today() - Duration::days(30);
    rollout(&app, slug, start, today() + Duration::days(5)).await;
    let ministry = app.create_org(org_body(&new_bin(), "Министерство")).await;
    let committee = app.create_child(&ministry, "Комитет").await;
    let other = app.create_org(org_body(&new_bin(), "Агентство")).await;
    let done = app.create_org(org_body(&new_bin(), "Готовый")).await;
    assert_eq!(
        set_status(&app, slug, &done, json!({"status": "verified"}))
            .await
            .status(),
        200
    );
    let check = |overdue: i64, at_risk: i64| {
        let app = app.clone();
        async move {
            let summary = app
                .get_json(&format!("/api/v1/rollouts/{slug}/summary"))
                .await;
            assert_eq!(
                (
                    summary["overdue"].as_i64().unwrap(),
                    summary["at_risk"].as_i64().unwrap()
                ),
                (overdue, at_risk)
            );
            assert_eq!(flags_from_the_list(&app, slug).await, (overdue, at_risk));
            let by_region = app
                .get_json(&format!("/api/v1/rollouts/{slug}/summary?group_by=region"))
                .await;
            let group = region_group(&by_region, "republican").unwrap();
            assert_eq!(
                (
                    group["overdue"].as_i64().unwrap(),
                    group["at_risk"].as_i64().unwrap()
                ),
                (overdue, at_risk)
            );
        }
    };
    let id = |org: &Value| org["id"].as_str().unwrap().to_owned();
    let expect_deadlines = |mut expected: Vec<(String, NaiveDate)>| {
        let app = app.clone();
        async move {
            expected.sort();
            assert_eq!(stored_deadlines(&app, slug).await, expected);
        }
    };
    // Due in 5 days: the three unsettled units are at risk, the verified one is not.
    check(0, 3).await;

    // An extension moves one unit out of the warning window.
    let extended = app
        .post_json(
            &format!("{}/extensions", status_path(slug, &other)),
            &json!({"deadline": today() + Duration::days(30), "reason": "reorganization"}),
        )
        .await;
    assert_eq!(extended.status(), 201);
    check(0, 2).await;

    // The rollout's deadline moves into the past: everything unextended follows.
    let patched = app
        .patch_json(
            &format!("/api/v1/rollouts/{slug}"),
            &json!({"default_deadline": today() - Duration::days(2)}),
            None,
        )
        .await;
    assert_eq!(patched.status(), 200);
    check(2, 0).await;
    let past = today() - Duration::days(2);
    let later = today() + Duration::days(30);
    expect_deadlines(vec![
        (id(&ministry), past),
        (id(&committee), past),
        (id(&other), later),
        (id(&done), past),
    ])
    .await;

    // A deadline of its own for one kind: the committee is due today (at risk).
    let patched = app
        .patch_json(
            &format!("/api/v1/rollouts/{slug}"),
            &json!({"deadlines_by_kind": {"departmental_body": today()}}),
            None,
        )
        .await;
    assert_eq!(patched.status(), 200);
    check(1, 1).await;
    expect_deadlines(vec![
        (id(&ministry), past),
        (id(&committee), today()),
        (id(&other), later),
        (id(&done), past),
    ])
    .await;

    // An extension into the past makes the extended unit overdue.
    let extended = app
        .post_json(
            &format!("{}/extensions", status_path(slug, &other)),
            &json!({"deadline": start, "reason": "the mandate was shortened"}),
        )
        .await;
    assert_eq!(extended.status(), 201);
    check(2, 1).await;

    // A status change answers with exactly what is stored.
    let response = set_status(
        &app,
        slug,
        &ministry,
        json!({"status": "in_progress", "accounts_active": 7}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let answered: Value = response.json().await.unwrap();
    let stored = app.get(&status_path(slug, &ministry)).await;
    assert_eq!(stored.headers()["etag"].to_str().unwrap(), etag);
    assert_eq!(stored.json::<Value>().await.unwrap(), answered);
    check(2, 1).await;
    assert_eq!(report_data_out_of_step(&app).await, Vec::<String>::new());
}
