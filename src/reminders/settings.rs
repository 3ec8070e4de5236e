//! The `[mail]` configuration section, and its checked form with parsed mailboxes and SMTP
//! endpoint, so a bad value stops the service at start-up instead of at the first reminder.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use lettre::message::Mailbox;
use percent_encoding::percent_decode_str;
use serde::Deserialize;

/// How reminder emails leave the service (`mail.transport`).
// Parsed by hand: serde's "unknown variant" message, as the config crate words it, does
// not tell the operator which values exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(try_from = "String")]
pub enum TransportKind {
    /// Written as `.eml` files under `mail.outbox_dir`: the default until SMTP is configured.
    #[default]
    File,
    /// Sent through the SMTP server named by `mail.smtp_url`.
    Smtp,
    /// Only logged, one line per message; nothing is sent.
    Log,
}

impl TransportKind {
    /// The configuration value naming this transport.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::File => "file",
            Self::Smtp => "smtp",
            Self::Log => "log",
        }
    }
}

impl TryFrom<String> for TransportKind {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        match value.trim().to_ascii_lowercase().as_str() {
            "file" => Ok(Self::File),
            "smtp" => Ok(Self::Smtp),
            "log" => Ok(Self::Log),
            _ => Err(format!(
                "'{value}' is not a mail transport; use \"file\", \"smtp\" or \"log\""
            )),
        }
    }
}

/// The `[mail]` section as the operator wrote it; [`MailSettings::parse`] checks it.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailSettings {
    pub transport: TransportKind,
    /// Folder of the `file` transport; relative to the working directory.
    pub outbox_dir: PathBuf,
    /// `smtp://[user:password@]host[:port][?tls=none|starttls|tls]`; may hold a password.
    pub smtp_url: String,
    pub from: String,
    /// Empty means no Reply-To header.
    pub reply_to: String,
    pub timeout_seconds: u64,
    /// Most SMTP connections kept open at once.
    pub pool_size: u32,
}

impl Default for MailSettings {
    /// The same values as `config/default.toml` (a test keeps them in step).
    fn default() -> Self {
        Self {
            transport: TransportKind::File,
            outbox_dir: PathBuf::from("data/outbox"),
            smtp_url: String::new(),
            from: "aitu-tracker <noreply@aitu-tracker.invalid>".to_owned(),
            reply_to: String::new(),
            timeout_seconds: 10,
            pool_size: 8,
        }
    }
}

impl fmt::Debug for MailSettings {
    /// `smtp_url` may hold a password: show it redacted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailSettings")
            .field("transport", &self.transport)
            .field("outbox_dir", &self.outbox_dir)
            .field("smtp_url", &redact_smtp_url(&self.smtp_url))
            .field("from", &self.from)
            .field("reply_to", &self.reply_to)
            .field("timeout_seconds", &self.timeout_seconds)
            .field("pool_size", &self.pool_size)
            .finish()
    }
}

/// A `[mail]` value that cannot be used; the message names the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("mail.{key} {problem}")]
pub struct MailSettingsError {
    /// The key under `[mail]`, for example `smtp_url`.
    pub key: &'static str,
    /// What is wrong and how to fix it; never contains a password.
    pub problem: String,
}

impl MailSettingsError {
    fn new(key: &'static str, problem: impl Into<String>) -> Self {
        Self {
            key,
            problem: problem.into(),
        }
    }
}

/// The checked mail settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailConfig {
    pub transport: TransportConfig,
    pub from: Mailbox,
    pub reply_to: Option<Mailbox>,
}

/// The transport with exactly the settings it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportConfig {
    File { outbox_dir: PathBuf },
    Smtp(SmtpConfig),
    Log,
}

/// Where and how to reach the SMTP server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    /// A host name or an IP address (without IPv6 brackets).
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub credentials: Option<SmtpCredentials>,
    /// For connecting and for each reply of the server.
    pub timeout: Duration,
    /// Most connections kept open at once (at least 1).
    pub pool_size: u32,
}

