//! Reminder emails end to end: rendered, sent through `Mailer` to a real SMTP server
//! (mailin-embedded, in this process, on 127.0.0.1) or into files, then parsed back.
//!
//! Nothing here sleeps: the server records a message before it answers the final `250`,
//! and the tests wait on a condition variable with a deadline, not on a timer.

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::sync::atomic::Ordering;

use aitu_tracker::reminders::email::{render_reminder, ReminderContent, UnitLine};
use aitu_tracker::reminders::settings::{MailSettings, TransportKind};
use aitu_tracker::reminders::transport::{Mailer, Receipt, SendError};
use chrono::NaiveDate;
use lettre::message::Mailbox;
use mail_parser::{MessageParser, MimeHeaders};

#[path = "support/smtp.rs"]
mod smtp;

use smtp::{start_smtp_server, Refusals};

// ---------------------------------------------------------------- helpers

fn smtp_mailer(addr: SocketAddr) -> Mailer {
    Mailer::from_settings(&MailSettings {
        transport: TransportKind::Smtp,
        smtp_url: format!("smtp://{addr}?tls=none"),
        from: "aitu-tracker <noreply@aitu.test>".to_owned(),
        timeout_seconds: 5,
        pool_size: 2,
        ..MailSettings::default()
    })
    .expect("valid SMTP settings")
}

fn mailbox(raw: &str) -> Mailbox {
    raw.parse().expect("a valid mailbox")
}

const LINK: &str = "https://aitu-tracker.test/organizations/940140000385";

fn reminder(escalation: bool) -> ReminderContent {
    ReminderContent {
        recipient_name: Some("Айгүл Серікқызы".to_owned()),
        escalation,
        units: vec![UnitLine {
            name_kk: "Қаржы министрлігі".to_owned(),
            name_ru: "Министерство финансов".to_owned(),
            bin: "940140000385".to_owned(),
            deadline: NaiveDate::from_ymd_opt(2025, 9, 15).expect("a date"),
            days_left: 3,
            status: "in_progress".to_owned(),
            accounts_active: 120,
            headcount: 480,
            link: LINK.to_owned(),
        }],
        coordinator_contact: Some(
            "Министерство искусственного интеллекта и цифрового развития, aitu@mdai.gov.kz"
                .to_owned(),
        ),
        rollout_title_kk: "Aitu-ға көшу".to_owned(),
        rollout_title_ru: "Переход на Aitu".to_owned(),
    }
}

fn render(content: &ReminderContent) -> lettre::Message {
    render_reminder(
        content,
        &mailbox("aitu-tracker <noreply@aitu.test>"),
        Some(&mailbox("Координаторы <aitu@mdai.test>")),
        &mailbox("Айгүл Серікқызы <it-head@minfin.test>"),
    )
    .expect("the reminder renders")
}

