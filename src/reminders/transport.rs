//! Delivery of one finished email through the configured transport: `.eml` files in a
//! folder, an SMTP server (pooled connections, rustls), or only a log line.
//!
//! Sending blocks: call it from a worker thread or `web::block`, never on an async worker.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lettre::message::header;
use lettre::message::Mailbox;
use lettre::Message;

use super::settings::{
    MailConfig, MailSettings, MailSettingsError, SmtpConfig, SmtpTls, TransportConfig,
    TransportKind,
};
use super::smtp::SmtpClient;

/// Sends emails; cheap to clone, and clones share the SMTP connection pool.
#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    reply_to: Option<Mailbox>,
}

impl fmt::Debug for Mailer {
    /// Shows where mail goes, never the SMTP credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("Mailer");
        debug.field("transport", &self.kind());
        match &self.transport {
            Transport::File { outbox_dir } => debug.field("outbox_dir", outbox_dir),
            Transport::Smtp { endpoint, .. } => debug.field("endpoint", endpoint),
            Transport::Log => &mut debug,
        };
        debug
            .field("from", &self.from.to_string())
            .field("reply_to", &self.reply_to.as_ref().map(ToString::to_string))
            .finish()
    }
}

#[derive(Clone)]
enum Transport {
    File {
        outbox_dir: PathBuf,
    },
    Smtp {
        client: Arc<SmtpClient>,
        /// `host:port`, for messages about failures.
        endpoint: String,
    },
    Log,
}

/// A message the transport accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// The Message-ID header that went out, with its angle brackets.
    pub message_id: String,
    pub receipt: Receipt,
}

/// What the transport said when it accepted a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Receipt {
    /// The SMTP server's final reply, such as `250 2.0.0 Ok: queued as 4F2A1`.
    Smtp(ServerReply),
    /// The `.eml` file written.
    File(PathBuf),
    /// Only logged.
    Logged,
}

/// One reply of an SMTP server: its code and its text (lines joined by spaces).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerReply {
    pub code: u16,
    pub text: String,
}

impl fmt::Display for ServerReply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.text.is_empty() {
            write!(f, "{}", self.code)
        } else {
            write!(f, "{} {}", self.code, self.text)
        }
    }
}

/// Why a message was not delivered, and whether trying again later can help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Try again later: the network, the server or the disk may recover (connection
    /// refused, timeout, I/O, TLS, or any 4xx reply).
    #[error("delivery failed for now (will retry): {reason}")]
    Transient {
        /// The server's 4xx reply, when there was one.
        reply: Option<ServerReply>,
        reason: String,
    },
    /// Do not try again: the server refused this message for good (a 5xx reply).
    #[error("delivery refused by the mail server: {reply}")]
    Permanent { reply: ServerReply },
}

impl SendError {
    pub fn is_permanent(&self) -> bool {
        matches!(self, Self::Permanent { .. })
    }

    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Transient { .. })
    }

    /// The server's negative reply, when the failure came from one.
    pub fn reply(&self) -> Option<&ServerReply> {
        match self {
            Self::Transient { reply, .. } => reply.as_ref(),
            Self::Permanent { reply } => Some(reply),
        }
    }

    pub(super) fn transient(reason: impl Into<String>) -> Self {
        Self::Transient {
            reply: None,
            reason: reason.into(),
        }
    }

    /// Sorts a lettre SMTP error: 5xx is permanent, everything else is worth a retry.
    pub(super) fn from_smtp(error: &lettre::transport::smtp::Error, endpoint: &str) -> Self {
        use std::error::Error as _;
        let reply = error.status().map(|code| ServerReply {
            code: u16::from(code),
            // lettre keeps the server's text as the error's source.
            text: error.source().map(|s| s.to_string()).unwrap_or_default(),
        });
        match reply {
            Some(reply) if error.is_permanent() => Self::Permanent { reply },
            Some(reply) => Self::Transient {
                reason: format!("the mail server {endpoint} answered {reply}"),
                reply: Some(reply),
            },
            None if error.is_timeout() => {
                Self::transient(format!("the mail server {endpoint} timed out: {error}"))
            }
            None => Self::transient(format!("SMTP with {endpoint} failed: {error}")),
        }
    }
}

