//! Step and size budgets, and nesting limits: hostile input fails cleanly and quickly.

use crate::json;
use crate::value::Value;

use super::super::{Expression, ExpressionErrorKind, Limits};
use super::{assert_kind, call1, eval, limits, run, with_stack, SMALL_STACK};

fn budget_err(src: &str, args: &[Value]) -> String {
    let e = run(src, args).expect_err(src);
    assert_kind(&e, ExpressionErrorKind::Budget);
    e.message
}

#[test]
fn nested_maps_fit_the_budget() {
    assert_eq!(
        call1("x => [1,2,3].map(a => [1,2,3].map(b => a*b))", json!(0)),
        json!([[1, 2, 3], [2, 4, 6], [3, 6, 9]])
    );
}

#[test]
fn exponential_work_hits_the_step_budget() {
    let twice = format!(
        "x => {{ const twice = f => v => f(f(v)); return {}(v => v + 1){}(0); }}",
        "twice(".repeat(25),
        ")".repeat(25)
    );
    let msg = budget_err(&twice, &[json!(0)]);
    assert_eq!(
        msg,
        "Expression exceeded its step budget of 1000000 steps (limits.expressionSteps raises it)"
    );
    let doubling =
        format!("x => {}[1, 2]{}.length", "(a => a.concat(a))(".repeat(30), ")".repeat(30));
    budget_err(&doubling, &[json!(0)]);
    let strings = "x => [...'abcdefghijklmnopqrstuvwxyz0123'].reduce(s => s + s, 'ab').length";
    budget_err(strings, &[json!(0)]);
}

#[test]
fn infinite_self_application_is_stopped() {
    let msg = budget_err("(f => f(f))(f => f(f))", &[]);
    assert!(msg.contains("nests function calls too deeply"), "{msg}");
    // Bounded recursion through self-application still works.
    assert_eq!(eval("(f => f(f, 20))((self, n) => n <= 0 ? 0 : 1 + self(self, n - 1))"), json!(20));
}

#[test]
fn huge_strings_fail_without_allocating() {
    budget_err("'a'.repeat(1e9)", &[]);
    budget_err("'ab'.repeat(2 ** 40)", &[]);
    budget_err("'x'.padStart(1e12)", &[]);
    budget_err("'x'.padEnd(2 ** 31, 'abc')", &[]);
    assert_kind(&run("'a'.repeat(Infinity)", &[]).unwrap_err(), ExpressionErrorKind::Type);
    assert_eq!(eval("'ab'.repeat(3)"), json!("ababab"));
}

#[test]
fn custom_limits_apply_per_call() {
    let lim = Limits { max_steps: 100, ..Limits::default() };
    let e = Expression::compile_function("xs => xs.map(x => x * 2)", &[], &lim).unwrap();
    let small = Value::Array((0..5).map(|i| json!(i)).collect());
    let big = Value::Array((0..100).map(|i| json!(i)).collect());
    assert_eq!(e.call(&[&small], &lim).unwrap(), Some(json!([0, 2, 4, 6, 8])));
    let err = e.call(&[&big], &lim).unwrap_err();
    assert_eq!(
        err.message,
        "Expression exceeded its step budget of 100 steps (limits.expressionSteps raises it)"
    );
    // The budget is per call: the small input still works afterwards.
    assert!(e.call(&[&small], &lim).is_ok());

    let lim = Limits { max_array_len: 10, ..Limits::default() };
    let e = Expression::compile_function("xs => [...xs, ...xs]", &[], &lim).unwrap();
    assert_eq!(e.call(&[&small], &lim).unwrap().unwrap().as_array().map(Vec::len), Some(10));
    let six = Value::Array((0..6).map(|i| json!(i)).collect());
    assert_kind(&e.call(&[&six], &lim).unwrap_err(), ExpressionErrorKind::Budget);

    let lim = Limits { max_string_len: 8, ..Limits::default() };
    let e = Expression::compile_function("s => s + s", &[], &lim).unwrap();
    assert_eq!(e.call(&[&json!("abcd")], &lim).unwrap(), Some(json!("abcdabcd")));
    assert_kind(&e.call(&[&json!("abcde")], &lim).unwrap_err(), ExpressionErrorKind::Budget);
}

#[test]
fn value_nesting_is_capped() {
    let input = Value::Array((0..5000).map(|i| json!(i)).collect());
    let e = run("xs => xs.reduce(acc => [acc], [])", std::slice::from_ref(&input)).unwrap_err();
    assert_kind(&e, ExpressionErrorKind::Budget);
    // Closures capturing closures count too.
    let e = run("xs => xs.reduce((f, x) => () => f, () => 0)", &[input]).unwrap_err();
    assert_kind(&e, ExpressionErrorKind::Budget);
    let ok = Value::Array((0..100).map(|i| json!(i)).collect());
    assert!(run("xs => JSON.stringify(xs.reduce(acc => [acc], []))", &[ok]).is_ok());
}

