//! Syntax and core semantics: literals, templates, operators, coercions, optional chaining.

use crate::json;
use crate::value::Value;

use super::super::ExpressionErrorKind;
use super::{assert_kind, call1, compile_err, eval, fails, run};

#[test]
fn numeric_literals() {
    assert_eq!(eval("1e3"), json!(1000));
    assert_eq!(eval("0x1F"), json!(31));
    assert_eq!(eval(".5"), json!(0.5));
    assert_eq!(eval("0b1010 + 0o17"), json!(25));
    assert_eq!(eval("1_000 * 2"), json!(2000));
    assert_eq!(eval("2.50"), json!(2.5));
    assert_eq!(eval("-1.5e-3"), json!(-0.0015));
    assert_kind(&compile_err("012"), ExpressionErrorKind::Syntax);
    assert_kind(&compile_err("10n"), ExpressionErrorKind::Syntax);
    assert_kind(&compile_err("3in"), ExpressionErrorKind::Syntax);
    assert_kind(&compile_err("1__0"), ExpressionErrorKind::Syntax);
}

#[test]
fn string_literals_and_escapes() {
    assert_eq!(eval(r#"'it\'s' + "\"q\"""#), json!("it's\"q\""));
    assert_eq!(eval(r"'a\nb\tc'"), json!("a\nb\tc"));
    assert_eq!(eval(r"'\u0041\u{1F600}\x42'"), json!("A😀B"));
    assert_eq!(eval(r"'\uD83D\uDE00'"), json!("😀"));
    assert_eq!(eval(r"'\uD83D'.length"), json!(1));
    assert_kind(&compile_err("'unterminated"), ExpressionErrorKind::Syntax);
    assert_kind(&compile_err("'line\nbreak'"), ExpressionErrorKind::Syntax);
    assert_kind(&compile_err(r"'\u12'"), ExpressionErrorKind::Syntax);
}

#[test]
fn template_literals() {
    assert_eq!(call1("x => `Hello, ${x.name}!`", json!({"name": "Ada"})), json!("Hello, Ada!"));
    assert_eq!(eval("`a${`b${`c${1 + 1}`}`}d`"), json!("abc2d"));
    assert_eq!(eval("`${ {a: 1}.a }${'}'}`"), json!("1}"));
    assert_eq!(
        eval("`${[1, [2, 3]]}|${null}|${undefined}|${1.50}`"),
        json!("1,2,3|null|undefined|1.5")
    );
    assert_eq!(eval("`\\`\\${x}`"), json!("`${x}"));
    assert_eq!(eval("`line1\nline2`"), json!("line1\nline2"));
    assert_eq!(eval("`a\r\nb`"), json!("a\nb"));
    assert_eq!(eval("``"), json!(""));
    assert_kind(&compile_err("`${}`"), ExpressionErrorKind::Syntax);
    assert_kind(&compile_err("`${1 2}`"), ExpressionErrorKind::Syntax);
    assert_kind(&compile_err("`unterminated ${1}"), ExpressionErrorKind::Syntax);
    assert_kind(&compile_err("x`tagged`"), ExpressionErrorKind::Syntax);
    // Identifiers inside templates are resolved like anywhere else.
    assert_kind(&compile_err("`${process}`"), ExpressionErrorKind::Reference);
}

#[test]
fn arithmetic_and_concatenation_formatting() {
    assert_eq!(eval("'' + 1.5"), json!("1.5"));
    assert_eq!(eval("'' + 2"), json!("2"));
    assert_eq!(eval("'n=' + 2 * 2"), json!("n=4"));
    assert_eq!(eval("'' + 0.1 * 3"), json!("0.30000000000000004"));
    assert_eq!(eval("'' + 1e21"), json!("1e+21"));
    assert_eq!(eval("'' + 1e-7"), json!("1e-7"));
    assert_eq!(eval("'' + 123456789012345680000"), json!("123456789012345680000"));
    assert_eq!(eval("'' + -0"), json!("0"));
    assert_eq!(eval("'' + [1, 2, [3]]"), json!("1,2,3"));
    assert_eq!(eval("'' + {}"), json!("[object Object]"));
    assert_eq!(eval("1 + 2 + '3'"), json!("33"));
    assert_eq!(eval("'1' + 2 + 3"), json!("123"));
    assert_eq!(eval("'6' / '2'"), json!(3));
    assert_eq!(
        eval("[0/0, 1/0, -1/0]"),
        Value::Array(vec![
            Value::from(f64::NAN),
            Value::from(f64::INFINITY),
            Value::from(f64::NEG_INFINITY)
        ])
    );
    assert_eq!(eval("2 ** 53"), json!(9007199254740992u64));
    assert_eq!(eval("2 ** 60"), json!(1152921504606846976.0));
    assert_eq!(eval("7 % -3"), json!(1));
    assert_eq!(eval("2 ** 3 ** 2"), json!(512));
    assert_kind(&compile_err("-2 ** 2"), ExpressionErrorKind::Syntax);
}

#[test]
fn equality_tables() {
    // Loose equality.
    assert_eq!(eval("[null == undefined, null == 0, undefined == 0, '' == 0, '0' == 0, '0' == false, [] == false, [1] == 1, NaN == NaN]"),
        json!([true, false, false, true, true, true, true, true, false]));
    // Strict equality.
    assert_eq!(
        eval("[null === undefined, 1 === 1.0, '1' === 1, NaN === NaN, -0 === 0, 'a' === 'a']"),
        json!([false, true, false, false, true, true])
    );
    // Objects compare by identity.
    assert_eq!(
        call1("x => [x === x, x.a === x.a, [] === [], x == '[object Object]']", json!({"a": {}})),
        json!([true, true, false, true])
    );
    assert_eq!(
        eval("(() => { const a = [1]; return [a === a, a == '1', [1] == [1]]; })()"),
        json!([true, true, false])
    );
}

#[test]
fn comparisons() {
    assert_eq!(
        eval("['a' < 'b', 'B' < 'a', '10' < '9', '10' < 9, null >= 0, undefined >= 0, NaN < 1]"),
        json!([true, true, true, false, true, false, false])
    );
    // UTF-16 code unit order: U+FFFF sorts after the surrogate of an astral character.
    assert_eq!(eval("'\\uFFFF' > '😀'"), json!(true));
}

#[test]
fn typeof_operator() {
    assert_eq!(eval("[typeof 1, typeof 'a', typeof true, typeof undefined, typeof null, typeof [], typeof {}, typeof (x => x), typeof Math.max, typeof Number]"),
        json!(["number", "string", "boolean", "undefined", "object", "object", "object", "function", "function", "function"]));
    assert_eq!(call1("x => typeof x.missing", json!({})), json!("undefined"));
}

#[test]
fn logical_operators_return_operands() {
    assert_eq!(
        eval("[0 || 'a', 1 && 'b', null ?? 'c', 0 ?? 'c', '' || null, 'x' && 0]"),
        json!(["a", "b", "c", 0, null, 0])
    );
    // Short-circuit: the right side is not evaluated.
    assert_eq!(call1("x => x.a || x.b.c", json!({"a": 1})), json!(1));
    assert_eq!(call1("x => x.a && x.b.c", json!({"a": 0})), json!(0));
    assert_eq!(call1("x => x.a ?? x.b.c", json!({"a": false})), json!(false));
}

#[test]
fn ternaries() {
    assert_eq!(call1("n => n > 0 ? 'pos' : n < 0 ? 'neg' : 'zero'", json!(-2)), json!("neg"));
    assert_eq!(call1("n => n > 0 ? 'pos' : n < 0 ? 'neg' : 'zero'", json!(0)), json!("zero"));
    // A function cannot leave an expression.
    assert!(run("true ? x => 1 : 2", &[]).is_err());
    assert_eq!(eval("[1 ? 'a' : 'b', 0 ? 'a' : '' ? 'b' : 'c']"), json!(["a", "c"]));
}

#[test]
fn optional_chaining() {
    assert_eq!(run("x => x?.a.b.c", &[json!(null)]).unwrap(), None);
    assert_eq!(run("x => x.a?.b.c", &[json!({"a": null})]).unwrap(), None);
    assert_eq!(call1("x => x?.a?.b ?? 'none'", json!({"a": {}})), json!("none"));
    assert_eq!(call1("x => x.list?.[1]", json!({"list": [1, 2]})), json!(2));
    assert_eq!(run("x => x.list?.[1]", &[json!({})]).unwrap(), None);
    assert_eq!(run("x => x.fn?.()", &[json!({})]).unwrap(), None);
    assert_eq!(call1("x => x.name?.toUpperCase()", json!({"name": "ab"})), json!("AB"));
    assert_eq!(run("x => x.name?.toUpperCase()", &[json!({})]).unwrap(), None);
    assert_eq!(run("x => x.s.nope?.()", &[json!({"s": "str"})]).unwrap(), None);
    // Parentheses end the chain: (x?.a).b reads from undefined.
    assert_kind(&fails("x => (x?.a).b", &[json!(null)]), ExpressionErrorKind::Type);
    assert_eq!(eval("1?.5:0"), json!(0.5));
}

#[test]
fn member_and_index_access() {
    let data = json!({"a": [10, 20, {"b": "deep"}], "k": "a", "default": 1, "if": 2});
    assert_eq!(call1("x => x.a[2].b", data.clone()), json!("deep"));
    assert_eq!(call1("x => x[x.k][0]", data.clone()), json!(10));
    assert_eq!(call1("x => x.a.length", data.clone()), json!(3));
    assert_eq!(call1("x => x.default + x.if", data.clone()), json!(3));
    assert_eq!(call1("x => x.a['1']", data.clone()), json!(20));
    assert_eq!(run("x => x.a[5]", std::slice::from_ref(&data)).unwrap(), None);
    assert_eq!(run("x => x.a[-1]", std::slice::from_ref(&data)).unwrap(), None);
    assert_eq!(call1("x => 'héllo'[1] + 'abc'.length", json!(0)), json!("é3"));
    let e = fails("x => x.a.b.c", &[json!({"a": {}})]);
    assert_eq!(e.message, "Cannot read properties of undefined (reading 'c')");
    let e = fails("x => x.n.toFixed", &[json!({"n": null})]);
    assert_eq!(e.message, "Cannot read properties of null (reading 'toFixed')");
    let e = fails("x => x[0]", &[json!(null)]);
    assert_eq!(e.message, "Cannot read properties of null (reading '0')");
}

#[test]
fn utf16_lengths_and_indices() {
    assert_eq!(call1("s => s.length", json!("😀")), json!(2));
    assert_eq!(call1("s => s.length", json!("héllo wörld")), json!(11));
    assert_eq!(call1("s => s.indexOf('b')", json!("😀ab")), json!(3));
    assert_eq!(call1("s => s.slice(2)", json!("😀ab")), json!("ab"));
    assert_eq!(call1("s => s.split('').length", json!("a😀")), json!(3));
    assert_eq!(call1("s => [...s].length", json!("a😀")), json!(2));
}

#[test]
fn comments_and_semicolons() {
    assert_eq!(call1("x => /* block */ x + 1 // trailing", json!(1)), json!(2));
    assert_eq!(
        call1("x => {\n  const a = x // no semicolon\n  const b = a * 2\n  return b\n}", json!(2)),
        json!(4)
    );
    assert_eq!(call1("x => x + 1;", json!(1)), json!(2));
    assert_kind(
        &compile_err("x => { const a = 1 const b = 2; return a }"),
        ExpressionErrorKind::Syntax,
    );
}

#[test]
fn syntax_errors_have_positions() {
    let e = compile_err("(1 + 2))");
    assert_kind(&e, ExpressionErrorKind::Syntax);
    assert_eq!(e.message, "Unexpected token ')' at 7");
    assert_eq!(e.position, Some(7));
    let e = compile_err("x => x +");
    assert_eq!(e.message, "Unexpected end of input at 8");
    let e = compile_err("x => x.");
    assert_eq!(e.position, Some(7));
    let e = compile_err("");
    assert_eq!(e.message, "Unexpected end of input at 0");
    let e = compile_err("a b");
    assert_eq!(e.message, "Unexpected identifier 'b' at 2");
    let e = compile_err("x => x.filter(/a/)");
    assert!(
        e.message.starts_with("Regular expression literals are not supported"),
        "{}",
        e.message
    );
    assert_eq!(e.position, Some(14));
    let e = compile_err("[1, 2");
    assert_kind(&e, ExpressionErrorKind::Syntax);
    let e = compile_err("(a, b)");
    assert_kind(&e, ExpressionErrorKind::Syntax);
}
