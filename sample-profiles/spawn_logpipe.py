#!/usr/bin/env python3
"""Run logpipe as a child process, then check its report manifest.

A tiny launcher of the kind that wraps a batch job in production: it starts
``python -m logpipe`` in a subprocess (so ``py-spy record --subprocesses``
sees two Python processes), waits for it, and then checks every report
listed in ``manifest.json`` (size, SHA-256, JSONL row count) in the parent.

Usage: spawn_logpipe.py LOGPIPE_ARGS...   (``--out DIR`` is required)

The arguments are passed to logpipe unchanged (``--out`` made absolute).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
from pathlib import Path

APP_DIR = Path(__file__).resolve().parent / "app"


def option_value(args: list[str], name: str) -> str | None:
    for index, arg in enumerate(args):
        if arg == name and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def run_child(args: list[str]) -> int:
    command = [sys.executable, "-m", "logpipe", *args]
    print(f"spawn_logpipe: running {' '.join(command)}", flush=True)
    child = subprocess.run(command, cwd=APP_DIR, check=False)
    return child.returncode


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def count_rows(path: Path) -> int:
    """Rows of a JSONL report (plain or gzip), each parsed to make sure it is
    valid JSON -- the part of the check that costs the parent some CPU."""
    opener = gzip.open if path.suffix == ".gz" else open
    rows = 0
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                json.loads(line)
                rows += 1
    return rows


def verify_manifest(out_dir: Path) -> tuple[int, int]:
    """Check every file in ``manifest.json``: size, SHA-256 and, for JSONL
    reports, the row count."""
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    checked = bad = 0
    for entry in manifest["files"]:
        path = out_dir / entry["name"]
        checked += 1
        problems = []
        if path.stat().st_size != entry["bytes"]:
            problems.append("size")
        if file_digest(path) != entry["sha256"]:
            problems.append("sha256")
        if entry.get("rows") is not None and count_rows(path) != entry["rows"]:
            problems.append("rows")
        if problems:
            bad += 1
            print(f"spawn_logpipe: {entry['name']}: {', '.join(problems)} mismatch",
                  file=sys.stderr)
    return checked, bad


def main(argv: list[str]) -> int:
    args = list(argv)
    out = option_value(args, "--out")
    if out is None:
        print("spawn_logpipe: --out DIR is required", file=sys.stderr)
        return 2
    # The child runs in app/, so hand it an absolute output directory.
    out_dir = Path(out).resolve()
    args = [str(out_dir) if arg == out else
            f"--out={out_dir}" if arg == f"--out={out}" else arg for arg in args]
    status = run_child(args)
    if status != 0:
        print(f"spawn_logpipe: logpipe exited with status {status}", file=sys.stderr)
        return status
    checked, bad = verify_manifest(out_dir)
    print(f"spawn_logpipe: {checked} reports checked, {bad} bad", flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
