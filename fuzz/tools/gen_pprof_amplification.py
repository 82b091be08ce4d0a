#!/usr/bin/env python3
"""Writes a tiny pprof profile.proto whose stacks expand far beyond its size.

One location has LINES `line` entries (inlined frames, 4 bytes each); the profile then references
that location REFS times:

- --shape deep: within one sample, one stack LINES*REFS frames deep (memory grows with it);
- --shape wide: as REFS one-location samples, REFS stacks of LINES frames (CPU grows with
  LINES*REFS, memory stays small unless stacks are aggregated);
- --shape rooted: as REFS samples [big location, small location i] whose roots are REFS distinct
  one-line locations, so every sample's copy of the big location has a different parent: REFS
  distinct stacks of LINES+1 frames each (memory and CPU grow with LINES*REFS) while every stack
  stays LINES+1 deep. The output is gzip-compressed when the
name ends in .gz. Used for the fixtures under tests/fixtures/fuzz-regressions/pprof-*.

    fuzz/tools/gen_pprof_amplification.py --shape deep 3000 3000 out.pb.gz
"""

import argparse
import gzip


def varint(n):
    out = b""
    while True:
        b, n = n & 0x7F, n >> 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def key(field, wire):
    return varint(field << 3 | wire)


def vi(field, n):
    return key(field, 0) + varint(n)


def ld(field, payload):
    return key(field, 2) + varint(len(payload)) + payload


def profile(shape, lines, refs):
    p = ld(1, b"")  # sample_type {type: 0 (""), unit: 0 ("")}
    if shape == "deep":
        # one sample: location_id = [1] * refs (packed), value = [1]
        p += ld(2, ld(1, b"\x01" * refs) + ld(2, b"\x01"))
    elif shape == "wide":
        # refs samples: location_id = [1], value = [1]
        p += ld(2, ld(1, b"\x01") + ld(2, b"\x01")) * refs
    else:
        # refs samples: location_id = [1, 2 + i] (leaf first), value = [1]
        for i in range(refs):
            p += ld(2, ld(1, varint(1) + varint(2 + i)) + ld(2, b"\x01"))
        # location 2 + i: one line of function 1 at line i + 1, a distinct root frame each
        for i in range(refs):
            p += ld(4, vi(1, 2 + i) + ld(4, vi(1, 1) + vi(2, i + 1)))
    # location id 1 with `lines` Line {function_id: 1}
    p += ld(4, vi(1, 1) + ld(4, vi(1, 1)) * lines)
    p += ld(5, vi(1, 1))  # function id 1, every name index 0 ("")
    p += ld(6, b"")  # string_table = [""]
    return p


def main():
    a = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    a.add_argument("--shape", choices=["deep", "wide", "rooted"], default="deep")
    a.add_argument("lines", type=int)
    a.add_argument("refs", type=int)
    a.add_argument("out")
    args = a.parse_args()
    data = profile(args.shape, args.lines, args.refs)
    if args.out.endswith(".gz"):
        data = gzip.compress(data, 9, mtime=0)
    with open(args.out, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
