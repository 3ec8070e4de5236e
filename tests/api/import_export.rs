use aitu_tracker::db::DbConnection;
use serde_json::{json, Value};

use crate::helpers::*;

const HEADER: &str = "bin,kind,parent_bin,region,headcount,name_kk,name_ru,name_en,it_head_name,it_head_email,it_head_phone,head_name,head_email";

fn row(bin: &str, parent: &str, name: &str) -> String {
    format!("{bin},departmental_body,{parent},republican,40,{name} (kk),{name},,Айжан Ахметова,it@{bin}.example,+7 701 000 00 00,Болат Серіков,head@{bin}.example")
}

#[tokio::test]
async fn a_file_imports_with_parents_after_their_children() {
    let app = spawn_app().await;
    let (root, child, grandchild) = (new_bin(), new_bin(), new_bin());
    let csv = format!(
        "{HEADER}\n{}\n{}\n{}\n",
        row(&grandchild, &child, "Отдел"),
        row(&child, &root, "Комитет"),
        row(&root, "", "Министерство"),
    );
    let response = app.import_csv(&csv, false).await;
    assert_eq!(response.status(), 200);
    let report: Value = response.json().await.unwrap();
    assert_eq!(
        report,
        json!({"dry_run": false, "rows": 3, "created": 3, "updated": 0, "unchanged": 0})
    );
    let subtree = app
        .get_json(&format!("/api/v1/organizations/{root}/subtree"))
        .await;
    assert_eq!(subtree["total"], 2);
    let leaf = app
        .get_json(&format!("/api/v1/organizations/{grandchild}"))
        .await;
    assert_eq!(leaf["depth"], 2);
    assert_eq!(leaf["head"]["email"], format!("head@{grandchild}.example"));
}

#[tokio::test]
async fn new_rows_below_a_registry_parent_are_placed_and_audited() {
    let app = spawn_app().await;
    let ministry = app.create_org(org_body(&new_bin(), "Министерство")).await;
    let ministry_bin = ministry["bin"].as_str().unwrap();
    let (committee, department) = (new_bin(), new_bin());
    // Every row is new; the department comes before its committee, whose parent is
    // only in the registry.
    let csv = format!(
        "{HEADER}\n{}\n{}\n",
        row(&department, &committee, "Департамент"),
        row(&committee, ministry_bin, "Комитет"),
    );
    let response = app.import_csv(&csv, false).await;
    assert_eq!(response.status(), 200);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["created"], 2, "{report}");

    let committee_row = app
        .get_json(&format!("/api/v1/organizations/{committee}"))
        .await;
    let department_row = app
        .get_json(&format!("/api/v1/organizations/{department}"))
        .await;
    assert_eq!(committee_row["parent_id"], ministry["id"]);
    assert_eq!(department_row["parent_id"], committee_row["id"]);
    assert_eq!(department_row["depth"], 2);
    let subtree = app
        .get_json(&format!("/api/v1/organizations/{ministry_bin}/subtree"))
        .await;
    assert_eq!(subtree["total"], 2, "{subtree}");

    // One create entry per organization, with the values it was created with.
    for created in [&committee_row, &department_row] {
        let trail = app
            .get_json(&format!(
                "/api/v1/audit?action=organization.create&object_id={}",
                created["id"].as_str().unwrap()
            ))
            .await;
        assert_eq!(trail["total"], 1, "{trail}");
        let after = &trail["items"][0]["after"];
        assert_eq!(after["bin"], created["bin"]);
        assert_eq!(after["parent_id"], created["parent_id"]);
        assert_eq!(after["name_ru"], created["name_ru"]);
    }
    assert_eq!(report_data_out_of_step(&app).await, Vec::<String>::new());
}

