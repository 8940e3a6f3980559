#!/usr/bin/env python3
"""Folder-level (top-level module) dependency graph of the Rust core crate, and a check that it
has no cycle: scripts/test.sh runs it, and it exits 1 naming every `use` that makes one. Layers
that depend on each other both ways can no longer be read, tested or feature-gated one at a
time; the expression interpreter's own modules may refer to each other (they are one folder).

A "folder" is a top-level module of the crate: a directory or .rs file directly under
core/src (lib.rs is the root and is not a node). Module A depends on B when code under A
names `crate::B...` (use trees, nested use groups, inline paths, `$crate::B` in macro bodies,
`"crate::B::..."` strings inside attributes such as `#[cfg_attr(test, ts(as = "..."))]`),
or a `super::` path that climbs out of A into B. `crate::X` where X is a lib.rs re-export
(`crate::Result`, `crate::Value`, ...) or a `#[macro_export]` macro (`crate::json`) counts as
an edge to the folder that defines X.

Comments, doc comments and ordinary string literals are ignored. Code inside `#[cfg(test)]`
items (inline `mod tests { }`, cfg(test) fns, out-of-line `#[cfg(test)] mod tests;` files) and
any inline `mod tests { }` is classified as *test* and kept out of the main graph; the script
reports separately what test code adds. `#[cfg_attr(test, ...)]` attribute strings stay in the
main graph (they sit on production items) but are tagged `cfg_attr(test)`.

Usage: rust-folder-cycles.py [ROOT]   (ROOT defaults to the repository's core/src)
       --json                 machine-readable output (edges, up_edges, sccs) for use in a test
       --without=A->B,C->D    drop those edges first (what-if: does cutting them break the cycles?)
Exit status: 0 if the main graph has no cycles, 1 otherwise.
"""
import json
import os
import re
import sys
from collections import defaultdict
from folder_graph import strongly_connected

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
ROOT = os.path.abspath(
    ARGS[0] if ARGS else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "core", "src")
)
AS_JSON = "--json" in sys.argv

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


# --------------------------------------------------------------------------- lexing
def lex(src):
    """Return (code, strings): code has comments and string/char literals blanked out
    (newlines kept, so offsets and line numbers are preserved); strings lists
    (start, end, text) of every string literal."""
    out = list(src)
    strings = []
    n = len(src)
    i = 0

    def blank(a, b):
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    def ident_before(k):
        return k > 0 and (src[k - 1].isalnum() or src[k - 1] == "_")

    while i < n:
        c = src[i]
        if c == "/" and src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
        elif c == "/" and src.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if src.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif src.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            blank(i, j)
            i = j
        elif c in "rb" and not ident_before(i) and re.match(r"(br|rb|r)#*\"", src[i:i + 300]):
            m = re.match(r"(br|rb|r)(#*)\"", src[i:])
            close = '"' + m.group(2)
            j = src.find(close, i + m.end())
            j = n if j < 0 else j + len(close)
            strings.append((i, j, src[i:j]))
            blank(i, j)
            i = j
        elif c == '"' or (c == "b" and not ident_before(i) and src.startswith('b"', i)):
            j = i + (2 if c == "b" else 1)
            while j < n and src[j] != '"':
                j += 2 if src[j] == "\\" else 1
            j += 1
            strings.append((i, j, src[i:j]))
            blank(i, j)
            i = j
        elif c == "'" or (c == "b" and not ident_before(i) and src.startswith("b'", i)):
            s = i + (1 if c == "b" else 0)
            if s + 1 < n and src[s + 1] == "\\":
                j = s + 2
                while j < n and src[j] != "'":
                    j += 2 if src[j] == "\\" else 1
                blank(i, j + 1)
                i = j + 1
            elif s + 2 < n and src[s + 2] == "'":
                blank(i, s + 3)
                i = s + 3
            else:  # lifetime / label
                i = s + 1
        else:
            i += 1
    return "".join(out), strings


