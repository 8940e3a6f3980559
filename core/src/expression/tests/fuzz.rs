//! Deterministic robustness checks: truncated and mutated sources never panic, whether
//! they compile or not, and whatever compiles also runs without panicking.

use crate::json;

use super::super::{Expression, Limits};

const SOURCES: &[&str] = &[
    "x => x * 2",
    "item => ({ ...item, processed: true })",
    "item => item.price > 100",
    "({acc, item}) => acc + item",
    "iteration < 10 && iteration % 2 === 0",
    "(acc, item) => acc + item",
    "x => `a${x.b?.[0] ?? 'n'}c${`d${1e3}`}`",
    "x => { const {a = 1, ...r} = x; if (a > 0) { return [a, r]; } else return null; }",
    "([a, , b = 2, ...c]) => ({a, b, c, [a]: b})",
    "xs => xs.filter(v => v.n !== undefined).map((v, i) => v.n * i).reduce((s, v) => s + v, 0)",
    "s => s.split(',').map(p => p.trim().toUpperCase()).join('|').padStart(20, '-')",
    "o => Object.entries(o).sort(([a], [b]) => a < b ? -1 : 1).map(([k, v]) => JSON.stringify({k, v}))",
    "x => typeof x === 'string' ? parseInt(x, 16) : Math.max(...[x, 0x1F, .5, 0b11]) / 2 ** 3",
    "x => 'it\\'s \\u{1F600} \\x41\\n' + \"q\" + x?.y?.()",
    "// comment\nx => /* inline */ !x || -x || ~x",
];

const INSERTS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "`",
    "'",
    "\"",
    "${",
    "\\",
    ".",
    "?.",
    "=>",
    "...",
    ",",
    ";",
    "=",
    "/",
    "*",
    "**",
    "!",
    "\n",
    "0x",
    "1e",
    "é",
    "😀",
    "\u{0}",
    "constructor",
    "__proto__",
    "new ",
    "this",
    "#",
    "@",
];

fn check(src: &str, lim: &Limits) {
    if let Ok(e) = Expression::compile_function(src, &["x", "item", "iteration"], lim) {
        for arg in [
            json!(null),
            json!(3),
            json!("a,b"),
            json!({"n": 1, "b": [1]}),
            json!([{"n": 2}, {"n": 1}]),
        ] {
            let _ = e.call(&[&arg, &arg, &arg], lim);
            let _ = e.call_with_fields(&[("acc", &arg), ("item", &arg)], lim);
        }
    }
}

#[test]
fn truncations_and_single_edits_never_panic() {
    let lim = Limits { max_steps: 10_000, ..Limits::default() };
    let mut count = 0usize;
    for src in SOURCES {
        let boundaries: Vec<usize> = (0..=src.len()).filter(|&i| src.is_char_boundary(i)).collect();
        for &i in &boundaries {
            check(&src[..i], &lim);
            check(&src[i..], &lim);
            count += 2;
        }
        for w in boundaries.windows(2) {
            let deleted = format!("{}{}", &src[..w[0]], &src[w[1]..]);
            check(&deleted, &lim);
            count += 1;
            for ins in INSERTS {
                check(&format!("{}{}{}", &src[..w[0]], ins, &src[w[0]..]), &lim);
                check(&format!("{}{}{}", &src[..w[0]], ins, &src[w[1]..]), &lim);
                count += 2;
            }
        }
    }
    assert!(count > 10_000, "only {count} variants");
}

#[test]
fn random_splices_never_panic() {
    // A tiny LCG keeps this deterministic without a dependency.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |n: usize| {
        state =
            state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as usize) % n.max(1)
    };
    let lim = Limits { max_steps: 10_000, ..Limits::default() };
    let pieces: Vec<&str> = SOURCES.iter().flat_map(|s| s.split(' ')).collect();
    // EXPR_FUZZ_ITERS scales this up for a longer local run.
    let iters =
        std::env::var("EXPR_FUZZ_ITERS").ok().and_then(|v| v.parse().ok()).unwrap_or(3000usize);
    for _ in 0..iters {
        let mut src = String::new();
        for _ in 0..(1 + next(12)) {
            if next(3) == 0 {
                src.push_str(INSERTS[next(INSERTS.len())]);
            } else {
                src.push_str(pieces[next(pieces.len())]);
            }
            if next(2) == 0 {
                src.push(' ');
            }
        }
        check(&src, &lim);
    }
}