#[tokio::test]
async fn one_bad_row_rejects_the_whole_file_and_every_bad_row_is_listed() {
    let app = spawn_app().await;
    let existing = app.create_org(org_body(&new_bin(), "Существующая")).await;
    let before = app.snapshot().await;
    let good = new_bin();
    let dup = new_bin();
    let bad_fields_row = format!("{},ministry,,KZ-99,-5,,Имя,,,nope,,,", new_bin());
    let csv = format!(
        "{HEADER}\n{}\n{}\n{}\n{}\n{}\n{}\n",
        row(&good, "", "Хорошая"),                   // line 2
        row(&bad_checksum_bin(), "", "Плохой БИН"),  // line 3
        row(&new_bin(), &new_bin(), "Нет родителя"), // line 4
        row(&dup, "", "Первая"),                     // line 5
        row(&dup, "", "Повтор"),                     // line 6
        bad_fields_row,                              // line 7
    );
    let response = app.import_csv(&csv, false).await;
    let body = problem(response, 422).await;
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(
        error_locations(&body),
        [
            (3, "bin".to_owned()),
            (4, "parent_bin".to_owned()),
            (6, "bin".to_owned()),
            (7, "kind".to_owned()),
            (7, "region".to_owned()),
            (7, "headcount".to_owned()),
            (7, "name_kk".to_owned()),
            (7, "it_head_email".to_owned()),
        ],
        "{body}"
    );
    assert!(errors[2]["message"].as_str().unwrap().contains("line 5"));
    assert_eq!(app.snapshot().await, before);
    assert_eq!(before.len(), 1);
    assert_eq!(before[0].bin, existing["bin"]);
}

#[tokio::test]
async fn a_first_load_with_bad_rows_lists_every_one_and_writes_nothing() {
    // An empty registry: rows are written as they pass their checks, so the good rows
    // before the first bad one are already sent when it is found.
    let app = spawn_app().await;
    let indexes = indexes_and_keys(&app).await;
    let (root, child, dup) = (new_bin(), new_bin(), new_bin());
    let mut csv = format!("{HEADER}\n");
    for i in 0..1_200 {
        csv.push_str(&row(&new_bin(), "", &format!("Хорошая {i}"))); // lines 2..=1201
        csv.push('\n');
    }
    for line in [
        row(&child, &root, "Ребёнок раньше родителя"), // 1202
        row(&bad_checksum_bin(), "", "Плохой БИН"),    // 1203
        row(&new_bin(), &new_bin(), "Нет родителя"),   // 1204
        row(&dup, "", "Первая"),                       // 1205
        row(&dup, "", "Повтор"),                       // 1206
        format!("{},ministry,,KZ-99,-5,,Имя,,,nope,,,", new_bin()), // 1207
        row(&root, "", "Родитель"),                    // 1208
    ] {
        csv.push_str(&line);
        csv.push('\n');
    }
    let body = problem(app.import_csv(&csv, false).await, 422).await;
    assert_eq!(
        error_locations(&body),
        [
            (1203, "bin".to_owned()),
            (1204, "parent_bin".to_owned()),
            (1206, "bin".to_owned()),
            (1207, "kind".to_owned()),
            (1207, "region".to_owned()),
            (1207, "headcount".to_owned()),
            (1207, "name_kk".to_owned()),
            (1207, "it_head_email".to_owned()),
        ],
        "{body}"
    );
    assert!(app.snapshot().await.is_empty());
    assert_eq!(indexes_and_keys(&app).await, indexes);

    // The same file without its bad rows loads whole, the child below its parent.
    let good: String = csv
        .lines()
        .enumerate()
        .filter(|(i, _)| !(1202..=1206).contains(i))
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    let response = app.import_csv(&good, false).await;
    assert_eq!(response.status(), 200);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["created"], 1_202, "{report}");
    let parent = app.get_json(&format!("/api/v1/organizations/{root}")).await;
    let placed = app
        .get_json(&format!("/api/v1/organizations/{child}"))
        .await;
    assert_eq!(placed["parent_id"], parent["id"]);
    assert_eq!(placed["depth"], 1);
    let subtree = app
        .get_json(&format!("/api/v1/organizations/{root}/subtree"))
        .await;
    assert_eq!(subtree["total"], 1, "{subtree}");
    assert_eq!(indexes_and_keys(&app).await, indexes);
    assert_eq!(report_data_out_of_step(&app).await, Vec::<String>::new());
}

