#!/usr/bin/env python3
"""Confirm every case's expected.json against what actually runs.

Usage:
    python3 tests/callgraph/verify_runtime.py            # all cases
    python3 tests/callgraph/verify_runtime.py CASE ...   # only these case dirs (names)
    python3 tests/callgraph/verify_runtime.py -v ...     # also print the observed edges

For each case directory (a sub-directory holding main.py and expected.json)
the case's main.py is run in a subprocess (cwd = the case dir, as
`cd CASE && python3 main.py` would) under a small tracer that uses
sys.setprofile. Every Python `call` event whose callee frame belongs to a file
inside the case dir becomes an edge caller -> callee, where:

  * a node id is the module id (path relative to the case dir, `.py` dropped,
    `/` -> `.`, a trailing `__init__` dropped, a leading `src/` dropped)
    followed by the code object's co_qualname with `.<locals>` removed;
    `<module>` code is the module id itself, class-body code is the class id;
  * `<lambda>`, `<listcomp>`, `<dictcomp>`, `<setcomp>`, `<genexpr>` are not
    nodes: edges INTO them are skipped and edges OUT of them are attributed to
    the enclosing def (lexically, by cutting the qualname at the first such
    component);
  * edges into module code (an import executing a module) and into class
    bodies (a `class` statement executing) are skipped: they are not calls;
  * the caller is the nearest frame, walking f_back, that belongs to the case;
    frames outside the case dir (stdlib, this tracer) are passed over, so a
    program function called back by the stdlib on behalf of program code
    (convention 5) is attributed to that program code. Programs avoid any
    other crossing; where one cannot be avoided (asyncio tasks) the pair is
    listed in expected.json's "runtime_exempt".

Instantiation of a class where no program class in the MRO defines
`__init__` runs no Python frame of the program and makes no edge
(convention 3), so the tracer sees exactly that.

Besides comparing edges (missing / extra, minus "runtime_exempt" pairs, which
are skipped in both directions), a case also fails when:
  * main.py exits non-zero or writes to stderr;
  * a call or decorator in any of its .py files is on lines that never ran
    (convention 8: no dead call sites; checked with sys.settrace line events
    and the ast);
  * the caller of an "external" entry is not a node of the program
    (a module id, or a node seen at runtime) -- catches typos;
  * expected.json is malformed or lists an edge twice.
External edges themselves are not traced (stdlib functions are often C or
live in differently named modules, e.g. os.path is posixpath).

Exit status is 0 only when every case agrees.
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PSEUDO = {"<lambda>", "<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>"}
CO_OPTIMIZED = 0x1


# --------------------------------------------------------------------------
# Tracer (runs inside the subprocess: verify_runtime.py --trace OUT)
# --------------------------------------------------------------------------

def module_id(relpath):
    parts = relpath[: -len(".py")].split(os.sep)
    if len(parts) > 1 and parts[0] == "src":
        parts = parts[1:]
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def run_trace(out_path):
    import runpy

    case = os.path.realpath(os.getcwd())
    prefix = case + os.sep
    cache = {}
    edges = {}  # (caller, callee) -> "direct" | "via-external"

    def classify(code):
        """(node id, kind) for a code object of the case, else None.
        kind: module | class | func | pseudo."""
        try:
            return cache[code]
        except KeyError:
            pass
        res = None
        fn = code.co_filename
        if fn and not fn.startswith("<") and fn.endswith(".py"):
            ap = os.path.realpath(fn)
            if ap.startswith(prefix):
                mod = module_id(os.path.relpath(ap, case))
                q = code.co_qualname
                if q == "<module>":
                    res = (mod, "module")
                else:
                    parts = [p for p in q.split(".") if p != "<locals>"]
                    kind = None
                    for i, p in enumerate(parts):
                        if p in PSEUDO:
                            parts, kind = parts[:i], "pseudo"
                            break
                    if kind is None:
                        kind = "func" if code.co_flags & CO_OPTIMIZED else "class"
                    res = (".".join([mod] + parts), kind)
        cache[code] = res
        return res

    def program_caller(frame):
        """Nearest case frame at or below `frame`: (node id, crossed)."""
        crossed = False
        while frame is not None:
            c = classify(frame.f_code)
            if c is not None:
                return c[0], crossed
            crossed = True
            frame = frame.f_back
        return None, crossed

    def add(caller, callee, crossed):
        key = (caller, callee)
        if key not in edges or edges[key] == "via-external":
            edges[key] = "via-external" if crossed else "direct"

    def profiler(frame, event, arg):
        if event != "call":
            return
        callee = classify(frame.f_code)
        if callee is None or callee[1] != "func":
            return
        caller, crossed = program_caller(frame.f_back)
        if caller is not None:
            add(caller, callee[0], crossed)

    # ---- executed lines, to check that every call site ran (convention 8) --
    lines = set()

    def local_tracer(frame, event, arg):
        if event == "line":
            lines.add((frame.f_code.co_filename, frame.f_lineno))
        return local_tracer

    def global_tracer(frame, event, arg):
        if classify(frame.f_code) is None:
            return None
        lines.add((frame.f_code.co_filename, frame.f_lineno))
        return local_tracer

    main = os.path.join(case, "main.py")
    sys.argv = [main]
    sys.path[0] = case
    status = 0
    sys.settrace(global_tracer)
    sys.setprofile(profiler)
    try:
        runpy.run_path(main, run_name="__main__")
    except SystemExit as e:
        status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException:
        import traceback
        sys.setprofile(None)
        sys.settrace(None)
        traceback.print_exc()
        status = 1
    finally:
        sys.setprofile(None)
        sys.settrace(None)
    executed = {}
    for fn, line in lines:
        rel = os.path.relpath(os.path.realpath(fn), case)
        executed.setdefault(rel, []).append(line)
    with open(out_path, "w") as f:
        json.dump({
            "edges": sorted([a, b, how] for (a, b), how in edges.items()),
            "lines": {k: sorted(v) for k, v in executed.items()},
        }, f)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------

def case_dirs(names):
    all_cases = sorted(
        d for d in os.listdir(HERE)
        if os.path.isfile(os.path.join(HERE, d, "main.py"))
    )
    if names:
        missing = [n for n in names if n not in all_cases]
        if missing:
            sys.exit("no such case: " + ", ".join(missing))
        return names
    return all_cases


def load_expected(case):
    with open(os.path.join(HERE, case, "expected.json")) as f:
        exp = json.load(f)
    problems = []
    if not isinstance(exp.get("feature"), str):
        problems.append("expected.json: missing 'feature'")
    for key in ("edges", "external"):
        for pair in exp.get(key, []):
            if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)):
                problems.append("expected.json: bad %s entry %r" % (key, pair))
    for ex in exp.get("runtime_exempt", []):
        if not (isinstance(ex, list) and len(ex) == 3):
            problems.append("expected.json: bad runtime_exempt entry %r" % (ex,))
    edges = [tuple(p) for p in exp.get("edges", [])]
    dups = {e for e in edges if edges.count(e) > 1}
    if dups:
        problems.append("expected.json: duplicate edges %r" % sorted(dups))
    return exp, problems


def run_case(case):
    d = os.path.join(HERE, case)
    fd, out = tempfile.mkstemp(prefix="cg-trace-", suffix=".json")
    os.close(fd)
    try:
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0")
        env.pop("PYTHONPATH", None)
        p = subprocess.run(
            [sys.executable, os.path.abspath(__file__), "--trace", out],
            cwd=d, env=env, capture_output=True, text=True, timeout=60,
        )
        with open(out) as f:
            text = f.read()
        trace = json.loads(text) if text else {"edges": [], "lines": {}}
    finally:
        os.unlink(out)
    return p, trace


def program_files(case):
    d = os.path.join(HERE, case)
    for root, dirs, files in os.walk(d):
        dirs[:] = sorted(x for x in dirs if x != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                yield os.path.relpath(os.path.join(root, name), d)


def unexecuted_call_sites(case, executed):
    """Calls and decorators in the case's files whose lines never ran."""
    import ast
    out = []
    for rel in program_files(case):
        with open(os.path.join(HERE, case, rel)) as f:
            tree = ast.parse(f.read(), rel)
        ran = set(executed.get(rel, ()))
        sites = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                sites.append(node)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                sites.extend(node.decorator_list)
        for node in sites:
            if not any(l in ran for l in range(node.lineno, node.end_lineno + 1)):
                out.append("%s:%d" % (rel, node.lineno))
    return sorted(set(out))


