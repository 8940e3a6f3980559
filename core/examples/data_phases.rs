//! Times each phase a data-heavy run goes through inside the engine (parse, run with and
//! without trace, result encoding), for a flow text dumped by the TypeScript layer.
//! `cargo run --release -p atomiton-core --features testing --example data_phases -- flow.json`
use std::sync::Arc;
use std::time::Instant;

use atomiton_core::format::parse_definition_json;
use atomiton_core::testing::VirtualHost;
use atomiton_core::value::slices::encode_sliced;
use atomiton_core::{Engine, EngineConfig, RunOptions};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2] * 1e3
}

fn main() {
    let path = std::env::args().nth(1).expect("a flow text");
    let text = std::fs::read_to_string(path).expect("readable");
    let limits = EngineConfig::default().parse_limits;
    let time = |f: &dyn Fn()| {
        median(
            (0..21)
                .map(|_| {
                    let t = Instant::now();
                    f();
                    t.elapsed().as_secs_f64()
                })
                .collect(),
        )
    };
    println!(
        "shallow definition parse {:.2} ms",
        time(&|| drop(atomiton_core::format::parse_shallow_definition_json(&text)))
    );
    println!(
        "Value parse {:.2} ms",
        time(&|| drop(serde_json::from_str::<atomiton_core::Value>(&text)))
    );
    println!(
        "serde_json::Value parse {:.2} ms",
        time(&|| drop(serde_json::from_str::<serde_json::Value>(&text)))
    );
    println!(
        "IgnoredAny parse {:.2} ms",
        time(&|| drop(serde_json::from_str::<serde::de::IgnoredAny>(&text)))
    );
    for trace in [true, false] {
        let engine = Engine::new(EngineConfig { trace, ..Default::default() });
        let (mut parse, mut run, mut encode, mut drop_t) = (vec![], vec![], vec![], vec![]);
        for _ in 0..21 {
            let t = Instant::now();
            let flow = parse_definition_json(&text, &limits).expect("parses");
            parse.push(t.elapsed().as_secs_f64());
            let host = VirtualHost::new();
            let t = Instant::now();
            let mut result =
                host.block_on(engine.run(flow, RunOptions::default(), Arc::new(host.clone())));
            run.push(t.elapsed().as_secs_f64());
            assert!(result.success);
            let trace = result.trace.take();
            let t = Instant::now();
            let sliced = encode_sliced(&result, 2048).expect("encodes");
            encode.push(t.elapsed().as_secs_f64());
            let t = Instant::now();
            drop((result, trace, sliced));
            drop_t.push(t.elapsed().as_secs_f64());
        }
        println!(
            "trace={trace}: parse {:.2} ms, run {:.2} ms, encode result {:.2} ms, drop {:.2} ms",
            median(parse),
            median(run),
            median(encode),
            median(drop_t)
        );
    }
}
