//! One reminder email, Kazakh and Russian in the same message: plain text and HTML
//! (`multipart/alternative`) rendered from the templates in `templates/email/`.
//!
//! The wording lives in the templates; grammar that depends on numbers (Russian plurals,
//! days left or overdue) and the subject line are built here, where they are unit-tested.

use askama::Template;
use chrono::NaiveDate;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::Message;

use super::transport::new_message_id;

/// What one reminder email is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderContent {
    pub recipient_name: Option<String>,
    /// The email goes up the chain (head of the organization, parent, coordinators); the
    /// subject and both language sections say so.
    pub escalation: bool,
    /// The lagging organizations; several make one digest (an IT head of several units).
    pub units: Vec<UnitLine>,
    /// Shown as "questions: ...", for example "Ministry of AI and Digital Development,
    /// aitu@mdai.gov.kz".
    pub coordinator_contact: Option<String>,
    pub rollout_title_kk: String,
    pub rollout_title_ru: String,
}

/// One lagging organization in a reminder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitLine {
    pub name_kk: String,
    pub name_ru: String,
    pub bin: String,
    /// The last day, in Kazakhstan time (Asia/Almaty).
    pub deadline: NaiveDate,
    /// More than 0 before the deadline, 0 on the deadline day, below 0 when overdue.
    pub days_left: i64,
    /// `not_started` or `in_progress` (any status value gets a label).
    pub status: String,
    pub accounts_active: i64,
    pub headcount: i64,
    /// The organization's page: `<public_url>/organizations/<BIN>`.
    pub link: String,
}

/// Why a reminder could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum EmailError {
    #[error("a reminder needs at least one organization")]
    NoUnits,
    #[error("the link of organization {bin} is not an http(s) URL: '{link}'")]
    BadLink { bin: String, link: String },
    #[error("rendering the email template: {0}")]
    Template(#[from] askama::Error),
    #[error("building the email: {0}")]
    Build(#[from] lettre::error::Error),
}

/// Renders one reminder: bilingual subject, plain-text and HTML parts, a fresh Message-ID
/// under the sender's domain. Units are listed most urgent first.
pub fn render_reminder(
    content: &ReminderContent,
    from: &Mailbox,
    reply_to: Option<&Mailbox>,
    to: &Mailbox,
) -> Result<Message, EmailError> {
    let view = ReminderView::build(content)?;
    let subject = format_subject(content.escalation, &view.units);
    let text = ReminderText { view: &view }.render()?;
    let html = ReminderHtml {
        view: &view,
        subject: &subject,
    }
    .render()?;

    let mut builder = Message::builder()
        .from(from.clone())
        .to(to.clone())
        .subject(subject)
        .message_id(Some(new_message_id(from)))
        // Auto-responders (out-of-office) must not answer a robot (RFC 3834).
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".to_owned(),
        ))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Content-Language"),
            "kk, ru".to_owned(),
        ));
    if let Some(reply_to) = reply_to {
        builder = builder.reply_to(reply_to.clone());
    }
    Ok(builder.multipart(MultiPart::alternative_plain_html(text, html))?)
}

/// `Aitu: «Name» +N — <days, Kazakh> / <days, Russian>`, with the escalation marker first.
/// `units` must be sorted most urgent first: the subject names the first.
fn format_subject(escalation: bool, units: &[UnitView]) -> String {
    let marker = if escalation {
        "[БАСШЫЛЫҚҚА / ЭСКАЛАЦИЯ] "
    } else {
        ""
    };
    let Some(first) = units.first() else {
        return format!("{marker}Aitu");
    };
    let name = if first.name_kk.trim().is_empty() {
        &first.name_ru
    } else {
        &first.name_kk
    };
    let more = match units.len() {
        0 | 1 => String::new(),
        n => format!(" +{}", n - 1),
    };
    format!(
        "{marker}Aitu: {}{more} — {} / {}",
        quote(name),
        first.due_kk,
        first.due_ru
    )
}

/// Wraps a name in «» unless it already carries quotes (`«Самұрық-Қазына» АҚ`).
fn quote(name: &str) -> String {
    let name = name.trim();
    if name.contains('«') || name.contains('"') {
        name.to_owned()
    } else {
        format!("«{name}»")
    }
}

/// Picks the Russian word form for `n`: `one` (1, 21), `few` (2–4, 22–24) or `many`
/// (0, 5–20, 25...).
pub fn plural_ru<'a>(n: i64, one: &'a str, few: &'a str, many: &'a str) -> &'a str {
    let n = n.unsigned_abs();
    match (n % 10, n % 100) {
        (_, 11..=14) => many,
        (1, _) => one,
        (2..=4, _) => few,
        _ => many,
    }
}

