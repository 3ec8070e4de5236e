use serde_json::{json, Value};

use crate::helpers::*;

#[tokio::test]
async fn created_organization_reads_back_by_uuid_and_by_bin() {
    let app = spawn_app().await;
    let bin = new_bin();
    let created = app
        .create_org(org_body(&bin, "Министерство финансов"))
        .await;
    assert_eq!(created["bin"], bin);
    assert_eq!(created["version"], 1);
    assert_eq!(created["it_head"]["email"], "it@example.kz");
    assert!(created["created_at"].as_str().unwrap().ends_with('Z'));

    let by_id = app
        .get(&format!(
            "/api/v1/organizations/{}",
            created["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(by_id.headers()["etag"], "\"1\"");
    let by_id: Value = by_id.json().await.unwrap();
    let by_bin = app.get_json(&format!("/api/v1/organizations/{bin}")).await;
    assert_eq!(by_id, created);
    assert_eq!(by_bin, created);
}

#[tokio::test]
async fn location_header_names_the_new_organization() {
    let app = spawn_app().await;
    let response = app
        .post_json("/api/v1/organizations", &org_body(&new_bin(), "Агентство"))
        .await;
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/organizations/{}", body["id"].as_str().unwrap())
    );
}

#[tokio::test]
async fn partial_update_changes_only_given_fields_and_bumps_the_version() {
    let app = spawn_app().await;
    let org = app
        .create_org(org_body(&new_bin(), "Министерство юстиции"))
        .await;
    let path = format!("/api/v1/organizations/{}", org["bin"].as_str().unwrap());
    let response = app
        .patch_json(
            &path,
            &json!({"headcount": 321, "name_en": "Ministry of Justice", "it_head": {"phone": null}}),
            Some("\"1\""),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["etag"], "\"2\"");
    let updated: Value = response.json().await.unwrap();
    assert_eq!(updated["headcount"], 321);
    assert_eq!(updated["name_en"], "Ministry of Justice");
    assert_eq!(updated["it_head"]["phone"], Value::Null);
    assert_eq!(updated["it_head"]["email"], "it@example.kz");
    assert_eq!(updated["name_ru"], "Министерство юстиции");
    assert_eq!(updated["version"], 2);
}

#[tokio::test]
async fn stale_if_match_is_refused_with_412_and_changes_nothing() {
    let app = spawn_app().await;
    let org = app
        .create_org(org_body(&new_bin(), "Министерство энергетики"))
        .await;
    let path = format!("/api/v1/organizations/{}", org["id"].as_str().unwrap());
    let first = app
        .patch_json(&path, &json!({"headcount": 10}), Some("\"1\""))
        .await;
    assert_eq!(first.status(), 200);
    let before = app.snapshot().await;

    let stale = app
        .patch_json(&path, &json!({"headcount": 20}), Some("\"1\""))
        .await;
    let body = problem(stale, 412).await;
    assert!(
        body["detail"].as_str().unwrap().contains("version 2"),
        "{body}"
    );
    let stale_body_version = app
        .patch_json(&path, &json!({"headcount": 20, "version": 1}), None)
        .await;
    problem(stale_body_version, 412).await;
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn two_writers_with_the_same_version_exactly_one_wins() {
    let app = spawn_app().await;
    let org = app
        .create_org(org_body(&new_bin(), "Министерство транспорта"))
        .await;
    let path = format!("/api/v1/organizations/{}", org["id"].as_str().unwrap());
    let (one, two) = (json!({"headcount": 1}), json!({"headcount": 2}));
    let (a, b) = tokio::join!(
        app.patch_json(&path, &one, Some("\"1\"")),
        app.patch_json(&path, &two, Some("\"1\"")),
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 412]);
    assert_eq!(app.get_json(&path).await["version"], 2);
}

#[tokio::test]
async fn archived_organizations_leave_lists_and_come_back() {
    let app = spawn_app().await;
    let org = app.create_org(org_body(&new_bin(), "Комитет архива")).await;
    let id = org["id"].as_str().unwrap();
    let archived = app
        .post_json(&format!("/api/v1/organizations/{id}/archive"), &json!({}))
        .await;
    assert_eq!(archived.status(), 200);
    let archived: Value = archived.json().await.unwrap();
    assert!(archived["archived_at"].is_string());

    assert_eq!(app.get_json("/api/v1/organizations").await["total"], 0);
    assert_eq!(
        app.get_json("/api/v1/organizations?include_archived=true")
            .await["total"],
        1
    );
    // Still readable directly: archiving never deletes.
    assert_eq!(
        app.get_json(&format!("/api/v1/organizations/{id}")).await["bin"],
        org["bin"]
    );

    let restored = app
        .post_json(&format!("/api/v1/organizations/{id}/unarchive"), &json!({}))
        .await;
    assert_eq!(restored.status(), 200);
    assert_eq!(app.get_json("/api/v1/organizations").await["total"], 1);
}

#[tokio::test]
async fn an_organization_with_active_children_cannot_be_archived() {
    let app = spawn_app().await;
    let parent = app.create_org(org_body(&new_bin(), "Министерство")).await;
    app.create_child(&parent, "Комитет").await;
    let before = app.snapshot().await;
    let response = app
        .post_json(
            &format!(
                "/api/v1/organizations/{}/archive",
                parent["id"].as_str().unwrap()
            ),
            &json!({}),
        )
        .await;
    let body = problem(response, 409).await;
    assert!(
        body["detail"].as_str().unwrap().contains("active child"),
        "{body}"
    );
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn an_archived_parent_takes_no_new_children() {
    let app = spawn_app().await;
    let parent = app
        .create_org(org_body(&new_bin(), "Упразднённое министерство"))
        .await;
    app.post_json(
        &format!(
            "/api/v1/organizations/{}/archive",
            parent["id"].as_str().unwrap()
        ),
        &json!({}),
    )
    .await;
    let mut child = org_body(&new_bin(), "Комитет");
    child["parent_id"] = parent["id"].clone();
    let before = app.snapshot().await;
    let body = problem(app.post_json("/api/v1/organizations", &child).await, 422).await;
    assert_eq!(error_fields(&body), ["parent_id"]);
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn valid_bins_are_accepted_and_bad_checksums_refused() {
    let app = spawn_app().await;
    for bin in ["940140000385", "990140004654"] {
        let created = app.create_org(org_body(bin, "Организация")).await;
        assert_eq!(created["bin"], bin);
    }
    let before = app.snapshot().await;
    for bin in [
        bad_checksum_bin(),
        "940140000386".to_owned(),
        "12345".to_owned(),
        "94014000038X".to_owned(),
    ] {
        let body = problem(
            app.post_json("/api/v1/organizations", &org_body(&bin, "Ошибка"))
                .await,
            422,
        )
        .await;
        assert_eq!(error_fields(&body), ["bin"], "{bin}: {body}");
    }
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn a_duplicate_bin_is_a_conflict() {
    let app = spawn_app().await;
    let bin = new_bin();
    app.create_org(org_body(&bin, "Первая")).await;
    let before = app.snapshot().await;
    let body = problem(
        app.post_json("/api/v1/organizations", &org_body(&bin, "Вторая"))
            .await,
        409,
    )
    .await;
    assert_eq!(error_fields(&body), ["bin"]);
    // Changing another organization's BIN to a taken one is refused the same way.
    let other = app.create_org(org_body(&new_bin(), "Третья")).await;
    let before_patch = app.snapshot().await;
    let path = format!("/api/v1/organizations/{}", other["id"].as_str().unwrap());
    problem(app.patch_json(&path, &json!({"bin": bin}), None).await, 409).await;
    assert_eq!(app.snapshot().await, before_patch);
    assert_eq!(before.len() + 1, before_patch.len());
}

#[tokio::test]
async fn moving_an_organization_under_its_own_subtree_is_refused() {
    let app = spawn_app().await;
    let root = app.create_org(org_body(&new_bin(), "Корень")).await;
    let child = app.create_child(&root, "Ребёнок").await;
    let grandchild = app.create_child(&child, "Внук").await;
    let before = app.snapshot().await;
    let root_path = format!("/api/v1/organizations/{}", root["id"].as_str().unwrap());
    for target in [&grandchild, &child, &root] {
        let body = problem(
            app.patch_json(&root_path, &json!({"parent_id": target["id"]}), None)
                .await,
            422,
        )
        .await;
        assert_eq!(error_fields(&body), ["parent_id"]);
    }
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn children_and_subtree_follow_the_tree_and_its_moves() {
    let app = spawn_app().await;
    let ministry = app.create_org(org_body(&new_bin(), "Министерство")).await;
    let committee = app.create_child(&ministry, "Комитет").await;
    let department = app.create_child(&committee, "Департамент").await;
    let office = app.create_child(&department, "Управление").await;
    let other = app
        .create_org(org_body(&new_bin(), "Другое министерство"))
        .await;
    let id = |v: &Value| v["id"].as_str().unwrap().to_owned();
    let ids = |page: &Value| {
        let mut ids: Vec<String> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_str().unwrap().to_owned())
            .collect();
        ids.sort();
        ids
    };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };

    let children = app
        .get_json(&format!("/api/v1/organizations/{}/children", id(&ministry)))
        .await;
    assert_eq!(ids(&children), [id(&committee)]);
    let subtree = app
        .get_json(&format!("/api/v1/organizations/{}/subtree", id(&ministry)))
        .await;
    assert_eq!(
        ids(&subtree),
        sorted(vec![id(&committee), id(&department), id(&office)])
    );
    let by_filter = app
        .get_json(&format!(
            "/api/v1/organizations?parent={}&subtree=true",
            ministry["bin"].as_str().unwrap()
        ))
        .await;
    assert_eq!(ids(&by_filter), ids(&subtree));

    // Moving the committee moves everything below it.
    let moved = app
        .patch_json(
            &format!("/api/v1/organizations/{}", id(&committee)),
            &json!({"parent_id": other["bin"]}),
            None,
        )
        .await;
    assert_eq!(moved.status(), 200);
    let old = app
        .get_json(&format!("/api/v1/organizations/{}/subtree", id(&ministry)))
        .await;
    assert_eq!(old["total"], 0);
    let new = app
        .get_json(&format!("/api/v1/organizations/{}/subtree", id(&other)))
        .await;
    assert_eq!(
        ids(&new),
        sorted(vec![id(&committee), id(&department), id(&office)])
    );
    let office_now = app
        .get_json(&format!("/api/v1/organizations/{}", id(&office)))
        .await;
    assert_eq!(office_now["depth"], 3);

    // And back to the root.
    let rooted = app
        .patch_json(
            &format!("/api/v1/organizations/{}", id(&committee)),
            &json!({"parent_id": null}),
            None,
        )
        .await;
    let rooted: Value = rooted.json().await.unwrap();
    assert_eq!(rooted["parent_id"], Value::Null);
    assert_eq!(rooted["depth"], 0);
    let office_now = app
        .get_json(&format!("/api/v1/organizations/{}", id(&office)))
        .await;
    assert_eq!(office_now["depth"], 2);
}

#[tokio::test]
async fn search_folds_kazakh_cyrillic_and_latin_case_alike() {
    let app = spawn_app().await;
    let mut finance = org_body(&new_bin(), "Министерство финансов");
    finance["name_kk"] = json!("Қаржы министрлігі");
    finance["name_en"] = json!("Ministry of Finance");
    let finance = app.create_org(finance).await;
    let mut ecology = org_body(&new_bin(), "Министерство экологии");
    ecology["name_kk"] = json!("Экология және табиғи ресурстар министрлігі");
    app.create_org(ecology).await;
    let mut joint = org_body(&new_bin(), "Объединённый центр");
    joint["name_kk"] = json!("Біріккен орталық");
    let joint = app.create_org(joint).await;

    let search = |q: &str| {
        let q = q.to_owned();
        let app = &app;
        async move {
            let page: Value = app
                .client
                .get(app.url("/api/v1/organizations"))
                .bearer_auth(app.token.as_deref().unwrap())
                .query(&[("q", q.as_str())])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["bin"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    let finance_bin = finance["bin"].as_str().unwrap().to_owned();
    for q in [
        "ҚАРЖЫ",
        "қаржы",
        "Қаржы МИНИСТРЛІГІ",
        "ФИНАНСОВ",
        "финансов",
        "FINANCE",
        "finance",
    ] {
        assert_eq!(search(q).await, std::slice::from_ref(&finance_bin), "q={q}");
    }
    // Kazakh-only letters in upper and lower case.
    assert_eq!(search("БІРІККЕН").await, [joint["bin"].as_str().unwrap()]);
    assert_eq!(search("біріккен").await, [joint["bin"].as_str().unwrap()]);
    // ё and е match each other.
    assert_eq!(
        search("объединенный").await,
        [joint["bin"].as_str().unwrap()]
    );
    // A BIN prefix.
    assert!(search(&finance_bin[..8]).await.contains(&finance_bin));
    // LIKE wildcards are literal.
    assert!(search("%").await.is_empty());
    assert!(search("_").await.is_empty());
    assert_eq!(search("министерство").await.len(), 2);
}

/// `GET /api/v1/organizations?q=…` (plus `extra` parameters).
async fn search(app: &TestApp, q: &str, extra: &[(&str, &str)]) -> reqwest::Response {
    let mut query = vec![("q", q)];
    query.extend_from_slice(extra);
    app.client
        .get(app.url("/api/v1/organizations"))
        .bearer_auth(app.token.as_deref().unwrap())
        .query(&query)
        .send()
        .await
        .unwrap()
}

/// Bins and total of a search that must succeed.
async fn search_page(app: &TestApp, q: &str, extra: &[(&str, &str)]) -> (Vec<String>, i64) {
    let response = search(app, q, extra).await;
    assert_eq!(response.status(), 200, "q={q:?}");
    let page: Value = response.json().await.unwrap();
    let bins = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["bin"].as_str().unwrap().to_owned())
        .collect();
    (bins, page["total"].as_i64().unwrap())
}

#[tokio::test]
async fn search_pages_add_up_to_the_matches_in_every_order() {
    let app = spawn_app().await;
    let mut expected = Vec::new();
    for (i, headcount) in [30, 10, 50, 20, 70, 40, 60].into_iter().enumerate() {
        let mut body = org_body(&new_bin(), &format!("Отдел связи № {}", 7 - i));
        body["headcount"] = json!(headcount);
        let org = app.create_org(body).await;
        expected.push((
            org["name_ru"].as_str().unwrap().to_owned(),
            headcount,
            org["bin"].as_str().unwrap().to_owned(),
        ));
    }
    app.create_org(org_body(&new_bin(), "Отдел образования"))
        .await;
    for (sort, key) in [("name_ru", 0), ("-headcount", 1), ("bin", 2)] {
        let mut order = expected.clone();
        match key {
            0 => order.sort_by(|a, b| a.0.cmp(&b.0)),
            1 => order.sort_by_key(|o| std::cmp::Reverse(o.1)),
            _ => order.sort_by(|a, b| a.2.cmp(&b.2)),
        }
        let order: Vec<String> = order.into_iter().map(|(_, _, bin)| bin).collect();
        let mut seen = Vec::new();
        for page in ["1", "2", "3"] {
            let (bins, total) = search_page(
                &app,
                "СВЯЗИ",
                &[("sort", sort), ("per_page", "3"), ("page", page)],
            )
            .await;
            assert_eq!(total, 7, "sort={sort} page={page}");
            seen.extend(bins);
        }
        assert_eq!(seen, order, "sort={sort}");
        let past_the_end = search_page(
            &app,
            "связи",
            &[("sort", sort), ("per_page", "3"), ("page", "4")],
        )
        .await;
        assert_eq!(past_the_end, (Vec::new(), 7), "sort={sort}");
    }
}

#[tokio::test]
async fn search_follows_edits_archiving_and_imports() {
    let app = spawn_app().await;
    let mut body = org_body(&new_bin(), "ТОО «Ақтөбе жолдары»");
    body["name_kk"] = json!("«Ақтөбе жолдары» ЖШС");
    let org = app.create_org(body).await;
    let bin = org["bin"].as_str().unwrap().to_owned();
    let id = org["id"].as_str().unwrap().to_owned();
    let other = app
        .create_org(org_body(&new_bin(), "Министерство юстиции"))
        .await;
    let other_bin = other["bin"].as_str().unwrap().to_owned();

    assert_eq!(
        search_page(&app, "ЖОЛДАР", &[]).await,
        (vec![bin.clone()], 1)
    );
    // Short terms (below the index's three letters) search too.
    assert_eq!(search_page(&app, "ақ", &[]).await, (vec![bin.clone()], 1));
    // A term may span words, but not run from one name into the next.
    assert_eq!(search_page(&app, "жшс тоо", &[]).await.1, 0);
    assert_eq!(
        search_page(&app, "ақтөбе жол", &[]).await,
        (vec![bin.clone()], 1)
    );

    // A renamed organization is found by its new name only.
    let path = format!("/api/v1/organizations/{id}");
    let renamed = app
        .patch_json(
            &path,
            &json!({"name_ru": "ТОО «Ырыс»", "name_kk": "«Ырыс» ЖШС"}),
            Some("\"1\""),
        )
        .await;
    assert_eq!(renamed.status(), 200);
    assert_eq!(search_page(&app, "жолдары", &[]).await, (vec![], 0));
    assert_eq!(search_page(&app, "ырыс", &[]).await, (vec![bin.clone()], 1));

    // Archived: gone from the default search, found with include_archived.
    let archived = app.post_json(&format!("{path}/archive"), &json!({})).await;
    assert_eq!(archived.status(), 200);
    assert_eq!(search_page(&app, "ырыс", &[]).await, (vec![], 0));
    let with_archived = [("include_archived", "true")];
    assert_eq!(
        search_page(&app, "ырыс", &with_archived).await,
        (vec![bin.clone()], 1)
    );
    assert_eq!(
        search_page(&app, "министерство", &with_archived).await,
        (vec![other_bin.clone()], 1)
    );
    let restored = app
        .post_json(&format!("{path}/unarchive"), &json!({}))
        .await;
    assert_eq!(restored.status(), 200);
    assert_eq!(search_page(&app, "ырыс", &[]).await, (vec![bin.clone()], 1));

    // Rows written by an import are searchable at once.
    let imported = new_bin();
    let csv = format!(
        "bin,kind,region,headcount,name_kk,name_ru\n\
         {imported},quasi_public_organization,KZ-75,10,«Сарыарқа» АҚ,АО «Сарыарқа»\n"
    );
    assert_eq!(app.import_csv(&csv, false).await.status(), 200);
    assert_eq!(
        search_page(&app, "САРЫАРҚА", &[]).await,
        (vec![imported.clone()], 1)
    );
    // Filters combine with the search.
    let kind = [("kind", "quasi_public_organization")];
    assert_eq!(search_page(&app, "арқа", &kind).await, (vec![imported], 1));
    assert_eq!(search_page(&app, "ырыс", &kind).await, (vec![], 0));
}

/// The BINs a list answers for `q`, its total checked against them.
async fn bins_for(app: &TestApp, path: &str, q: &str) -> Vec<String> {
    let response = app
        .client
        .get(app.url(path))
        .bearer_auth(app.token.as_deref().unwrap())
        .query(&[("q", q), ("per_page", "100")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{path} q={q:?}");
    let page: Value = response.json().await.unwrap();
    let mut bins: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["bin"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(page["total"], bins.len(), "{path} q={q:?}");
    bins.sort();
    bins
}

#[tokio::test]
async fn search_finds_exactly_the_names_containing_the_term() {
    let app = spawn_app().await;
    // (name_kk, name_ru, name_en): words that share beginnings, ends and middles.
    let names = [
        (
            "Қаржы министрлігі",
            "Министерство финансов",
            Some("Ministry of Finance"),
        ),
        (
            "Қаржылық мониторинг агенттігі",
            "Агентство по финансовому мониторингу",
            None,
        ),
        (
            "Қарағанды облысы әкімдігі",
            "Акимат Карагандинской области",
            Some("Karaganda"),
        ),
        ("Бұқар жырау ауданы", "Район Бухар-Жырау", None),
        (
            "Су ресурстары және ирригация министрлігі",
            "Министерство водных ресурсов и ирригации",
            None,
        ),
        (
            "Экология және табиғи ресурстар министрлігі",
            "Министерство экологии и природных ресурсов",
            None,
        ),
        (
            "«Самұрық-Қазына» ҰӘҚ",
            "АО «ФНБ «Самрук-Казына»",
            Some("Samruk-Kazyna JSC"),
        ),
        ("№ 114 мектеп", "Школа №114 100%", None),
    ];
    let mut texts = Vec::new();
    for (kk, ru, en) in names {
        let mut body = org_body(&new_bin(), ru);
        body["name_kk"] = json!(kk);
        if let Some(en) = en {
            body["name_en"] = json!(en);
        }
        let org = app.create_org(body).await;
        let text = [Some(kk), Some(ru), en]
            .into_iter()
            .flatten()
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
            .join("\n");
        texts.push((org["bin"].as_str().unwrap().to_owned(), text));
    }
    let terms = [
        // Inside one word, a word's start, its end, a whole word.
        "қар",
        "қаржы",
        "аржы",
        "ірлігі",
        "министр",
        "ресурс",
        "сурсов",
        "и",
        // Across words: the end of one, whole ones between, the start of the last.
        "ы министрлігі",
        "ство фин",
        "ресурсов и ирр",
        "и природных ре",
        "рство водных",
        "жырау ауд",
        "ы әкімдігі",
        "«самұрық-қазына» ұ",
        "№ 114",
        "№114 100%",
        "114 мектеп",
        // Upper case, and terms no name contains.
        "МИНИСТЕРСТВО ЭКОЛОГИИ",
        "Of Finance",
        "финансов и",
        "облысы  әкімдігі",
        "зқх",
        // One or two letters, and LIKE's own characters.
        "ы",
        "ст",
        "%",
        "_",
        "0%",
    ];
    for q in terms {
        let folded = q.to_lowercase();
        let mut expected: Vec<String> = texts
            .iter()
            .filter(|(_, text)| text.contains(&folded))
            .map(|(bin, _)| bin.clone())
            .collect();
        expected.sort();
        for path in ["/api/v1/organizations", "/api/v1/rollouts/aitu/status"] {
            assert_eq!(bins_for(&app, path, q).await, expected, "{path} q={q:?}");
        }
    }
    // A name renamed to words no other name has is found by them at once.
    let (bin, _) = &texts[0];
    let renamed = app
        .patch_json(
            &format!("/api/v1/organizations/{bin}"),
            &json!({"name_en": "Treasury Quorum"}),
            Some("\"1\""),
        )
        .await;
    assert_eq!(renamed.status(), 200);
    assert_eq!(
        bins_for(&app, "/api/v1/organizations", "ry quor").await,
        std::slice::from_ref(bin)
    );
    assert!(bins_for(&app, "/api/v1/organizations", "of finance")
        .await
        .is_empty());
}

#[tokio::test]
async fn search_terms_are_text_never_query_syntax() {
    let app = spawn_app().await;
    let mut body = org_body(&new_bin(), "Школа № 114 \"Болашақ\" OR NEAR");
    body["name_kk"] = json!("№ 114 мектеп");
    let school = app.create_org(body).await;
    let bin = school["bin"].as_str().unwrap().to_owned();
    app.create_org(org_body(&new_bin(), "Министерство обороны"))
        .await;

    for q in ["\"болашақ\"", "114 \"бол", "or near", "№ 114"] {
        assert_eq!(
            search_page(&app, q, &[]).await,
            (vec![bin.clone()], 1),
            "q={q}"
        );
    }
    for q in [
        "\"",
        "\"\"\"",
        "школа*",
        "школа OR министерство",
        "NEAR(школа министерство)",
        "-школа",
        "^школа",
        "школа AND",
        "(школа",
        "{name_ru}: школа",
    ] {
        let (bins, total) = search_page(&app, q, &[]).await;
        assert_eq!(total, bins.len() as i64, "q={q}");
        assert!(total <= 1, "q={q}: {bins:?}");
    }
    // A page past the end still tells how many there are.
    assert_eq!(
        search_page(&app, "школа", &[("page", "3"), ("per_page", "1")]).await,
        (vec![], 1)
    );
    // Control characters are refused, naming the parameter.
    for q in ["школа\u{0}", "школа\tоо", "\u{7}"] {
        let response = search(&app, q, &[]).await;
        assert_eq!(
            error_fields(&problem(response, 422).await),
            ["q"],
            "q={q:?}"
        );
    }
    // Digits search the names and the BIN prefixes at once.
    let (bins, total) = search_page(&app, "114", &[]).await;
    assert!(bins.contains(&bin), "{bins:?}");
    assert_eq!(total, bins.len() as i64);
}

#[tokio::test]
async fn pages_cover_every_row_once_in_a_stable_order() {
    let app = spawn_app().await;
    let mut bins = Vec::new();
    for i in 0..23 {
        // Many equal names: the order must still be total.
        let name = if i % 2 == 0 {
            "Одинаковое имя"
        } else {
            "Другое имя"
        };
        bins.push(
            app.create_org(org_body(&new_bin(), name)).await["bin"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let mut seen = Vec::new();
    for page in 1..=4 {
        let body = app
            .get_json(&format!(
                "/api/v1/organizations?per_page=7&page={page}&sort=name_ru"
            ))
            .await;
        assert_eq!(body["total"], 23);
        assert_eq!(body["page"], page);
        assert_eq!(body["per_page"], 7);
        let again = app
            .get_json(&format!(
                "/api/v1/organizations?per_page=7&page={page}&sort=name_ru"
            ))
            .await;
        assert_eq!(body["items"], again["items"], "the same page twice differs");
        seen.extend(
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["bin"].as_str().unwrap().to_owned()),
        );
    }
    assert_eq!(seen.len(), 23);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    bins.sort();
    assert_eq!(unique, bins);
    // Descending by headcount with ties: still complete.
    let all = app
        .get_json("/api/v1/organizations?per_page=500&sort=-headcount")
        .await;
    assert_eq!(all["items"].as_array().unwrap().len(), 23);
}

#[tokio::test]
async fn list_filters_combine_and_bad_values_are_named() {
    let app = spawn_app().await;
    let mut akimat = org_body(&new_bin(), "Акимат Карагандинской области");
    akimat["kind"] = json!("local_executive_body");
    akimat["region"] = json!("KZ-35");
    app.create_org(akimat).await;
    app.create_org(org_body(&new_bin(), "Министерство")).await;
    let page = app
        .get_json("/api/v1/organizations?kind=local_executive_body&region=kz-35")
        .await;
    assert_eq!(page["total"], 1);
    let page = app
        .get_json("/api/v1/organizations?kind=central_state_body&region=KZ-35")
        .await;
    assert_eq!(page["total"], 0);

    let body = problem(
        app.get("/api/v1/organizations?kind=ministry&region=KZ-00&per_page=100000")
            .await,
        422,
    )
    .await;
    assert_eq!(error_fields(&body), ["kind", "region", "per_page"]);
    let body = problem(app.get("/api/v1/organizations?sort=password").await, 422).await;
    assert_eq!(error_fields(&body), ["sort"]);
    problem(app.get("/api/v1/organizations?page=abc").await, 400).await;
}
