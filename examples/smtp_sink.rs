//! An SMTP sink for benchmarks: accepts every message on 127.0.0.1 as fast as it can,
//! keeps nothing, and counts.
//!
//! ```sh
//! cargo run --release --example smtp_sink -- [--port N] [--threads N]
//! ```
//!
//! Prints `listening 127.0.0.1:<port>` once on stdout, then, whenever something changed
//! (at most every 100 ms), one status line:
//!
//! ```text
//! count=<messages> connections=<EHLO/HELO greetings> bytes=<message bytes> first=<unix s> last=<unix s>
//! ```
//!
//! `first`/`last` are the wall-clock times (seconds since the epoch, microsecond
//! precision) at which the first and the latest message were completely received; 0
//! before any. It exits when its standard input is closed (so it never outlives the
//! script that started it) or on a signal.
//!
//! Built on mailin-embedded (blocking I/O, one thread per SMTP session): `--threads` is
//! the number of sessions served at once (default 16; a pooled client keeps its
//! connections open, so give it at least the client's pool size).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mailin_embedded::response::OK;
use mailin_embedded::{Handler, Response, Server, SslConfig};

#[derive(Default)]
struct Counters {
    messages: AtomicU64,
    connections: AtomicU64,
    bytes: AtomicU64,
    /// Microseconds since the epoch.
    first_us: AtomicU64,
    last_us: AtomicU64,
}

#[derive(Clone)]
struct CountingHandler {
    counters: Arc<Counters>,
}

fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

impl Handler for CountingHandler {
    fn helo(&mut self, _ip: std::net::IpAddr, _domain: &str) -> Response {
        self.counters.connections.fetch_add(1, Ordering::Relaxed);
        OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.counters
            .bytes
            .fetch_add(buf.len() as u64, Ordering::Relaxed);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let now = now_us();
        let _ = self
            .counters
            .first_us
            .compare_exchange(0, now, Ordering::SeqCst, Ordering::SeqCst);
        self.counters.last_us.fetch_max(now, Ordering::SeqCst);
        self.counters.messages.fetch_add(1, Ordering::SeqCst);
        OK
    }
}

fn usage() -> ! {
    eprintln!("usage: smtp_sink [--port N] [--threads N]   (listens on 127.0.0.1 only)");
    std::process::exit(2);
}

fn main() {
    let mut port: u16 = 0;
    let mut threads: u32 = 16;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = |args: &mut dyn Iterator<Item = String>| args.next().unwrap_or_else(|| usage());
        match arg.as_str() {
            "--port" => port = value(&mut args).parse().unwrap_or_else(|_| usage()),
            "--threads" => threads = value(&mut args).parse().unwrap_or_else(|_| usage()),
            _ => usage(),
        }
    }
    let threads = threads.max(1);

    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap_or_else(|e| {
        eprintln!("smtp_sink: cannot listen on 127.0.0.1:{port}: {e}");
        std::process::exit(1);
    });
    let addr = listener.local_addr().expect("local address");
    let counters = Arc::new(Counters::default());
    let mut server = Server::new(CountingHandler {
        counters: Arc::clone(&counters),
    });
    server
        .with_name("smtp-sink.invalid")
        .with_ssl(SslConfig::None)
        .expect("no TLS")
        .with_num_threads(threads)
        .with_tcp_listener(listener);
    std::thread::spawn(move || {
        if let Err(error) = server.serve() {
            eprintln!("smtp_sink: the server stopped: {error}");
            std::process::exit(1);
        }
    });

    // Exit when whoever started us closes our stdin (or goes away).
    std::thread::spawn(|| {
        let mut sink = [0u8; 256];
        let mut stdin = std::io::stdin();
        while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
        std::process::exit(0);
    });

    let stdout = std::io::stdout();
    {
        let mut out = stdout.lock();
        let _ = writeln!(out, "listening {addr}");
        let _ = out.flush();
    }
    let mut shown = (u64::MAX, u64::MAX);
    loop {
        std::thread::sleep(Duration::from_millis(100));
        let messages = counters.messages.load(Ordering::SeqCst);
        let connections = counters.connections.load(Ordering::Relaxed);
        if (messages, connections) == shown {
            continue;
        }
        shown = (messages, connections);
        let secs = |us: u64| us as f64 / 1e6;
        let mut out = stdout.lock();
        let line = writeln!(
            out,
            "count={messages} connections={connections} bytes={} first={:.6} last={:.6}",
            counters.bytes.load(Ordering::Relaxed),
            secs(counters.first_us.load(Ordering::SeqCst)),
            secs(counters.last_us.load(Ordering::SeqCst)),
        )
        .and_then(|()| out.flush());
        if line.is_err() {
            // Nobody reads us any more.
            std::process::exit(0);
        }
    }
}