/// How the SMTP connection is protected (`tls=` in `mail.smtp_url`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain text: only for a relay on the same machine or a trusted network.
    None,
    /// Plain connection upgraded with STARTTLS, which must succeed (port 587).
    StartTls,
    /// TLS from the first byte, "SMTPS" (port 465).
    Implicit,
}

impl SmtpTls {
    /// Parses the `tls=` value of `mail.smtp_url`.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "none" => Some(Self::None),
            "starttls" => Some(Self::StartTls),
            "tls" => Some(Self::Implicit),
            _ => None,
        }
    }

    /// The `tls=` value naming this mode.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::StartTls => "starttls",
            Self::Implicit => "tls",
        }
    }

    /// The port used when `mail.smtp_url` names none.
    pub fn default_port(self) -> u16 {
        match self {
            Self::None => 25,
            Self::StartTls => 587,
            Self::Implicit => 465,
        }
    }
}

/// SMTP login from `mail.smtp_url`; the password never shows in `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpCredentials {
    pub username: String,
    password: String,
}

impl SmtpCredentials {
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            password: password.into(),
        }
    }

    /// The password, for the SMTP transport only.
    pub fn password(&self) -> &str {
        &self.password
    }
}

impl fmt::Debug for SmtpCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpCredentials")
            .field("username", &self.username)
            .field("password", &"***")
            .finish()
    }
}

/// The form `mail.smtp_url` must have, for error messages.
const SMTP_URL_FORM: &str = "smtp://[user:password@]host[:port][?tls=none|starttls|tls]";

impl MailSettings {
    /// Checks every key and parses the mailboxes and the SMTP URL.
    ///
    /// `smtp_url` is checked whenever it is set, even for another transport, so a typo
    /// shows before the operator switches to SMTP.
    pub fn parse(&self) -> Result<MailConfig, MailSettingsError> {
        let from = parse_mailbox("from", &self.from)?;
        let reply_to = match self.reply_to.trim() {
            "" => None,
            raw => Some(parse_mailbox("reply_to", raw)?),
        };
        if self.timeout_seconds == 0 {
            return Err(MailSettingsError::new(
                "timeout_seconds",
                "must be at least 1",
            ));
        }
        if self.pool_size == 0 {
            return Err(MailSettingsError::new("pool_size", "must be at least 1"));
        }
        let smtp = match self.smtp_url.trim() {
            "" => None,
            raw => Some(parse_smtp_url(raw)?),
        };
        let transport = match self.transport {
            TransportKind::File => {
                if self.outbox_dir.as_os_str().is_empty() {
                    return Err(MailSettingsError::new(
                        "outbox_dir",
                        "is empty but mail.transport is \"file\"; name a folder such as data/outbox",
                    ));
                }
                TransportConfig::File {
                    outbox_dir: self.outbox_dir.clone(),
                }
            }
            TransportKind::Smtp => {
                let endpoint = smtp.ok_or_else(|| {
                    MailSettingsError::new(
                        "smtp_url",
                        format!(
                            "is empty but mail.transport is \"smtp\"; set it (AITU__MAIL__SMTP_URL) to {SMTP_URL_FORM}"
                        ),
                    )
                })?;
                TransportConfig::Smtp(SmtpConfig {
                    host: endpoint.host,
                    port: endpoint.port,
                    tls: endpoint.tls,
                    credentials: endpoint.credentials,
                    timeout: Duration::from_secs(self.timeout_seconds),
                    pool_size: self.pool_size,
                })
            }
            TransportKind::Log => TransportConfig::Log,
        };
        Ok(MailConfig {
            transport,
            from,
            reply_to,
        })
    }
}

