//! Throughput of the hot paths the engine uses: one `call` per item.
//!
//! Run: `cargo run --release -p atomiton-core --example expression_bench`. Prints the median of 21 runs in ns/item.
use std::hint::black_box;
use std::time::Instant;

use atomiton_core::expression::{is_truthy, Expression, Limits};
use atomiton_core::json;
use atomiton_core::value::Value;

const N: usize = 100_000;
const RUNS: usize = 21;

fn median_ns_per_item(mut f: impl FnMut() -> usize) -> f64 {
    let mut samples: Vec<f64> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let n = f();
            start.elapsed().as_nanos() as f64 / n as f64
        })
        .collect();
    samples.sort_by(|a, b| a.total_cmp(b));
    samples[RUNS / 2]
}

fn main() {
    // An optional argument selects one case (for profiling): baseline, map, interp, spread, filter, reduce, inner, compile.
    let only = std::env::args().nth(1);
    let want = |name: &str| only.as_deref().is_none_or(|o| o == name);
    let lim = Limits::default();
    let numbers: Vec<Value> = (0..N).map(|i| json!(i)).collect();
    let records: Vec<Value> = (0..N).map(|i| json!({"id": i, "price": (i * 7) % 200})).collect();

    if want("baseline") {
        let t = median_ns_per_item(|| {
            let out: Vec<Value> =
                numbers.iter().map(|v| json!(v.as_f64().unwrap_or(0.0) * 2.0)).collect();
            black_box(&out);
            out.len()
        });
        println!("baseline: native Rust doubling into Vec<Value>   {t:7.1} ns/item");
    }

    if want("map") {
        let double = Expression::compile_function("x => x * 2", &["item"], &lim).unwrap();
        let t = median_ns_per_item(|| {
            let out: Vec<Value> = numbers
                .iter()
                .map(|v| double.call(&[v], &lim).unwrap().unwrap_or(Value::Null))
                .collect();
            black_box(&out);
            out.len()
        });
        println!(
            "map    x => x * 2                             {t:7.1} ns/item  ({:.2} ms per 100k)",
            t * N as f64 / 1e6
        );
    }

    if want("baseline") {
        let t = median_ns_per_item(|| {
            let out: Vec<Value> = records
                .iter()
                .map(|v| {
                    let mut m = v.as_object().cloned().unwrap_or_default();
                    m.insert("processed".to_string(), Value::Bool(true));
                    Value::Object(m)
                })
                .collect();
            black_box(&out);
            out.len()
        });
        println!("baseline: native Rust clone + insert of each object {t:7.1} ns/item");
    }

    if want("interp") {
        // `??` is outside the numeric fast tier: this measures the general interpreter on the
        // same work.
        let slow = Expression::compile_function("x => x * 2 ?? 0", &["item"], &lim).unwrap();
        let t = median_ns_per_item(|| {
            let out: Vec<Value> = numbers
                .iter()
                .map(|v| slow.call(&[v], &lim).unwrap().unwrap_or(Value::Null))
                .collect();
            black_box(&out);
            out.len()
        });
        println!(
            "map    x => x * 2 ?? 0 (interpreter)          {t:7.1} ns/item  ({:.2} ms per 100k)",
            t * N as f64 / 1e6
        );
    }

    if want("spread") {
        let spread =
            Expression::compile_function("item => ({ ...item, processed: true })", &["item"], &lim)
                .unwrap();
        let t = median_ns_per_item(|| {
            let out: Vec<Value> = records
                .iter()
                .map(|v| spread.call(&[v], &lim).unwrap().unwrap_or(Value::Null))
                .collect();
            black_box(&out);
            out.len()
        });
        println!(
            "map    item => ({{ ...item, processed: true }})  {t:7.1} ns/item  ({:.2} ms per 100k)",
            t * N as f64 / 1e6
        );
    }

    if want("filter") {
        let pred =
            Expression::compile_function("item => item.price > 100", &["item"], &lim).unwrap();
        let t = median_ns_per_item(|| {
            let out: Vec<&Value> = records
                .iter()
                .filter(|v| pred.call(&[v], &lim).unwrap().is_some_and(|r| is_truthy(&r)))
                .collect();
            black_box(&out);
            N
        });
        println!(
            "filter item => item.price > 100               {t:7.1} ns/item  ({:.2} ms per 100k)",
            t * N as f64 / 1e6
        );
    }

    if want("reduce") {
        let sum = Expression::compile_function("({acc, item}) => acc + item", &[], &lim).unwrap();
        let t = median_ns_per_item(|| {
            let mut acc = json!(0);
            for (i, item) in numbers.iter().enumerate() {
                let index = json!(i);
                acc = sum
                    .call_with_fields(&[("acc", &acc), ("item", item), ("index", &index)], &lim)
                    .unwrap()
                    .unwrap_or(Value::Null);
            }
            black_box(&acc);
            N
        });
        println!(
            "reduce ({{acc, item}}) => acc + item            {t:7.1} ns/item  ({:.2} ms per 100k)",
            t * N as f64 / 1e6
        );
    }

    if want("inner") {
        // The same map written inside one expression (one call over the whole array).
        let inner = Expression::compile_function("xs => xs.map(x => x * 2)", &[], &lim).unwrap();
        let arr = Value::Array(numbers.clone());
        let t = median_ns_per_item(|| {
            black_box(inner.call(&[&arr], &lim).unwrap());
            N
        });
        println!(
            "inner  xs => xs.map(x => x * 2)               {t:7.1} ns/item  ({:.2} ms per 100k)",
            t * N as f64 / 1e6
        );
    }

    if want("compile") {
        // Compile time must stay linear in the source: 20,000 chained declarations.
        let n = 20_000;
        let mut src = String::from("x => { const v0 = x;");
        for i in 1..n {
            src.push_str(&format!(" const v{i} = v{} + 1;", i - 1));
        }
        src.push_str(&format!(" return v{}; }}", n - 1));
        let t = median_ns_per_item(|| {
            black_box(Expression::compile_function(&src, &[], &lim).unwrap());
            n
        });
        println!(
            "compile 20,000 chained declarations            {t:7.1} ns/declaration  ({:.2} ms)",
            t * n as f64 / 1e6
        );
    }
}
