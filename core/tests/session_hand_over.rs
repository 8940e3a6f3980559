//! A run placed on a worker (a large document) that calls the embedder's executors is handed to
//! the embedder's thread once it is read: each call then costs no thread hop. On a worker, every
//! call poked the embedder and every answer woke the worker: two hops per node, which made long
//! chains of JS executors several times slower per node past the size that sends a document to
//! a worker. These tests count the hops (pokes of the embedder) instead of timing them.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::task::{Context, Wake, Waker};
use std::time::Duration;

use atomiton_core::host::{BoxFuture, SharedHost};
use atomiton_core::session::{
    ExecutorCalls, Notifier, RunPlacement, Session, STATUS_CALLS, STATUS_COMPLETED,
};
use atomiton_core::storage::{FlowStore, MemoryBackend};
use atomiton_core::testing::VirtualHost;
use atomiton_core::Engine;
use serde_json::{json, Value};

/// A hang bound, never a speed verdict.
const HANG: Duration = Duration::from_secs(120);

/// What the embedder hears: a poke from the session, the worker's future waiting (its thread is
/// about to park), or its end.
enum Heard {
    Poked,
    WorkerWaits,
    WorkerEnded,
}

struct Embedder {
    session: Arc<Session>,
    pokes: Arc<AtomicUsize>,
    heard: mpsc::Receiver<Heard>,
    tell: mpsc::Sender<Heard>,
}

/// A session that sends every document to a worker, and counts how often it pokes its embedder.
fn embedder() -> Embedder {
    let notifier = Notifier::new();
    let pokes = Arc::new(AtomicUsize::new(0));
    let (tell, heard) = mpsc::channel();
    let (counted, poke) = (pokes.clone(), tell.clone());
    notifier.set(Box::new(move || {
        counted.fetch_add(1, Ordering::SeqCst);
        let _ = poke.send(Heard::Poked);
    }));
    let calls = ExecutorCalls::new(notifier.clone());
    let host: SharedHost = VirtualHost::new().shared();
    let session = Session::new(
        Engine::default(),
        host,
        FlowStore::new(Arc::new(MemoryBackend::new())),
        notifier,
        calls,
    )
    .with_worker_threshold(0);
    Embedder { session: Arc::new(session), pokes, heard, tell }
}

fn chain(n: usize, node_type: &str) -> Value {
    let nodes: Vec<Value> = (0..n)
        .map(|i| json!({"id": format!("n{i}"), "type": node_type, "parameters": {"data": [1]}}))
        .collect();
    let edges: Vec<Value> = (1..n).map(|i| json!({"id": format!("e{i}"), "source": format!("n{}", i - 1), "target": format!("n{i}")})).collect();
    json!({"id": "chain", "type": "group", "nodes": nodes, "edges": edges})
}

/// Each call to `inc` answers its input's `default` plus one (0 without input).
fn answers(calls: &str) -> String {
    let records: Vec<Value> = serde_json::from_str(calls).expect("call records are JSON");
    let answers: Vec<Value> = records
        .iter()
        .filter(|record| record["kind"] == "call")
        .map(|record| json!([record["id"], {"ok": true, "value": record["params"]["input"]["default"].as_f64().unwrap_or(0.0) + 1.0}]))
        .collect();
    serde_json::to_string(&answers).expect("answers are written")
}

/// Starts `flow` with `options` and runs its worker future on a thread of its own.
fn start_on_worker(
    embedder: &Embedder,
    flow: &Value,
    options: Value,
) -> std::thread::JoinHandle<()> {
    let RunPlacement::Worker(future) =
        embedder.session.start_run(1, flow.to_string(), options.to_string(), vec![])
    else {
        panic!("a session with a worker threshold of 0 runs every document on a worker");
    };
    let tell = embedder.tell.clone();
    std::thread::spawn(move || {
        block_on(future, &tell);
        let _ = tell.send(Heard::WorkerEnded);
    })
}

