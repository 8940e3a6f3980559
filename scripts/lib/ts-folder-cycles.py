#!/usr/bin/env python3
"""Fails while the npm package's TypeScript has an import cycle between its folders.

npm/src is layered: types/ and values/ (and util/) at the bottom, then options/, telemetry/,
transports/, conductor/, engines/, server/, desktop/, queue/, and the entry files (index.ts,
desktop.ts, browser.ts, remote.ts, ...) and cli/ on top. Each folder may import only from the
folders below it: then every folder can be read, tested and changed knowing only those, and a
low folder never drags a high one (the engines, Node's modules) into a bundle that imports it.
A cycle between folders breaks that, so this check fails on the first one.

Nodes are the directories directly under npm/src, and each file directly under it (index.ts,
desktop.ts, ...) on its own. An edge A -> B is any relative import from a file in A of a file in
B: `import ... from`, `import type ... from`, `import "..."`, `export ... from`, `import("...")`
(dynamic, or in a `typeof import(...)` type) and `import x = require("...")`. Type-only imports
count too: a type that lives above its users is a cycle waiting for its first value import.
Comments and the insides of strings, template literals and regular expressions are skipped.

Usage: ts-folder-cycles.py [SRC]   (default: npm/src of this repository)
Exit status: 0 without a cycle; 1 with one, after printing each cycle and the imports that make it.
"""
import os
import re
import sys
from collections import defaultdict, deque
from folder_graph import strongly_connected

SOURCE_EXTENSIONS = (".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs")

# After these (or at the start), a `/` opens a regular expression rather than dividing.
REGEX_AFTER_CHARS = set("(,=:[!&|?{};+-*%<>~^")
REGEX_AFTER_WORDS = {"return", "typeof", "case", "do", "else", "in", "of", "new", "delete", "void", "throw", "instanceof", "yield", "await"}


def blank_non_code(src):
    """`src` with comments, and the contents of strings, templates and regular expressions,
    replaced by spaces (newlines kept, so offsets and line numbers stay), and the text of each
    quoted string by the offset of its opening quote."""
    out = list(src)
    strings = {}
    n = len(src)
    template_braces = []  # one per open `{`: True when it opened a template's `${`
    previous = ""  # the last significant character, or the last word

    def blank(start, end):
        for k in range(start, end):
            if out[k] != "\n":
                out[k] = " "

    def template_text(start):
        """From inside a template at `start`: the index after its closing backtick, or after the
        next `${` (then True)."""
        j = start
        while j < n:
            if src[j] == "\\":
                j += 2
            elif src[j] == "`":
                blank(start, j)
                return j + 1, False
            elif src.startswith("${", j):
                blank(start, j)
                return j + 2, True
            else:
                j += 1
        blank(start, n)
        return n, False

    i = 0
    while i < n:
        c = src[i]
        if src.startswith("//", i):
            end = src.find("\n", i)
            end = n if end < 0 else end
            blank(i, end)
            i = end
        elif src.startswith("/*", i):
            end = src.find("*/", i + 2)
            end = n if end < 0 else end + 2
            blank(i, end)
            i = end
        elif c in "'\"":
            j = i + 1
            while j < n and src[j] not in (c, "\n"):
                j += 2 if src[j] == "\\" else 1
            strings[i] = src[i + 1 : j]
            blank(i + 1, j)
            i = j + 1
            previous = "string"
        elif c == "`" or (c == "}" and template_braces and template_braces[-1]):
            if c == "}":
                template_braces.pop()
            i, opened = template_text(i + 1)
            if opened:
                template_braces.append(True)
            previous = "{" if opened else "string"
        elif c == "{":
            template_braces.append(False)
            previous = "{"
            i += 1
        elif c == "}":
            if template_braces:
                template_braces.pop()
            previous = "}"
            i += 1
        elif c == "/" and (previous == "" or previous in REGEX_AFTER_CHARS or previous in REGEX_AFTER_WORDS):
            j, in_class = i + 1, False
            while j < n and src[j] != "\n":
                if src[j] == "\\":
                    j += 2
                    continue
                if src[j] == "[":
                    in_class = True
                elif src[j] == "]":
                    in_class = False
                elif src[j] == "/" and not in_class:
                    break
                j += 1
            blank(i + 1, j)
            i = j + 1
            previous = "string"
        elif c.isalnum() or c in "_$":
            word = re.match(r"[\w$]+", src[i : i + 200]).group(0)
            previous = word
            i += len(word)
        else:
            if not c.isspace():
                previous = c
            i += 1
    return "".join(out), strings


QUOTE = r"""["']"""
NOT_AFTER = r"(?<![\w$.])"
# What each statement loads, and its pattern, which ends at the opening quote of the specifier.
STATEMENTS = [
    # import x from / import type x from / import x, { a, type b } from / import * as ns from
    ("value", re.compile(NOT_AFTER + r"import\s+(?P<type>type\s+)?(?P<names>[\w$\s,{}*]*?)\s*\bfrom\s*" + QUOTE)),
    # import "x" (for its side effects)
    ("side effect", re.compile(NOT_AFTER + r"import\s*" + QUOTE)),
    # export { a } from / export * from / export * as ns from / export type { A } from / export type * from
    ("value", re.compile(NOT_AFTER + r"export\s+(?P<type>type\s+)?(?P<names>\*(?:\s+as\s+[\w$]+)?|\{[\w$\s,]*\})\s*from\s*" + QUOTE)),
    # import("x"), dynamic or in a `typeof import("x")` type
    ("import()", re.compile(NOT_AFTER + r"import\s*\(\s*" + QUOTE)),
    # import x = require("x")
    ("require", re.compile(NOT_AFTER + r"import\s+[\w$]+\s*=\s*require\s*\(\s*" + QUOTE)),
]


