#!/usr/bin/env python3
"""Measure the real speedup of the C accelerators for the calibration workloads.

For every workload ``<name>.py`` in this directory, run ``--impl pure`` and
``--impl c`` N times each (interleaved: pure, c, pure, c, ...) in a fresh
subprocess of this interpreter (sys.executable, so a pyenv shim is not
timed), timing each whole process with time.perf_counter in this process (wall)
and with getrusage(RUSAGE_CHILDREN) (the child's user+sys CPU time, less
sensitive to the machine being busy, though not immune: another process on
the sibling hyperthread still slows the child down).  The statistic is
best-of-N (minimum), the usual choice on a shared machine where noise only
ever adds time; the wall-time median is recorded as well.  Every run
must exit 0 and the pure and C runs must print the same result line (apart
from the ``[pure]``/``[c]`` tag).

If ``<name>.pyspy.txt`` (written by capture.sh: py-spy raw capture of the
pure run) exists, it also computes the share ``p`` of the pure run spent in
the accelerated module's Python code, three ways (one sample = one line
count of the raw capture; the frames' file names are matched against
MODULE_FILES below, either exactly -- py-spy's default short names such as
``heapq.py`` or ``json/decoder.py`` -- or as a path suffix for
``--full-filenames`` captures):

* p_inclusive -- samples with any module frame on the stack;
* p           -- samples whose innermost frame that belongs either to the
                 module or to the workload's own code (files in this
                 directory) is a module frame, i.e. p_inclusive minus the
                 time the module spends calling back into the workload
                 (lru_cache calling the cached function, cmp_to_key calling
                 the comparison, ...).  Calls from the module into other
                 stdlib Python code (e.g. _pyio -> codecs.py) count as
                 module time.  This is the "p" of Amdahl's law;
* p_self      -- samples whose leaf frame is a module frame.

and the per-unit speedup ``s`` of the C code over the pure module code
implied by Amdahl's law, overall = 1 / ((1 - p) + p / s):

    s = p / (1 / overall - (1 - p))

which is undefined (reported as null) when 1/overall <= 1 - p, i.e. when
the measured overall speedup is at least the 1/(1-p) bound.  p comes from
the committed capture; with --p-runs K (default 2) the pure run is also
recorded K more times with py-spy into a temporary directory, and the p of
all captures is listed (p_all_captures) to show how noisy p is, with the
implied s over that range of p (implied_s_over_p_range; null upper end =
undefined for some p).

Writes speedups.json (sorted keys) and prints a Markdown table.

Usage: measure.py [-n N] [--p-runs K] [--scale X] [--json PATH] [WORKLOAD...]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# workload -> (accelerated module, its pure-Python source files as py-spy names them)
MODULE_FILES = {
    "decimal_ledger": ("_pydecimal vs _decimal", ["_pydecimal.py"]),
    "functools_memo": ("functools vs _functools", ["functools.py"]),
    "heapq_sched": ("heapq vs _heapq", ["heapq.py"]),
    "json_roundtrip": ("json vs _json", ["json/decoder.py", "json/scanner.py", "json/encoder.py"]),
    "ordereddict_lru": ("collections.OrderedDict vs _collections", ["collections/__init__.py"]),
    "pickle_cache": ("pickle._Pickler/_Unpickler vs _pickle", ["pickle.py"]),
    "pyio_lines": ("_pyio vs _io", ["_pyio.py"]),
}

FRAME_RE = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")
TAG_RE = re.compile(r"\[(pure|c)\]")


def frame_file(frame: str) -> str:
    m = FRAME_RE.match(frame)
    return m.group("file") if m else ""


def matches(file: str, names: list[str]) -> bool:
    return any(file == n or file.endswith("/" + n) for n in names)


def is_workload_file(file: str) -> bool:
    """The workload's own code: scripts in this directory (short or full name)."""
    if "/" not in file:
        return (HERE / file).is_file()
    return Path(file).parent == HERE


def profile_shares(capture: Path, module_files: list[str]) -> dict:
    total = incl = attr = self_ = 0
    for raw in capture.read_text(encoding="utf-8").splitlines():
        raw = raw.rstrip()
        if not raw:
            continue
        stack, _, count = raw.rpartition(" ")
        n = int(count)
        files = [frame_file(f) for f in stack.split(";")]
        in_mod = [matches(f, module_files) for f in files]
        total += n
        if any(in_mod):
            incl += n
        if files and in_mod[-1]:
            self_ += n
        for f, m in zip(reversed(files), reversed(in_mod)):
            if m:
                attr += n
                break
            if is_workload_file(f):
                break
    if total == 0:
        return {}
    return {
        "samples": total,
        "p": attr / total,
        "p_inclusive": incl / total,
        "p_self": self_ / total,
    }


