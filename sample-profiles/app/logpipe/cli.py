"""Command-line interface: ``python -m logpipe``."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Optional, Sequence

from logpipe import __version__
from logpipe.config import PipelineConfig
from logpipe.pipeline import run_pipeline


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="logpipe",
        description="Batch log analytics: sessions, latency percentiles, "
                    "error fingerprints and message clusters.",
    )
    parser.add_argument("--out", type=Path, default=None,
                        help="output directory (default: a fresh temporary directory)")
    parser.add_argument("--input", type=Path, default=None,
                        help="read existing access-*.log / app-*.log shards from this "
                             "directory instead of generating a synthetic corpus")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="workload multiplier for the synthetic corpus (default 1.0, "
                             "about 25 s on a 2-core VM)")
    parser.add_argument("--seed", type=int, default=None, help="corpus random seed")
    parser.add_argument("--threshold", type=float, default=None,
                        help="message clustering similarity threshold (0-1)")
    parser.add_argument("--background-writer", action="store_true",
                        help="write reports on a background thread and run a progress "
                             "heartbeat thread (default: everything on the main thread)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print stage timings")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def _print_summary(summary: dict, out_dir: Path) -> None:
    access = summary["access"]
    sessions = summary["sessions"]
    app = summary["app"]
    clusters = summary["clusters"]
    print(f"access: {access['parse']['parsed']} parsed, {access['parse']['failed']} unparseable, "
          f"{access['validate']['passed']} valid")
    print(f"sessions: {sessions['sessions']} ({sessions['visitors']} visitors, "
          f"bounce {sessions['bounce_rate']:.1%}, conversion {sessions['conversion_rate']:.1%})")
    print(f"app: {app['parse']['parsed']} records, {app['problems']} problems, "
          f"{app['templates']} templates")
    print(f"clusters: {clusters['clusters']} from {clusters['comparisons']} comparisons")
    timings = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in summary["timings"].items())
    print(f"timings: {timings}")
    print(f"reports in {out_dir}")


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    if args.scale <= 0:
        print("logpipe: --scale must be positive", file=sys.stderr)
        return 2
    if args.threshold is not None and not 0.0 < args.threshold <= 1.0:
        print("logpipe: --threshold must be in (0, 1]", file=sys.stderr)
        return 2
    if args.input is not None and not args.input.is_dir():
        print(f"logpipe: input directory {args.input} does not exist", file=sys.stderr)
        return 2
    out_dir = args.out or Path(tempfile.mkdtemp(prefix="logpipe-"))
    config = PipelineConfig.from_scale(
        out_dir, args.scale, seed=args.seed, input_dir=args.input,
        cluster_threshold=args.threshold, verbose=args.verbose,
        background_threads=args.background_writer or None,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = run_pipeline(config)
    _print_summary(summary, out_dir)
    return 0