def main(argv):
    verbose = "-v" in argv
    names = [a for a in argv if a != "-v"]
    failed = 0
    n_edges = n_ext = n_exempt = 0
    for case in case_dirs(names):
        exp, problems = load_expected(case)
        p, trace = run_case(case)
        observed = trace["edges"]
        if p.returncode != 0:
            problems.append("main.py exited with %d\n%s" % (p.returncode, p.stderr.rstrip()))
        elif p.stderr.strip():
            problems.append("main.py wrote to stderr:\n" + p.stderr.rstrip())
        else:
            dead = unexecuted_call_sites(case, trace["lines"])
            if dead:
                problems.append("call sites that never ran (convention 8): " + ", ".join(dead))
        known = {module_id(rel) for rel in program_files(case)}
        known |= {x for a, b, _ in observed for x in (a, b)}
        for a, b in exp.get("external", []):
            if a not in known:
                problems.append("external caller %r is not a node seen at runtime" % a)
        actual = {(a, b) for a, b, _ in observed}
        how = {(a, b): h for a, b, h in observed}
        expected = {tuple(e) for e in exp.get("edges", [])}
        exempt = {(a, b) for a, b, *_ in exp.get("runtime_exempt", [])}
        missing = sorted(expected - actual - exempt)
        extra = sorted(actual - expected - exempt)
        n_edges += len(expected)
        n_ext += len(exp.get("external", []))
        n_exempt += len(exempt)
        if missing or extra or problems:
            failed += 1
            print("FAIL %s" % case)
            for m in problems:
                print("  " + m.replace("\n", "\n  "))
            for a, b in missing:
                print("  missing: %s -> %s" % (a, b))
            for a, b in extra:
                print("  extra:   %s -> %s  (%s)" % (a, b, how[(a, b)]))
        else:
            print("OK   %s (%d edges%s)" % (
                case, len(expected),
                ", %d exempt" % len(exempt) if exempt else ""))
        if verbose:
            for a, b, h in observed:
                print("       %s -> %s%s" % (a, b, "  [via external frames]" if h != "direct" else ""))
    total = len(case_dirs(names))
    print("\n%d cases, %d passed, %d failed; %d expected internal edges, "
          "%d external edges, %d runtime-exempt pairs" % (
              total, total - failed, failed, n_edges, n_ext, n_exempt))
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--trace":
        run_trace(sys.argv[2])
    else:
        sys.exit(main(sys.argv[1:]))
