"""Calibration workload: pickle (pure pickle._Pickler/_Unpickler vs _pickle).

A result cache that snapshots itself: a deterministic batch of records
(dicts of ints, floats, short strings, tuples, lists, nested dicts, bytes,
None/bools, some shared references) is pickled with protocol 4 and 5 and
unpickled again, several times.

--impl pure imports pickle fresh with _pickle blocked, so pickle.dumps /
pickle.loads are pickle._dumps / pickle._loads (the Python _Pickler and
_Unpickler classes in pickle.py).

    python3 pickle_cache.py --impl pure|c [--scale X]
"""

import random

from _impl import check, is_python, load, parse_args

args = parse_args(__doc__.splitlines()[0])
pickle = load("pickle", ["_pickle"], args.impl)
pure = args.impl == "pure"
check((pickle.Pickler is pickle._Pickler) == pure and is_python(pickle.dumps) == pure
      and is_python(pickle.loads) == pure, args.impl,
      f"pickle.Pickler is {pickle.Pickler!r}, pickle.dumps is {pickle.dumps!r}")

rng = random.Random(99)
HOSTS = [f"host-{i:03d}.example.net" for i in range(50)]
shared_meta = {"schema": 7, "source": "collector", "units": ("ms", "bytes")}


def record(i):
    return {
        "id": i,
        "host": rng.choice(HOSTS),
        "ts": 1_700_000_000 + i * 13,
        "latency_ms": [round(rng.gauss(40, 12), 3) for _ in range(rng.randint(2, 8))],
        "status": rng.choice((200, 200, 200, 301, 404, 500)),
        "ok": rng.random() < 0.97,
        "span": (rng.randrange(2**32), rng.randrange(2**16)),
        "tags": {f"k{j}": f"v{rng.randrange(100)}" for j in range(rng.randint(0, 4))},
        "payload": rng.randbytes(rng.randint(0, 24)),
        "parent": None if i % 5 else i - 1,
        "meta": shared_meta,
    }


records = [record(i) for i in range(int(12_000 * args.scale))]
size = 0
for protocol in (4, 5, 4, 5):
    blob = pickle.dumps(records, protocol=protocol)
    back = pickle.loads(blob)
    assert back == records and back[0]["meta"] is back[1]["meta"]
    size += len(blob)

print(f"pickle[{args.impl}] records={len(records)} bytes={size}")