def match_close(code, i):
    """code[i] is an opening bracket; return index just after its match."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    stack = []
    n = len(code)
    j = i
    while j < n:
        ch = code[j]
        if ch in pairs:
            stack.append(pairs[ch])
        elif ch in ")]}":
            if stack:
                stack.pop()
            if not stack:
                return j + 1
        j += 1
    return n


def item_end(code, i):
    """End offset of the item/statement starting at i (after its attributes)."""
    m = re.match(r"\s*(?:pub\s*(?:\([^)]*\))?\s*)?(use|static|const|type|let|extern\s+crate)\b", code[i:])
    until_semicolon = bool(m)
    depth = 0
    j, n = i, len(code)
    while j < n:
        ch = code[j]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0 and ch == "}" and not until_semicolon:
                return j + 1
        elif ch == ";" and depth == 0:
            return j + 1
        j += 1
    return n


def test_only_cfg(pred):
    p = re.sub(r"\s+", "", pred)
    if p == "test":
        return True
    if p.startswith("all(") and re.search(r"[(,]test[,)]", p):
        return True
    return False


ATTR = re.compile(r"#!?\[")


def attributes(code):
    """Yield (start, end, inner_text) for every attribute."""
    for m in ATTR.finditer(code):
        end = match_close(code, m.end() - 1)
        yield m.start(), end, code[m.end():end - 1]


def skip_attrs(code, j):
    while True:
        m = re.match(r"\s*#\[", code[j:])
        if not m:
            return j
        j = match_close(code, j + m.end() - 1)


# --------------------------------------------------------------------------- use trees
TOK = re.compile(r"\s*(::|\$?[A-Za-z_][A-Za-z0-9_]*|[{},*;])")


def parse_use(code, i):
    """Parse the use tree starting at i (just after the `use` keyword). Returns
    (paths, end) where each path is a list of (segment, offset)."""
    toks = []
    j = i
    while True:
        m = TOK.match(code, j)
        if not m:
            break
        t = m.group(1)
        toks.append((t, m.start(1)))
        j = m.end()
        if t == ";":
            break
    pos = 0
    paths = []

    def tree(prefix):
        nonlocal pos
        cur = list(prefix)
        while pos < len(toks):
            t, off = toks[pos]
            if t == "::":
                pos += 1
            elif t == "{":
                pos += 1
                while pos < len(toks) and toks[pos][0] != "}":
                    tree(cur)
                    if pos < len(toks) and toks[pos][0] == ",":
                        pos += 1
                pos += 1  # '}'
                return
            elif t in (",", "}", ";"):
                if cur:
                    paths.append(cur)
                return
            elif t == "as":
                pos += 2  # as alias
            elif t == "*":
                cur = cur + [("*", off)]
                pos += 1
            else:
                cur = cur + [(t, off)]
                pos += 1
        if cur:
            paths.append(cur)

    while pos < len(toks) and toks[pos][0] != ";":
        tree([])
        if pos < len(toks) and toks[pos][0] == ",":
            pos += 1
    return paths, j


# --------------------------------------------------------------------------- crate model
def top_modules():
    mods = {}
    for name in sorted(os.listdir(ROOT)):
        p = os.path.join(ROOT, name)
        if os.path.isdir(p):
            mods[name] = p
        elif name.endswith(".rs") and name not in ("lib.rs", "main.rs"):
            mods[name[:-3]] = p
    return mods


MODS = top_modules()


def module_path(path):
    r = os.path.relpath(path, ROOT)[:-3].split(os.sep)
    if r[-1] == "mod":
        r = r[:-1]
    return r


def line_of(src, off):
    return src.count("\n", 0, off) + 1


def root_names():
    """Names lib.rs re-exports (name -> folder) and #[macro_export] macros (name -> folder)."""
    names = {}
    lib = os.path.join(ROOT, "lib.rs")
    if os.path.exists(lib):
        code, _ = lex(open(lib, encoding="utf-8").read())
        for m in re.finditer(r"\buse\b", code):
            paths, _ = parse_use(code, m.end())
            for p in paths:
                segs = [s for s, _ in p]
                if segs and segs[0] == "crate":
                    segs = segs[1:]
                if segs and segs[0] in MODS and len(segs) > 1:
                    names[segs[-1]] = (segs[0], "lib.rs re-export")
        # Type aliases lib.rs declares (`pub type History = history::ExecutionHistory;` and the
        # names read through it): the folder of the first module, or of a root name found
        # before, that the first declaration names (a choice between two builds counts as the
        # one with the feature, the first written).
        for m in re.finditer(r"\btype\s+([A-Za-z_]\w*)\s*=\s*([^;]+);", code):
            name, target = m.group(1), m.group(2)
            if name in names:
                continue
            for ident in re.findall(r"[A-Za-z_]\w*", target):
                if ident in MODS and re.search(r"\b" + ident + r"\s*::", target):
                    names[name] = (ident, "lib.rs type alias")
                    break
                if ident in names:
                    names[name] = (names[ident][0], "lib.rs type alias")
                    break
    for folder, p in MODS.items():
        files = [p] if p.endswith(".rs") else [os.path.join(d, f) for d, _, fs in os.walk(p) for f in fs if f.endswith(".rs")]
        for f in files:
            code, _ = lex(open(f, encoding="utf-8").read())
            for m in re.finditer(r"#\[macro_export\][\s\S]*?macro_rules!\s*([A-Za-z_]\w*)", code):
                names[m.group(1)] = (folder, "#[macro_export] macro")
    return names