def kind_of(loads, match, code):
    """`type` when the import is erased from the JavaScript, else what `loads` the module."""
    if match.groupdict().get("type"):
        return "type"
    if loads == "import()" and re.search(r"\btypeof\s*$", code[max(0, match.start() - 20) : match.start()]):
        return "type"
    return loads


def resolve(importer, specifier):
    """The file a relative specifier names (`./x.js` is `./x.ts` in the sources), or its path
    when no such file exists (still attributed to its folder)."""
    base = os.path.normpath(os.path.join(os.path.dirname(importer), specifier))
    stem = re.sub(r"\.(js|mjs|cjs|ts|mts|cts|jsx|tsx)$", "", base)
    flavour = re.search(r"\.(m|c)?js$", base)
    candidates = []
    if flavour:
        f = flavour.group(1) or ""
        candidates += [f"{stem}.{f}ts", f"{stem}.d.{f}ts", f"{stem}.{f}tsx"]
    candidates += [base, base + ".ts", base + ".tsx", base + ".d.ts", os.path.join(base, "index.ts")]
    return next((c for c in candidates if os.path.isfile(c)), base)


def imports_of(path):
    """(file imported, line, kind, names, specifier) for each relative import in `path`."""
    src = open(path, encoding="utf-8").read()
    code, strings = blank_non_code(src)
    found = {}
    for loads, statement in STATEMENTS:
        for match in statement.finditer(code):
            specifier = strings.get(match.end() - 1)
            if specifier is None or not specifier.startswith(".") or match.start() in found:
                continue
            names = re.sub(r",? ?}", " }", re.sub(r"\s+", " ", (match.groupdict().get("names") or "").strip()))
            line = src.count("\n", 0, match.start()) + 1
            found[match.start()] = (resolve(path, specifier), line, kind_of(loads, match, code), names, specifier)
    return [found[k] for k in sorted(found)]


def node_of(src_dir, path):
    """The folder directly under `src_dir` holding `path`, or the file itself at the top."""
    relative = os.path.relpath(path, src_dir)
    return "<outside>/" + relative if relative.startswith("..") else relative.split(os.sep)[0]


def folder_graph(src_dir):
    """The nodes, the number of files, and for each edge (A, B) the imports behind it."""
    files = []
    for directory, subdirectories, names in os.walk(src_dir):
        subdirectories[:] = sorted(d for d in subdirectories if d != "node_modules")
        files += [os.path.join(directory, name) for name in sorted(names) if name.endswith(SOURCE_EXTENSIONS)]
    nodes = sorted({node_of(src_dir, f) for f in files})
    edges = defaultdict(list)
    for f in files:
        a = node_of(src_dir, f)
        for target, line, kind, names, specifier in imports_of(f):
            b = node_of(src_dir, target)
            if a != b:
                edges[(a, b)].append((f, line, kind, names, specifier))
    return nodes, len(files), edges


def shortest_cycle(component, edges):
    """A shortest cycle through the component's first node, as its list of nodes."""
    inside = set(component)
    start = component[0]
    came_from = {start: None}
    queue = deque([start])
    while queue:
        v = queue.popleft()
        for a, b in sorted(edges):
            if a != v or b not in inside:
                continue
            if b == start:
                path = [v]
                while came_from[path[-1]] is not None:
                    path.append(came_from[path[-1]])
                return path[::-1] + [start]
            if b not in came_from:
                came_from[b] = v
                queue.append(b)
    return [start]


def shown(path):
    """`path` as given relative to the working directory."""
    return os.path.relpath(path)


def print_imports(edge, imports, shown_at_most=5):
    """`A -> B` and the first imports behind it."""
    print(f"  {edge[0]} -> {edge[1]}  ({len(imports)} import{'' if len(imports) == 1 else 's'})")
    for path, line, kind, names, specifier in imports[:shown_at_most]:
        what = f"{names} from " if names else ""
        print(f'      {shown(path)}:{line}  {kind:<11} {what}"{specifier}"')
    if len(imports) > shown_at_most:
        print(f"      ... and {len(imports) - shown_at_most} more")


def main():
    arguments = sys.argv[1:]
    repository = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    src_dir = os.path.abspath(arguments[0] if arguments else os.path.join(repository, "npm", "src"))
    nodes, file_count, edges = folder_graph(src_dir)
    components = strongly_connected(nodes, edges)
    if not components:
        print(f"{shown(src_dir)}: no import cycle between its {len(nodes)} folders and top-level files ({file_count} files)")
        return 0
    print(f"{shown(src_dir)}: {len(components)} import cycle(s) between folders. Each folder may import only from folders below it:")
    print("move what a lower folder needs down (a type to types/, a helper to util/), or pass it in from above.")
    for component in components:
        cycle = shortest_cycle(component, edges)
        on_cycle = sorted(zip(cycle, cycle[1:]), key=lambda e: len(edges[e]))
        others = sorted((e for e in edges if e[0] in component and e[1] in component and e not in on_cycle), key=lambda e: (len(edges[e]), e))
        print(f"\ncycle: {' -> '.join(cycle)}")
        for edge in on_cycle:
            print_imports(edge, edges[edge])
        if others:
            print(f"\nother imports between {', '.join(component)} (each folder reaches every other), fewest first:")
        for edge in others:
            print_imports(edge, edges[edge])
    return 1


if __name__ == "__main__":
    sys.exit(main())