impl Mailer {
    /// Checks the settings and builds the transport; no connection is made yet.
    pub fn from_settings(settings: &MailSettings) -> Result<Self, MailSettingsError> {
        Self::from_config(&settings.parse()?)
    }

    /// Builds the transport from checked settings; fails only if TLS cannot be set up.
    pub fn from_config(config: &MailConfig) -> Result<Self, MailSettingsError> {
        let transport = match &config.transport {
            TransportConfig::File { outbox_dir } => Transport::File {
                outbox_dir: outbox_dir.clone(),
            },
            TransportConfig::Smtp(smtp) => Transport::Smtp {
                client: build_smtp_client(smtp)?,
                endpoint: format!("{}:{}", smtp.host, smtp.port),
            },
            TransportConfig::Log => Transport::Log,
        };
        Ok(Self {
            transport,
            from: config.from.clone(),
            reply_to: config.reply_to.clone(),
        })
    }

    /// The configured sender (`mail.from`), for building messages.
    pub fn from_mailbox(&self) -> &Mailbox {
        &self.from
    }

    /// The configured `mail.reply_to`, if any.
    pub fn reply_to(&self) -> Option<&Mailbox> {
        self.reply_to.as_ref()
    }

    /// Which transport this mailer uses.
    pub fn kind(&self) -> TransportKind {
        match self.transport {
            Transport::File { .. } => TransportKind::File,
            Transport::Smtp { .. } => TransportKind::Smtp,
            Transport::Log => TransportKind::Log,
        }
    }

    /// Sends one message, adding a Message-ID (`<uuid@domain-of-From>`) if it has none.
    ///
    /// Blocks until the transport has accepted or refused the message.
    pub fn send(&self, message: &Message) -> Result<Delivered, SendError> {
        let with_id;
        let (message, message_id) = match existing_message_id(message) {
            Some(id) => (message, id),
            None => {
                let sender = message
                    .headers()
                    .get::<header::From>()
                    .and_then(|from| lettre::message::Mailboxes::from(from).into_iter().next())
                    .unwrap_or_else(|| self.from.clone());
                let id = new_message_id(&sender);
                let mut copy = message.clone();
                copy.headers_mut().set(header::MessageId::from(id.clone()));
                with_id = copy;
                (&with_id, id)
            }
        };
        let receipt = match &self.transport {
            Transport::File { outbox_dir } => {
                Receipt::File(write_eml(outbox_dir, &message_id, &message.formatted())?)
            }
            Transport::Smtp { client, .. } => {
                let response = client.send(message.envelope(), &message.formatted())?;
                Receipt::Smtp(ServerReply {
                    code: u16::from(response.code()),
                    text: response.message().collect::<Vec<_>>().join(" "),
                })
            }
            Transport::Log => {
                log_summary(message, &message_id);
                Receipt::Logged
            }
        };
        Ok(Delivered {
            message_id,
            receipt,
        })
    }
}

/// A fresh Message-ID under the sender's domain, as RFC 5322 recommends.
pub fn new_message_id(sender: &Mailbox) -> String {
    format!("<{}@{}>", uuid::Uuid::new_v4(), sender.email.domain())
}

fn existing_message_id(message: &Message) -> Option<String> {
    let raw = message.headers().get_raw("Message-ID")?;
    let id = raw.trim();
    (!id.is_empty()).then(|| id.to_owned())
}

fn build_smtp_client(smtp: &SmtpConfig) -> Result<Arc<SmtpClient>, MailSettingsError> {
    if smtp.tls == SmtpTls::None && smtp.credentials.is_some() && !is_loopback(&smtp.host) {
        log::warn!(
            "mail.smtp_url sends the SMTP password to {} without TLS; use tls=starttls or tls=tls",
            smtp.host
        );
    }
    SmtpClient::new(smtp).map(Arc::new)
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Writes `<outbox_dir>/<message-id>.eml` whole or not at all: a temporary file renamed
/// into place, so a reader never sees half a message.
fn write_eml(outbox_dir: &Path, message_id: &str, bytes: &[u8]) -> Result<PathBuf, SendError> {
    let failed = |what: &str, path: &Path, e: std::io::Error| {
        SendError::transient(format!("cannot {what} {}: {e}", path.display()))
    };
    std::fs::create_dir_all(outbox_dir).map_err(|e| failed("create", outbox_dir, e))?;
    let name = file_name_for(message_id);
    let path = outbox_dir.join(format!("{name}.eml"));
    let partial = outbox_dir.join(format!(".{name}.eml.partial"));
    let written = std::fs::File::create(&partial)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        })
        .and_then(|()| std::fs::rename(&partial, &path));
    if let Err(e) = written {
        // Best effort: a leftover partial file is harmless, only untidy.
        let _ = std::fs::remove_file(&partial);
        return Err(failed("write", &path, e));
    }
    Ok(path)
}