def implied_s(p: float, overall: float) -> float | None:
    denom = 1.0 / overall - (1.0 - p)
    if p <= 0 or denom <= 0:
        return None
    return p / denom


def children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run_once(script: Path, impl: str, scale: float) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds user+sys, stdout) of one run."""
    cmd = [sys.executable, str(script), "--impl", impl]
    if scale != 1.0:
        cmd += ["--scale", str(scale)]
    cpu0 = children_cpu()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=HERE, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    cpu = children_cpu() - cpu0
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed with status {proc.returncode}:\n{proc.stderr}")
    return elapsed, cpu, proc.stdout.strip()


def extra_p(name: str, files: list[str], runs: int, scale: float) -> list[float]:
    """p of `runs` fresh py-spy captures of the pure run (to judge the noise of p)."""
    out = []
    if runs <= 0 or shutil.which("py-spy") is None:
        return out
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(runs):
            path = Path(tmp) / f"{name}.{i}.txt"
            cmd = ["py-spy", "record", "--format", "raw", "--rate", "250", "-o", str(path),
                   "--", sys.executable, f"{name}.py", "--impl", "pure"]
            if scale != 1.0:
                cmd += ["--scale", str(scale)]
            proc = subprocess.run(cmd, cwd=HERE, capture_output=True, text=True)
            if proc.returncode != 0 or not path.is_file():
                print(f"{name}: py-spy failed ({proc.returncode}); skipping extra p runs\n{proc.stderr}",
                      file=sys.stderr)
                break
            shares = profile_shares(path, files)
            if shares:
                out.append(shares["p"])
    return out


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def p_range(e: dict) -> str:
    ps = e.get("p_all_captures") or []
    return f" ({min(ps):.2f}-{max(ps):.2f})" if len(ps) > 1 else ""


def s_range(e: dict) -> str:
    lo_hi = e.get("implied_s_over_p_range")
    if not lo_hi or len(e.get("p_all_captures") or []) < 2:
        return ""
    lo, hi = lo_hi
    if lo is None:
        return ""
    return f" ({lo:.1f}-{'undefined' if hi is None else f'{hi:.1f}'})"


def fmt(x, digits=2, none="n/a"):
    return none if x is None else f"{x:.{digits}f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=5, help="runs per implementation (default 5)")
    ap.add_argument("--scale", type=float, default=1.0, help="passed to every workload")
    ap.add_argument("--p-runs", type=int, default=2,
                    help="extra py-spy captures of each pure run, only to report the spread of p "
                         "(default 2; 0 disables)")
    ap.add_argument("--json", default=str(HERE / "speedups.json"), help="output path")
    ap.add_argument("workloads", nargs="*", help=f"default: all ({', '.join(MODULE_FILES)})")
    args = ap.parse_args()
    names = args.workloads or sorted(MODULE_FILES)
    for name in names:
        if name not in MODULE_FILES:
            sys.exit(f"unknown workload {name!r}")

    load_before = uptime()
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    # interpreter start-up alone (site, .pth files), for reference
    startup = []
    for _ in range(args.n):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        startup.append(time.perf_counter() - t0)

    results = {}
    for name in names:
        script = HERE / f"{name}.py"
        times = {"pure": [], "c": []}
        cpu_times = {"pure": [], "c": []}
        outputs = {}
        for i in range(args.n):
            for impl in ("pure", "c"):
                elapsed, cpu, out = run_once(script, impl, args.scale)
                times[impl].append(elapsed)
                cpu_times[impl].append(cpu)
                outputs.setdefault(impl, TAG_RE.sub("[]", out))
            print(f"{name}: run {i + 1}/{args.n} pure {times['pure'][-1]:.3f} s, "
                  f"c {times['c'][-1]:.3f} s", file=sys.stderr)
        if outputs["pure"] != outputs["c"]:
            sys.exit(f"{name}: pure and c outputs differ:\n{outputs['pure']}\n{outputs['c']}")
        pure, c = min(times["pure"]), min(times["c"])
        overall = pure / c
        label, files = MODULE_FILES[name]
        entry = {
            "accelerator": label,
            "module_files": files,
            "pure_s": round(pure, 4),
            "c_s": round(c, 4),
            "speedup": round(overall, 3),
            "pure_s_median": round(statistics.median(times["pure"]), 4),
            "c_s_median": round(statistics.median(times["c"]), 4),
            "speedup_median": round(statistics.median(times["pure"]) / statistics.median(times["c"]), 3),
            "pure_runs_s": [round(t, 4) for t in times["pure"]],
            "c_runs_s": [round(t, 4) for t in times["c"]],
            "pure_cpu_s": round(min(cpu_times["pure"]), 4),
            "c_cpu_s": round(min(cpu_times["c"]), 4),
            "speedup_cpu": round(min(cpu_times["pure"]) / min(cpu_times["c"]), 3),
            "pure_cpu_runs_s": [round(t, 4) for t in cpu_times["pure"]],
            "c_cpu_runs_s": [round(t, 4) for t in cpu_times["c"]],
            "result": outputs["pure"],
        }
        capture = HERE / f"{name}.pyspy.txt"
        if capture.is_file():
            shares = profile_shares(capture, files)
            if shares:
                entry["capture"] = capture.name
                entry["capture_samples"] = shares["samples"]
                for key in ("p", "p_inclusive", "p_self"):
                    entry[key] = round(shares[key], 4)
                entry["amdahl_bound"] = round(1 / (1 - shares["p"]), 3) if shares["p"] < 1 else None
                s = implied_s(shares["p"], overall)
                entry["implied_s"] = None if s is None else round(s, 3)
                s_med = implied_s(shares["p"], entry["speedup_median"])
                entry["implied_s_median"] = None if s_med is None else round(s_med, 3)
                ps = [shares["p"]] + extra_p(name, files, args.p_runs, args.scale)
                entry["p_all_captures"] = [round(x, 4) for x in ps]
                # implied s over the spread of p: shows how ill-conditioned s is
                ss = [implied_s(x, overall) for x in ps]
                defined = [x for x in ss if x is not None]
                entry["implied_s_over_p_range"] = [
                    round(min(defined), 3) if defined else None,
                    None if len(defined) < len(ss) or not defined else round(max(defined), 3),
                ]
                s_cpu = implied_s(shares["p"], entry["speedup_cpu"])
                entry["implied_s_cpu"] = None if s_cpu is None else round(s_cpu, 3)
        results[name] = entry

    load_after = uptime()
    doc = {
        "meta": {
            "statistic": f"best of {args.n} (minimum wall time per implementation); medians also given",
            "timing": "whole process: wall = time.perf_counter around subprocess.run([sys.executable, script, '--impl', IMPL]); cpu = the child's user+sys time (getrusage RUSAGE_CHILDREN difference)",
            "runs": args.n,
            "scale": args.scale,
            "started_utc": started,
            "python": platform.python_version(),
            "python_executable": sys.executable,
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "uptime_before": load_before,
            "uptime_after": load_after,
            "startup_s_best": round(min(startup), 4),
            "p_definition": "share of py-spy samples of the pure run (the committed <name>.pyspy.txt) whose innermost module-or-workload frame is in module_files; p_all_captures = that p followed by the p of p_runs fresh captures",
            "p_runs": args.p_runs,
        },
        "workloads": results,
    }
    Path(args.json).write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")

    print(f"best of {args.n}; python {platform.python_version()}; {os.cpu_count()} CPUs; "
          f"interpreter start-up {min(startup):.3f} s")
    print(f"before: {load_before}\nafter:  {load_after}\n")
    undef = "undefined"
    print("| workload | accelerator | pure s | C s | speedup | speedup (median) "
          "| pure CPU s | C CPU s | speedup (CPU) | p | p incl. / self | 1/(1-p) "
          "| implied s (over p range) | implied s (CPU) |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, e in results.items():
        p = e.get("p")
        na = undef if p is not None else "n/a"
        print(f"| {name} | {e['accelerator']} | {e['pure_s']:.3f} | {e['c_s']:.3f} | "
              f"{e['speedup']:.2f} | {e['speedup_median']:.2f} | "
              f"{e['pure_cpu_s']:.3f} | {e['c_cpu_s']:.3f} | {e['speedup_cpu']:.2f} | {fmt(p)}{p_range(e)} | "
              f"{fmt(e.get('p_inclusive'))} / {fmt(e.get('p_self'))} | "
              f"{fmt(e.get('amdahl_bound'))} | "
              f"{fmt(e.get('implied_s'), 1, na)}{s_range(e)} | {fmt(e.get('implied_s_cpu'), 1, na)} |")
    print(f"\nwrote {args.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
