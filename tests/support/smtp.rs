//! A real SMTP server for tests: mailin-embedded in this process on 127.0.0.1, recording
//! what it receives; it can refuse RCPT or DATA with any reply on demand.
#![allow(dead_code)]

use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use mailin_embedded::response::OK;
use mailin_embedded::{Handler, Response, Server, SslConfig};

/// How long a test waits for the server to record mail before failing.
pub const WAIT: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------- the SMTP server

/// One message as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    pub data: Vec<u8>,
}

/// What the server received, shared by all its connections.
#[derive(Default)]
pub struct Inbox {
    mails: Mutex<Vec<Received>>,
    arrived: Condvar,
    /// EHLO/HELO greetings, one per SMTP connection.
    pub connections: AtomicUsize,
}

impl Inbox {
    /// Waits (bounded) until `count` messages have arrived, and returns them.
    pub fn wait_for(&self, count: usize) -> Vec<Received> {
        let mails = self.mails.lock().expect("inbox lock");
        let (mails, timeout) = self
            .arrived
            .wait_timeout_while(mails, WAIT, |mails| mails.len() < count)
            .expect("inbox lock");
        assert!(
            !timeout.timed_out(),
            "expected {count} messages, the server has {}",
            mails.len()
        );
        mails.clone()
    }

    pub fn received(&self) -> Vec<Received> {
        self.mails.lock().expect("inbox lock").clone()
    }
}

/// Negative replies the server gives on demand; `None` accepts.
///
/// DATA is refused at the command, not after the message: mailin stays in its data state
/// after a negative end-of-data reply and would leave the client's QUIT unanswered.
#[derive(Clone, Default)]
pub struct Refusals {
    pub rcpt: Option<(u16, &'static str)>,
    pub data: Option<(u16, &'static str)>,
}

/// The mailin handler: one clone per connection, recording into the shared inbox.
#[derive(Clone)]
struct RecordingHandler {
    inbox: Arc<Inbox>,
    refusals: Refusals,
    current: Option<Received>,
}

fn reply(refusal: Option<(u16, &'static str)>) -> Response {
    match refusal {
        Some((code, text)) => Response::custom(code, text.to_owned()),
        None => OK,
    }
}

impl Handler for RecordingHandler {
    fn helo(&mut self, _ip: std::net::IpAddr, _domain: &str) -> Response {
        self.inbox.connections.fetch_add(1, Ordering::SeqCst);
        OK
    }

    fn rcpt(&mut self, _to: &str) -> Response {
        reply(self.refusals.rcpt)
    }

    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        if self.refusals.data.is_some() {
            return reply(self.refusals.data);
        }
        self.current = Some(Received {
            mail_from: from.to_owned(),
            rcpt_to: to.to_vec(),
            data: Vec::new(),
        });
        OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some(mail) = &mut self.current {
            mail.data.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        if let Some(mail) = self.current.take() {
            self.inbox.mails.lock().expect("inbox lock").push(mail);
            self.inbox.arrived.notify_all();
        }
        OK
    }
}

/// A running SMTP server on a free port of 127.0.0.1.
pub struct SmtpServer {
    pub addr: SocketAddr,
    pub inbox: Arc<Inbox>,
}

/// Starts mailin-embedded on its own thread; it runs until the test process exits.
/// The socket is bound before the thread starts, so clients can connect at once.
pub fn start_smtp_server(refusals: Refusals) -> SmtpServer {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port on 127.0.0.1");
    let addr = listener.local_addr().expect("local address");
    let inbox = Arc::new(Inbox::default());
    let handler = RecordingHandler {
        inbox: Arc::clone(&inbox),
        refusals,
        current: None,
    };
    let mut server = Server::new(handler);
    server
        .with_name("smtp.test")
        .with_ssl(SslConfig::None)
        .expect("no TLS")
        .with_num_threads(32)
        .with_tcp_listener(listener);
    std::thread::spawn(move || {
        // The error type is not Send: report it from this thread.
        if let Err(error) = server.serve() {
            panic!("the test SMTP server stopped: {error}");
        }
    });
    SmtpServer { addr, inbox }
}