ROOT_NAMES = root_names()


def test_files(all_files):
    """Files that are only compiled for tests (out-of-line `#[cfg(test)] mod x;`), except the
    top-level modules declared in lib.rs (those are graph nodes in their own right)."""
    tests = set()
    for f in all_files:
        code, strings = lex(open(f, encoding="utf-8").read())
        for a0, a1, inner in attributes(code):
            m = re.match(r"\s*cfg\s*\((.*)\)\s*$", inner, re.S)
            if not m or not test_only_cfg(m.group(1)):
                continue
            j = skip_attrs(code, a1)
            mm = re.match(r"\s*(?:pub\s*(?:\([^)]*\))?\s*)?mod\s+(\w+)\s*;", code[j:])
            if not mm:
                continue
            # a #[path] attribute between?
            seg = code[a1:j]
            pm = None
            for s0, s1, txt in strings:
                if a1 <= s0 < j and "path" in code[a1:s0]:
                    pm = txt.strip('"')
            base = os.path.dirname(f) if os.path.basename(f) in ("mod.rs", "lib.rs") else f[:-3]
            if os.path.basename(f) == "lib.rs":
                continue
            name = mm.group(1)
            cands = [os.path.join(os.path.dirname(f), pm)] if pm else [os.path.join(base, name + ".rs"), os.path.join(base, name, "mod.rs")]
            for c in cands:
                if os.path.exists(c):
                    tests.add(os.path.normpath(c))
                    if c.endswith("mod.rs"):
                        for d, _, fs in os.walk(os.path.dirname(c)):
                            tests.update(os.path.normpath(os.path.join(d, x)) for x in fs if x.endswith(".rs"))
            del seg
    # children of test files are test files too
    changed = True
    while changed:
        changed = False
        for f in all_files:
            nf = os.path.normpath(f)
            if nf in tests:
                continue
            for t in list(tests):
                tdir = t[:-3] if not t.endswith("mod.rs") else os.path.dirname(t)
                if nf.startswith(tdir + os.sep):
                    tests.add(nf)
                    changed = True
                    break
    return tests


def test_regions(code):
    regions = []
    for a0, a1, inner in attributes(code):
        m = re.match(r"\s*cfg\s*\((.*)\)\s*$", inner, re.S)
        if m and test_only_cfg(m.group(1)):
            j = skip_attrs(code, a1)
            regions.append((a0, item_end(code, j)))
    for m in re.finditer(r"\bmod\s+tests\s*\{", code):
        regions.append((m.start(), match_close(code, m.end() - 1)))
    return regions


