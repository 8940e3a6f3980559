//! A real `redis-server` for the Redis history tests: on 127.0.0.1, a free port, nothing saved to
//! disk, killed when the guard is dropped.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::TempDir;

/// A running server; dropping it kills it.
pub struct RedisServer {
    child: Child,
    port: u16,
    dir: TempDir,
}

impl RedisServer {
    /// Starts a server on a free port. Fails the test when `redis-server` is not installed.
    pub fn start() -> RedisServer {
        let dir = TempDir::new("redis");
        // The port is free when asked, but another process could take it before the server
        // binds it: try a few.
        for _ in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map(|a| a.port())
                .expect("a free port");
            if let Some(child) = spawn(port, &dir) {
                return RedisServer { child, port, dir };
            }
        }
        panic!("redis-server did not start (see the output above)");
    }

    /// Starts a server on `port` (a test that needs its URL before the server is up).
    pub fn start_on(port: u16) -> RedisServer {
        let dir = TempDir::new("redis");
        let child = spawn(port, &dir).expect("started on the port asked for");
        RedisServer { child, port, dir }
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills the server and starts another on the same port (its data gone).
    pub fn restart(&mut self) {
        self.stop();
        self.child = spawn(self.port, &self.dir).expect("restarted on the same port");
    }

    /// Sends `signal` to the server: SIGSTOP makes it stop answering without closing a
    /// connection (as a paused machine's would), SIGCONT lets it go on.
    #[allow(dead_code)] // not every test binary that shares this module pauses a server
    pub fn signal(&self, signal: &str) {
        let pid = self.child.id().to_string();
        let sent = std::process::Command::new("kill").args([&format!("-{signal}"), &pid]).status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -{signal} {pid}");
    }

    /// Kills the server.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A server on `port`, once it accepts connections; `None` when it exited first.
fn spawn(port: u16, dir: &TempDir) -> Option<Child> {
    let spawned = Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
        ])
        .arg(dir.path())
        .stdout(Stdio::null())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            panic!("redis-server is not installed: the Redis history tests run a real server (install it: apt-get install redis-server)")
        }
        Err(e) => panic!("cannot start redis-server: {e}"),
    };
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        if child.try_wait().ok().flatten().is_some() {
            return None;
        }
        match served_by(port) {
            Some(pid) if pid == child.id() => return Some(child),
            // Another test's server took the port first (this one cannot bind it).
            Some(_) => break,
            None => {}
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

/// The process id of the server answering on `port`; `None` while it does not answer.
fn served_by(port: u16) -> Option<u32> {
    let mut conn = redis::Client::open(format!("redis://127.0.0.1:{port}"))
        .ok()?
        .get_connection_with_timeout(Duration::from_secs(1))
        .ok()?;
    let info: String = redis::cmd("INFO").arg("server").query(&mut conn).ok()?;
    info.lines()
        .find_map(|line| line.strip_prefix("process_id:"))
        .and_then(|pid| pid.trim().parse().ok())
}