fn parse_mailbox(key: &'static str, raw: &str) -> Result<Mailbox, MailSettingsError> {
    Mailbox::from_str(raw.trim()).map_err(|e| {
        MailSettingsError::new(
            key,
            format!(
                "'{}' is not a mailbox like `aitu-tracker <noreply@agency.gov.kz>` or `noreply@agency.gov.kz`: {e}",
                raw.trim()
            ),
        )
    })
}

/// What `mail.smtp_url` says, before the timeout and pool size are added.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SmtpEndpoint {
    host: String,
    port: u16,
    tls: SmtpTls,
    credentials: Option<SmtpCredentials>,
}

fn parse_smtp_url(raw: &str) -> Result<SmtpEndpoint, MailSettingsError> {
    let invalid = |problem: String| MailSettingsError::new("smtp_url", problem);
    // The url crate's messages never repeat the input, so no password can leak through them.
    let url = url::Url::parse(raw)
        .map_err(|e| invalid(format!("is not a URL ({e}); expected {SMTP_URL_FORM}")))?;
    if url.scheme() != "smtp" {
        return Err(invalid(format!(
            "must start with smtp://, not {}:// (for implicit TLS write smtp://host:465?tls=tls); expected {SMTP_URL_FORM}",
            url.scheme()
        )));
    }
    let host = match url.host() {
        Some(url::Host::Domain(domain)) if !domain.is_empty() => domain.to_owned(),
        Some(url::Host::Ipv4(ip)) => ip.to_string(),
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        _ => return Err(invalid(format!("names no host; expected {SMTP_URL_FORM}"))),
    };
    if !matches!(url.path(), "" | "/") {
        return Err(invalid(format!(
            "must not have a path ('{}'); expected {SMTP_URL_FORM}",
            url.path()
        )));
    }
    let mut tls = None;
    for (name, value) in url.query_pairs() {
        match name.as_ref() {
            "tls" if tls.is_some() => return Err(invalid("gives tls= twice".to_owned())),
            "tls" => {
                tls = Some(SmtpTls::parse(&value).ok_or_else(|| {
                    invalid(format!(
                        "has tls={value}; use tls=none, tls=starttls or tls=tls (implicit TLS)"
                    ))
                })?);
            }
            other => {
                return Err(invalid(format!(
                    "has an unknown parameter '{other}'; only tls=none|starttls|tls is understood"
                )))
            }
        }
    }
    // STARTTLS when unsaid: never send a password in clear text by accident.
    let tls = tls.unwrap_or(SmtpTls::StartTls);
    let port = match url.port() {
        Some(0) => return Err(invalid("has port 0; name a real port or none".to_owned())),
        Some(port) => port,
        None => tls.default_port(),
    };
    let decode = |part: &str, what: &str| {
        percent_decode_str(part)
            .decode_utf8()
            .map(|s| s.into_owned())
            .map_err(|_| invalid(format!("has a {what} that is not UTF-8 once %-decoded")))
    };
    let username = decode(url.username(), "user name")?;
    let password = url.password().map(|p| decode(p, "password")).transpose()?;
    let credentials = match (username.is_empty(), password) {
        (true, None) => None,
        (false, Some(password)) => Some(SmtpCredentials { username, password }),
        (false, None) => {
            return Err(invalid(
                "has a user name but no password; write smtp://user:password@host (%-encode special characters)".to_owned(),
            ))
        }
        (true, Some(_)) => {
            return Err(invalid(
                "has a password but no user name; write smtp://user:password@host".to_owned(),
            ))
        }
    };
    Ok(SmtpEndpoint {
        host,
        port,
        tls,
        credentials,
    })
}

