//! The SMTP client behind the `smtp` transport: a small pool of open connections, each
//! reused for many messages.
//!
//! lettre speaks the protocol; this module owns the sockets. It opens them itself so that
//! it can switch Nagle's algorithm off (`TCP_NODELAY`): lettre writes the end of a message
//! (`<CRLF>.<CRLF>`) as a write of its own after the body, and with Nagle on that small write
//! waits for the server to acknowledge the body, which a server delays by up to 40 ms
//! because it has nothing to answer yet. That wait, not the network, capped delivery at
//! about 25 messages per second and connection.
//!
//! Callers block: each call drives its future on the calling thread, with the socket
//! reactor and timers on one shared background thread. Call from a worker thread or
//! `web::block`, never on an async worker.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::response::Response;
use tokio::net::TcpStream;
use tokio::runtime::Runtime;

use super::settings::{MailSettingsError, SmtpConfig, SmtpTls};
use super::transport::SendError;

/// A connection left unused longer than this is closed instead of reused: servers drop
/// idle clients after a while, and a fresh connection is cheaper than a failed send.
const IDLE_LIMIT: Duration = Duration::from_secs(50);

/// The mechanisms offered for `USER:PASSWORD`, in order of preference.
const AUTH_MECHANISMS: [Mechanism; 2] = [Mechanism::Plain, Mechanism::Login];

pub(super) struct SmtpClient {
    host: String,
    port: u16,
    tls: SmtpTls,
    tls_parameters: Option<TlsParameters>,
    credentials: Option<Credentials>,
    timeout: Duration,
    hello: ClientId,
    /// Most idle connections kept for reuse.
    pool_size: usize,
    idle: Mutex<Vec<Idle>>,
    /// `None` only while being dropped.
    runtime: Option<Runtime>,
}

struct Idle {
    connection: AsyncSmtpConnection,
    since: Instant,
}

