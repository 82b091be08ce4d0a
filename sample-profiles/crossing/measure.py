#!/usr/bin/env python3
"""Measure per-call costs of Python-level calls and of PyO3 crossings.

Run by measure.sh inside /tmp/crossing-venv, after `maturin develop --release`
has installed the `crossing_ext` module built from ./ext.

Every figure is nanoseconds per call: the median over all repeats of a
timeit loop (`for _ in range(n): <stmt>`, GC disabled, every name a fast
local, timed in process CPU time), minus the median of the same loop around
`pass`. So a figure is the cost of the statement itself: loading the callable
and its arguments, the call, the body, and dropping the result.

Writes results.json next to this file and prints a table.

The whole list is run PASSES times and the samples pooled, so that a burst of
load from elsewhere on the (shared, 2-core) machine hits only some samples of
each row. Before starting, it waits up to CROSSING_WAIT_QUIET_S seconds for
the 1-minute load average to fall below CROSSING_QUIET_LOAD.

Environment knobs: CROSSING_REPEATS (repeats per pass, default 9),
CROSSING_PASSES (default 3), CROSSING_TARGET_S (seconds per repeat, default
0.03), CROSSING_WAIT_QUIET_S (default 120), CROSSING_QUIET_LOAD (default 1.0),
CROSSING_OUT (output path).
"""

from __future__ import annotations

import datetime as _dt
import itertools
import json
import operator
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import timeit
from pathlib import Path

import crossing_ext as rs

HERE = Path(__file__).resolve().parent
REPEATS = int(os.environ.get("CROSSING_REPEATS", "9"))
TARGET_S = float(os.environ.get("CROSSING_TARGET_S", "0.03"))
PASSES = int(os.environ.get("CROSSING_PASSES", "3"))
OUT = Path(os.environ.get("CROSSING_OUT", HERE / "results.json"))
WAIT_QUIET_S = float(os.environ.get("CROSSING_WAIT_QUIET_S", "120"))
QUIET_LOAD = float(os.environ.get("CROSSING_QUIET_LOAD", "1.0"))


# ---------------------------------------------------------------------------
# Python twins of the Rust shapes (trivial bodies)
# ---------------------------------------------------------------------------

def py_f0():
    return None


def py_f1(a):
    return a


def py_f2(a, b):
    return a


def py_get_x(o):
    return o.x


def py_sum(l):
    return sum(l)


class PyObj:
    def __init__(self, x):
        self._x = x

    def m0(self):
        return None

    def m1(self, a):
        return a

    def __getitem__(self, i):
        return i

    @property
    def x(self):
        return self._x

    def __eq__(self, other):
        return True

    def __hash__(self):
        return 12345


class Plain:
    """A plain Python object with an instance attribute `x`."""

    def __init__(self, x):
        self.x = x


def py_ones():
    while True:
        yield 1


# ---------------------------------------------------------------------------
# Timing machinery
# ---------------------------------------------------------------------------

def _timer(stmt: str, ns: dict) -> timeit.Timer:
    # Names used in stmt are bound as locals of timeit's inner function, so
    # they are LOAD_FAST, not LOAD_GLOBAL.
    setup = "\n".join(f"{k} = _g_{k}" for k in ns) or "pass"
    g = {f"_g_{k}": v for k, v in ns.items()}
    # CPU time of this process, not wall time: the machine is shared (2 cores),
    # and time spent descheduled must not count.
    return timeit.Timer(stmt, setup=setup, timer=time.process_time, globals=g)


def _calibrate(t: timeit.Timer) -> int:
    n = 1000
    while True:
        el = t.timeit(n)
        if el >= TARGET_S / 4 or n >= 10**8:
            break
        n *= 4
    return max(1000, int(n * TARGET_S / max(el, 1e-9)))


def _measure(stmt: str, ns: dict, per: int = 1) -> list[float]:
    """ns per statement (divided by `per`), one sample per repeat, raw."""
    t = _timer(stmt, ns)
    number = _calibrate(t)
    samples = []
    for _ in range(REPEATS):
        samples.append(t.timeit(number) / number * 1e9 / per)
    return samples


RAW: dict[str, list[float]] = {}
DESC: dict[str, str] = {}
NET: dict[str, float] = {}
SPECS: list[dict] = []


def bench(name: str, stmt: str, ns: dict | None = None, desc: str = "", per: int = 1) -> None:
    """Register a benchmark: `stmt` timed with the names in `ns` as locals.

    `per` divides the time of one stmt (for statements that do `per` items).
    """
    SPECS.append({"name": name, "stmt": stmt, "ns": ns or {}, "per": per})
    DESC[name] = desc or stmt


