//! Arrow functions: closures, destructuring, defaults, rest, block bodies, scoping.

use crate::json;
use crate::value::Value;

use super::super::{Expression, ExpressionErrorKind};
use super::{assert_kind, call1, compile_err, eval, fails, limits, run};

#[test]
fn closures_capture_enclosing_parameters() {
    assert_eq!(call1("k => [1, 2, 3].map(v => v * k)", json!(10)), json!([10, 20, 30]));
    assert_eq!(
        call1("k => [1, 2].map(a => [3, 4].map(b => a * b + k))", json!(100)),
        json!([[103, 104], [106, 108]])
    );
    assert_eq!(
        call1("x => { const add = a => b => a + b + x; return add(1)(2); }", json!(3)),
        json!(6)
    );
    assert_eq!(
        call1(
            "x => { const fs = [1, 2].map(i => () => i * x); return fs.map(f => f()); }",
            json!(5)
        ),
        json!([5, 10])
    );
    // Three levels of capture.
    assert_eq!(call1("a => (b => (c => (d => a + b + c + d)(4))(3))(2)", json!(1)), json!(10));
}

#[test]
fn object_and_array_destructuring() {
    assert_eq!(
        call1(
            "({a, b: {c}, d = 4, ...rest}) => [a, c, d, rest]",
            json!({"a": 1, "b": {"c": 2}, "e": 5})
        ),
        json!([1, 2, 4, {"e": 5}])
    );
    assert_eq!(
        call1("([a, , b = 3, ...r]) => [a, b, r]", json!([1, 2, null, 4, 5])),
        json!([1, null, [4, 5]])
    );
    assert_eq!(call1("([a, [b, c]]) => a + b + c", json!([1, [2, 3]])), json!(6));
    assert_eq!(call1("({['k' + 1]: v}) => v", json!({"k1": "computed"})), json!("computed"));
    assert_eq!(call1("({'quoted key': v}) => v", json!({"quoted key": 7})), json!(7));
    assert_eq!(
        call1("x => { const {a: {b: [first]}} = x; return first; }", json!({"a": {"b": ["z"]}})),
        json!("z")
    );
    assert_eq!(eval("[[1, 'a'], [2, 'b']].map(([n, s]) => s + n).join()"), json!("a1,b2"));
    assert_kind(&fails("({a}) => a", &[json!(null)]), ExpressionErrorKind::Type);
    assert_kind(&fails("([a]) => a", &[json!(5)]), ExpressionErrorKind::Type);
}

#[test]
fn defaults_and_rest_parameters() {
    assert_eq!(run("(a, b = a * 2) => a + b", &[json!(1)]).unwrap(), Some(json!(3)));
    assert_eq!(run("(a, b = a * 2) => a + b", &[json!(1), json!(5)]).unwrap(), Some(json!(6)));
    assert_eq!(run("(a, b = a * 2) => a + b", &[json!(1), json!(null)]).unwrap(), Some(json!(1)));
    assert_eq!(
        run("(first, ...rest) => [first, rest]", &[json!(1), json!(2), json!(3)]).unwrap(),
        Some(json!([1, [2, 3]]))
    );
    assert_eq!(run("(...all) => all.length", &[]).unwrap(), Some(json!(0)));
    assert_eq!(eval("((a, ...r) => r)(...[1, 2, 3])"), json!([2, 3]));
    assert_kind(&compile_err("(a = a) => a"), ExpressionErrorKind::Reference);
    assert_kind(&compile_err("(...a, b) => a"), ExpressionErrorKind::Syntax);
    assert_kind(&compile_err("(a, a) => a"), ExpressionErrorKind::Syntax);
}

#[test]
fn block_bodies() {
    assert_eq!(call1("x => { const y = x * 2; return y + 1; }", json!(5)), json!(11));
    assert_eq!(
        call1("x => { let y = x; if (y > 2) { return 'big'; } return 'small'; }", json!(3)),
        json!("big")
    );
    assert_eq!(call1("x => { if (x) return 1; else return 2; }", json!(0)), json!(2));
    assert_eq!(call1("x => { if (x > 0) { if (x > 10) { return 'huge' } return 'pos' } else if (x < 0) { return 'neg' } return 'zero' }", json!(50)), json!("huge"));
    assert_eq!(run("x => { const y = x; }", &[json!(1)]).unwrap(), None);
    assert_eq!(run("x => { return; }", &[json!(1)]).unwrap(), None);
    assert_eq!(call1("x => { return (\n x + 1\n) }", json!(1)), json!(2));
    // `return` followed by a line break returns undefined, as in JavaScript.
    assert_eq!(run("x => { return\n x }", &[json!(1)]).unwrap(), None);
    assert_eq!(
        call1("x => { const a = 1, b = a + x; { const a = 10; return a + b; } }", json!(1)),
        json!(12)
    );
    assert_eq!(
        call1("x => { const [a, b] = [x, x * 2]; const {c = a + b} = {}; return c; }", json!(1)),
        json!(3)
    );
}