/// Sources nested 10,000 levels deep, in every shape the grammar allows.
fn deep_sources(n: usize) -> Vec<String> {
    vec![
        format!("{}1{}", "(".repeat(n), ")".repeat(n)),
        format!("{}1{}", "[".repeat(n), "]".repeat(n)),
        format!("{}x", "!".repeat(n)),
        format!("{}x", "- ".repeat(n)),
        format!("{}x", "typeof ".repeat(n)),
        format!("x{}", ".a".repeat(n)),
        format!("x{}", "?.a".repeat(n)),
        format!("x{}", "[0]".repeat(n)),
        format!("x{}", "()".repeat(n)),
        format!("1{}", "+1".repeat(n * 10)),
        format!("x{}", " && x".repeat(n)),
        format!("2{}", "**2".repeat(n)),
        format!("{}1", "x ? 1 : ".repeat(n)),
        format!("{}x", "x => ".repeat(n)),
        format!("{}1{}", "f(".repeat(n), ")".repeat(n)),
        format!("{}1{}", "{a:".repeat(n), "}".repeat(n)),
        format!("{}1{}", "`${".repeat(n), "}`".repeat(n)),
        format!("x => {}1{}", "{".repeat(n), "}".repeat(n)),
        format!("x => {{ {}return 1 }}", "if (x) ".repeat(n)),
        format!("({}a{}) => 1", "{a:".repeat(n), "}".repeat(n)),
        format!("({}a{}) => 1", "[".repeat(n), "]".repeat(n)),
        format!("(a = {}1{}) => a", "(".repeat(n), ")".repeat(n)),
        format!("{}", "(".repeat(n)),
        format!("{}", "[".repeat(n)),
        format!("{}", "`${".repeat(n)),
    ]
}

#[test]
fn deep_nesting_is_a_clean_error_without_stack_overflow() {
    let results = with_stack(SMALL_STACK, || {
        let lim = Limits::default();
        deep_sources(10_000)
            .iter()
            .map(|src| {
                Expression::compile_function(src, &["x", "f"], &lim).map(|_| ()).map_err(|e| e.kind)
            })
            .collect::<Vec<_>>()
    });
    for (i, r) in results.iter().enumerate() {
        assert_eq!(*r, Err(ExpressionErrorKind::Syntax), "source #{i}");
    }
}

#[test]
fn nesting_just_under_the_limit_compiles_and_runs_on_a_small_stack() {
    assert!(Expression::compile_function(
        &format!("{}1{}", "(".repeat(101), ")".repeat(101)),
        &[],
        &limits()
    )
    .is_err());
    let ok = with_stack(SMALL_STACK, || {
        let lim = Limits::default();
        let mut outcomes = Vec::new();
        // Brackets cost two levels each (the container and the expression inside), so
        // about 100 fit in the default 200; operator chains are bounded by tree height.
        for src in [
            format!("{}1{}", "(".repeat(98), ")".repeat(98)),
            format!("{}1{}", "[".repeat(98), "]".repeat(98)),
            format!("{}1{}", "{a:".repeat(98), "}".repeat(98)),
            format!("{}1{}", "String(".repeat(98), ")".repeat(98)),
            format!("x{}", " + x".repeat(190)),
            format!("{}x", "- ".repeat(190)),
            format!("{}0{}", "(a => ".repeat(45), ")(1)".repeat(45)),
            format!("{}1{}", "`${".repeat(95), "}`".repeat(95)),
            format!("x{}", "?.a".repeat(190)),
            format!("x => {}1{}", "{".repeat(95), "}".repeat(95)),
        ] {
            let r = Expression::compile_function(&src, &["x", "f"], &lim)
                .and_then(|e| e.call(&[&json!(1)], &lim));
            outcomes.push(r.map(|_| ()).map_err(|e| format!("{src:.40}: {e}")));
        }
        outcomes
    });
    for o in ok {
        o.unwrap();
    }
}

#[test]
fn run_time_nesting_on_a_small_stack() {
    // Self-application through builtins on a small stack ends in a budget error, not a crash.
    let r = with_stack(SMALL_STACK, || {
        let lim = limits();
        let src = "x => (f => f(f))(f => [1].map(() => f(f)))";
        Expression::compile_function(src, &[], &lim)
            .and_then(|e| e.call(&[&json!(0)], &lim))
            .map_err(|e| e.kind)
    });
    assert_eq!(r, Err(ExpressionErrorKind::Budget));
}