/// Polls `future` on this thread until it ends, parking between wakes (a worker thread's loop),
/// and says each time it waits.
fn block_on(future: BoxFuture<'static, ()>, tell: &mpsc::Sender<Heard>) {
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut context = Context::from_waker(&waker);
    let mut future = future;
    while future.as_mut().poll(&mut context).is_pending() {
        let _ = tell.send(Heard::WorkerWaits);
        std::thread::park();
    }
}

/// Answers calls until nothing is waiting; the status after.
fn answer_all(session: &Session, mut status: u32) -> u32 {
    while status & STATUS_CALLS != 0 {
        status = session.resolve_calls(&answers(&session.take_calls()), vec![]);
    }
    status
}

fn result_of(session: &Session) -> Value {
    let completed = session.take_completed();
    assert_eq!(completed.len(), 1, "one run finished");
    serde_json::from_str(&completed[0].result).expect("the result is JSON")
}

/// Drives the run as an embedder does (answering calls, driving when poked) until it finishes.
fn drive_to_the_end(embedder: &Embedder, flow: &Value, options: Value) -> Value {
    let worker = start_on_worker(embedder, flow, options);
    let mut status = embedder.session.status();
    loop {
        status = answer_all(&embedder.session, status);
        if status & STATUS_COMPLETED != 0 {
            worker.join().expect("the worker thread ends");
            return result_of(&embedder.session);
        }
        let _ =
            embedder.heard.recv_timeout(HANG).expect("the embedder hears of whatever waits for it");
        status = embedder.session.drive(|| {});
    }
}

/// Answers the run's calls only while its worker's future waits, and never drives it: the run
/// must be finished by that future. (A run that moved to the embedder's thread ends its worker's
/// future before its first call is answered.)
fn finished_by_the_worker(embedder: &Embedder, flow: &Value, options: Value) -> Value {
    let worker = start_on_worker(embedder, flow, options);
    loop {
        match embedder
            .heard
            .recv_timeout(HANG)
            .expect("the embedder hears of whatever waits for it")
        {
            Heard::WorkerEnded => break,
            Heard::WorkerWaits => {
                answer_all(&embedder.session, embedder.session.status());
            }
            Heard::Poked => {}
        }
    }
    worker.join().expect("the worker thread ends");
    assert!(
        embedder.session.status() & STATUS_COMPLETED != 0,
        "the run had finished when its worker's future ended"
    );
    result_of(&embedder.session)
}

#[test]
fn a_chain_of_embedder_executors_on_a_worker_moves_to_the_embedder_and_costs_no_hop_per_node() {
    let embedder = embedder();
    let n = 3_000;
    let result = drive_to_the_end(&embedder, &chain(n, "inc"), json!({"customTypes": ["inc"]}));
    assert_eq!(result["success"], true, "{result}");
    assert_eq!(result["data"].as_f64(), Some(n as f64));
    let pokes = embedder.pokes.load(Ordering::SeqCst);
    // Read and started on the worker: a poke for its first call and one for the move. An
    // embedder that answers while the worker's first poll goes on sees up to one scheduler
    // step of nodes (256) run on the worker, a poke each. From then on every call is answered
    // on the embedder's thread, which polls the run inside the answer: no poke. Without the
    // move, every node cost a poke (3,000).
    assert!(pokes <= 300, "{pokes} pokes for a chain of {n} executor calls");
}

#[test]
fn a_run_of_built_in_nodes_stays_on_its_worker_to_the_end() {
    let embedder = embedder();
    let result = finished_by_the_worker(&embedder, &chain(50, "transform"), json!({}));
    assert_eq!(result["success"], true, "{result}");
}

#[test]
fn a_deep_document_stays_on_its_worker_even_when_it_calls_the_embedder() {
    // Values nested this deep are only safe to drop on a worker's large stack.
    let mut flow = json!({"id": "leaf", "type": "inc"});
    for i in 0..200 {
        flow = json!({"id": format!("g{i}"), "type": "group", "nodes": [flow], "edges": []});
    }
    let embedder = embedder();
    let result = finished_by_the_worker(&embedder, &flow, json!({"customTypes": ["inc"]}));
    assert_eq!(result["success"], true, "{result}");
    assert_eq!(result["data"].as_f64(), Some(1.0));
}
