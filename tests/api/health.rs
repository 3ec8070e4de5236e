use std::sync::{Arc, Mutex};

use tokio::io::copy_bidirectional;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::helpers::*;

#[tokio::test]
async fn healthz_answers_while_the_process_runs() {
    let app = spawn_app().await;
    assert_eq!(app.get_json("/healthz").await["status"], "ok");
    assert_eq!(app.get_json("/readyz").await["status"], "ready");
}

/// A TCP forwarder to PostgreSQL that a test can cut and restore, as if the database
/// went away and came back.
struct Outage {
    port: u16,
    target: String,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Outage {
    async fn start(target: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let outage = Self {
            port,
            target,
            tasks: Arc::default(),
        };
        outage.serve(listener);
        outage
    }

    fn serve(&self, listener: TcpListener) {
        let target = self.target.clone();
        let tasks = self.tasks.clone();
        let accept = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let target = target.clone();
                let pipe = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(&target).await {
                        let _ = copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                tasks.lock().unwrap().push(pipe);
            }
        });
        self.tasks.lock().unwrap().push(accept);
    }

    /// Drops every connection and stops listening.
    fn cut(&self) {
        for task in self.tasks.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    async fn restore(&self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await.unwrap();
        self.serve(listener);
    }
}

async fn readyz_status(app: &TestApp) -> u16 {
    app.get("/readyz").await.status().as_u16()
}

// Multi-threaded: the forwarder must run while the server is being built.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_is_503_while_the_database_is_away_and_recovers_by_itself() {
    let db = TestDb::new();
    if let Some(target) = db.postgres_addr() {
        // PostgreSQL: the service reaches the database through a forwarder we can cut.
        let outage = Outage::start(target).await;
        let mut url = url::Url::parse(&db.url).unwrap();
        url.set_port(Some(outage.port)).unwrap();
        let settings = test_settings(url.as_str());
        let app = spawn_on(db, settings).await;
        assert_eq!(readyz_status(&app).await, 200);

        outage.cut();
        let down = app.get("/readyz").await;
        let body = problem(down, 503).await;
        assert!(body["detail"].as_str().unwrap().contains("database"));
        // Other requests fail cleanly too.
        problem(app.get("/api/v1/organizations").await, 503).await;

        outage.restore().await;
        assert_eq!(readyz_status(&app).await, 200);
        assert_eq!(app.get_json("/api/v1/organizations").await["total"], 0);
    } else {
        // SQLite: the database file disappears (a volume unmounted, a file moved away).
        let path = std::path::PathBuf::from(db.url.strip_prefix("sqlite://").unwrap());
        let aside = path.with_extension("aside");
        let app = spawn_on(db, test_settings(&format!("sqlite://{}", path.display()))).await;
        assert_eq!(readyz_status(&app).await, 200);

        std::fs::rename(&path, &aside).unwrap();
        let body = problem(app.get("/readyz").await, 503).await;
        assert!(body["detail"].as_str().unwrap().contains("database"));

        std::fs::rename(&aside, &path).unwrap();
        assert_eq!(readyz_status(&app).await, 200);
    }
}
