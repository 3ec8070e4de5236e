//! The reminder engine against a real SMTP server (mailin-embedded, in this process),
//! with the pass driven by the test at chosen moments: nothing sleeps.

use std::collections::HashMap;
use std::net::SocketAddr;

use aitu_tracker::reminders::outbox::{self, Enqueued};
use aitu_tracker::reminders::settings::{MailSettings, TransportKind};
use aitu_tracker::reminders::transport::Mailer;
use aitu_tracker::reminders::worker::{Delivery, Engine, PassOptions, PassReport};
use chrono::{DateTime, Duration, Utc};
use mail_parser::{MessageParser, MimeHeaders};
use serde_json::{json, Value};

use crate::helpers::*;
use crate::smtp::{start_smtp_server, Received, Refusals};

/// Monday 7 December 2026, 10:00 in Almaty: inside the sending window.
fn monday_morning() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-07T05:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn smtp_mailer(addr: SocketAddr) -> Mailer {
    Mailer::from_settings(&MailSettings {
        transport: TransportKind::Smtp,
        smtp_url: format!("smtp://{addr}?tls=none"),
        from: "aitu-tracker <noreply@aitu.test>".to_owned(),
        timeout_seconds: 5,
        pool_size: 2,
        ..MailSettings::default()
    })
    .unwrap()
}

/// An address nothing listens on: the SMTP server is "down".
fn dead_port() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

fn engine(app: &TestApp, mailer: Mailer, instance: &str) -> Engine {
    let mut settings = test_settings("sqlite://unused");
    settings.public_url = "https://aitu-tracker.example".into();
    settings.reminders.coordinator_contact = "МАИЦР / МИИЦР, aitu@mdai.example".into();
    let mut engine = Engine::new(app.pool.clone(), &settings, instance.into()).unwrap();
    engine.mailer = mailer;
    engine
}

async fn pass(engine: &Engine, now: DateTime<Utc>, options: PassOptions) -> PassReport {
    let engine = engine.clone();
    tokio::task::spawn_blocking(move || engine.run_pass(now, options))
        .await
        .unwrap()
        .unwrap()
}

/// Plans what is due at `now` and enqueues it, `recipients` to a transaction, without
/// delivering: the first half of a pass.
async fn plan_and_enqueue(engine: &Engine, now: DateTime<Utc>, recipients: usize) -> Enqueued {
    let engine = engine.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = engine.pool.get().unwrap();
        let planned = engine.plan(&mut conn, now).unwrap();
        let today = aitu_tracker::domain::deadline::almaty_date(now);
        outbox::enqueue_in_batches(&mut conn, &planned, today, now.naive_utc(), recipients).unwrap()
    })
    .await
    .unwrap()
}

/// A unit with its own IT head and head addresses.
fn unit(name: &str, it_email: &str, head_email: &str) -> Value {
    let mut body = org_body(&new_bin(), name);
    body["name_kk"] = json!(format!("{name} (қаз)"));
    body["it_head"] = json!({"name": "Айгүл Сейтқали", "email": it_email});
    body["head"] = json!({"name": "Бауыржан Омаров", "email": head_email});
    body
}

/// A rollout "drill" due Monday 14 December 2026; the built-in rollout is narrowed to
/// military units so it stays out of the way.
async fn drill(app: &TestApp) {
    let narrowed = app
        .patch_json(
            "/api/v1/rollouts/aitu",
            &json!({"kinds": ["military_unit"]}),
            None,
        )
        .await;
    assert_eq!(narrowed.status(), 200);
    let created = app
        .post_json(
            "/api/v1/rollouts",
            &json!({"slug": "drill", "title_kk": "Aitu-ға көшу", "title_ru": "Переход на Aitu",
                    "kinds": ["central_state_body", "departmental_body"],
                    "starts_on": "2026-11-01", "default_deadline": "2026-12-14"}),
        )
        .await;
    assert_eq!(created.status(), 201);
}

async fn set_status(app: &TestApp, org: &Value, body: Value) {
    let path = format!(
        "/api/v1/rollouts/drill/status/{}",
        org["bin"].as_str().unwrap()
    );
    let response = app.put_json(&path, &body, None).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
}

