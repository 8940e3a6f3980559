//! A real PostgreSQL server for the Postgres history tests: a cluster made with `initdb` in a
//! temporary directory, on 127.0.0.1 and a free port, fsync off, killed and removed when the
//! guard is dropped. Debian's `postgresql` package installs the programs under
//! `/usr/lib/postgresql/<version>/bin`, off the PATH: they are looked for there too. The server
//! refuses to run as root: as root, it runs as the `postgres` user the package creates.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::TempDir;

/// A running server; dropping it kills it.
pub struct PostgresServer {
    child: Child,
    port: u16,
    data: PathBuf,
    _dir: TempDir,
}

impl PostgresServer {
    /// Starts a server on a free port. Fails the test when PostgreSQL is not installed.
    pub fn start() -> PostgresServer {
        Self::start_with(false)
    }

    /// Starts a server that takes TLS connections only (`hostssl` in its `pg_hba.conf`), with
    /// a certificate for 127.0.0.1 signed by a certificate authority made for it: `ca()` is
    /// its file. Needs the `openssl` program.
    pub fn start_tls() -> PostgresServer {
        Self::start_with(true)
    }

    /// The certificate authority of a `start_tls` server (a PEM file).
    pub fn ca(&self) -> PathBuf {
        self.data.parent().map(|dir| dir.join("ca.pem")).unwrap_or_default()
    }

    fn start_with(tls: bool) -> PostgresServer {
        let dir = TempDir::new("postgres");
        let data = dir.path().join("data");
        let root = is_root();
        if root {
            run(Command::new("chown").arg("-R").arg("postgres").arg(dir.path()), "chown");
        }
        run(
            as_server_user(root, &program("initdb"))
                .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "-D"])
                .arg(&data)
                .stdout(Stdio::null()),
            "initdb",
        );
        if tls {
            make_certificates(dir.path(), &data, root);
        }
        for _ in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map(|a| a.port())
                .expect("a free port");
            if let Some(child) = spawn(root, &data, dir.path(), port) {
                watch(&data, dir.path());
                return PostgresServer { child, port, data, _dir: dir };
            }
        }
        panic!("postgres did not start (see the output above)");
    }

    /// `postgres://postgres@127.0.0.1:<port>/postgres`.
    pub fn url(&self) -> String {
        self.url_of("postgres")
    }

    /// The URL of database `name`, created the first time it is asked for.
    pub fn database(&self, name: &str) -> String {
        let sockets = self.data.parent().map(Path::to_path_buf).unwrap_or_default();
        let socket =
            format!("host={} port={} user=postgres dbname=postgres", sockets.display(), self.port);
        let mut client = postgres::Client::connect(&socket, postgres::NoTls).expect("connect");
        let exists = client
            .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
            .expect("query")
            .is_some();
        if !exists {
            client.batch_execute(&format!("CREATE DATABASE \"{name}\"")).expect("create database");
        }
        self.url_of(name)
    }

    /// Stops the server at once (as a crash would: no checkpoint), keeping its data.
    pub fn stop(&mut self) {
        if let Some(pid) = self.pid() {
            // SIGQUIT: the "immediate" shutdown; the next start recovers from the log.
            let _ = Command::new("kill").args(["-QUIT", &pid]).status();
        }
        let _ = self.child.wait();
    }

    /// Starts the stopped server again on its port, with its data.
    pub fn start_again(&mut self) {
        let root = is_root();
        let sockets = self.data.parent().map(Path::to_path_buf).unwrap_or_default();
        self.child =
            spawn(root, &self.data, &sockets, self.port).expect("started again on its port");
    }

    /// Sends `signal` to the server and every process it started (its backends): SIGSTOP makes
    /// it stop answering without closing a connection (as a paused machine's would, its kernel
    /// still acknowledging), SIGCONT lets it go on.
    pub fn signal_all(&self, signal: &str) {
        let Some(root) = self.pid().and_then(|pid| pid.trim().parse::<u32>().ok()) else { return };
        let mut tree = vec![root];
        let mut at = 0;
        while at < tree.len() {
            let parent = tree[at];
            at += 1;
            let Ok(entries) = std::fs::read_dir("/proc") else { break };
            for pid in entries.flatten().filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
            {
                let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
                let parent_of = stat
                    .rsplit_once(')')
                    .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                    .and_then(|p| p.parse::<u32>().ok());
                if parent_of == Some(parent) && !tree.contains(&pid) {
                    tree.push(pid);
                }
            }
        }
        for pid in tree {
            let _ = Command::new("kill").args([&format!("-{signal}"), &pid.to_string()]).status();
        }
    }

    fn pid(&self) -> Option<String> {
        // The server itself (under `runuser`, the child is not it): its pid heads postmaster.pid.
        std::fs::read_to_string(self.data.join("postmaster.pid"))
            .ok()
            .and_then(|text| text.lines().next().map(str::to_owned))
    }

    fn url_of(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        if let Some(pid) = self.pid() {
            let _ = Command::new("kill").args(["-9", &pid]).status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Kills the server and removes its directory once this process is gone, however it ends: a
/// server shared by a test file's tests lives in a static, which is never dropped.
fn watch(data: &Path, dir: &Path) {
    let script = format!(
        "while kill -0 {} 2>/dev/null; do sleep 0.5; done; kill -9 $(head -n 1 '{}/postmaster.pid') 2>/dev/null; sleep 0.5; rm -rf '{}'",
        std::process::id(),
        data.display(),
        dir.display()
    );
    let _ = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false)
}

/// `name` on the PATH, else the newest `/usr/lib/postgresql/<version>/bin/<name>`.
fn program(name: &str) -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).map(|dir| dir.join(name)).find(|p| p.exists()));
    if let Some(Some(found)) = on_path {
        return found;
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dir| dir.filter_map(|e| e.ok()).map(|e| e.path().join("bin").join(name)).collect())
        .unwrap_or_default();
    versions.retain(|p| p.exists());
    versions.sort_by_key(|p| {
        p.iter().rev().nth(2).and_then(|v| v.to_str()).and_then(|v| v.parse::<u32>().ok())
    });
    versions.pop().unwrap_or_else(|| {
        panic!("{name} is not installed: the Postgres history tests run a real server (install it: apt-get install postgresql)")
    })
}