/// Checks a raw received message is the reminder of `reminder(false)`, with `message_id`.
fn assert_is_the_reminder(raw: &[u8], message_id: &str) {
    let parsed = MessageParser::default()
        .parse(raw)
        .expect("the received message parses");
    assert_eq!(
        parsed.subject(),
        Some("Aitu: «Қаржы министрлігі» — мерзімге 3 күн қалды / осталось 3 дня")
    );
    assert_eq!(
        parsed.message_id(),
        Some(message_id.trim_start_matches('<').trim_end_matches('>'))
    );
    let root = parsed.content_type().expect("a content type");
    assert_eq!(
        (root.ctype(), root.subtype()),
        ("multipart", Some("alternative"))
    );
    let kinds = parsed
        .parts
        .iter()
        .filter_map(|part| part.content_type())
        .map(|ct| format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or("")))
        .collect::<Vec<_>>();
    assert!(kinds.contains(&"text/plain".to_owned()), "{kinds:?}");
    assert!(kinds.contains(&"text/html".to_owned()), "{kinds:?}");

    let text = parsed
        .text_part(0)
        .and_then(|part| part.text_contents())
        .expect("a text/plain part");
    let html = parsed
        .html_part(0)
        .and_then(|part| part.text_contents())
        .expect("a text/html part");
    for (part, body) in [("text", text), ("html", html)] {
        for fact in [
            // Kazakh
            "Құрметті Айгүл Серікқызы!",
            "Мәртебесі",
            "жүріп жатыр",
            "мерзімге 3 күн қалды",
            // Russian
            "Здравствуйте, Айгүл Серікқызы!",
            "Статус",
            "в процессе",
            "осталось 3 дня",
            "Министерство финансов",
            // the same facts in both
            "15.09.2025",
            "25 % (120 / 480)",
            LINK,
            "aitu@mdai.gov.kz",
        ] {
            assert!(body.contains(fact), "{part} part lacks {fact:?}:\n{body}");
        }
    }
    assert!(html.contains(r#"<div lang="kk""#), "{html}");
    assert!(html.contains(r#"<div lang="ru""#), "{html}");
    assert!(html.contains(&format!(r#"href="{LINK}""#)), "{html}");
}

fn permanent_reply(error: &SendError) -> (u16, String) {
    match error {
        SendError::Permanent { reply } => (reply.code, reply.text.clone()),
        other => panic!("expected a permanent error, got {other:?}"),
    }
}

fn transient_reply(error: &SendError) -> Option<(u16, String)> {
    match error {
        SendError::Transient { reply, .. } => reply.as_ref().map(|r| (r.code, r.text.clone())),
        other => panic!("expected a transient error, got {other:?}"),
    }
}

// ---------------------------------------------------------------- SMTP

#[test]
fn reminder_sent_over_smtp_arrives_bilingual_with_text_and_html_parts() {
    let server = start_smtp_server(Refusals::default());
    let mailer = smtp_mailer(server.addr);

    let delivered = mailer
        .send(&render(&reminder(false)))
        .expect("the server accepts the message");

    let mails = server.inbox.wait_for(1);
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].mail_from, "noreply@aitu.test");
    assert_eq!(mails[0].rcpt_to, vec!["it-head@minfin.test".to_owned()]);
    assert_is_the_reminder(&mails[0].data, &delivered.message_id);
    match &delivered.receipt {
        Receipt::Smtp(reply) => assert_eq!(reply.code, 250),
        other => panic!("expected an SMTP receipt, got {other:?}"),
    }
}

#[test]
fn pooled_mailer_sends_several_messages_over_one_connection() {
    let server = start_smtp_server(Refusals::default());
    let mailer = smtp_mailer(server.addr);
    // A clone shares the pool, as worker threads will.
    let other_worker = mailer.clone();

    let first = mailer.send(&render(&reminder(false))).expect("first");
    let second = other_worker.send(&render(&reminder(true))).expect("second");
    let third = mailer.send(&render(&reminder(false))).expect("third");

    let mails = server.inbox.wait_for(3);
    assert_eq!(mails.len(), 3);
    assert_eq!(server.inbox.connections.load(Ordering::SeqCst), 1);
    let ids = [&first, &second, &third].map(|d| d.message_id.clone());
    assert!(
        ids[0] != ids[1] && ids[1] != ids[2] && ids[0] != ids[2],
        "{ids:?}"
    );
    let escalation = MessageParser::default()
        .parse(&mails[1].data)
        .expect("parses");
    assert!(
        escalation
            .subject()
            .is_some_and(|s| s.starts_with("[БАСШЫЛЫҚҚА / ЭСКАЛАЦИЯ] Aitu: ")),
        "{:?}",
        escalation.subject()
    );
}

#[test]
fn message_without_message_id_gets_one_and_the_server_sees_it() {
    let server = start_smtp_server(Refusals::default());
    let message = lettre::Message::builder()
        .from(mailbox("noreply@aitu.test"))
        .to(mailbox("it-head@minfin.test"))
        .subject("Aitu: тексеру / проверка")
        .body("hello".to_owned())
        .expect("a message");

    let delivered = smtp_mailer(server.addr).send(&message).expect("sent");

    assert!(
        delivered.message_id.ends_with("@aitu.test>"),
        "{delivered:?}"
    );
    let mails = server.inbox.wait_for(1);
    let parsed = MessageParser::default()
        .parse(&mails[0].data)
        .expect("parses");
    assert_eq!(
        parsed.message_id(),
        Some(
            delivered
                .message_id
                .trim_start_matches('<')
                .trim_end_matches('>')
        )
    );
    assert_eq!(parsed.subject(), Some("Aitu: тексеру / проверка"));
}

#[test]
fn a_5xx_reply_to_rcpt_is_a_permanent_error_with_the_server_text() {
    let server = start_smtp_server(Refusals {
        rcpt: Some((
            550,
            "5.1.1 <it-head@minfin.test>: Recipient address rejected",
        )),
        ..Refusals::default()
    });

    let error = smtp_mailer(server.addr)
        .send(&render(&reminder(false)))
        .expect_err("the server refuses the recipient");

    assert!(error.is_permanent());
    let (code, text) = permanent_reply(&error);
    assert_eq!(code, 550);
    assert!(text.contains("Recipient address rejected"), "{text}");
    assert!(error.to_string().contains("550 5.1.1"), "{error}");
    assert!(server.inbox.received().is_empty());
}

#[test]
fn a_5xx_reply_to_data_is_a_permanent_error_with_the_server_text() {
    let server = start_smtp_server(Refusals {
        data: Some((554, "5.7.1 Message rejected by content policy")),
        ..Refusals::default()
    });

    let error = smtp_mailer(server.addr)
        .send(&render(&reminder(false)))
        .expect_err("the server refuses the message");

    let (code, text) = permanent_reply(&error);
    assert_eq!(code, 554);
    assert!(text.contains("rejected by content policy"), "{text}");
}

#[test]
fn a_4xx_reply_to_rcpt_is_a_transient_error_with_the_server_text() {
    let server = start_smtp_server(Refusals {
        rcpt: Some((450, "4.2.0 Greylisted, try again in 5 minutes")),
        ..Refusals::default()
    });

    let error = smtp_mailer(server.addr)
        .send(&render(&reminder(false)))
        .expect_err("the server defers the recipient");

    assert!(error.is_transient());
    let (code, text) = transient_reply(&error).expect("the server's reply is kept");
    assert_eq!(code, 450);
    assert!(text.contains("Greylisted"), "{text}");
    assert!(
        error.to_string().contains("450 4.2.0 Greylisted"),
        "{error}"
    );
}

#[test]
fn a_4xx_reply_to_data_is_a_transient_error() {
    let server = start_smtp_server(Refusals {
        data: Some((451, "4.3.0 Temporary local problem")),
        ..Refusals::default()
    });

    let error = smtp_mailer(server.addr)
        .send(&render(&reminder(false)))
        .expect_err("the server defers the message");

    let (code, text) = transient_reply(&error).expect("the server's reply is kept");
    assert_eq!(code, 451);
    assert!(text.contains("Temporary local problem"), "{text}");
}

#[test]
fn nothing_listening_is_a_transient_error() {
    // Bind a free port, then close it: connecting there is refused.
    let addr = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port");

    let error = smtp_mailer(addr)
        .send(&render(&reminder(false)))
        .expect_err("nobody answers");

    assert!(error.is_transient(), "{error:?}");
    assert_eq!(error.reply(), None);
    assert!(error.to_string().contains(&addr.to_string()), "{error}");
}

#[test]
fn required_tls_is_never_downgraded_to_plain_text() {
    // The test server offers neither STARTTLS nor implicit TLS.
    let server = start_smtp_server(Refusals::default());
    for mode in ["starttls", "tls"] {
        let mailer = Mailer::from_settings(&MailSettings {
            transport: TransportKind::Smtp,
            smtp_url: format!("smtp://{}?tls={mode}", server.addr),
            timeout_seconds: 5,
            ..MailSettings::default()
        })
        .expect("valid settings");

        let error = mailer
            .send(&render(&reminder(false)))
            .expect_err("no TLS, no delivery");

        assert!(error.is_transient(), "tls={mode}: {error:?}");
    }
    assert!(server.inbox.received().is_empty());
}

// ---------------------------------------------------------------- file and log

#[test]
fn file_transport_writes_a_parsable_eml_into_the_configured_folder() {
    let temp = tempfile::tempdir().expect("a temporary folder");
    let outbox = temp.path().join("data").join("outbox");
    let mailer = Mailer::from_settings(&MailSettings {
        transport: TransportKind::File,
        outbox_dir: outbox.clone(),
        ..MailSettings::default()
    })
    .expect("valid settings");

    let delivered = mailer.send(&render(&reminder(false))).expect("written");

    let file_name = format!(
        "{}.eml",
        delivered
            .message_id
            .trim_start_matches('<')
            .trim_end_matches('>')
    );
    assert_eq!(delivered.receipt, Receipt::File(outbox.join(&file_name)));
    assert_eq!(files_in(&outbox), vec![file_name.clone()]);
    let raw = std::fs::read(outbox.join(&file_name)).expect("the .eml file");
    assert_is_the_reminder(&raw, &delivered.message_id);
}

#[test]
fn log_transport_sends_nothing_and_succeeds() {
    let server = start_smtp_server(Refusals::default());
    // Even with an SMTP server configured, "log" must not contact it.
    let mailer = Mailer::from_settings(&MailSettings {
        transport: TransportKind::Log,
        smtp_url: format!("smtp://{}?tls=none", server.addr),
        ..MailSettings::default()
    })
    .expect("valid settings");

    let delivered = mailer.send(&render(&reminder(false))).expect("logged");

    assert_eq!(delivered.receipt, Receipt::Logged);
    assert!(delivered.message_id.ends_with("@aitu.test>"));
    assert_eq!(server.inbox.connections.load(Ordering::SeqCst), 0);
    assert!(server.inbox.received().is_empty());
}

fn files_in(folder: &Path) -> Vec<String> {
    let mut names = std::fs::read_dir(folder)
        .expect("the outbox folder exists")
        .map(|entry| {
            entry
                .expect("a folder entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect::<Vec<_>>();
    names.sort();
    names
}
