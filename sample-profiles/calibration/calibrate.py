#!/usr/bin/env python3
"""Checks brownfield's ranking model against the calibration set.

For each workload in speedups.json (measured by measure.py), builds a throw-away source root
holding copies of the pure-Python stdlib module files and the workload script (nothing is
committed: the files come from this machine's Python), runs
`brownfield rank <name>.pyspy.txt --source <root> --format json --top 0`, and compares:

- what the model ranks first (it should be a function of the module);
- the movable share p the model finds for the module: the sum over the module's candidate
  units, taken greedily by rank without overlap (what a plan moving the module would move);
- the projected end-to-end speedup (low / mid / high, Amdahl's law at the configured
  per-unit speedups of each unit's category) against the measured speedup of the C module.

Prints a Markdown table and writes calibration.json (sorted keys). The stdlib files must be
those of the Python the captures were made with (3.11); line numbers differ between
versions, and frames that fall outside a definition are not mapped.

    python3 calibrate.py [--brownfield PATH] [--python PATH]
"""

import argparse
import json
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent


def amdahl(p, s):
    return 1.0 / ((1.0 - p) + p / s)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--brownfield", default=str(REPO / "target/release/brownfield"))
    ap.add_argument("--python", default=sys.executable,
                    help="the Python whose stdlib files are copied (default: this one)")
    args = ap.parse_args()
    stdlib = Path(subprocess.run(
        [args.python, "-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"],
        check=True, capture_output=True, text=True).stdout.strip())
    measured = json.loads((HERE / "speedups.json").read_text())["workloads"]
    results = {}
    for name, m in sorted(measured.items()):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            for rel in m["module_files"]:
                dst = root / rel
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(stdlib / rel, dst)
                init = stdlib / Path(rel).parent / "__init__.py"
                if Path(rel).parent != Path(".") and init.exists():
                    shutil.copy(init, dst.parent / "__init__.py")
            shutil.copy(HERE / f"{name}.py", root / f"{name}.py")
            shutil.copy(HERE / "_impl.py", root / "_impl.py")
            out = subprocess.run(
                [args.brownfield, "rank", str(HERE / m["capture"]), "--source", str(root),
                 "--format", "json", "--top", "0"],
                check=True, capture_output=True, text=True)
        doc = json.loads(out.stdout)
        module_files = set(m["module_files"]) | {
            str(Path(rel).parent / "__init__.py") for rel in m["module_files"]
            if Path(rel).parent != Path(".")}
        in_module = [c for c in doc["candidates"] if c["file"] in module_files]
        taken, members, p, low_den, mid_den, high_den = [], set(), 0.0, 0.0, 0.0, 0.0
        for c in in_module:
            if members.isdisjoint(c["unit"]):
                taken.append(c["function"])
                members.update(c["unit"])
                p += c["movable_share"]
                s = c["assumed_speedup"]
                q = c["movable_share"]
                low_den += q / s["low"]
                mid_den += q / s["mid"]
                high_den += q / s["high"]
        top = doc["candidates"][0] if doc["candidates"] else None
        results[name] = {
            "top_function": top and top["function"],
            "top_in_module": bool(top) and top["file"] in module_files,
            "top_category": top and top["category"],
            "top_projected_mid": top and round(top["projected_speedup"]["mid"], 3),
            "module_units": taken,
            "model_p": round(p, 4),
            "measured_p": m["p"],
            "projected_low": round(1.0 / ((1.0 - p) + low_den), 3),
            "projected_mid": round(1.0 / ((1.0 - p) + mid_den), 3),
            "projected_high": round(1.0 / ((1.0 - p) + high_den), 3),
            "measured_speedup": m["speedup"],
            "implied_s": m["implied_s"],
        }
    (HERE / "calibration.json").write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print("| workload | ranked first | in module | model p | measured p | projected low / mid / high | measured | inside range |")
    print("| --- | --- | --- | ---: | ---: | --- | ---: | --- |")
    for name, r in sorted(results.items()):
        inside = r["projected_low"] <= r["measured_speedup"] <= r["projected_high"]
        print(f"| {name} | `{r['top_function']}` | {'yes' if r['top_in_module'] else 'no'} "
              f"| {r['model_p']:.2f} | {r['measured_p']:.2f} "
              f"| {r['projected_low']:.2f} / {r['projected_mid']:.2f} / {r['projected_high']:.2f} "
              f"| {r['measured_speedup']:.2f} | {'yes' if inside else 'no'} |")


if __name__ == "__main__":
    main()
