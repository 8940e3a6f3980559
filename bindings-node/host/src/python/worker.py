# A Python worker of the Atomiton conductor: it calls the functions `python` nodes name, one
# call at a time, for as long as the conductor keeps it.
#
# Protocol (one JSON document per line, UTF-8): the conductor writes a request
#   {"code": source | "module": path, "function": name, "data": json, "arguments": json,
#    "marker": text}
# and the worker answers with a header line
#   {"ok": true | false, "stdout": text, "stderr": text, "error"?: {kind, message, traceback}}
# followed, when ok, by a line holding the returned value as JSON. The worker's first line is
# {"ready": version}. What the function prints is captured per call; output written below
# Python (a C extension, a child process) goes to the worker's standard error, which the
# conductor reads on its own: the call's marker line written there after each call tells it
# where one call's output ends.
import contextlib
import importlib.util
import io
import json
import linecache
import os
import sys
import traceback

if sys.version_info < (3, 8):
    sys.stderr.write("Python nodes need Python 3.8 or newer, not %s\n" % sys.version.split()[0])
    sys.exit(3)

# The answers get a descriptor of their own; descriptor 1 is pointed at standard error, so
# nothing printed outside the capture can break a line of the protocol.
_answers = os.fdopen(os.dup(1), "w", encoding="utf-8", newline="\n")
os.dup2(2, 1)
# The requests too: a function reading its standard input reads nothing, not the next request.
_requests = io.TextIOWrapper(os.fdopen(os.dup(0), "rb"), encoding="utf-8")
os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
sys.stdin = open(os.devnull)

_by_code = {}
_by_path = {}
# What tracebacks call a node's inline code, with its lines there to show.
_CODE_FILE = "<python node>"


def _namespace(request):
    """The globals of the source a request names, executed once (a module again once changed)."""
    if "code" in request:
        code = request["code"]
        linecache.cache[_CODE_FILE] = (len(code), None, code.splitlines(True), _CODE_FILE)
        namespace = _by_code.get(code)
        if namespace is None:
            namespace = {"__name__": "__atomiton_node__"}
            exec(compile(code, _CODE_FILE, "exec"), namespace)
            if len(_by_code) >= 64:
                _by_code.clear()
            _by_code[code] = namespace
        return namespace
    path = request["module"]
    changed = os.stat(path).st_mtime_ns
    kept = _by_path.get(path)
    if kept is not None and kept[0] == changed:
        return kept[1]
    folder = os.path.dirname(path)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError("%s is not a Python module" % path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    _by_path[path] = (changed, vars(module))
    return vars(module)


def _call(request):
    namespace = _namespace(request)
    name = request["function"]
    function = namespace.get(name)
    if not callable(function):
        where = request.get("module", "the node's code")
        raise NameError("%s defines no function '%s'" % (where, name))
    value = function(json.loads(request["data"]), **json.loads(request["arguments"]))
    return json.dumps(value, allow_nan=False)


def _traceback(raised):
    """The traceback from the node's own code on: the worker's frames say nothing to its author."""
    frames = raised.__traceback__
    while frames is not None and frames.tb_frame.f_code.co_filename == "<string>":
        frames = frames.tb_next
    return "".join(traceback.format_exception(type(raised), raised, frames))


def _text(captured):
    """Captured text as UTF-8 can carry it (a lone surrogate, from an undecodable file name, cannot)."""
    return captured.encode("utf-8", "replace").decode("utf-8")


def _end_below(marker):
    """Flushes what the call wrote below Python's capture, then marks where it ends."""
    try:
        import ctypes

        ctypes.CDLL(None).fflush(None)
    except Exception:  # noqa: BLE001 - no C library to flush: nothing buffered there
        pass
    os.write(2, ("\n" + marker + "\n").encode("ascii"))


def _answer(header, value=None):
    _answers.write(json.dumps(header) + "\n")
    if value is not None:
        _answers.write(value + "\n")
    _answers.flush()


def main():
    _answer({"ready": sys.version.split()[0]})
    for line in _requests:
        request = json.loads(line)
        out, err = io.StringIO(), io.StringIO()
        value, error = None, None
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                value = _call(request)
            # SystemExit and KeyboardInterrupt too: a function that exits fails its call, and
            # the worker carries on.
            except BaseException as raised:  # noqa: B036
                error = {
                    "kind": _text(type(raised).__name__),
                    "message": _text(str(raised)),
                    "traceback": _text(_traceback(raised)),
                }
        _end_below(request["marker"])
        header = {"ok": error is None, "stdout": _text(out.getvalue()), "stderr": _text(err.getvalue())}
        if error is not None:
            header["error"] = error
        _answer(header, value)


main()