def run_all() -> None:
    """Time every registered benchmark, PASSES times over the whole list.

    Samples of all passes are pooled; the figure is their median minus the
    median of the empty loop (divided by `per` where a stmt does `per` items).
    """
    for p in range(PASSES):
        print(f"pass {p + 1}/{PASSES}: {len(SPECS)} benchmarks x {REPEATS} repeats "
              f"(load average {os.getloadavg()[0]:.2f})", flush=True)
        for spec in SPECS:
            RAW.setdefault(spec["name"], []).extend(_measure(spec["stmt"], spec["ns"], spec["per"]))
    loop_ns = statistics.median(RAW["loop_pass"])
    for spec in SPECS:
        name, samples = spec["name"], RAW[spec["name"]]
        med = statistics.median(samples)
        NET[name] = med if name == "loop_pass" else med - loop_ns / spec["per"]
        spread = (max(samples) - min(samples)) / med * 100 if med else 0.0
        print(f"  {name:<28} {NET[name]:8.1f} ns  (raw median {med:7.1f}, min {min(samples):7.1f}, "
              f"spread {spread:5.1f}%)  {DESC[name]}")


def wait_quiet() -> None:
    """Wait (bounded) for the 1-minute load average to drop below QUIET_LOAD."""
    deadline = time.monotonic() + WAIT_QUIET_S
    while os.getloadavg()[0] >= QUIET_LOAD and time.monotonic() < deadline:
        print(f"waiting for a quieter machine: load average {os.getloadavg()[0]:.2f} "
              f">= {QUIET_LOAD} ({deadline - time.monotonic():.0f}s left)", flush=True)
        time.sleep(10)


# ---------------------------------------------------------------------------
# Line-cost functions
# ---------------------------------------------------------------------------

LINE_KINDS = {
    # kind: list of source lines for one unit (each line one executed statement)
    "attr": ["t = o.x"],
    "subscript": ["t = l[1]"],
    "compare": ["t = a < b"],
    "arith": ["t = a + b * 2"],
    "if": ["if a < b: t = a"],              # one physical line, test true
    "compound": ["t = o.x + l[1] * a"],
    # the five simple kinds cycled: the "typical simple line"
    "mixed": ["t = o.x", "t = l[1]", "t = a < b", "t = a + b * 2", "if a > b: t = b"],
}
LINE_COUNTS = [1, 5, 10, 20, 40]


def make_line_func(kind: str, n: int):
    unit = LINE_KINDS[kind]
    body = [unit[i % len(unit)] for i in range(n)]
    src = "def f(o, l, a, b):\n    t = None\n" + "".join(f"    {ln}\n" for ln in body) + "    return t\n"
    g: dict = {}
    exec(compile(src, f"<lines-{kind}-{n}>", "exec"), g)
    return g["f"]


def linfit(xs, ys):
    """Least-squares slope and intercept."""
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    return slope, my - slope * mx


def theil_sen(xs, ys):
    """Median of pairwise slopes (robust to one noisy point) and median intercept."""
    slopes = [(ys[j] - ys[i]) / (xs[j] - xs[i]) for i in range(len(xs)) for j in range(i + 1, len(xs))]
    slope = statistics.median(slopes)
    return slope, statistics.median(y - slope * x for x, y in zip(xs, ys))


# ---------------------------------------------------------------------------
# Metadata
# ---------------------------------------------------------------------------

def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def pyo3_version() -> str:
    lock = HERE / "ext" / "Cargo.lock"
    m = re.search(r'name = "pyo3"\nversion = "([^"]+)"', lock.read_text()) if lock.exists() else None
    return m.group(1) if m else "unknown"