/// The Message-ID without its brackets, with anything unsafe in a file name replaced.
fn file_name_for(message_id: &str) -> String {
    message_id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "@._+-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// One line at info with the recipients and subject; the body may hold personal data
/// and never goes to the log.
fn log_summary(message: &Message, message_id: &str) {
    let recipients = message
        .envelope()
        .to()
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let subject = message.headers().get_raw("Subject").unwrap_or("");
    log::info!(
        "email not sent (mail.transport = \"log\"): to {recipients}, subject {subject:?}, message-id {message_id}"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_message(message_id: Option<&str>) -> Message {
        let builder = Message::builder()
            .from("Aitu <noreply@mdai.gov.kz>".parse().unwrap())
            .to("it@minfin.gov.kz".parse().unwrap())
            .subject("Aitu: тест");
        let builder = match message_id {
            Some(id) => builder.message_id(Some(id.to_owned())),
            None => builder,
        };
        builder.body("body".to_owned()).unwrap()
    }

    fn log_mailer() -> Mailer {
        Mailer::from_settings(&MailSettings {
            transport: TransportKind::Log,
            ..MailSettings::default()
        })
        .unwrap()
    }

    #[test]
    fn a_missing_message_id_is_added_under_the_sender_domain() {
        let delivered = log_mailer().send(&sample_message(None)).unwrap();
        assert!(delivered.message_id.starts_with('<'));
        assert!(
            delivered.message_id.ends_with("@mdai.gov.kz>"),
            "{delivered:?}"
        );
        assert_eq!(delivered.receipt, Receipt::Logged);
    }

    #[test]
    fn an_existing_message_id_is_kept() {
        let delivered = log_mailer()
            .send(&sample_message(Some("<r-1@mdai.gov.kz>")))
            .unwrap();
        assert_eq!(delivered.message_id, "<r-1@mdai.gov.kz>");
    }

    #[test]
    fn file_names_keep_only_safe_characters() {
        assert_eq!(file_name_for("<abc-1@mdai.gov.kz>"), "abc-1@mdai.gov.kz");
        assert_eq!(file_name_for("<../../etc/passwd>"), ".._.._etc_passwd");
    }

    #[test]
    fn server_replies_display_code_and_text() {
        let reply = ServerReply {
            code: 550,
            text: "5.1.1 no such user".into(),
        };
        assert_eq!(reply.to_string(), "550 5.1.1 no such user");
        let error = SendError::Permanent { reply };
        assert!(error.is_permanent());
        assert_eq!(
            error.to_string(),
            "delivery refused by the mail server: 550 5.1.1 no such user"
        );
    }

    #[test]
    fn smtp_mailer_needs_no_connection_to_be_built() {
        let mailer = Mailer::from_settings(&MailSettings {
            transport: TransportKind::Smtp,
            smtp_url: "smtp://user:pw@mail.gov.kz?tls=tls".into(),
            ..MailSettings::default()
        })
        .unwrap();
        assert_eq!(mailer.kind(), TransportKind::Smtp);
        assert_eq!(mailer.from_mailbox().email.domain(), "aitu-tracker.invalid");
        let debug = format!("{mailer:?}");
        assert!(debug.contains("mail.gov.kz:465"), "{debug}");
        assert!(!debug.contains("pw"), "{debug}");
    }

    #[test]
    fn file_transport_fails_transiently_when_the_folder_cannot_be_made() {
        let temp = tempfile::tempdir().unwrap();
        let blocker = temp.path().join("not-a-folder");
        std::fs::write(&blocker, b"").unwrap();
        let mailer = Mailer::from_settings(&MailSettings {
            outbox_dir: blocker.join("outbox"),
            ..MailSettings::default()
        })
        .unwrap();
        let error = mailer.send(&sample_message(None)).unwrap_err();
        assert!(error.is_transient(), "{error:?}");
        assert_eq!(error.reply(), None);
    }
}
