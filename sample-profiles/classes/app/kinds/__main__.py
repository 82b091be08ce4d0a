"""Runs every workload: ``python -m kinds [--scale S]``."""

import argparse
import time

from . import churn, deep, parsing, patterns


def main():
    ap = argparse.ArgumentParser(prog="kinds")
    ap.add_argument("--scale", type=float, default=1.0)
    args = ap.parse_args()
    n = lambda base: max(1, int(base * args.scale))
    start = time.process_time()
    print("churn", churn.churn(n(180)))
    print("patterns", patterns.scan(n(800)))
    print("parsing", parsing.parse_all(n(50)))
    print("deep", deep.deep(n(6), 3000))
    print("cpu %.1f s" % (time.process_time() - start))


main()