/// `mail.smtp_url` with its password replaced, for logs and `Debug` output.
pub fn redact_smtp_url(raw: &str) -> String {
    if raw.trim().is_empty() {
        String::new()
    } else {
        crate::db::redact_url(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smtp_settings(url: &str) -> MailSettings {
        MailSettings {
            transport: TransportKind::Smtp,
            smtp_url: url.to_owned(),
            ..MailSettings::default()
        }
    }

    fn smtp_config(url: &str) -> SmtpConfig {
        match smtp_settings(url).parse() {
            Ok(MailConfig {
                transport: TransportConfig::Smtp(smtp),
                ..
            }) => smtp,
            other => panic!("expected an SMTP config for {url}, got {other:?}"),
        }
    }

    fn error_for(settings: &MailSettings) -> MailSettingsError {
        settings
            .parse()
            .expect_err("the settings should be refused")
    }

    #[test]
    fn defaults_write_files_to_the_outbox_folder() {
        let config = MailSettings::default().parse().unwrap();
        assert_eq!(
            config.transport,
            TransportConfig::File {
                outbox_dir: PathBuf::from("data/outbox")
            }
        );
        assert_eq!(
            config.from.email.to_string(),
            "noreply@aitu-tracker.invalid"
        );
        assert_eq!(config.from.name.as_deref(), Some("aitu-tracker"));
        assert_eq!(config.reply_to, None);
    }

    #[test]
    fn code_defaults_match_config_default_toml() {
        assert_eq!(
            crate::config::Settings::defaults().mail,
            MailSettings::default()
        );
    }

    #[test]
    fn full_smtp_url_gives_host_port_tls_and_credentials() {
        let smtp = smtp_config("smtp://aitu%40mdai.gov.kz:p%40ss%3Aword@mail.gov.kz:2525?tls=tls");
        assert_eq!(smtp.host, "mail.gov.kz");
        assert_eq!(smtp.port, 2525);
        assert_eq!(smtp.tls, SmtpTls::Implicit);
        let credentials = smtp.credentials.unwrap();
        assert_eq!(credentials.username, "aitu@mdai.gov.kz");
        assert_eq!(credentials.password(), "p@ss:word");
        assert_eq!(smtp.timeout, Duration::from_secs(10));
        assert_eq!(smtp.pool_size, 8);
    }

    #[test]
    fn port_defaults_follow_the_tls_mode() {
        assert_eq!(smtp_config("smtp://relay?tls=none").port, 25);
        assert_eq!(smtp_config("smtp://relay?tls=starttls").port, 587);
        assert_eq!(smtp_config("smtp://relay?tls=tls").port, 465);
    }

    #[test]
    fn tls_defaults_to_starttls_and_login_is_optional() {
        let smtp = smtp_config("smtp://relay.gov.kz");
        assert_eq!(smtp.tls, SmtpTls::StartTls);
        assert_eq!(smtp.port, 587);
        assert_eq!(smtp.credentials, None);
    }

    #[test]
    fn ip_hosts_are_accepted_without_brackets() {
        assert_eq!(
            smtp_config("smtp://127.0.0.1:2525?tls=none").host,
            "127.0.0.1"
        );
        assert_eq!(smtp_config("smtp://[::1]:2525?tls=none").host, "::1");
    }

    #[test]
    fn smtp_transport_without_url_is_refused_naming_the_key() {
        let error = error_for(&smtp_settings(""));
        assert_eq!(error.key, "smtp_url");
        assert!(
            error.to_string().starts_with("mail.smtp_url is empty"),
            "{error}"
        );
    }

    #[test]
    fn bad_smtp_urls_are_refused_with_the_reason() {
        for (url, expected) in [
            ("mail.gov.kz:25", "must start with smtp://"),
            ("smtps://mail.gov.kz", "must start with smtp://"),
            ("http://mail.gov.kz", "must start with smtp://"),
            ("smtp://", "names no host"),
            ("smtp://mail.gov.kz?tls=ssl", "tls=ssl"),
            ("smtp://mail.gov.kz?tls=none&tls=tls", "twice"),
            (
                "smtp://mail.gov.kz?timeout=5",
                "unknown parameter 'timeout'",
            ),
            ("smtp://mail.gov.kz:99999", "not a URL"),
            ("smtp://mail.gov.kz:0", "port 0"),
            ("smtp://mail.gov.kz/inbox", "must not have a path"),
            ("smtp://user@mail.gov.kz", "no password"),
            ("smtp://:secret@mail.gov.kz", "no user name"),
        ] {
            let error = error_for(&smtp_settings(url));
            let message = error.to_string();
            assert!(message.starts_with("mail.smtp_url "), "{url}: {message}");
            assert!(message.contains(expected), "{url}: {message}");
        }
    }

    #[test]
    fn smtp_url_is_checked_even_while_another_transport_is_chosen() {
        let settings = MailSettings {
            smtp_url: "smtp://mail.gov.kz?tls=maybe".into(),
            ..MailSettings::default()
        };
        assert_eq!(error_for(&settings).key, "smtp_url");
    }

    #[test]
    fn errors_and_debug_output_never_show_the_password() {
        let settings = smtp_settings("smtps://user:hunter2@mail.gov.kz");
        assert!(!error_for(&settings).to_string().contains("hunter2"));
        let settings = smtp_settings("smtp://user:hunter2@mail.gov.kz?tls=bogus");
        assert!(!error_for(&settings).to_string().contains("hunter2"));
        let settings = smtp_settings("smtp://user:hunter2@mail.gov.kz");
        assert!(!format!("{settings:?}").contains("hunter2"));
        assert!(!format!("{:?}", settings.parse().unwrap()).contains("hunter2"));
    }

    #[test]
    fn from_and_reply_to_must_be_mailboxes() {
        let settings = MailSettings {
            from: "not an address".into(),
            ..MailSettings::default()
        };
        let error = error_for(&settings);
        assert_eq!(error.key, "from");
        assert!(error.to_string().contains("'not an address'"), "{error}");

        let settings = MailSettings {
            reply_to: "aitu@".into(),
            ..MailSettings::default()
        };
        assert_eq!(error_for(&settings).key, "reply_to");

        let settings = MailSettings {
            reply_to: "Координатор <aitu@mdai.gov.kz>".into(),
            ..MailSettings::default()
        };
        let reply_to = settings.parse().unwrap().reply_to.unwrap();
        assert_eq!(reply_to.name.as_deref(), Some("Координатор"));
        assert_eq!(reply_to.email.to_string(), "aitu@mdai.gov.kz");
    }

    #[test]
    fn blank_reply_to_means_none() {
        let settings = MailSettings {
            reply_to: "  ".into(),
            ..MailSettings::default()
        };
        assert_eq!(settings.parse().unwrap().reply_to, None);
    }

    #[test]
    fn zero_timeout_pool_size_or_folder_is_refused() {
        let zero_timeout = MailSettings {
            timeout_seconds: 0,
            ..MailSettings::default()
        };
        assert_eq!(error_for(&zero_timeout).key, "timeout_seconds");
        let zero_pool = MailSettings {
            pool_size: 0,
            ..MailSettings::default()
        };
        assert_eq!(error_for(&zero_pool).key, "pool_size");
        let no_folder = MailSettings {
            outbox_dir: PathBuf::new(),
            ..MailSettings::default()
        };
        assert_eq!(error_for(&no_folder).key, "outbox_dir");
    }

    #[test]
    fn transport_names_deserialize_from_lowercase() {
        let settings: MailSettings =
            serde_json::from_str(r#"{"transport": "log"}"#).expect("valid settings");
        assert_eq!(settings.transport, TransportKind::Log);
        assert_eq!(settings.pool_size, 8);
        let error = serde_json::from_str::<MailSettings>(r#"{"transport": "smpt"}"#)
            .expect_err("unknown transport");
        assert!(error.to_string().contains("smpt"), "{error}");
        let error =
            serde_json::from_str::<MailSettings>(r#"{"smtp_host": "x"}"#).expect_err("unknown key");
        assert!(error.to_string().contains("smtp_host"), "{error}");
    }
}