/// How far the deadline is, in Kazakh (no plural change in Kazakh).
fn describe_days_kk(days_left: i64) -> String {
    match days_left {
        0 => "мерзім бүгін аяқталады".to_owned(),
        d if d > 0 => format!("мерзімге {d} күн қалды"),
        d => format!("мерзімі {} күнге өтті", d.unsigned_abs()),
    }
}

/// How far the deadline is, in Russian: "остался 1 день", "осталось 3 дня",
/// "просрочено на 5 дней".
fn describe_days_ru(days_left: i64) -> String {
    let days = |n: i64| plural_ru(n, "день", "дня", "дней");
    match days_left {
        0 => "срок истекает сегодня".to_owned(),
        d if d > 0 => format!(
            "{} {d} {}",
            plural_ru(d, "остался", "осталось", "осталось"),
            days(d)
        ),
        d => format!("просрочено на {} {}", d.unsigned_abs(), days(d)),
    }
}

/// Status labels (Kazakh, Russian); an unknown value is shown as it is.
fn status_labels(status: &str) -> (String, String) {
    let (kk, ru) = match status {
        "not_started" => ("басталмаған", "не начат"),
        "in_progress" => ("жүріп жатыр", "в процессе"),
        "migrated" => ("көшті", "перешла"),
        "verified" => ("расталды", "подтверждено"),
        "exempt" => ("босатылған", "освобождена"),
        other => (other, other),
    };
    (kk.to_owned(), ru.to_owned())
}

/// Staff coverage as a whole percent rounded down (never 100 % before everyone is on),
/// with the counts: `45 % (45 / 100)`; `—` when the headcount is unknown.
pub fn format_coverage(accounts_active: i64, headcount: i64) -> String {
    if headcount <= 0 {
        return "—".to_owned();
    }
    let active = accounts_active.max(0);
    let percent = i128::from(active) * 100 / i128::from(headcount);
    format!("{percent} % ({active} / {headcount})")
}

/// Everything the templates show, already formatted.
struct ReminderView {
    recipient_name: Option<String>,
    escalation: bool,
    several: bool,
    units: Vec<UnitView>,
    coordinator_contact: Option<String>,
    rollout_title_kk: String,
    rollout_title_ru: String,
}

struct UnitView {
    name_kk: String,
    name_ru: String,
    bin: String,
    deadline: String,
    overdue: bool,
    due_kk: String,
    due_ru: String,
    status_kk: String,
    status_ru: String,
    coverage: String,
    link: String,
}

impl ReminderView {
    fn build(content: &ReminderContent) -> Result<Self, EmailError> {
        if content.units.is_empty() {
            return Err(EmailError::NoUnits);
        }
        let mut units = content.units.iter().collect::<Vec<_>>();
        // Most urgent first, so the subject and the top of the list name the worst case.
        units.sort_by_key(|unit| unit.days_left);
        let units = units
            .into_iter()
            .map(UnitView::build)
            .collect::<Result<Vec<_>, _>>()?;
        let non_blank = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        Ok(Self {
            recipient_name: non_blank(&content.recipient_name),
            escalation: content.escalation,
            several: units.len() > 1,
            units,
            coordinator_contact: non_blank(&content.coordinator_contact),
            rollout_title_kk: content.rollout_title_kk.trim().to_owned(),
            rollout_title_ru: content.rollout_title_ru.trim().to_owned(),
        })
    }
}

impl UnitView {
    fn build(unit: &UnitLine) -> Result<Self, EmailError> {
        // The link becomes an href: only web addresses, never javascript: or data:.
        let link = unit.link.trim();
        let is_web = url::Url::parse(link).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
        if !is_web {
            return Err(EmailError::BadLink {
                bin: unit.bin.clone(),
                link: unit.link.clone(),
            });
        }
        let (status_kk, status_ru) = status_labels(&unit.status);
        Ok(Self {
            name_kk: quote(&unit.name_kk),
            name_ru: quote(&unit.name_ru),
            bin: unit.bin.clone(),
            deadline: unit.deadline.format("%d.%m.%Y").to_string(),
            overdue: unit.days_left < 0,
            due_kk: describe_days_kk(unit.days_left),
            due_ru: describe_days_ru(unit.days_left),
            status_kk,
            status_ru,
            coverage: format_coverage(unit.accounts_active, unit.headcount),
            link: link.to_owned(),
        })
    }
}

#[derive(Template)]
#[template(path = "email/reminder.txt")]
struct ReminderText<'a> {
    view: &'a ReminderView,
}

