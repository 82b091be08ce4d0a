"""Calibration workload: collections.OrderedDict (pure class vs _collections).

An LRU page cache in front of a slow store, driven by a seeded, skewed
(Zipf-like) access trace: hits do move_to_end, misses insert and evict the
least recently used entry with popitem(last=False); periodically the cache
is copied, compared and scanned in order, as a snapshotting cache would.

--impl pure imports collections fresh with _collections blocked, so
collections.OrderedDict is the Python class defined in
collections/__init__.py (doubly linked list of _Link objects);
--impl c uses the C OrderedDict from _collections.

    python3 ordereddict_lru.py --impl pure|c [--scale X]
"""

import random
from array import array

from _impl import check, is_python, load, parse_args

args = parse_args(__doc__.splitlines()[0])
collections = load("collections", ["_collections"], args.impl)
OrderedDict = collections.OrderedDict
pure = args.impl == "pure"
for meth in ("__setitem__", "__delitem__", "move_to_end", "popitem", "__iter__"):
    check(is_python(getattr(OrderedDict, meth)) == pure, args.impl,
          f"OrderedDict.{meth} is {getattr(OrderedDict, meth)!r}")

rng = random.Random(8080)
CAPACITY = 2_000
n_requests = int(1_200_000 * args.scale)
n_pages = 20_000
# skewed trace (page k has probability ~ k**-2/3), drawn cheaply with
# C-level operations: random 16-bit values mapped through a 65536-entry
# inverse-CDF table
table = [int(n_pages * (v / 65536) ** 3) for v in range(65536)]
trace = list(map(table.__getitem__, array("H", rng.randbytes(2 * n_requests))))

cache = OrderedDict()
hits = 0
snapshots = 0
for start in range(0, n_requests, 100_000):
    for page in trace[start:start + 100_000]:
        if page in cache:
            cache.move_to_end(page)
            hits += 1
        else:
            cache[page] = start
            if len(cache) > CAPACITY:
                cache.popitem(last=False)
    snap = cache.copy()
    snapshots += (snap == cache) + len(list(reversed(snap)))
misses = n_requests - hits

oldest = next(iter(cache))
print(f"OrderedDict[{args.impl}] hits={hits} misses={misses} oldest={oldest} "
      f"snapshots={snapshots}")