#[tokio::test]
async fn a_cycle_in_the_file_is_refused() {
    let app = spawn_app().await;
    let (a, b, c) = (new_bin(), new_bin(), new_bin());
    let csv = format!(
        "{HEADER}\n{}\n{}\n{}\n",
        row(&a, &c, "А"),
        row(&b, &a, "Б"),
        row(&c, &b, "В"),
    );
    let body = problem(app.import_csv(&csv, false).await, 422).await;
    let lines: Vec<u64> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [2, 3, 4]);
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("cycle"));
    assert!(app.snapshot().await.is_empty());
}

#[tokio::test]
async fn a_cycle_through_the_registry_is_refused() {
    let app = spawn_app().await;
    let root = app.create_org(org_body(&new_bin(), "Корень")).await;
    let child = app.create_child(&root, "Ребёнок").await;
    let before = app.snapshot().await;
    // The file moves the root under its own child, which is not in the file.
    let csv = format!(
        "bin,parent_bin\n{},{}\n",
        root["bin"].as_str().unwrap(),
        child["bin"].as_str().unwrap()
    );
    let body = problem(app.import_csv(&csv, false).await, 422).await;
    assert_eq!(body["errors"][0]["column"], "parent_bin");
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn an_excel_file_with_bom_semicolons_crlf_and_quotes_imports() {
    let app = spawn_app().await;
    let (parent, child) = (new_bin(), new_bin());
    let csv = format!(
        "\u{feff}name_ru;bin;kind;region;name_kk;parent_bin;headcount\r\n\
         \"Министерство «Цифра»; главное\";{parent};central_state_body;republican;\"Цифрлық \"\"даму\"\" министрлігі\";;1 200\r\n\
         Комитет;{child};departmental_body;republican;Комитет;{parent};55\r\n"
    );
    let response = app.import_csv(&csv, false).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let ministry = app
        .get_json(&format!("/api/v1/organizations/{parent}"))
        .await;
    assert_eq!(ministry["name_ru"], "Министерство «Цифра»; главное");
    assert_eq!(ministry["name_kk"], "Цифрлық \"даму\" министрлігі");
    assert_eq!(ministry["headcount"], 1200);
    let committee = app
        .get_json(&format!("/api/v1/organizations/{child}"))
        .await;
    assert_eq!(committee["parent_id"], ministry["id"]);
}

#[tokio::test]
async fn dry_run_counts_changes_and_writes_nothing() {
    let app = spawn_app().await;
    let existing = app.create_org(org_body(&new_bin(), "Было")).await;
    let same = app.create_org(org_body(&new_bin(), "Не меняется")).await;
    let before = app.snapshot().await;
    let csv = format!(
        "bin,name_ru\n{},Стало\n{},Не меняется\n{},Новая\n",
        existing["bin"].as_str().unwrap(),
        same["bin"].as_str().unwrap(),
        new_bin(),
    );
    // The new row lacks required columns: a dry run reports that like a real run.
    let body = problem(app.import_csv(&csv, true).await, 422).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("no kind column"),
        "{body}"
    );

    let csv = format!(
        "bin,name_ru\n{},Стало\n{},Не меняется\n",
        existing["bin"].as_str().unwrap(),
        same["bin"].as_str().unwrap(),
    );
    let report: Value = app.import_csv(&csv, true).await.json().await.unwrap();
    assert_eq!(
        report,
        json!({"dry_run": true, "rows": 2, "created": 0, "updated": 1, "unchanged": 1})
    );
    assert_eq!(app.snapshot().await, before);

    let report: Value = app.import_csv(&csv, false).await.json().await.unwrap();
    assert_eq!(report["updated"], 1);
    let after = app
        .get_json(&format!(
            "/api/v1/organizations/{}",
            existing["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(after["name_ru"], "Стало");
    // Columns left out keep their values.
    assert_eq!(after["headcount"], existing["headcount"]);
    assert_eq!(after["version"], 2);
}

#[tokio::test]
async fn export_then_import_changes_nothing_in_csv_and_json() {
    let app = spawn_app().await;
    let root = app
        .create_org(org_body(&new_bin(), "=Формула в имени"))
        .await;
    let child = app.create_child(&root, "+Ещё одна").await;
    app.create_child(&child, "@Третья, с запятой; и точкой с запятой")
        .await;
    let mut plain = org_body(&new_bin(), "Без контактов");
    plain["it_head"] = json!(null);
    plain["head"] = json!(null);
    app.create_org(plain).await;
    let before = app.snapshot().await;

    let csv = app.get("/api/v1/organizations/export").await;
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let bytes = csv.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "BOM");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.starts_with(&HEADER.replace(',', ";")), "{text}");
    assert!(text.contains("\r\n"));
    assert!(
        text.contains(";'=Формула в имени;") || text.contains("'=Формула"),
        "formula neutralized: {text}"
    );
    assert!(text.contains("'+7 701 234 56 78"), "{text}");

    let report: Value = app.import_csv(&text, false).await.json().await.unwrap();
    assert_eq!(
        report,
        json!({"dry_run": false, "rows": 4, "created": 0, "updated": 0, "unchanged": 4})
    );
    let report: Value = app
        .post_raw("/api/v1/organizations/import", "text/csv", bytes.to_vec())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["unchanged"], 4, "{report}");

    let json_export = app
        .get("/api/v1/organizations/export?format=json")
        .await
        .bytes()
        .await
        .unwrap();
    let items: Vec<Value> = serde_json::from_slice(&json_export).unwrap();
    assert_eq!(items.len(), 4);
    let report: Value = app
        .post_raw(
            "/api/v1/organizations/import",
            "application/json",
            json_export.to_vec(),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["unchanged"], 4, "{report}");
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn exported_file_loads_into_an_empty_registry_identically() {
    let source = spawn_app().await;
    let root = source
        .create_org(org_body(&new_bin(), "Министерство"))
        .await;
    let child = source.create_child(&root, "Комитет").await;
    source.create_child(&child, "Департамент").await;
    let csv = source
        .get("/api/v1/organizations/export")
        .await
        .bytes()
        .await
        .unwrap();

    let target = spawn_app().await;
    let report: Value = target
        .post_raw("/api/v1/organizations/import", "text/csv", csv.to_vec())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["created"], 3);
    let again = target
        .get("/api/v1/organizations/export")
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(csv, again);
}