#[derive(Template)]
#[template(path = "email/reminder.html")]
struct ReminderHtml<'a> {
    view: &'a ReminderView,
    subject: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(name_kk: &str, days_left: i64) -> UnitLine {
        UnitLine {
            name_kk: name_kk.to_owned(),
            name_ru: format!("{name_kk} (ru)"),
            bin: "940140000385".to_owned(),
            deadline: NaiveDate::from_ymd_opt(2025, 9, 15).unwrap(),
            days_left,
            status: "not_started".to_owned(),
            accounts_active: 45,
            headcount: 100,
            link: "https://aitu-tracker.gov.kz/organizations/940140000385".to_owned(),
        }
    }

    fn content(units: Vec<UnitLine>, escalation: bool) -> ReminderContent {
        ReminderContent {
            recipient_name: Some("Айгүл Серікқызы".to_owned()),
            escalation,
            units,
            coordinator_contact: Some("ЖИ және цифрлық даму министрлігі, aitu@mdai.gov.kz".into()),
            rollout_title_kk: "Aitu-ға көшу".to_owned(),
            rollout_title_ru: "Переход на Aitu".to_owned(),
        }
    }

    fn subject_of(content: &ReminderContent) -> String {
        let view = ReminderView::build(content).unwrap();
        format_subject(content.escalation, &view.units)
    }

    fn mailbox(raw: &str) -> Mailbox {
        raw.parse().unwrap()
    }

    #[test]
    fn russian_plurals_follow_the_last_digits() {
        let form = |n| plural_ru(n, "день", "дня", "дней");
        for (n, expected) in [
            (0, "дней"),
            (1, "день"),
            (2, "дня"),
            (4, "дня"),
            (5, "дней"),
            (11, "дней"),
            (12, "дней"),
            (14, "дней"),
            (15, "дней"),
            (21, "день"),
            (22, "дня"),
            (25, "дней"),
            (101, "день"),
            (111, "дней"),
            (112, "дней"),
            (-1, "день"),
            (-3, "дня"),
        ] {
            assert_eq!(form(n), expected, "{n}");
        }
    }

    #[test]
    fn days_are_described_before_on_and_after_the_deadline() {
        assert_eq!(describe_days_ru(1), "остался 1 день");
        assert_eq!(describe_days_ru(3), "осталось 3 дня");
        assert_eq!(describe_days_ru(7), "осталось 7 дней");
        assert_eq!(describe_days_ru(11), "осталось 11 дней");
        assert_eq!(describe_days_ru(21), "остался 21 день");
        assert_eq!(describe_days_ru(0), "срок истекает сегодня");
        assert_eq!(describe_days_ru(-1), "просрочено на 1 день");
        assert_eq!(describe_days_ru(-5), "просрочено на 5 дней");
        assert_eq!(describe_days_ru(-13), "просрочено на 13 дней");
        assert_eq!(describe_days_ru(-22), "просрочено на 22 дня");
        assert_eq!(describe_days_kk(3), "мерзімге 3 күн қалды");
        assert_eq!(describe_days_kk(0), "мерзім бүгін аяқталады");
        assert_eq!(describe_days_kk(-5), "мерзімі 5 күнге өтті");
    }

    #[test]
    fn subject_names_the_organization_and_the_days_left() {
        let subject = subject_of(&content(vec![unit("Қаржы министрлігі", 3)], false));
        assert_eq!(
            subject,
            "Aitu: «Қаржы министрлігі» — мерзімге 3 күн қалды / осталось 3 дня"
        );
    }

    #[test]
    fn subject_of_an_overdue_unit_says_by_how_much() {
        let subject = subject_of(&content(vec![unit("Қаржы министрлігі", -5)], false));
        assert_eq!(
            subject,
            "Aitu: «Қаржы министрлігі» — мерзімі 5 күнге өтті / просрочено на 5 дней"
        );
    }

    #[test]
    fn digest_subject_names_the_most_urgent_unit_and_counts_the_rest() {
        let units = vec![unit("Б", 7), unit("А", -2), unit("В", 14)];
        assert_eq!(
            subject_of(&content(units, false)),
            "Aitu: «А» +2 — мерзімі 2 күнге өтті / просрочено на 2 дня"
        );
    }

    #[test]
    fn escalation_is_marked_first_in_both_languages() {
        let subject = subject_of(&content(vec![unit("Қаржы министрлігі", -12)], true));
        assert_eq!(
            subject,
            "[БАСШЫЛЫҚҚА / ЭСКАЛАЦИЯ] Aitu: «Қаржы министрлігі» — мерзімі 12 күнге өтті / просрочено на 12 дней"
        );
    }

    #[test]
    fn names_already_in_quotes_are_not_quoted_again() {
        let subject = subject_of(&content(vec![unit("«Самұрық-Қазына» АҚ", 1)], false));
        assert!(
            subject.starts_with("Aitu: «Самұрық-Қазына» АҚ — "),
            "{subject}"
        );
    }

    #[test]
    fn coverage_is_a_rounded_down_percent_with_counts() {
        assert_eq!(format_coverage(45, 100), "45 % (45 / 100)");
        assert_eq!(format_coverage(2, 3), "66 % (2 / 3)");
        assert_eq!(format_coverage(999, 1000), "99 % (999 / 1000)");
        assert_eq!(format_coverage(0, 12), "0 % (0 / 12)");
        assert_eq!(format_coverage(5, 0), "—");
        assert_eq!(format_coverage(-1, 10), "0 % (0 / 10)");
    }

    #[test]
    fn statuses_get_labels_in_both_languages() {
        assert_eq!(
            status_labels("not_started"),
            ("басталмаған".to_owned(), "не начат".to_owned())
        );
        assert_eq!(
            status_labels("in_progress"),
            ("жүріп жатыр".to_owned(), "в процессе".to_owned())
        );
    }

    #[test]
    fn a_reminder_without_units_is_refused() {
        let error = render_reminder(
            &content(Vec::new(), false),
            &mailbox("noreply@mdai.gov.kz"),
            None,
            &mailbox("it@minfin.gov.kz"),
        )
        .unwrap_err();
        assert!(matches!(error, EmailError::NoUnits));
    }

    #[test]
    fn links_other_than_web_addresses_are_refused() {
        let mut bad = unit("Қаржы министрлігі", 3);
        bad.link = "javascript:alert(1)".to_owned();
        let error = render_reminder(
            &content(vec![bad], false),
            &mailbox("noreply@mdai.gov.kz"),
            None,
            &mailbox("it@minfin.gov.kz"),
        )
        .unwrap_err();
        assert!(matches!(error, EmailError::BadLink { .. }), "{error}");
    }

    #[test]
    fn both_parts_carry_the_same_facts_in_both_languages() {
        let mut second = unit("Статистика комитеті", 0);
        second.headcount = 0;
        second.status = "in_progress".to_owned();
        second.bin = "990140004654".to_owned();
        let view = ReminderView::build(&content(vec![unit("Қаржы министрлігі", 3), second], true))
            .unwrap();
        let text = ReminderText { view: &view }.render().unwrap();
        let html = ReminderHtml {
            view: &view,
            subject: "s",
        }
        .render()
        .unwrap();
        for part in [&text, &html] {
            for fact in [
                "Айгүл Серікқызы",
                "Қаржы министрлігі",
                "Статистика комитеті (ru)",
                "940140000385",
                "990140004654",
                "15.09.2025",
                "мерзімге 3 күн қалды",
                "осталось 3 дня",
                "срок истекает сегодня",
                "басталмаған",
                "не начат",
                "в процессе",
                "45 % (45 / 100)",
                "—",
                "https://aitu-tracker.gov.kz/organizations/940140000385",
                "aitu@mdai.gov.kz",
                "ЭСКАЛАЦИЯ",
                "Aitu-ға көшу",
                "Переход на Aitu",
            ] {
                assert!(part.contains(fact), "missing {fact:?} in:\n{part}");
            }
        }
        assert!(html.contains(r#"lang="kk""#) && html.contains(r#"lang="ru""#));
    }

    #[test]
    fn html_escapes_what_the_registry_holds() {
        let mut tricky = unit("<script>alert(1)</script>", 2);
        tricky.name_ru = "A & B".to_owned();
        let view = ReminderView::build(&content(vec![tricky], false)).unwrap();
        let html = ReminderHtml {
            view: &view,
            subject: "<b>",
        }
        .render()
        .unwrap();
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&#60;script&#62;"), "{html}");
        assert!(html.contains("A &#38; B"), "{html}");
        assert!(!html.contains("<b>"));
    }

    #[test]
    fn the_message_is_multipart_alternative_with_an_encoded_subject() {
        let message = render_reminder(
            &content(vec![unit("Қаржы министрлігі", 3)], false),
            &mailbox("aitu-tracker <noreply@mdai.gov.kz>"),
            Some(&mailbox("aitu@mdai.gov.kz")),
            &mailbox("Айгүл <it@minfin.gov.kz>"),
        )
        .unwrap();
        let raw = String::from_utf8(message.formatted()).unwrap();
        assert!(raw.contains("multipart/alternative"), "{raw}");
        assert!(raw.contains("text/plain; charset=utf-8"), "{raw}");
        assert!(raw.contains("text/html; charset=utf-8"), "{raw}");
        assert!(raw.contains("Subject: Aitu: =?utf-8?b?"), "{raw}");
        assert!(raw.contains("Auto-Submitted: auto-generated"), "{raw}");
        assert!(raw.contains("Reply-To: aitu@mdai.gov.kz"), "{raw}");
        let id = message.headers().get_raw("Message-ID").unwrap();
        assert!(id.ends_with("@mdai.gov.kz>"), "{id}");
        // Headers are ASCII whatever the names (RFC 2047 words).
        let headers = raw.split("\r\n\r\n").next().unwrap();
        assert!(headers.is_ascii(), "{headers}");
    }
}