def inline_mods(code):
    """(start, end, name) of every inline `mod name { ... }` block."""
    res = []
    for m in re.finditer(r"\bmod\s+([A-Za-z_]\w*)\s*\{", code):
        res.append((m.end() - 1, match_close(code, m.end() - 1), m.group(1)))
    return res


# --------------------------------------------------------------------------- references
def resolve(segs, modpath):
    """segs: list of segment names of a path as written. Returns (target_folder, how) or None."""
    if not segs:
        return None
    head = segs[0]
    if head in ("crate", "$crate"):
        rest = segs[1:]
        if not rest:
            return None
        if rest[0] in MODS:
            return rest[0], ""
        if rest[0] in ROOT_NAMES:
            folder, why = ROOT_NAMES[rest[0]]
            return folder, f"crate::{rest[0]} ({why})"
        return ("?crate::" + rest[0], "unknown root name")
    if head == "super":
        cur = list(modpath)
        k = 0
        while k < len(segs) and segs[k] == "super":
            cur = cur[:-1]
            k += 1
        if cur:  # still inside the top-level module cur[0]
            return cur[0], ""
        rest = segs[k:]
        if not rest:
            return None
        if rest[0] in MODS:
            return rest[0], "super:: climbing to the crate root"
        if rest[0] == "*":
            return ("?super::*", "glob import of crate root")
        if rest[0] in ROOT_NAMES:
            folder, why = ROOT_NAMES[rest[0]]
            return folder, f"super::{rest[0]} ({why})"
        return ("?super::" + rest[0], "unknown root name")
    return None


def item_of(segs, k):
    """What a path names inside its target folder: `crate::host::BoxFuture` -> `BoxFuture`;
    root names (`crate::json`) stay as they are."""
    if k < len(segs) and segs[k] in MODS:
        return "::".join(segs[k + 1:]) or "(module)"
    return "::".join(segs[k:])


INLINE = re.compile(r"(?<![\w:])(\$?crate|super)(\s*::\s*(?:[A-Za-z_]\w*|\*))+")


def scan_file(path, is_test_file):
    src = open(path, encoding="utf-8").read()
    code, strings = lex(src)
    file_mod = module_path(path)
    tregions = test_regions(code)
    imods = inline_mods(code)
    refs = []  # (target, offset, kind, is_test, note)

    def modpath_at(off):
        extra = [name for (s, e, name) in sorted(imods) if s < off < e]
        return file_mod + extra

    def is_test(off):
        return is_test_file or any(s <= off < e for s, e in tregions)

    use_spans = []
    for m in re.finditer(r"(?<![\w.:$])use\b(?!\s*<)", code):
        paths, end = parse_use(code, m.end())
        use_spans.append((m.start(), end))
        for p in paths:
            segs = [s for s, _ in p]
            mp = modpath_at(m.start())
            r = resolve(segs, mp)
            if r:
                # offset of the segment that names the target folder
                k = 0
                while k < len(segs) and segs[k] in ("crate", "$crate", "super"):
                    k += 1
                off = p[min(k, len(p) - 1)][1]
                refs.append((r[0], off, "use", is_test(off), r[1], item_of(segs, k)))
    for m in INLINE.finditer(code):
        if any(s <= m.start() < e for s, e in use_spans):
            continue
        before = code[max(0, m.start() - 20):m.start()]
        if re.search(r"\bpub\s*\(\s*in\s*$", before):  # pub(in super::super): visibility, not a dependency
            continue
        segs = [s.strip() for s in re.sub(r"\s+", "", m.group(0)).split("::")]
        r = resolve(segs, modpath_at(m.start()))
        if r:
            kind = "macro body ($crate)" if segs[0] == "$crate" else "path"
            k = 0
            while k < len(segs) and segs[k] in ("crate", "$crate", "super"):
                k += 1
            refs.append((r[0], m.start(), kind, is_test(m.start()), r[1], item_of(segs, k)))
    # "crate::x::..." inside attribute strings
    for a0, a1, inner in attributes(code):
        attr_test = bool(re.match(r"\s*cfg_attr\s*\(\s*test\s*,", inner))
        for s0, s1, txt in strings:
            if a0 <= s0 < a1:
                for mm in re.finditer(r"(?<![\w:])crate((?:::[A-Za-z_]\w*)+)", txt):
                    segs = mm.group(1).split("::")[1:]
                    r = resolve(["crate"] + segs, file_mod)
                    if r:
                        kind = "attr string" + (" cfg_attr(test)" if attr_test else "")
                        refs.append((r[0], s0 + mm.start(), kind, is_test(s0), r[1], item_of(segs, 0)))
    return [(t, line_of(src, off), kind, test, note, item) for (t, off, kind, test, note, item) in refs]


