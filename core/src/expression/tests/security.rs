//! Everything a hostile expression could try to reach is refused, mostly before it runs.

use crate::json;

use super::super::ExpressionErrorKind::{self, Forbidden, Reference, Syntax};
use super::{assert_kind, compile_err, fails, run};

fn refused_at_compile(src: &str, kind: ExpressionErrorKind) -> String {
    let e = compile_err(src);
    assert_kind(&e, kind);
    e.message
}

#[test]
fn unknown_globals_are_refused_at_compile_time() {
    assert_eq!(refused_at_compile("process.exit()", Reference), "Unknown identifier 'process'");
    assert_eq!(refused_at_compile("require('fs')", Reference), "Unknown identifier 'require'");
    assert_eq!(refused_at_compile("globalThis", Reference), "Unknown identifier 'globalThis'");
    assert_eq!(refused_at_compile("this", Reference), "Unknown identifier 'this'");
    assert_eq!(refused_at_compile("eval('1')", Reference), "Unknown identifier 'eval'");
    assert_eq!(refused_at_compile("Function('x')", Reference), "Unknown identifier 'Function'");
    for src in [
        "window",
        "global",
        "self",
        "module",
        "exports",
        "setTimeout(() => 1)",
        "fetch('http://x')",
        "Date.now()",
        "Reflect",
        "Proxy",
        "Symbol",
        "WebAssembly",
        "arguments",
        "x => this.x",
        "x => [x].map(function_)",
        "Math",
        "JSON",
        "x => { const m = Math; return m.max(1); }",
        "Object",
    ] {
        refused_at_compile(src, Reference);
    }
    assert!(refused_at_compile("Math.random()", Reference).contains("deterministic"));
}

#[test]
fn unsupported_syntax_is_refused() {
    assert_eq!(refused_at_compile("new Date()", Syntax), "'new' is not supported at 0");
    refused_at_compile("import('fs')", Syntax);
    refused_at_compile("x => x = 1", Syntax);
    assert!(refused_at_compile("x => x = 1", Syntax).starts_with("Assignment is not supported"));
    assert!(refused_at_compile("(x) => { while(true){} }", Syntax)
        .starts_with("Loops are not supported"));
    for src in [
        "x => { for (;;) {} }",
        "x => { do {} while (1) }",
        "x++",
        "--x",
        "x += 1",
        "x => { x = 2; }",
        "function f() {}",
        "class A {}",
        "async x => x",
        "x => { var y = 1; return y; }",
        "delete x.a",
        "void 0",
        "x => x instanceof Object",
        "/abc/.test(x)",
        "x => { throw 1 }",
        "x => { try {} catch (e) {} }",
        "x => { switch (x) {} }",
        "(a, b)",
        "x => yield",
        "x => { function g() {} }",
        "x => await x",
        "x.#priv",
        "x => ({ m() { return 1 } })",
        "x => ({ get a() { return 1 } })",
    ] {
        refused_at_compile(src, Syntax);
    }
}

#[test]
fn prototype_keys_are_forbidden_statically() {
    for src in [
        "x => x.constructor",
        "x => x.__proto__",
        "x => x.prototype",
        "x => x.constructor.constructor('return process')()",
        "x => x?.constructor",
        "x => x.a.__proto__.b",
        "x => ''.constructor",
        "x => [].map.constructor",
        "x => ({__proto__: x})",
        "x => { const {constructor} = x; return constructor; }",
        "({__proto__: p}) => p",
        "Object.prototype",
        "x => x.constructor(1)",
    ] {
        refused_at_compile(src, Forbidden);
    }
    assert_eq!(
        refused_at_compile("x => x.constructor", Forbidden),
        "Access to 'constructor' is forbidden"
    );
}

#[test]
fn prototype_keys_are_forbidden_at_run_time() {
    let e = fails("x => x['__proto__']", &[json!({})]);
    assert_kind(&e, Forbidden);
    assert_eq!(e.message, "Access to '__proto__' is forbidden");
    assert_kind(&fails("x => x['constr' + 'uctor']", &[json!({})]), Forbidden);
    assert_kind(&fails("x => x[x.k]", &[json!({"k": "prototype"})]), Forbidden);
    assert_kind(&fails("x => 'abc'[x]", &[json!("constructor")]), Forbidden);
    assert_kind(&fails("x => ({[x]: 1})", &[json!("__proto__")]), Forbidden);
    assert_kind(&fails("x => Object.fromEntries([[x, 1]])", &[json!("__proto__")]), Forbidden);
    assert_kind(
        &fails("x => { const {[x]: v} = {}; return v; }", &[json!("constructor")]),
        Forbidden,
    );
    // Ordinary data keys still work.
    assert_eq!(run("x => x['proto']", &[json!({"proto": 1})]).unwrap(), Some(json!(1)));
}

#[test]
fn no_side_channels_through_builtins() {
    // Builtins only exist as whitelisted; unknown methods are plain "not a function" errors.
    for src in [
        "x => 'a'.constructor",
        "x => 'a'.__defineGetter__('b', 1)",
        "x => [].push(1)",
        "x => 'a'.match('a')",
        "x => (1).valueOf()",
    ] {
        assert!(run(src, &[json!(0)]).is_err(), "{src} should fail");
    }
    assert_eq!(fails("x => [].push(1)", &[json!(0)]).message, "[].push is not a function");
}