def tool_version(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def main() -> None:
    print(f"python {sys.version.split()[0]}, pyo3 {pyo3_version()}, cpu {cpu_model()}, "
          f"{PASSES} passes x {REPEATS} repeats, ~{TARGET_S}s each", flush=True)

    # Empty loop: subtracted from everything else.
    bench("loop_pass", "pass", {}, "for-loop iteration around `pass` (subtracted from every other row)")

    p, p2 = PyObj(3), PyObj(3)
    plain = Plain(3)
    r, r2 = rs.Obj(3), rs.Obj(3)
    fr, fr2 = rs.FrozenObj(3), rs.FrozenObj(3)
    lst = list(range(10))
    lst100 = list(range(100))
    st = "hello"

    # C builtins: the same operations with no Python body and no PyO3 layer
    bench("c_call0", "f()", {"f": globals}, "builtin globals(), METH_NOARGS")
    bench("c_call1", "f(a)", {"f": callable, "a": plain}, "builtin callable(a), METH_O, returns a singleton")
    bench("c_call2", "f(a, b)", {"f": operator.is_, "a": plain, "b": plain},
          "operator.is_(a, b), METH_FASTCALL, returns a singleton")
    bench("c_method0", "s.isascii()", {"s": "hello"}, "str.isascii(), a C method with no args")
    bench("c_method1", "d.get(k)", {"d": {1: 2}, "k": 1}, "dict.get(k), a C method with one arg (includes the lookup)")
    bench("c_len", "f(l)", {"f": len, "l": lst}, "builtin len(list)")
    bench("c_sum10", "f(l)", {"f": sum, "l": lst}, "builtin sum(list) of 10 small ints")
    bench("c_list_getitem", "l[i]", {"l": lst, "i": 1}, "list[i]")
    bench("c_inst_attr", "o.x", {"o": plain}, "plain instance attribute o.x")
    bench("c_int_eq", "a == b", {"a": 1001, "b": 1002}, "int == int")
    bench("c_hash_int", "h(a)", {"h": hash, "a": 1001}, "hash(int)")
    bench("c_next_repeat", "n(it)", {"n": next, "it": itertools.repeat(1)}, "next(itertools.repeat(1))")
    bench("c_repeat_item", "for _ in s(g, 1000): pass", {"s": itertools.islice, "g": itertools.repeat(1)},
          "one item of itertools.repeat(1) consumed by a for loop through islice (per item)", per=1000)

    # Python functions/methods/dunders with trivial bodies
    bench("py_f0", "f()", {"f": py_f0}, "def f(): return None")
    bench("py_f1", "f(a)", {"f": py_f1, "a": 1}, "def f(a): return a")
    bench("py_f1_str", "f(a)", {"f": py_f1, "a": st}, "def f(a): return a, str arg")
    bench("py_f2", "f(a, b)", {"f": py_f2, "a": 1, "b": 2}, "def f(a, b): return a")
    bench("py_f2_kw", "f(a, b=b)", {"f": py_f2, "a": 1, "b": 2}, "f(a, b=b)")
    bench("py_method0", "o.m0()", {"o": p}, "o.m0(), return None")
    bench("py_method1", "o.m1(a)", {"o": p, "a": 1}, "o.m1(a), return a")
    bench("py_getitem", "o[i]", {"o": p, "i": 1}, "o[i] via def __getitem__")
    bench("py_property", "o.x", {"o": p}, "@property returning self._x")
    bench("py_eq", "o == o2", {"o": p, "o2": p2}, "o == o2 via def __eq__ (return True)")
    bench("py_hash", "h(o)", {"h": hash, "o": p}, "hash(o) via def __hash__")
    bench("py_gen_next", "n(g)", {"n": next, "g": py_ones()}, "next(gen), gen yields 1")
    bench("py_gen_item", "for _ in s(g, 1000): pass", {"s": itertools.islice, "g": py_ones()},
          "one item of a generator consumed by a for loop (per item)", per=1000)
    bench("py_getattr_fn", "f(o)", {"f": py_get_x, "o": plain}, "def f(o): return o.x")
    bench("py_sum10", "f(l)", {"f": py_sum, "l": lst}, "def f(l): return sum(l), 10-element list")

    # Rust (PyO3) with near-empty bodies
    bench("rs_f0", "f()", {"f": rs.f0}, "#[pyfunction] fn f0()")
    bench("rs_f1_obj", "f(a)", {"f": rs.f1_obj, "a": plain}, "f1_obj(a: Bound<PyAny>) -> a")
    bench("rs_f1_int", "f(a)", {"f": rs.f1_int, "a": 1001}, "f1_int(a: i64) -> i64")
    bench("rs_f1_str", "f(a)", {"f": rs.f1_str, "a": st}, "f1_str(a: Bound<PyString>) -> a")
    bench("rs_f1_str_owned", "f(a)", {"f": rs.f1_str_owned, "a": st}, "f1_str_owned(a: &str) -> String")
    bench("rs_f2_obj", "f(a, b)", {"f": rs.f2_obj, "a": plain, "b": plain}, "f2_obj(a, b: Bound<PyAny>) -> a")
    bench("rs_f2_int", "f(a, b)", {"f": rs.f2_int, "a": 1001, "b": 1002}, "f2_int(a, b: i64) -> a")
    bench("rs_f2_obj_kw", "f(a, b=b)", {"f": rs.f2_obj, "a": plain, "b": plain}, "f2_obj(a, b=b)")
    bench("rs_method0", "o.m0()", {"o": r}, "#[pymethods] fn m0(&self)")
    bench("rs_method1", "o.m1(a)", {"o": r, "a": plain}, "fn m1(&self, a: Bound<PyAny>) -> a")
    bench("rs_method0_frozen", "o.m0()", {"o": fr}, "m0(&self) on #[pyclass(frozen)]")
    bench("rs_getitem", "o[i]", {"o": r, "i": 1}, "fn __getitem__(&self, i: isize) -> isize")
    bench("rs_getter", "o.x", {"o": r}, "#[getter] fn x(&self) -> i64")
    bench("rs_getter_frozen", "o.x", {"o": fr}, "#[pyo3(get)] x: i64 on frozen pyclass")
    bench("rs_eq", "o == o2", {"o": r, "o2": r2}, "fn __eq__(&self, &Bound<PyAny>) -> true")
    bench("rs_eq_typed_frozen", "o == o2", {"o": fr, "o2": fr2}, "fn __eq__(&self, other: &Self) -> x == x")
    bench("rs_hash", "h(o)", {"h": hash, "o": r}, "hash(o) via fn __hash__ -> u64")
    bench("rs_iter_next", "n(it)", {"n": next, "it": rs.Ones()}, "next(it) via fn __next__(&mut self) -> Some(1)")
    bench("rs_iter_item", "for _ in s(g, 1000): pass", {"s": itertools.islice, "g": rs.Ones()},
          "one item of the Rust iterator consumed by a for loop (per item)", per=1000)
    bench("rs_getattr_x", "f(o)", {"f": rs.getattr_x, "o": plain}, 'obj.getattr("x") (&str name)')
    bench("rs_getattr_x_interned", "f(o)", {"f": rs.getattr_x_interned, "o": plain},
          'obj.getattr(intern!(py, "x"))')
    bench("rs_getattr_x_i64", "f(o)", {"f": rs.getattr_x_i64, "o": plain},
          "interned getattr + extract::<i64>()")
    bench("rs_vec10", "f(l)", {"f": rs.vec_len, "l": lst}, "f(v: Vec<i64>) -> len, 10-element list")
    bench("rs_vec100", "f(l)", {"f": rs.vec_len, "l": lst100}, "f(v: Vec<i64>) -> len, 100-element list")

    # Python lines: functions of N simple lines, f(o, l, a, b)
    for kind in LINE_KINDS:
        for n in LINE_COUNTS:
            f = make_line_func(kind, n)
            bench(f"py_lines_{kind}_{n}", "f(o, l, a, b)", {"f": f, "o": plain, "l": lst, "a": 1, "b": 2},
                  f"{n} x {LINE_KINDS[kind][0]!r}{' ...' if len(LINE_KINDS[kind]) > 1 else ''}")

    wait_quiet()
    load_before = os.getloadavg()
    run_all()
    load_after = os.getloadavg()

    lines: dict[str, dict] = {}
    for kind in LINE_KINDS:
        pts = [(n, NET[f"py_lines_{kind}_{n}"]) for n in LINE_COUNTS]
        xs, ys = [x for x, _ in pts], [y for _, y in pts]
        slope, icpt = theil_sen(xs, ys)
        lsq_slope, _ = linfit(xs, ys)
        lines[kind] = {"ns_per_line": round(slope, 2), "intercept_ns": round(icpt, 1),
                       "ns_per_line_least_squares": round(lsq_slope, 2),
                       "unit": LINE_KINDS[kind], "points": {str(n): round(v, 1) for n, v in pts}}

    # ------------------------------------------------------------------
    # Derived figures
    # ------------------------------------------------------------------
    N = NET
    pairs = [
        # shape, python, rust, C reference
        ("function, 0 args", "py_f0", "rs_f0", "c_call0"),
        ("function, 1 arg (object)", "py_f1", "rs_f1_obj", "c_call1"),
        ("function, 1 arg (int <-> i64)", "py_f1", "rs_f1_int", "c_call1"),
        ("function, 1 arg (str, as PyString)", "py_f1_str", "rs_f1_str", "c_call1"),
        ("function, 1 arg (&str -> String)", "py_f1_str", "rs_f1_str_owned", "c_call1"),
        ("function, 2 args (object)", "py_f2", "rs_f2_obj", "c_call2"),
        ("function, 2 args (i64)", "py_f2", "rs_f2_int", "c_call2"),
        ("function, 2 args, 2nd by keyword", "py_f2_kw", "rs_f2_obj_kw", None),
        ("method, 0 args", "py_method0", "rs_method0", "c_method0"),
        ("method, 0 args (frozen pyclass)", "py_method0", "rs_method0_frozen", "c_method0"),
        ("method, 1 arg", "py_method1", "rs_method1", "c_method1"),
        ("obj[i]  __getitem__", "py_getitem", "rs_getitem", "c_list_getitem"),
        ("obj.x   @property / #[getter]", "py_property", "rs_getter", "c_inst_attr"),
        ("obj.x   #[pyo3(get)], frozen", "py_property", "rs_getter_frozen", "c_inst_attr"),
        ("a == b  __eq__", "py_eq", "rs_eq", "c_int_eq"),
        ("a == b  __eq__ typed (&Self)", "py_eq", "rs_eq_typed_frozen", "c_int_eq"),
        ("hash(x) __hash__", "py_hash", "rs_hash", "c_hash_int"),
        ("next(it) generator / __next__", "py_gen_next", "rs_iter_next", "c_next_repeat"),
        ("for-loop item, gen / __next__", "py_gen_item", "rs_iter_item", "c_repeat_item"),
        ("f(o) reading o.x (&str name)", "py_getattr_fn", "rs_getattr_x", "c_inst_attr"),
        ("f(o) reading o.x (interned)", "py_getattr_fn", "rs_getattr_x_interned", "c_inst_attr"),
        ("f(o) reading o.x as i64", "py_getattr_fn", "rs_getattr_x_i64", "c_inst_attr"),
        ("f(list of 10 ints) -> Vec<i64>", None, "rs_vec10", "c_len"),
        ("f(list of 100 ints) -> Vec<i64>", None, "rs_vec100", "c_len"),
        ("f(list of 10 ints): sum(l) in Python", "py_sum10", None, "c_sum10"),
    ]
    table = []
    for shape, py, rsn, ref in pairs:
        table.append({"shape": shape, "python": py, "rust": rsn, "c_ref": ref,
                      "python_ns": round(N[py], 1) if py else None,
                      "rust_ns": round(N[rsn], 1) if rsn else None,
                      "c_ref_ns": round(N[ref], 1) if ref else None})

    med = statistics.median
    dunders = [("getitem", "py_getitem", "rs_getitem", "c_list_getitem"),
               ("getter", "py_property", "rs_getter", "c_inst_attr"),
               ("eq", "py_eq", "rs_eq", "c_int_eq"),
               ("hash", "py_hash", "rs_hash", "c_hash_int"),
               ("next", "py_gen_next", "rs_iter_next", "c_next_repeat")]
    crossing = {
        "plain_function": round(med([N["rs_f0"], N["rs_f1_obj"], N["rs_f2_obj"]]), 1),
        "method": round(med([N["rs_method0"], N["rs_method1"]]), 1),
        # whole operation (o[i], o.x, o == o2, hash(o), next(it)); hash/next include the builtin call
        "dunder_total": round(med([N[r] for _, _, r, _ in dunders]), 1),
        # the same minus the native C version of the operation (list[i], inst.x, int==int, hash(int), next(repeat))
        "dunder_excess_over_c": round(med([N[r] - N[c] for _, _, r, c in dunders]), 1),
        "dunder_each_total": {k: round(N[r], 1) for k, _, r, _ in dunders},
        "dunder_each_excess_over_c": {k: round(N[r] - N[c], 1) for k, _, r, c in dunders},
        "with_one_object_argument": round(N["rs_f1_obj"], 1),
        # PyO3's own layer: a #[pyfunction] minus a CPython builtin of the same arity
        "pyo3_excess_over_c_builtin": round(med([N["rs_f0"] - N["c_call0"], N["rs_f1_obj"] - N["c_call1"],
                                                 N["rs_f2_obj"] - N["c_call2"]]), 1),
        "object_argument_plus_one_getattr": round(N["rs_getattr_x_interned"], 1),
        "vec_i64_extract_per_element": round((N["rs_vec100"] - N["rs_vec10"]) / 90, 2),
        "vec_i64_10_fixed": round(N["rs_vec10"] - 10 * (N["rs_vec100"] - N["rs_vec10"]) / 90, 1),
    }
    python_overhead = {
        "function": round(med([N["py_f0"], N["py_f1"], N["py_f2"]]), 1),
        "method": round(med([N["py_method0"], N["py_method1"]]), 1),
        "dunder_total": round(med([N[p] for _, p, _, _ in dunders]), 1),
        "dunder_excess_over_c": round(med([N[p] - N[c] for _, p, _, c in dunders]), 1),
        "dunder_each_total": {k: round(N[p], 1) for k, p, _, _ in dunders},
        "dunder_each_excess_over_c": {k: round(N[p] - N[c], 1) for k, p, _, c in dunders},
        "generator_item_in_for_loop": round(N["py_gen_item"], 1),
        "generator_item_excess_over_c": round(N["py_gen_item"] - N["c_repeat_item"], 1),
    }
    simple_kinds = ["attr", "subscript", "compare", "arith", "if", "mixed"]
    per_line = {
        "mixed_simple_line": lines["mixed"]["ns_per_line"],
        "range_simple_kinds": [min(lines[k]["ns_per_line"] for k in simple_kinds),
                               max(lines[k]["ns_per_line"] for k in simple_kinds)],
        "compound_line": lines["compound"]["ns_per_line"],
    }
    rust_plain = [N[k] for k in ("rs_f0", "rs_f1_obj", "rs_f1_int", "rs_f1_str", "rs_f2_obj", "rs_f2_int",
                                 "rs_method0", "rs_method1", "rs_method0_frozen", "rs_getitem",
                                 "rs_getter", "rs_getter_frozen", "rs_eq", "rs_eq_typed_frozen")]
    crossing["range_simple_shapes"] = [round(min(rust_plain), 1), round(max(rust_plain), 1)]
    crossing["iter_item_in_for_loop"] = round(N["rs_iter_item"], 1)
    crossing["iter_item_excess_over_c"] = round(N["rs_iter_item"] - N["c_repeat_item"], 1)
    # One number for "what does one Python->Rust call cost": median over the
    # simple shapes (functions with 0-2 object/int args, methods, getter,
    # __getitem__, __eq__); the range is their min..max.
    crossing["suggested_default_ns"] = round(med(rust_plain), 1)
    python_overhead["suggested_default_ns"] = round(
        med([N[k] for k in ("py_f0", "py_f1", "py_f2", "py_method0", "py_method1")]), 1)
    per_line["suggested_default_ns"] = lines["mixed"]["ns_per_line"]

    result = {
        "about": "ns per call, median of repeats, timeit loop overhead subtracted; see README.md",
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "python": sys.version,
        "python_build": {"implementation": platform.python_implementation(),
                         "config_args": __import__("sysconfig").get_config_var("CONFIG_ARGS"),
                         "cflags": __import__("sysconfig").get_config_var("PY_CFLAGS")},
        "pyo3": pyo3_version(),
        "rustc": tool_version(["rustc", "--version"]),
        "maturin": tool_version(["maturin", "--version"]),
        "cpu": cpu_model(),
        "nproc": os.cpu_count(),
        "repeats": REPEATS,
        "target_seconds_per_repeat": TARGET_S,
        "passes": PASSES,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "loop_overhead_ns": round(NET["loop_pass"], 2),
        "ns_per_call": {k: round(v, 1) for k, v in NET.items()},
        "raw_samples_ns": {k: [round(x, 2) for x in v] for k, v in RAW.items()},
        "descriptions": DESC,
        "python_lines": lines,
        "table": table,
        "derived": {
            "python_call_overhead_ns": python_overhead,
            "python_ns_per_line": per_line,
            "pyo3_crossing_ns": crossing,
        },
    }
    OUT.write_text(json.dumps(result, indent=1) + "\n")

    # ------------------------------------------------------------------
    print()
    print(f"{'shape':<38} {'Python':>8} {'Rust':>8} {'C ref':>8}   (ns/call, loop subtracted)")
    for row in table:
        f = lambda v: f"{v:8.1f}" if v is not None else f"{'-':>8}"
        print(f"{row['shape']:<38} {f(row['python_ns'])} {f(row['rust_ns'])} {f(row['c_ref_ns'])}")
    print()
    print("Python ns per executed line (Theil-Sen slope over 1..40 lines):",
          ", ".join(f"{k} {v['ns_per_line']:.1f}" for k, v in lines.items()))
    print("Python call overhead:", json.dumps(python_overhead))
    print("PyO3 crossing:", json.dumps(crossing))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