# Intended layering (lower number = lower layer). An edge from a lower to a higher layer is
# flagged UP: inside a cycle those are the edges to cut. Folders missing here get no verdict.
LAYERS = {
    "value": 0,
    "model": 1, "error": 1,
    "format": 2, "graph": 2, "options": 2, "progress": 2,
    "expression": 3, "trace": 3,
    "host": 4,
    "storage": 5, "telemetry": 5,
    "nodes": 7,
    "cache": 8, "history": 8, "recording": 8,
    "plan": 9, "validation": 9,
    "run": 10,
    "scheduler": 11,
    "engine": 12,
    "session": 13,
    "testing": 14,
    "typescript": 15,  # test-only code generator: may depend on anything, nothing on it
}


def reexports():
    """(folder, name) -> origin folder, for `pub use crate::X::...` in a folder's mod.rs."""
    res = {}
    for folder, p in MODS.items():
        f = p if p.endswith(".rs") else os.path.join(p, "mod.rs")
        if not os.path.exists(f):
            continue
        code, _ = lex(open(f, encoding="utf-8").read())
        for m in re.finditer(r"\bpub\s*(?:\([^)]*\))?\s*use\b", code):
            for path in parse_use(code, m.end())[0]:
                segs = [x for x, _ in path]
                if len(segs) >= 3 and segs[0] == "crate" and segs[1] in MODS and segs[1] != folder:
                    res[(folder, segs[-1])] = segs[1]
    return res


def verdict(a, b):
    la, lb = LAYERS.get(a), LAYERS.get(b)
    if la is None or lb is None:
        return "?"
    return "UP" if la < lb else ("same-layer" if la == lb else "down")


def group_places(places):
    """[(file, line, kind, item)] -> ordered {(file, line): (kinds, items)}."""
    out = {}
    for f, l, k, item in places:
        kinds, items = out.setdefault((f, l), (set(), []))
        kinds.add(k)
        if item and item not in items:
            items.append(item)
    return out


def fmt_place(f, l, kinds, items, target, rex):
    notes = []
    for it in items:
        origin = rex.get((target, it.split("::")[0]))
        if origin:
            notes.append(f"{it} is a re-export of {origin}::{it}")
    txt = f"{f}:{l}  {target}::{{{', '.join(items)}}}  [{', '.join(sorted(kinds))}]"
    return txt + (f"  ({'; '.join(notes)})" if notes else "")