fn recipients(mails: &[Received]) -> Vec<String> {
    let mut all: Vec<String> = mails.iter().flat_map(|m| m.rcpt_to.clone()).collect();
    all.sort();
    all
}

/// `count` units "Ведомство i" with IT heads `it<i>@x.example` and one head of
/// organization for all; returns the IT heads' addresses.
async fn add_units(app: &TestApp, count: usize) -> Vec<String> {
    let mut it_heads = Vec::new();
    for i in 0..count {
        let it = format!("it{i}@x.example");
        app.create_org(unit(&format!("Ведомство {i}"), &it, "h@x.example"))
            .await;
        it_heads.push(it);
    }
    it_heads
}

async fn log(app: &TestApp) -> Vec<Value> {
    app.get_json("/api/v1/reminders?per_page=500").await["items"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pass_sends_the_expected_recipients_and_stages_once() {
    let app = spawn_app().await;
    drill(&app).await;
    app.create_org(unit(
        "Первое ведомство",
        "a.it@a.example",
        "a.head@a.example",
    ))
    .await;
    let _b = app
        .create_org(unit(
            "Второе ведомство",
            "b.it@b.example",
            "b.head@b.example",
        ))
        .await;
    // The same IT head answers for a third unit: one digest for both.
    let _c = app
        .create_org(unit(
            "Третье ведомство",
            "a.it@a.example",
            "c.head@c.example",
        ))
        .await;
    let done = app
        .create_org(unit(
            "Готовое ведомство",
            "d.it@d.example",
            "d.head@d.example",
        ))
        .await;
    set_status(&app, &done, json!({"status": "migrated"})).await;
    let mut no_address = unit("Без адреса", "", "e.head@e.example");
    no_address["it_head"] = json!({"name": "Нет почты"});
    app.create_org(no_address).await;

    let server = start_smtp_server(Refusals::default());
    let engine = engine(&app, smtp_mailer(server.addr), "one");
    let report = pass(&engine, monday_morning(), PassOptions::default()).await;
    assert_eq!(
        (report.queued, report.skipped, report.sent, report.failed),
        (3, 1, 2, 0),
        "{report:?}"
    );
    let mails = server.inbox.wait_for(2);
    assert_eq!(recipients(&mails), ["a.it@a.example", "b.it@b.example"]);

    let entries = log(&app).await;
    let mut stages: Vec<(String, String, String)> = entries
        .iter()
        .map(|e| {
            (
                e["stage"].as_str().unwrap().into(),
                e["recipient_email"].as_str().unwrap().into(),
                e["state"].as_str().unwrap().into(),
            )
        })
        .collect();
    stages.sort();
    assert_eq!(
        stages,
        [
            ("before-7".into(), "".into(), "skipped".into()),
            ("before-7".into(), "a.it@a.example".into(), "sent".into()),
            ("before-7".into(), "a.it@a.example".into(), "sent".into()),
            ("before-7".into(), "b.it@b.example".into(), "sent".into()),
        ]
    );
    let skipped = entries.iter().find(|e| e["state"] == "skipped").unwrap();
    assert_eq!(
        skipped["reason"],
        "no it_head email address in the registry"
    );

    // A second pass, even a little later the same day, sends nothing new.
    let again = pass(
        &engine,
        monday_morning() + Duration::hours(2),
        PassOptions::default(),
    )
    .await;
    assert_eq!((again.queued, again.sent), (0, 0), "{again:?}");
    assert_eq!(server.inbox.received().len(), 2);
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("aitu_reminders_sent_total 2"), "{metrics}");
    assert!(metrics.contains("aitu_reminders_pending 0"), "{metrics}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn received_messages_are_bilingual_with_both_alternatives_subject_and_link() {
    let app = spawn_app().await;
    drill(&app).await;
    let org = app
        .create_org(unit(
            "Министерство цифрового развития",
            "it@mdai.example",
            "head@mdai.example",
        ))
        .await;
    let server = start_smtp_server(Refusals::default());
    pass(
        &engine(&app, smtp_mailer(server.addr), "one"),
        monday_morning(),
        PassOptions::default(),
    )
    .await;
    let mail = &server.inbox.wait_for(1)[0];
    let message = MessageParser::default().parse(&mail.data).unwrap();
    let subject = message.subject().unwrap();
    assert!(
        subject.contains("Министерство цифрового развития (қаз)"),
        "{subject}"
    );
    assert!(
        subject.contains("7 күн") && subject.contains("7 дней"),
        "{subject}"
    );
    assert!(message
        .content_type()
        .unwrap()
        .subtype()
        .unwrap()
        .eq_ignore_ascii_case("alternative"));
    let text = message.body_text(0).unwrap();
    let html = message.body_html(0).unwrap();
    let link = format!(
        "https://aitu-tracker.example/organizations/{}",
        org["bin"].as_str().unwrap()
    );
    for body in [text.as_ref(), html.as_ref()] {
        assert!(body.contains(&link), "{body}");
        assert!(body.contains("14.12.2026"));
        assert!(body.contains("aitu@mdai.example"));
    }
    assert!(
        text.contains("мерзім") || text.contains("Мерзім"),
        "Kazakh text"
    );
    assert!(
        text.contains("срок") || text.contains("Срок"),
        "Russian text"
    );
    let ids: Vec<String> = log(&app)
        .await
        .iter()
        .map(|e| e["message_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        message.message_id().map(|id| format!("<{id}>")),
        ids.first().cloned()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_smtp_server_down_nothing_is_lost_and_nothing_doubled() {
    let app = spawn_app().await;
    drill(&app).await;
    add_units(&app, 3).await;
    let down = engine(&app, smtp_mailer(dead_port()), "one");
    let report = pass(&down, monday_morning(), PassOptions::default()).await;
    assert_eq!(
        (report.queued, report.sent, report.retrying),
        (3, 0, 3),
        "{report:?}"
    );
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("aitu_reminders_pending 3"), "{metrics}");
    // Still down at the first retry.
    let report = pass(
        &down,
        monday_morning() + Duration::minutes(2),
        PassOptions::default(),
    )
    .await;
    assert_eq!(report.retrying, 3);

    let server = start_smtp_server(Refusals::default());
    let up = engine(&app, smtp_mailer(server.addr), "one");
    // Not yet due again: the back-off doubles.
    let early = pass(
        &up,
        monday_morning() + Duration::minutes(3),
        PassOptions::default(),
    )
    .await;
    assert_eq!(early.sent, 0);
    let later = pass(
        &up,
        monday_morning() + Duration::minutes(10),
        PassOptions::default(),
    )
    .await;
    assert_eq!(later.sent, 3, "{later:?}");
    assert_eq!(server.inbox.wait_for(3).len(), 3);
    let after = pass(
        &up,
        monday_morning() + Duration::hours(3),
        PassOptions::default(),
    )
    .await;
    assert_eq!((after.queued, after.sent), (0, 0));
    assert_eq!(server.inbox.received().len(), 3);
    assert!(log(&app)
        .await
        .iter()
        .all(|e| e["state"] == "sent" && e["attempts"] == 3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_rejection_is_recorded_as_failed_with_the_reply() {
    let app = spawn_app().await;
    drill(&app).await;
    app.create_org(unit("Ведомство", "gone@x.example", "h@x.example"))
        .await;
    let server = start_smtp_server(Refusals {
        rcpt: Some((550, "5.1.1 mailbox unavailable")),
        ..Default::default()
    });
    let report = pass(
        &engine(&app, smtp_mailer(server.addr), "one"),
        monday_morning(),
        PassOptions::default(),
    )
    .await;
    assert_eq!((report.sent, report.failed), (0, 1));
    let entry = &log(&app).await[0];
    assert_eq!(entry["state"], "failed");
    assert!(
        entry["last_error"]
            .as_str()
            .unwrap()
            .contains("550 5.1.1 mailbox unavailable"),
        "{entry}"
    );
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("aitu_reminders_failed_total 1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_migrated_unit_drops_out_and_a_rejected_report_brings_it_back() {
    let app = spawn_app().await;
    drill(&app).await;
    let org = app
        .create_org(unit("Ведомство", "it@x.example", "h@x.example"))
        .await;
    let server = start_smtp_server(Refusals::default());
    let engine = engine(&app, smtp_mailer(server.addr), "one");
    assert_eq!(
        pass(&engine, monday_morning(), PassOptions::default())
            .await
            .sent,
        1
    );

    // Friday (3 days left): planned and queued, then the unit reports done before the
    // email goes out: cancelled.
    let friday = monday_morning() + Duration::days(4);
    let queued = plan_and_enqueue(&engine, friday, outbox::ENQUEUE_RECIPIENTS).await;
    assert_eq!(queued.queued, 1);
    set_status(&app, &org, json!({"status": "migrated"})).await;
    let report = pass(&engine, friday, PassOptions::default()).await;
    assert_eq!((report.sent, report.cancelled), (0, 1), "{report:?}");
    // Monday 14 December, the deadline day.
    let deadline_day = monday_morning() + Duration::days(7);
    assert_eq!(
        pass(&engine, deadline_day, PassOptions::default())
            .await
            .queued,
        0,
        "no reminders once migrated"
    );

    // The coordinator rejects the report: reminders resume at the current stage.
    set_status(
        &app,
        &org,
        json!({"status": "in_progress", "reason": "no staff on the messenger yet"}),
    )
    .await;
    let report = pass(&engine, deadline_day, PassOptions::default()).await;
    assert_eq!(report.sent, 1, "{report:?}");
    let stages: Vec<String> = log(&app)
        .await
        .iter()
        .map(|e| {
            format!(
                "{}:{}",
                e["stage"].as_str().unwrap(),
                e["state"].as_str().unwrap()
            )
        })
        .collect();
    assert!(stages.contains(&"before-1:sent".to_owned()), "{stages:?}");
    assert!(
        stages.contains(&"before-3:cancelled".to_owned()),
        "{stages:?}"
    );
    assert_eq!(server.inbox.received().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_goes_out_on_weekends_or_holidays_and_it_goes_at_the_next_opening() {
    let app = spawn_app().await;
    drill(&app).await;
    app.create_org(unit("Ведомство", "it@x.example", "h@x.example"))
        .await;
    let server = start_smtp_server(Refusals::default());
    let engine = engine(&app, smtp_mailer(server.addr), "one");
    // Saturday 5 December, noon in Almaty.
    let saturday = DateTime::parse_from_rfc3339("2026-12-05T07:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let report = pass(&engine, saturday, PassOptions::default()).await;
    assert!(!report.window_open);
    assert_eq!(
        report.next_opening,
        Some(
            DateTime::parse_from_rfc3339("2026-12-07T04:00:00Z")
                .unwrap()
                .with_timezone(&Utc)
        )
    );
    assert_eq!(report.queued + report.sent, 0);
    // Monday before nine.
    let early = pass(
        &engine,
        report.next_opening.unwrap() - Duration::minutes(1),
        PassOptions::default(),
    )
    .await;
    assert_eq!(early.sent, 0);
    let opening = pass(
        &engine,
        report.next_opening.unwrap(),
        PassOptions::default(),
    )
    .await;
    assert_eq!(opening.sent, 1);
    // Independence Day, Wednesday 16 December 2026: a holiday in the default list.
    let holiday = DateTime::parse_from_rfc3339("2026-12-16T06:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let report = pass(&engine, holiday, PassOptions::default()).await;
    assert!(!report.window_open);
    assert_eq!(report.sent, 0);
    // An operator may override the window.
    let forced = pass(
        &engine,
        holiday,
        PassOptions {
            ignore_window: true,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(forced.sent, 1, "the overdue stage goes out when forced");
    assert_eq!(server.inbox.received().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escalation_adds_the_head_the_parent_and_coordinators() {
    let app = spawn_app().await;
    drill(&app).await;
    let parent = app
        .create_org(unit(
            "Министерство",
            "parent.it@m.example",
            "parent.head@m.example",
        ))
        .await;
    let mut child_body = unit("Комитет", "child.it@k.example", "child.head@k.example");
    child_body["parent_id"] = parent["id"].clone();
    child_body["kind"] = json!("departmental_body");
    app.create_org(child_body).await;
    let (coordinator_email, _) = app.add_user("coordinator", parent["id"].as_str()).await;
    set_status(&app, &parent, json!({"status": "verified"})).await;
    let server = start_smtp_server(Refusals::default());
    let engine = engine(&app, smtp_mailer(server.addr), "one");
    // 15 days overdue: Tuesday 29 December 2026.
    let late = DateTime::parse_from_rfc3339("2026-12-29T05:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let report = pass(&engine, late, PassOptions::default()).await;
    assert_eq!(report.sent, 4, "{report:?}");
    let mails = server.inbox.wait_for(4);
    let mut expected = vec![
        "child.head@k.example".to_owned(),
        "child.it@k.example".to_owned(),
        coordinator_email.clone(),
        "parent.it@m.example".to_owned(),
    ];
    expected.sort();
    assert_eq!(recipients(&mails), expected);
    let subjects: HashMap<String, String> = mails
        .iter()
        .map(|m| {
            (
                m.rcpt_to[0].clone(),
                MessageParser::default()
                    .parse(&m.data)
                    .unwrap()
                    .subject()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect();
    assert!(
        subjects["child.head@k.example"].contains("ЭСКАЛАЦИЯ"),
        "{subjects:?}"
    );
    assert!(
        !subjects["child.it@k.example"].contains("ЭСКАЛАЦИЯ"),
        "{subjects:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_passing_at_the_same_moment_deliver_each_reminder_once() {
    let app = spawn_app().await;
    drill(&app).await;
    for i in 0..12 {
        app.create_org(unit(
            &format!("Ведомство {i}"),
            &format!("it{i}@x.example"),
            "h@x.example",
        ))
        .await;
    }
    let server = start_smtp_server(Refusals::default());
    // Two instances: separate pools and workers on one database.
    let second_app = {
        let mut settings = test_settings("sqlite://unused");
        settings.database.url = app.db_url();
        aitu_tracker::startup::prepare_database(&settings).unwrap()
    };
    let first = engine(&app, smtp_mailer(server.addr), "first");
    let mut second = engine(&app, smtp_mailer(server.addr), "second");
    second.pool = second_app;
    let now = monday_morning();
    let (a, b) = tokio::join!(
        tokio::task::spawn_blocking({
            let e = first.clone();
            move || e.run_scheduled(now)
        }),
        tokio::task::spawn_blocking({
            let e = second.clone();
            move || e.run_scheduled(now)
        }),
    );
    let (a, b) = (a.unwrap().unwrap(), b.unwrap().unwrap());
    assert_eq!(a.queued + b.queued, 12, "{a:?} {b:?}");
    // Whatever one left (a retry after a busy moment), either finishes later.
    pass(
        &first,
        now + Duration::minutes(10),
        PassOptions {
            deliver_only: true,
            ..Default::default()
        },
    )
    .await;
    let mails = server.inbox.wait_for(12);
    let mut to = recipients(&mails);
    to.dedup();
    assert_eq!(to.len(), 12, "every reminder exactly once");
    assert_eq!(mails.len(), 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_crash_the_rest_is_delivered_with_at_most_the_one_in_flight_twice() {
    let app = spawn_app().await;
    drill(&app).await;
    add_units(&app, 4).await;
    let server = start_smtp_server(Refusals::default());
    let engine = engine(&app, smtp_mailer(server.addr), "crashed");
    let now = monday_morning();
    // The crashed process had planned everything and claimed one message, then died
    // after the server accepted it but before recording it.
    let crashed = engine.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = crashed.pool.get().unwrap();
        let planned = crashed.plan(&mut conn, now).unwrap();
        outbox::enqueue(
            &mut conn,
            &planned,
            aitu_tracker::domain::deadline::almaty_date(now),
            now.naive_utc(),
        )
        .unwrap();
        let lease = now.naive_utc() + Duration::seconds(crashed.settings.lease_seconds);
        let claimed = outbox::claim_next(&mut conn, "crashed", now.naive_utc(), lease)
            .unwrap()
            .unwrap();
        // What it had sent: the same message the restarted worker will build.
        let message = lettre::Message::builder()
            .from("aitu-tracker <noreply@aitu.test>".parse().unwrap())
            .to(claimed.recipient_email.parse().unwrap())
            .subject("in flight")
            .body(String::from("in flight"))
            .unwrap();
        crashed.mailer.send(&message).unwrap();
    })
    .await
    .unwrap();
    assert_eq!(server.inbox.wait_for(1).len(), 1);

    let restarted = engine_with_instance(&engine, "restarted");
    let report = pass(
        &restarted,
        now + Duration::minutes(1),
        PassOptions::default(),
    )
    .await;
    assert_eq!(
        report.sent, 3,
        "the others go at once; the claimed one waits for its lease"
    );
    let report = pass(
        &restarted,
        now + Duration::seconds(engine.settings.lease_seconds + 60),
        PassOptions::default(),
    )
    .await;
    assert_eq!(
        report.sent, 1,
        "the lease expired: the message in flight is sent again"
    );
    let mails = server.inbox.wait_for(5);
    let mut counts: HashMap<String, usize> = HashMap::new();
    for m in &mails {
        *counts.entry(m.rcpt_to[0].clone()).or_default() += 1;
    }
    assert_eq!(counts.len(), 4, "everyone got their reminder");
    assert_eq!(
        counts.values().filter(|n| **n > 1).count(),
        1,
        "only the message in flight twice"
    );
    assert!(counts.values().all(|n| *n <= 2));
    let again = pass(&restarted, now + Duration::hours(2), PassOptions::default()).await;
    assert_eq!(again.sent, 0);
}

fn engine_with_instance(engine: &Engine, instance: &str) -> Engine {
    Engine {
        instance: instance.into(),
        ..engine.clone()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preview_and_run_endpoints_plan_and_send_on_demand() {
    let app = spawn_app().await;
    drill(&app).await;
    app.create_org(unit("Ведомство", "it@x.example", "h@x.example"))
        .await;
    // The real clock: the drill deadline may be far; the preview reports what is due now.
    let preview: Value = app
        .post_json("/api/v1/reminders/preview", &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert!(preview["planned"].as_u64().is_some());
    assert_eq!(log(&app).await.len(), 0, "a preview writes nothing");
    let run: Value = app
        .post_json("/api/v1/reminders/run?ignore_window=true", &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(run["window_open"], true);
    assert_eq!(run["queued"], preview["planned"]);
    let audit = app.get_json("/api/v1/audit?action=reminder.run").await;
    assert_eq!(audit["total"], 1);
    let _ = Delivery::Cancelled;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enqueued_in_small_transactions_every_recipient_gets_one_email() {
    let app = spawn_app().await;
    drill(&app).await;
    let expected = add_units(&app, 5).await;
    // Two units share an IT head: one email for both.
    app.create_org(unit("Ведомство 5", "it0@x.example", "h@x.example"))
        .await;
    let server = start_smtp_server(Refusals::default());
    let engine = engine(&app, smtp_mailer(server.addr), "batches");
    let now = monday_morning();
    // Two recipients a transaction: three transactions for five recipients.
    let first = plan_and_enqueue(&engine, now, 2).await;
    assert_eq!((first.queued, first.skipped, first.deferred), (6, 0, 0));
    // Planned again, everything is there already.
    assert_eq!(plan_and_enqueue(&engine, now, 1).await.queued, 0);
    let report = pass(&engine, now, PassOptions::default()).await;
    assert_eq!(report.sent, 5, "{report:?}");
    assert_eq!(recipients(&server.inbox.wait_for(5)), expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopping_engine_takes_no_more_messages_and_the_rest_stay_queued() {
    let app = spawn_app().await;
    drill(&app).await;
    add_units(&app, 3).await;
    let server = start_smtp_server(Refusals::default());
    let engine = engine(&app, smtp_mailer(server.addr), "stopping");
    let now = monday_morning();
    // Asked to stop before the pass (as at SIGTERM): nothing is planned or sent.
    engine.stop.request();
    let stopped = pass(&engine, now, PassOptions::default()).await;
    assert_eq!((stopped.queued, stopped.sent), (0, 0), "{stopped:?}");
    // Stopped between planning and delivery: queued, and none taken.
    let queued = plan_and_enqueue(&engine, now, outbox::ENQUEUE_RECIPIENTS).await;
    assert_eq!(queued.queued, 3);
    let options = PassOptions {
        deliver_only: true,
        ..Default::default()
    };
    assert_eq!(pass(&engine, now, options).await.sent, 0);
    assert!(server.inbox.received().is_empty());
    // The next process (a fresh engine) delivers them all.
    let mut next = engine_with_instance(&engine, "next");
    next.stop = Default::default();
    let report = pass(&next, now, PassOptions::default()).await;
    assert_eq!(report.sent, 3, "{report:?}");
    assert_eq!(server.inbox.wait_for(3).len(), 3);
}
