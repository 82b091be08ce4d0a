"""Calibration workload: heapq (pure heapq.py vs the _heapq accelerator).

Uses only the heapq functions that _heapq replaces (heappush, heappop,
heapify, heapreplace, heappushpop); heapq.merge/nsmallest/nlargest are
Python in both variants and are deliberately not used.

1. heapsort of a seeded list of floats (heapify + heappop);
2. streaming top-k with a bounded min-heap (heappushpop);
3. running median with two heaps (heappush/heappop/heapreplace);
4. a tiny discrete-event simulation (event queue of (time, seq, job) tuples).

    python3 heapq_sched.py --impl pure|c [--scale X]
"""

import random

from _impl import check, is_python, load, parse_args

args = parse_args(__doc__.splitlines()[0])
heapq = load("heapq", ["_heapq"], args.impl)
pure = args.impl == "pure"
for fn in ("heappush", "heappop", "heapify", "heapreplace", "heappushpop"):
    check(is_python(getattr(heapq, fn)) == pure, args.impl,
          f"heapq.{fn} is {getattr(heapq, fn)!r}")

heappush, heappop, heapify = heapq.heappush, heapq.heappop, heapq.heapify
heapreplace, heappushpop = heapq.heapreplace, heapq.heappushpop
rng = random.Random(20240611)
n = int(400_000 * args.scale)

# 1. heapsort
data = [rng.random() for _ in range(n)]
heapify(data)
ordered = [heappop(data) for _ in range(n)]

# 2. streaming top-k
stream = [rng.random() for _ in range(n)]
top = stream[:1000]
heapify(top)
for x in stream:
    heappushpop(top, x)

# 3. running median: max-heap of negated lows, min-heap of highs
lows, highs = [], []
medians = 0.0
for x in stream[: n // 2]:
    if lows and x > -lows[0]:
        heappush(highs, x)
    else:
        heappush(lows, -x)
    if len(lows) > len(highs) + 1:
        heappush(highs, -heappop(lows))
    elif len(highs) > len(lows):
        heappush(lows, -heappop(highs))
    medians += -lows[0]

# 4. event queue: each job arrives, is serviced and leaves
events = [(rng.random() * 100.0, i, i) for i in range(n // 4)]
heapify(events)
seq = len(events)
served = 0
while events:
    now, _, job = events[0]
    if job >= 0:
        heapreplace(events, (now + 0.01 * (job % 7), seq, -1 - job))
        seq += 1
    else:
        heappop(events)
        served += 1

print(f"heapq[{args.impl}] sorted_ok={ordered == sorted(ordered)} "
      f"top_min={top[0]:.6f} median_sum={medians:.3f} served={served}")