fn as_server_user(root: bool, program: &Path) -> Command {
    if root {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn run(command: &mut Command, what: &str) {
    let status = command.status().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(status.success(), "{what} failed: {status}");
}

/// A certificate authority (`ca.pem` in `dir`) and a certificate it signed for 127.0.0.1, the
/// server's (`server.crt`, `server.key` in `data`, which PostgreSQL reads when `ssl` is on); and
/// a `pg_hba.conf` that refuses connections without TLS.
fn make_certificates(dir: &Path, data: &Path, root: bool) {
    let script = r#"set -e
cd "$1"
curve="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
openssl req -x509 $curve -keyout ca.key -out ca.pem -days 2 -subj "/CN=atomiton test CA" 2>/dev/null
openssl req $curve -keyout "$2/server.key" -out server.csr -subj "/CN=127.0.0.1" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out "$2/server.crt" -days 2 -extfile server.ext 2>/dev/null
chmod 600 "$2/server.key"
printf 'local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostnossl all all 127.0.0.1/32 reject\n' > "$2/pg_hba.conf"
"#;
    run(
        Command::new("sh").args(["-c", script, "sh"]).arg(dir).arg(data),
        "making the test certificates (is openssl installed?)",
    );
    if root {
        run(Command::new("chown").arg("-R").arg("postgres").arg(data), "chown");
    }
}

/// A server on `port`, once it answers; `None` when it exited first.
fn spawn(root: bool, data: &Path, sockets: &Path, port: u16) -> Option<Child> {
    let mut child = as_server_user(root, &program("postgres"))
        .arg("-D")
        .arg(data)
        .args(["-p", &port.to_string(), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"])
        .args(["-c", if data.join("server.crt").exists() { "ssl=on" } else { "ssl=off" }])
        .arg("-k")
        .arg(sockets)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("postgres starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    // Through the server's Unix socket: a TLS-only server refuses plain TCP.
    let url = format!("host={} port={port} user=postgres dbname=postgres", sockets.display());
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return None;
        }
        if postgres::Client::connect(&url, postgres::NoTls).is_ok() {
            return Some(child);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}