impl SmtpClient {
    /// Checks the TLS set-up and starts the I/O thread; connects to nothing yet.
    pub(super) fn new(config: &SmtpConfig) -> Result<Self, MailSettingsError> {
        let tls_parameters = match config.tls {
            SmtpTls::None => None,
            SmtpTls::StartTls | SmtpTls::Implicit => Some(
                TlsParameters::new(config.host.clone()).map_err(|e| MailSettingsError {
                    key: "smtp_url",
                    problem: format!("cannot set up TLS for {}: {e}", config.host),
                })?,
            ),
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("smtp-io")
            .enable_io()
            .enable_time()
            .build()
            .map_err(|e| MailSettingsError {
                key: "transport",
                problem: format!("cannot start the SMTP client's I/O thread: {e}"),
            })?;
        Ok(Self {
            host: config.host.clone(),
            port: config.port,
            tls: config.tls,
            tls_parameters,
            credentials: config
                .credentials
                .as_ref()
                .map(|c| Credentials::new(c.username.clone(), c.password().to_owned())),
            timeout: config.timeout,
            hello: ClientId::default(),
            pool_size: usize::try_from(config.pool_size.max(1)).unwrap_or(1),
            idle: Mutex::new(Vec::new()),
            runtime: Some(runtime),
        })
    }

    /// `host:port`, for messages about failures.
    pub(super) fn endpoint(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// Sends one message on a pooled connection (opening one if none is free) and returns
    /// the server's final reply.
    pub(super) fn send(&self, envelope: &Envelope, bytes: &[u8]) -> Result<Response, SendError> {
        let runtime = self
            .runtime
            .as_ref()
            .expect("the runtime lives as long as the client");
        runtime.block_on(async {
            let mut connection = self.checkout().await?;
            let sent = tokio::time::timeout(self.timeout, connection.send(envelope, bytes)).await;
            match sent {
                Ok(Ok(response)) => {
                    self.checkin(connection);
                    Ok(response)
                }
                // lettre has already said QUIT on any failure (a refusal included): the
                // connection is closed, not returned.
                Ok(Err(error)) => Err(SendError::from_smtp(&error, &self.endpoint())),
                Err(_elapsed) => Err(self.timed_out("send the message")),
            }
        })
    }

    /// An idle connection that still answers NOOP, else a new one.
    async fn checkout(&self) -> Result<AsyncSmtpConnection, SendError> {
        loop {
            let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
            let Some(Idle {
                mut connection,
                since,
            }) = idle
            else {
                return self.connect().await;
            };
            if since.elapsed() > IDLE_LIMIT {
                self.close(connection).await;
                continue;
            }
            let alive = tokio::time::timeout(self.timeout, connection.test_connected()).await;
            if alive == Ok(true) {
                return Ok(connection);
            }
        }
    }

    fn checkin(&self, connection: AsyncSmtpConnection) {
        if connection.has_broken() {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < self.pool_size {
            idle.push(Idle {
                connection,
                since: Instant::now(),
            });
        }
        // Otherwise the connection is dropped, which closes its socket.
    }

    async fn close(&self, mut connection: AsyncSmtpConnection) {
        // Best effort: the server may already have gone.
        let _ = tokio::time::timeout(self.timeout, connection.quit()).await;
    }

    /// Connects, greets, secures and logs in, all within the timeout.
    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        match tokio::time::timeout(self.timeout, self.open()).await {
            Ok(result) => result,
            Err(_elapsed) => Err(self.timed_out("connect and log in")),
        }
    }

    async fn open(&self) -> Result<AsyncSmtpConnection, SendError> {
        let endpoint = self.endpoint();
        let smtp_failed =
            |error: lettre::transport::smtp::Error| SendError::from_smtp(&error, &endpoint);
        let mut connection = match self.tls {
            SmtpTls::Implicit => {
                // TLS from the first byte: lettre opens this socket itself.
                AsyncSmtpConnection::connect_tokio1(
                    (self.host.as_str(), self.port),
                    Some(self.timeout),
                    &self.hello,
                    self.tls_parameters.clone(),
                    None,
                )
                .await
                .map_err(smtp_failed)?
            }
            SmtpTls::None | SmtpTls::StartTls => {
                let socket = TcpStream::connect((self.host.as_str(), self.port))
                    .await
                    .map_err(|e| {
                        SendError::transient(format!(
                            "cannot connect to the mail server {endpoint}: {e}"
                        ))
                    })?;
                // See the module documentation: without this every message waits for a
                // delayed acknowledgement.
                socket.set_nodelay(true).map_err(|e| {
                    SendError::transient(format!("cannot set up the connection to {endpoint}: {e}"))
                })?;
                AsyncSmtpConnection::connect_with_transport(Box::new(socket), &self.hello)
                    .await
                    .map_err(smtp_failed)?
            }
        };
        if let (SmtpTls::StartTls, Some(parameters)) = (self.tls, &self.tls_parameters) {
            if !connection.can_starttls() {
                return Err(SendError::transient(format!(
                    "the mail server {endpoint} does not offer STARTTLS, which mail.smtp_url requires (tls=starttls)"
                )));
            }
            connection
                .starttls(parameters.clone(), &self.hello)
                .await
                .map_err(smtp_failed)?;
        }
        if let Some(credentials) = &self.credentials {
            connection
                .auth(&AUTH_MECHANISMS, credentials)
                .await
                .map_err(smtp_failed)?;
        }
        Ok(connection)
    }

    fn timed_out(&self, what: &str) -> SendError {
        SendError::transient(format!(
            "the mail server {} timed out: no answer within {} s to {what}",
            self.endpoint(),
            self.timeout.as_secs_f32()
        ))
    }
}

impl Drop for SmtpClient {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            // The sockets belong to the runtime's reactor: close them before it goes.
            let guard = runtime.enter();
            self.idle
                .get_mut()
                .unwrap_or_else(|e| e.into_inner())
                .clear();
            drop(guard);
            // Never blocks, so dropping the last mailer is safe anywhere, even on an
            // async worker during shutdown.
            runtime.shutdown_background();
        }
    }
}