def main():
    without = set()
    for a in sys.argv[1:]:
        if a.startswith("--without="):
            without.update(tuple(x.strip() for x in e.split("->")) for e in a.split("=", 1)[1].split(",") if "->" in e)
    all_files = []
    for folder, p in MODS.items():
        if p.endswith(".rs"):
            all_files.append((folder, p))
        else:
            for d, _, fs in os.walk(p):
                for f in sorted(fs):
                    if f.endswith(".rs"):
                        all_files.append((folder, os.path.join(d, f)))
    tfiles = test_files([p for _, p in all_files])
    main_edges = defaultdict(list)
    test_edges = defaultdict(list)
    unknown = []
    base = os.path.dirname(os.path.dirname(ROOT.rstrip("/")))
    for folder, p in sorted(all_files):
        for target, line, kind, is_t, note, item in scan_file(p, os.path.normpath(p) in tfiles):
            if target.startswith("?"):
                unknown.append(f"{os.path.relpath(p, base)}:{line} {target} ({note})")
                continue
            if target == folder:
                continue
            place = (os.path.relpath(p, base), line, kind + (f"; {note}" if note else ""), item)
            (test_edges if is_t else main_edges)[(folder, target)].append(place)
    for e in without:
        main_edges.pop(e, None)
        test_edges.pop(e, None)
    rex = reexports()

    comps = strongly_connected(MODS.keys(), main_edges.keys())
    all_keys = set(main_edges) | set(test_edges)
    comps_t = strongly_connected(MODS.keys(), all_keys)
    extra = {k: v for k, v in test_edges.items() if k not in main_edges}

    if AS_JSON:
        def places(v):
            return sorted({f"{f}:{l}" for f, l, _, _ in v})
        print(json.dumps({
            "edges": {f"{a}->{b}": places(v) for (a, b), v in sorted(main_edges.items())},
            "test_only_edges": {f"{a}->{b}": places(v) for (a, b), v in sorted(extra.items())},
            "up_edges": sorted(f"{a}->{b}" for (a, b) in main_edges if verdict(a, b) == "UP"),
            "sccs": comps,
            "sccs_with_tests": comps_t,
        }, indent=1))
        return 1 if comps else 0

    print(f"# Rust top-level modules under {ROOT}: {len(MODS)}  (test-only files: {len(tfiles)})")
    if without:
        print("# pretending these edges are gone: " + ", ".join(f"{a}->{b}" for a, b in sorted(without)))
    print(f"\n## Edges (main code, excluding #[cfg(test)] items / mod tests) — {len(main_edges)}")
    for (a, b), v in sorted(main_edges.items()):
        g = group_places(v)
        (f, l), (kinds, items) = next(iter(g.items()))
        print(f"{a} -> {b}  [{len(g)} places] {verdict(a, b)}  e.g. {fmt_place(f, l, kinds, items, b, rex)}")
    print(f"\n## Edges added only by test code — {len(extra)}")
    for (a, b), v in sorted(extra.items()):
        g = group_places(v)
        print(f"{a} -> {b}  {verdict(a, b)}: " + "; ".join(f"{f}:{l}" for (f, l) in g))
    if unknown:
        print("\n## Unresolved crate-root references")
        for u in unknown:
            print("  " + u)

    print(f"\n## Strongly connected components of size > 1 (main code) — {len(comps)}")
    for c in comps:
        cs = set(c)
        inside = sorted((k for k in main_edges if k[0] in cs and k[1] in cs),
                        key=lambda k: (verdict(*k) != "UP", k))
        print(f"\nSCC {{{', '.join(c)}}}  ({len(inside)} edges; UP = against LAYERS, cut these)")
        for (a, b) in inside:
            g = group_places(main_edges[(a, b)])
            print(f"  {a} -> {b}  {verdict(a, b)}  ({len(g)} places)")
            for (f, l), (kinds, items) in g.items():
                print(f"      {fmt_place(f, l, kinds, items, b, rex)}")
    up = {k for k in main_edges if verdict(*k) == "UP"}
    rest = strongly_connected(MODS.keys(), [k for k in main_edges if k not in up])
    print("\n## UP edges (against LAYERS): " + (", ".join(f"{a}->{b}" for a, b in sorted(up)) or "none"))
    print("## SCCs left once every UP edge is cut: " + ("; ".join("{" + ", ".join(c) + "}" for c in rest) or "none"))
    if comps_t != comps:
        print("\n## SCCs when test code is included")
        for c in comps_t:
            print("  {" + ", ".join(c) + "}")
        for (a, b), v in sorted(extra.items()):
            if any(a in c and b in c for c in comps_t):
                print(f"  test-only edge inside a cycle: {a} -> {b}: " + ", ".join(sorted({f"{f}:{l}" for f, l, _, _ in v})))
    else:
        print("\n## Test code adds no new cycle membership (SCCs identical with tests included).")
    return 1 if comps else 0


if __name__ == "__main__":
    sys.exit(main())