#[tokio::test]
async fn import_moves_an_existing_subtree() {
    let app = spawn_app().await;
    let a = app.create_org(org_body(&new_bin(), "А")).await;
    let b = app.create_org(org_body(&new_bin(), "Б")).await;
    let child = app.create_child(&a, "Ребёнок").await;
    let grandchild = app.create_child(&child, "Внук").await;
    let csv = format!(
        "bin,parent_bin\n{},{}\n",
        child["bin"].as_str().unwrap(),
        b["bin"].as_str().unwrap()
    );
    let report: Value = app.import_csv(&csv, false).await.json().await.unwrap();
    assert_eq!(report["updated"], 1);
    let under_b = app
        .get_json(&format!(
            "/api/v1/organizations/{}/subtree",
            b["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(under_b["total"], 2);
    let moved = app
        .get_json(&format!(
            "/api/v1/organizations/{}",
            grandchild["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(moved["depth"], 2);
    assert_eq!(
        app.get_json(&format!(
            "/api/v1/organizations/{}/subtree",
            a["id"].as_str().unwrap()
        ))
        .await["total"],
        0
    );
}

#[tokio::test]
async fn import_header_problems_are_reported_on_line_one() {
    let app = spawn_app().await;
    let body = problem(
        app.import_csv("bin,colour\n940140000385,red\n", false)
            .await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["line"], 1);
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("unknown column 'colour'"));
    let body = problem(
        app.post_raw("/api/v1/organizations/import", "application/pdf", "x")
            .await,
        415,
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("text/csv"));
}

/// The indexes and foreign keys of the tables a large first import fills, table by
/// table: indexes in the order they were created (SQLite's planner settles ties by that
/// order), then foreign keys.
pub(crate) async fn indexes_and_keys(app: &TestApp) -> Vec<String> {
    app.with_conn(|conn| {
        #[derive(diesel::QueryableByName)]
        struct Name {
            #[diesel(sql_type = diesel::sql_types::Text)]
            name: String,
        }
        let query = match conn {
            DbConnection::Sqlite(_) => {
                "SELECT name FROM (\
                   SELECT tbl_name AS t, rowid AS n, name FROM sqlite_master \
                   WHERE type = 'index' \
                   UNION ALL \
                   SELECT m.name, 1000000 + f.id, \
                          'fk ' || f.\"from\" || ' -> ' || f.\"table\" || '.' || f.\"to\" \
                   FROM sqlite_master m, pragma_foreign_key_list(m.name) f \
                   WHERE m.type = 'table') \
                 WHERE t IN ('organizations', 'statuses', 'audit_log') ORDER BY t, n"
            }
            DbConnection::Pg(_) => {
                "SELECT name FROM (\
                   SELECT t.relname AS t, 0 AS k, i.oid AS n, i.relname::text AS name \
                   FROM pg_index x \
                   JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid \
                   WHERE t.relnamespace = current_schema()::regnamespace \
                   UNION ALL \
                   SELECT t.relname, 1, c.oid, 'fk ' || pg_get_constraintdef(c.oid) \
                   FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid \
                   WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace\
                 ) AS objects \
                 WHERE t IN ('organizations', 'statuses', 'audit_log') ORDER BY t, k, n"
            }
        };
        diesel::RunQueryDsl::load::<Name>(diesel::sql_query(query), conn)
            .expect("reading the catalog")
            .into_iter()
            .map(|n| n.name)
            .collect()
    })
    .await
}

/// Whether the database refuses a status row for an organization that does not exist.
async fn refuses_a_dangling_status(app: &TestApp) -> bool {
    app.with_conn(|conn| {
        diesel::RunQueryDsl::execute(
            diesel::sql_query(
                "INSERT INTO statuses (rollout_slug, organization_id, status, accounts_active, \
                 deadline, version, updated_at, org_kind, org_region, org_headcount, \
                 org_archived, org_path) VALUES ('aitu', 'no-such-organization', \
                 'not_started', 0, '2025-09-15', 1, '2025-09-01 00:00:00', \
                 'departmental_body', 'astana', 0, FALSE, '/x/')",
            ),
            conn,
        )
        .is_err()
    })
    .await
}

/// Another connection reads `rollouts` (and on PostgreSQL holds a key-share lock on
/// its row, as a status write does) until told to finish.
fn hold_rollouts(app: &TestApp) -> (std::sync::mpsc::Sender<()>, tokio::task::JoinHandle<()>) {
    let (finish, finished) = std::sync::mpsc::channel::<()>();
    let (held, holding) = std::sync::mpsc::channel::<()>();
    let pool = app.pool.clone();
    let reader = tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().expect("connection");
        let lock = match &*conn {
            DbConnection::Sqlite(_) => "SELECT slug FROM rollouts",
            DbConnection::Pg(_) => "SELECT slug FROM rollouts FOR KEY SHARE",
        };
        diesel::Connection::transaction::<_, diesel::result::Error, _>(&mut *conn, |conn| {
            diesel::RunQueryDsl::execute(diesel::sql_query(lock), conn)?;
            held.send(()).expect("the test waits");
            finished.recv().ok();
            Ok(())
        })
        .expect("reading rollouts");
    });
    holding.recv().expect("the reader started");
    (finish, reader)
}

#[tokio::test]
async fn a_large_first_load_does_not_wait_for_readers_of_rollouts() {
    let app = spawn_app().await;
    let keys = indexes_and_keys(&app).await;
    let (finish, reader) = hold_rollouts(&app);
    let (csv, _) = large_file(5_000);
    let response = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        app.import_csv(&csv, false),
    )
    .await
    .expect("the import waited for the reader of rollouts");
    assert_eq!(response.status(), 200);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["created"], 5_000);
    finish.send(()).unwrap();
    reader.await.unwrap();
    // Every index and key is there, the one to rollouts included (kept, not rebuilt).
    assert_eq!(indexes_and_keys(&app).await, keys);
    assert!(refuses_a_dangling_status(&app).await);
    let statuses = app
        .get_json("/api/v1/rollouts/aitu/status?kind=departmental_body&per_page=1")
        .await;
    assert_eq!(statuses["total"], 5_000);
    assert_eq!(report_data_out_of_step(&app).await, Vec::<String>::new());
}

/// A file of `n` new organizations: one root and its children.
pub(crate) fn large_file(n: usize) -> (String, String) {
    let root = new_bin();
    let mut csv = format!(
        "{HEADER}\n{}\n",
        row(&root, "", "Министерство цифрового развития")
    );
    for i in 1..n {
        csv.push_str(&row(&new_bin(), &root, &format!("Управление № {i}")));
        csv.push('\n');
    }
    (csv, root)
}

#[tokio::test]
async fn a_large_first_load_restores_indexes_and_keys_and_a_refused_one_keeps_them() {
    let app = spawn_app().await;
    let indexes = indexes_and_keys(&app).await;
    assert!(
        indexes.iter().any(|n| n == "organizations_name_ru"),
        "{indexes:?}"
    );
    assert_eq!(
        indexes.iter().filter(|n| n.starts_with("fk ")).count(),
        3,
        "{indexes:?}"
    );

    // Refused after the rows were written (outside the importer's scope): the rollback
    // brings back the indexes set aside for the load, and nothing else changes.
    let scope_root = app.create_org(org_body(&new_bin(), "Аппарат")).await;
    let before = app.snapshot().await;
    let (_, token) = app
        .add_user("coordinator", Some(scope_root["id"].as_str().unwrap()))
        .await;
    let (csv, _) = large_file(5_000);
    let refused = app.as_token(&token).import_csv(&csv, false).await;
    problem(refused, 403).await;
    assert_eq!(app.snapshot().await, before);
    assert_eq!(indexes_and_keys(&app).await, indexes);

    // Accepted: every index is there again and answers queries.
    let (csv, root) = large_file(5_000);
    let response = app.import_csv(&csv, false).await;
    assert_eq!(response.status(), 200);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["created"], 5_000);
    assert_eq!(indexes_and_keys(&app).await, indexes);
    assert!(refuses_a_dangling_status(&app).await);
    let found = app
        .get_json("/api/v1/organizations?q=4999&kind=departmental_body")
        .await;
    assert_eq!(found["total"], 1, "{found}");
    assert_eq!(found["items"][0]["name_ru"], "Управление № 4999");
    let children = app
        .get_json(&format!("/api/v1/organizations/{root}/children?per_page=1"))
        .await;
    assert_eq!(children["total"], 4_999);
    let statuses = app
        .get_json("/api/v1/rollouts/aitu/status?kind=departmental_body&per_page=1")
        .await;
    assert_eq!(statuses["total"], 5_000);
    // The same file again (now the tables are as large as it): every row unchanged.
    let duplicate = app.import_csv(&csv, false).await;
    assert_eq!(duplicate.status(), 200);
    let again: Value = duplicate.json().await.unwrap();
    assert_eq!(again["unchanged"], 5_000);
    assert_eq!(report_data_out_of_step(&app).await, Vec::<String>::new());
}
