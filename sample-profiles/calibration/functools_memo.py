"""Calibration workload: functools (pure lru_cache / cmp_to_key / reduce vs _functools).

A small text-similarity job: memoised recursive edit distance between
pairs of seeded random words (functools.lru_cache with a bounded maxsize, so
the cache both hits and evicts), a multi-key sort of records with
functools.cmp_to_key, and checksums folded with functools.reduce.

--impl pure imports functools fresh with _functools blocked, so lru_cache
wraps with the Python _lru_cache_wrapper, cmp_to_key returns the Python K
class and reduce is the Python loop; --impl c uses the C versions.  The
user callbacks (the recursive function, the comparison, the fold step) are
Python in both variants.

    python3 functools_memo.py --impl pure|c [--scale X]
"""

import random

from _impl import check, is_python, load, parse_args

args = parse_args(__doc__.splitlines()[0])
functools = load("functools", ["_functools"], args.impl)
pure = args.impl == "pure"
check(is_python(functools.reduce) == pure, args.impl, f"reduce is {functools.reduce!r}")
check(is_python(functools.cmp_to_key(lambda a, b: 0).__lt__) == pure, args.impl,
      "cmp_to_key(...).__lt__ kind")
probe = functools.lru_cache(maxsize=8)(lambda x: x)
check(is_python(probe) == pure, args.impl, f"lru_cache wrapper is {type(probe)!r}")

rng = random.Random(1234)
ALPHA = "acgt"
words = ["".join(rng.choice(ALPHA) for _ in range(rng.randint(10, 16)))
         for _ in range(int(4_000 * args.scale))]


def distance(a, b):
    @functools.lru_cache(maxsize=96)
    def d(i, j):
        if i == 0:
            return j
        if j == 0:
            return i
        if a[i - 1] == b[j - 1]:
            return d(i - 1, j - 1)
        return 1 + min(d(i - 1, j), d(i, j - 1), d(i - 1, j - 1))
    return d(len(a), len(b))


pairs = [(words[i], words[(i * 7 + 3) % len(words)]) for i in range(len(words))]
dists = [distance(a, b) for a, b in pairs]


def compare(x, y):  # group ascending, then count descending
    return x[0] - y[0] or y[1] - x[1]


records = [(rng.randrange(50), rng.randrange(1000))
           for _ in range(int(60_000 * args.scale))]
ordered = sorted(records, key=functools.cmp_to_key(compare))
check_sum = functools.reduce(lambda acc, r: (acc * 31 + r[1]) & 0xFFFFFFFF, ordered, 7)

print(f"functools[{args.impl}] pairs={len(pairs)} mean_dist={sum(dists) / len(dists):.3f} "
      f"sorted={len(ordered)} checksum={check_sum}")