#[test]
fn scoping_rules() {
    // Inner blocks shadow; the outer binding is untouched.
    assert_eq!(
        call1("x => { const a = 1; if (x) { const a = 2; } return a; }", json!(true)),
        json!(1)
    );
    // Redeclaration and parameter shadowing in the same scope are errors, as in JS.
    assert_kind(
        &compile_err("x => { const a = 1; const a = 2; return a; }"),
        ExpressionErrorKind::Syntax,
    );
    assert_kind(&compile_err("x => { const x = 1; return x; }"), ExpressionErrorKind::Syntax);
    // Use before initialisation is refused at compile time.
    let e = compile_err("x => { const b = a; const a = 1; return b; }");
    assert_kind(&e, ExpressionErrorKind::Reference);
    assert_eq!(e.message, "Cannot access 'a' before initialization");
    assert_kind(
        &compile_err("x => { const f = n => f(n); return 1; }"),
        ExpressionErrorKind::Reference,
    );
    // Block-scoped names are not visible outside their block.
    assert_kind(
        &compile_err("x => { if (x) { const y = 1; } return y; }"),
        ExpressionErrorKind::Reference,
    );
    assert_kind(
        &compile_err("x => { if (x) const y = 1; return 0; }"),
        ExpressionErrorKind::Syntax,
    );
    assert_kind(&compile_err("x => { const y; return y; }"), ExpressionErrorKind::Syntax);
}

#[test]
fn functions_as_values_and_in_objects() {
    assert_eq!(call1("x => { const o = { f: v => v + 1 }; return o.f(x); }", json!(1)), json!(2));
    assert_eq!(call1("x => [Math.abs, Math.floor].map(f => f(x))", json!(-1.5)), json!([1.5, -2]));
    assert_eq!(
        call1("x => (f => f(f, x))((self, n) => n <= 1 ? 1 : n * self(self, n - 1))", json!(5)),
        json!(120)
    );
    assert_eq!(call1("x => String(y => y * 2)", json!(0)), json!("y => y * 2"));
    assert_kind(&run("x => x => x", &[json!(1)]).unwrap_err(), ExpressionErrorKind::Type);
    let e = fails("x => x.a()", &[json!({"a": 1})]);
    assert_kind(&e, ExpressionErrorKind::Type);
    assert_eq!(e.message, "x.a is not a function");
    let e = fails("x => x.toUpperCase()", &[json!(5)]);
    assert_eq!(e.message, "x.toUpperCase is not a function");
    let e = fails("x => x.map(y => y)", &[json!("str")]);
    assert_eq!(e.message, "x.map is not a function");
    let e = fails("x => x()", &[json!(1)]);
    assert_eq!(e.message, "x is not a function");
}

#[test]
fn compile_function_arrow_versus_bare() {
    let lim = limits();
    // An arrow source uses its own parameters and ignores the implicit ones.
    let e = Expression::compile_function("(a, b) => a - b", &["item"], &lim).unwrap();
    assert_eq!(e.param_count(), 2);
    assert_eq!(e.call(&[&json!(5), &json!(3)], &lim).unwrap(), Some(json!(2)));
    // A bare expression uses the implicit parameters.
    let e = Expression::compile_function("item.price * qty", &["item", "qty"], &lim).unwrap();
    assert_eq!(e.param_count(), 2);
    assert_eq!(e.call(&[&json!({"price": 2}), &json!(3)], &lim).unwrap(), Some(json!(6)));
    // Missing arguments are undefined.
    assert_eq!(e.call(&[&json!({"price": 2})], &lim).unwrap(), Some(Value::from(f64::NAN)));
    // A call of an arrow is a bare expression, not an arrow.
    let e = Expression::compile_function("(x => x + 1)(item)", &["item"], &lim).unwrap();
    assert_eq!(e.call(&[&json!(1)], &lim).unwrap(), Some(json!(2)));
    // Unknown identifiers in bare expressions are refused.
    assert_kind(
        &Expression::compile_function("other + 1", &["item"], &lim).unwrap_err(),
        ExpressionErrorKind::Reference,
    );
}
