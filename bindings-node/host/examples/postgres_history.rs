//! The PostgreSQL history store at a fleet's scale, against a real server this program starts
//! (scripts/postgres.sh on a free loopback port, in a temporary directory): loads 1,000,000 runs
//! (2 nodes each) with SQL, then times what operators do — a filtered page of 50, an unfiltered
//! one, one run with its nodes — and what recording costs: 10-node runs written through the
//! PostgreSQL store and through the SQLite store, side by side. Medians; a program, not a test.
//!
//!   cargo run --release -p atomiton-native-host --example postgres_history [runs]

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use atomiton_core::history::{
    Capture, HistoryStore, HistoryWrite, ListQuery, RunBegun, RunEnded, RunStatus,
    RunStatus::Failed, RunSummary,
};
use atomiton_core::nodes::NodeInput;
use atomiton_core::progress::NodeState;
use atomiton_core::testing::history_store::node;
use atomiton_core::testing::wait;
use atomiton_native_host::{PostgresHistory, SqliteHistory};

fn main() {
    let runs: i64 = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(1_000_000);
    let dir = std::env::temp_dir().join(format!("atomiton-pg-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let _ = Command::new("chmod").arg("777").arg(&dir).status();
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/postgres.sh");
    let mut server: Child = Command::new(script)
        .args(["--dir"])
        .arg(&dir)
        .args(["--port", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("scripts/postgres.sh");
    let url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
    let deadline = Instant::now() + Duration::from_secs(60);
    while postgres::Client::connect(&url, postgres::NoTls).is_err() {
        assert!(Instant::now() < deadline, "postgres did not start");
        std::thread::sleep(Duration::from_millis(100));
    }

    let store = PostgresHistory::open(&url, Capture::default(), "bench").expect("open");
    let started = Instant::now();
    let mut client = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
    client
        .batch_execute(&format!(
            // Loaded with the counting triggers off (one upsert per row would take minutes), then
            // counted once.
            "SET session_replication_role = replica;
             INSERT INTO atomiton_flows (hash, flow) VALUES ('h', '{{\"id\":\"f\"}}');
             INSERT INTO atomiton_runs (id, flow_id, flow_hash, status, start_time, end_time, duration, owner, flow, input, variables)
               SELECT 'run-' || g, 'flow-' || (g % 100), 'h', (ARRAY['success','failed','cancelled'])[g % 3 + 1],
                      g * 10.0, g * 10.0 + 5, 5, 'bench', '', '{{}}', '{{}}'
               FROM generate_series(1, {runs}) g;
             INSERT INTO atomiton_node_sets (run_seq, nodes)
               SELECT seq, json_build_array(
                   json_build_array('a', 'transform', '\"completed\"', 1, false, true, null, '[1,2,3]', null, start_time, start_time + 1, null, null),
                   json_build_array('b', 'transform', '\"completed\"', 1, false, true, null, '[1,2,3]', null, start_time, start_time + 1, null, null))::TEXT
               FROM atomiton_runs;
             SET session_replication_role = origin;
             DELETE FROM atomiton_run_counts;
             INSERT INTO atomiton_run_counts (flow_id, status, runs)
               SELECT flow_id, status, COUNT(*) FROM atomiton_runs GROUP BY flow_id, status;
             ANALYZE;"
        ))
        .expect("load");
    println!("loaded {runs} runs (2 nodes each) in {:.1} s", started.elapsed().as_secs_f64());

    let time = |label: &str, n: usize, mut job: Box<dyn FnMut()>| {
        job();
        let mut times: Vec<f64> = (0..n)
            .map(|_| {
                let t = Instant::now();
                job();
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        times.sort_by(f64::total_cmp);
        println!("{label}: median {:.2} ms of {n}", times[n / 2]);
    };
    let shared = Arc::new(store);
    let s = shared.clone();
    time(
        "a page of 50 runs of one flow with one status (with the total)",
        21,
        Box::new(move || {
            let query = ListQuery {
                flow_id: Some("flow-7".into()),
                status: Some(Failed),
                ..ListQuery::default()
            };
            wait(s.list(query)).expect("list");
        }),
    );
    let s = shared.clone();
    time(
        "a page of 50 runs with one status (with the total)",
        21,
        Box::new(move || {
            wait(s.list(ListQuery { status: Some(Failed), ..ListQuery::default() })).expect("list");
        }),
    );
    let s = shared.clone();
    time(
        "the newest page of 50 (with the total)",
        21,
        Box::new(move || {
            wait(s.list(ListQuery::default())).expect("list");
        }),
    );
    // Start times are 10 ms apart: the newest 1% of runs began at 9,900,000 ms or later.
    let newest = |share: f64| Some(runs as f64 * 10.0 * (1.0 - share));
    let s = shared.clone();
    time(
        "a page of 50 in a time range holding 1% of the runs (with the total)",
        21,
        Box::new(move || {
            wait(s.list(ListQuery { since: newest(0.01), ..ListQuery::default() })).expect("list");
        }),
    );
    let s = shared.clone();
    time(
        "a page of 50 of one status in a time range holding 10% of the runs (with the total)",
        21,
        Box::new(move || {
            let query =
                ListQuery { status: Some(Failed), since: newest(0.1), ..ListQuery::default() };
            wait(s.list(query)).expect("list");
        }),
    );
    let s = shared.clone();
    let mut at = 0;
    time(
        "one run with its nodes",
        51,
        Box::new(move || {
            at += 7919;
            wait(s.get(format!("run-{}", at % runs.max(1) + 1))).expect("get").expect("found");
        }),
    );

    // Recording: 200 runs of 10 nodes, through each store, until stored.
    let sqlite_dir = dir.join("sqlite");
    let sqlite = SqliteHistory::open(&sqlite_dir.join("history.sqlite"), Capture::default())
        .expect("sqlite");
    let record = |store: &dyn HistoryStore, prefix: &str, one_at_a_time: bool| {
        let t = Instant::now();
        for r in 0..200 {
            let id = format!("{prefix}-{r}");
            store.write(HistoryWrite::Begun(Box::new(RunBegun {
                summary: RunSummary::running(&id, "f", 1.0),
                flow_json: Arc::from(r#"{"id":"f"}"#),
                flow_buffers: Vec::new(),
                input: NodeInput::empty(),
                variables: Arc::new(atomiton_core::json!({})),
                values_pending: false,
            })));
            for n in 0..10 {
                let output = Some(atomiton_core::json!([1, 2, 3]));
                let ended = node(&id, &format!("n{n}"), NodeState::Completed, output, None, 1.0);
                if let HistoryWrite::Node(mut ended) = ended {
                    ended.input = None;
                    store.write(HistoryWrite::Node(ended));
                }
            }
            store.write(HistoryWrite::Ended(Box::new(RunEnded {
                execution_id: Arc::from(id.as_str()),
                status: RunStatus::Success,
                end_time: 3.0,
                error: None,
            })));
            // A read is answered after every write before it: once it is, they are stored.
            if one_at_a_time {
                wait(store.get(id)).expect("stored");
            }
        }
        wait(store.get(format!("{prefix}-0"))).expect("stored");
        t.elapsed().as_secs_f64() * 1_000_000.0 / 200.0
    };
    for (label, one_at_a_time) in [
        (
            "runs recorded back to back (as a worker's writes go: batched by the store's thread)",
            false,
        ),
        ("one run at a time, each stored before the next", true),
    ] {
        let mut pg = f64::INFINITY;
        let mut lite = f64::INFINITY;
        for round in 0..3 {
            pg = pg.min(record(&*shared, &format!("pg{round}{one_at_a_time}"), one_at_a_time));
            lite = lite.min(record(&sqlite, &format!("lite{round}{one_at_a_time}"), one_at_a_time));
        }
        // The goal is for a worker's writes (batched); one at a time is a round trip a run.
        let goal = if one_at_a_time { "" } else { "; goal <= 1.5x" };
        println!(
            "recording a 10-node run, {label}: PostgreSQL {pg:.0} us, SQLite {lite:.0} us ({:.2}x{goal})",
            pg / lite
        );
    }

    let _ = server.kill();
    let pid = std::fs::read_to_string(dir.join("data/postmaster.pid")).ok();
    if let Some(pid) = pid.and_then(|t| t.lines().next().map(str::to_owned)) {
        let _ = Command::new("kill").args(["-9", &pid]).status();
    }
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&dir);
}
