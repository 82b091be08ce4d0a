"""Calibration workload: json (pure-Python scanner/encoder vs the _json accelerator).

Builds a deterministic "API response" document (orders with nested line
items, addresses, tags, unicode names, floats, nulls), then serialises it
with json.dumps (compact, and sorted with default separators, both
indent=None: with an indent CPython 3.11 always uses the Python encoder, even
when _json is available) and parses it back with json.loads several times,
as a service that re-encodes cached payloads would.

With --impl pure the json package is imported fresh with _json blocked, so
json.decoder.scanstring is py_scanstring, json.scanner.make_scanner is
py_make_scanner and json.encoder.c_make_encoder is None (encoding goes
through json.encoder._make_iterencode and py_encode_basestring_ascii).

    python3 json_roundtrip.py --impl pure|c [--scale X]
"""

import random

from _impl import check, is_python, load, parse_args

args = parse_args(__doc__.splitlines()[0])
json = load("json", ["_json"], args.impl)
pure = args.impl == "pure"
check(is_python(json.decoder.scanstring) == pure, args.impl,
      f"json.decoder.scanstring is {json.decoder.scanstring!r}")
check((json.scanner.make_scanner is json.scanner.py_make_scanner) == pure, args.impl,
      f"json.scanner.make_scanner is {json.scanner.make_scanner!r}")
check((json.encoder.c_make_encoder is None) == pure, args.impl,
      f"json.encoder.c_make_encoder is {json.encoder.c_make_encoder!r}")
check(is_python(json.encoder.encode_basestring_ascii) == pure, args.impl,
      f"json.encoder.encode_basestring_ascii is {json.encoder.encode_basestring_ascii!r}")

rng = random.Random(4242)
WORDS = ["alpha", "bravo", "charlie", "délta", "echo", "foxtrot", "golf",
         "hôtel", "india", "juliett", "kilo", "lima", "mike", "növember",
         "oscar", "papa", "quebec", "romeo", "sierra", "tango", "東京", "ünï"]


def order(i):
    return {
        "id": i,
        "customer": {"name": f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()}",
                     "email": f"user{i}@example.com",
                     "address": {"street": f"{rng.randint(1, 999)} {rng.choice(WORDS)} st",
                                 "city": rng.choice(WORDS), "zip": f"{rng.randint(0, 99999):05d}"}},
        "items": [{"sku": f"SKU-{rng.randint(0, 10**6):07d}", "qty": rng.randint(1, 9),
                   "price": round(rng.uniform(0.5, 500.0), 2),
                   "note": None if rng.random() < 0.7 else "gift \"wrap\"\n"}
                  for _ in range(rng.randint(1, 6))],
        "tags": rng.sample(WORDS, 3),
        "paid": rng.random() < 0.8,
        "score": rng.random(),
    }


doc = {"version": 3, "orders": [order(i) for i in range(int(5_000 * args.scale))]}

total = 0
for round_ in range(2):
    compact = json.dumps(doc, separators=(",", ":"))
    spaced = json.dumps(doc, sort_keys=True, ensure_ascii=False)
    back1 = json.loads(compact)
    back2 = json.loads(spaced)
    assert back1 == doc and back2 == doc
    total += len(compact) + len(spaced)

print(f"json[{args.impl}] orders={len(doc['orders'])} chars={total}")
