//! Bytes the memory history holds per run: 10,000 runs of a 10-node `transform` chain (each node's
//! output the map's result object, its input the one before), through a counting allocator.
//! `cargo run --release -p atomiton-core --features testing --example history_size`

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::sync::Arc;

use atomiton_core::history::{
    Capture, HistoryStore, HistoryWrite, MemoryHistory, RunBegun, RunEnded, RunStatus, RunSummary,
};
use atomiton_core::json;
use atomiton_core::nodes::NodeInput;
use atomiton_core::progress::NodeState;

struct Counting;
static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn main() {
    let history = MemoryHistory::new(Capture::default());
    let flow: Arc<str> = Arc::from(r#"{"id":"chain","type":"group","nodes":[]}"#);
    let runs = 10_000;
    let before = LIVE.load(Ordering::Relaxed);
    for r in 0..runs {
        let id = format!("0b8e5a52-4a44-4c55-9d11-{r:012}");
        let summary = RunSummary {
            owner: Some("pid:1234".into()),
            ..RunSummary::running(id.clone(), "chain", 1.7e12 + r as f64)
        };
        history.write(HistoryWrite::Begun(Box::new(RunBegun {
            summary,
            flow_json: flow.clone(),
            flow_buffers: Vec::new(),
            input: NodeInput::empty(),
            variables: Arc::new(json!({})),
            values_pending: false,
        })));
        for n in 0..10 {
            let mut node = atomiton_core::testing::history_store::node(
                &id,
                &format!("n{n}"),
                NodeState::Completed,
                Some(
                    json!({"result": [1], "inputCount": 1, "outputCount": 1, "operation": "map", "success": true}),
                ),
                None,
                1.7e12 + r as f64,
            );
            if let HistoryWrite::Node(node) = &mut node {
                node.input = Some(NodeInput::from_value(
                    json!({"default": {"result": [1], "inputCount": 1, "outputCount": 1, "operation": "map", "success": true}}),
                ));
            }
            history.write(node);
        }
        history.write(HistoryWrite::Ended(Box::new(RunEnded {
            execution_id: Arc::from(id.as_str()),
            status: RunStatus::Success,
            end_time: 1.7e12 + r as f64 + 1.0,
            error: None,
        })));
    }
    let held = LIVE.load(Ordering::Relaxed) - before;
    println!("{runs} runs: {:.1} MB held, {} bytes per run", held as f64 / 1e6, held / runs);
}