#[test]
fn deep_input_values_are_handled() {
    // Input nested deeper than the value cap (256): reading works, walking it refuses
    // cleanly. (Not much deeper: serde_json's own clone and drop recurse too.)
    let mut v = json!(1);
    for _ in 0..400 {
        v = json!([v]);
    }
    assert_eq!(run("x => x[0][0][0].length", &[v.clone()]).unwrap(), Some(json!(1)));
    let e = run("x => JSON.stringify(x)", &[v.clone()]).unwrap_err();
    assert_kind(&e, ExpressionErrorKind::Budget);
    let e = run("x => x.flat(Infinity)", &[v.clone()]).unwrap_err();
    assert_kind(&e, ExpressionErrorKind::Budget);
    let e = run("x => String(x)", &[v]).unwrap_err();
    assert_kind(&e, ExpressionErrorKind::Budget);
}

/// Work hidden behind long strings (each step scanning megabytes) is charged by length, so
/// these end in budget errors instead of running for hours. Deterministic: over 2,000 items each
/// body costs a few steps per item when strings are short (the control below passes), so only
/// charging by length can exhaust the default budget.
#[test]
fn long_string_work_is_charged() {
    let many = Value::Array((0..2_000).map(|i| json!(i)).collect());
    let bodies = [
        "return xs.map(() => a).includes(b);",
        "return xs.map(() => a).indexOf(b);",
        "return xs.map(() => a === b);",
        "return xs.map(() => a < b);",
        "return xs.map(() => u.length);",
        "return xs.map((_, i) => u.charAt(i));",
        "return xs.map(() => a.includes('y'));",
        "return xs.map(() => a.endsWith('y'));",
        "return xs.map(() => +a);",
        "return xs.map(() => parseInt(a));",
        "return xs.map(() => ({[a]: 1})[a]);",
        "return xs.map(() => a).sort();",
    ];
    let long =
        "const a = 'x'.repeat(1000000); const b = a.slice(1) + 'y'; const u = 'é'.repeat(500000);";
    let short = "const a = 'x'.repeat(10); const b = a.slice(1) + 'y'; const u = 'é'.repeat(5);";
    for body in bodies {
        let control = format!("xs => {{ {short} {body} }}");
        run(&control, std::slice::from_ref(&many))
            .unwrap_or_else(|e| panic!("{body} over short strings: {e:?}"));
        let src = format!("xs => {{ {long} {body} }}");
        let e = run(&src, std::slice::from_ref(&many)).expect_err(body);
        assert_kind(&e, ExpressionErrorKind::Budget);
    }
}

#[test]
fn shared_structure_cannot_blow_up_the_result() {
    // Evaluation is cheap (references), materialising would copy the string 300k times.
    let many = Value::Array((0..300_000).map(|i| json!(i)).collect());
    let e = run(
        "xs => { const a = 'x'.repeat(1000000); return xs.map(() => a); }",
        std::slice::from_ref(&many),
    )
    .unwrap_err();
    assert_kind(&e, ExpressionErrorKind::Budget);
    assert_eq!(
        e.message,
        "Result exceeds the output limit of 134217728 bytes (limits.maxOutputBytes raises it)"
    );
    assert!(e.is_output_limit());
    // The same through borrowed input (with a smaller limit to keep the test quick).
    let lim = Limits { max_output_bytes: 1 << 20, ..Limits::default() };
    let input = json!({"list": (0..2000).collect::<Vec<i32>>(), "big": "y".repeat(10_000)});
    let e = Expression::compile_function("x => x.list.map(() => x)", &[], &lim).unwrap();
    assert_kind(&e.call(&[&input], &lim).unwrap_err(), ExpressionErrorKind::Budget);
    // Returning the input itself is fine.
    let e = Expression::compile_function("x => x", &[], &lim).unwrap();
    assert_eq!(e.call(&[&input], &lim).unwrap(), Some(input.clone()));
    // The limit applies to created values too.
    let lim = Limits { max_output_bytes: 100, ..Limits::default() };
    let e = Expression::compile_function(
        "n => [...'abcdefghijklmnopqrstuvwxyz'].map(c => c.repeat(n))",
        &[],
        &lim,
    )
    .unwrap();
    assert!(e.call(&[&json!(1)], &lim).is_ok());
    assert_kind(&e.call(&[&json!(10)], &lim).unwrap_err(), ExpressionErrorKind::Budget);
}

#[test]
fn large_sources_compile_in_linear_time() {
    let n = 20_000;
    let mut src = String::from("x => { const v0 = x;");
    for i in 1..n {
        src.push_str(&format!(" const v{i} = v{} + 1;", i - 1));
    }
    src.push_str(&format!(" return v{}; }}", n - 1));
    // How long this takes is measured by `cargo run --example expression_bench`; here only the
    // results are checked.
    assert_eq!(call1(&src, json!(1)), json!(n));
    let wide = format!("[{}]", vec!["x"; 100_000].join(", "));
    assert_eq!(run(&format!("x => {wide}.length"), &[json!(0)]).unwrap(), Some(json!(100_000)));
    let parens = "(a) + ".repeat(50_000) + "0";
    assert_kind(
        &run(&format!("a => {parens}"), &[json!(1)]).unwrap_err(),
        ExpressionErrorKind::Syntax,
    );
}
