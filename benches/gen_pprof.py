#!/usr/bin/env python3
"""Generates a large pprof CPU profile (profile.proto, uncompressed) of a synthetic Go service.

The protobuf wire format is written directly (no protobuf library needed), following
https://github.com/google/pprof/blob/main/proto/profile.proto:

  * string_table[0] = "", then function names, file names, mapping names, type/unit names;
  * 3 mappings (the service binary, libc.so.6, the vDSO), ids 1..3;
  * --functions functions (ids 1..F) named like a Go service
    (`github.com/acme/shop/internal/cart.(*Store).Lookup`, `runtime.mallocgc`), each with a
    file and a start line;
  * --locations locations (ids 1..L), each in a mapping at its own address: the binary's with
    1 line (82 %) or 2-3 lines (inlined frames), and 2 % in libc, half of them with no line
    (address only, as for a library without symbols);
  * sample types `samples/count` and `cpu/nanoseconds`, period type cpu/nanoseconds, period
    10 ms; time and duration;
  * samples until the file reaches --size bytes: each a stack of 10-60 location ids (leaf
    first) and the two values (count, count x 10 ms).

Stacks come from a synthetic call graph (each location has 1-6 callees, the first ones
preferred): --paths "hot paths" are random walks of 8-52 frames from a goroutine root through
an entry handler, with occasional recursion; each sample takes a hot path (with a skew) and
walks 1-8 frames further, and a third of the leaves are runtime or libc frames (malloc,
memmove, GC). Stacks thus share long prefixes, as in a real profile, and each sample adds
only a few nodes to the stack tree. Every id is non-zero and every reference valid.

Deterministic for a given --seed. Prints one JSON line of statistics on stdout.
"""

import argparse
import json
import random
import sys

PERIOD_NS = 10_000_000

PKGS = ("cart checkout catalog search auth storage cache httpapi grpcapi codec metrics queue "
        "billing inventory pricing users session ratelimit config tracing").split()
TYPES = "Store Handler Client Server Cache Index Encoder Decoder Pool Worker Router Batch".split()
METHODS = ("Get Put Lookup Serve Handle Encode Decode Flush Run Process Validate Marshal "
           "Unmarshal Query Scan Merge Sort Update Refresh Dispatch Apply Load Save").split()
RUNTIME = [
    ("runtime.mallocgc", "malloc.go"), ("runtime.memmove", "memmove_amd64.s"),
    ("runtime.mapaccess2_faststr", "map_faststr.go"), ("runtime.gcDrain", "mgcmark.go"),
    ("runtime.scanobject", "mgcmark.go"), ("runtime.growslice", "slice.go"),
    ("runtime.newobject", "malloc.go"), ("runtime.futex", "sys_linux_amd64.s"),
    ("runtime.findObject", "mbitmap.go"), ("runtime.concatstrings", "string.go"),
    ("runtime.nextFreeFast", "malloc.go"), ("runtime.heapBitsSetType", "mbitmap.go"),
    ("runtime.mapassign_faststr", "map_faststr.go"), ("runtime.memclrNoHeapPointers",
                                                      "memclr_amd64.s"),
    ("runtime.selectgo", "select.go"), ("runtime.schedule", "proc.go"),
]
ROOTS = [
    ("runtime.goexit", "/usr/local/go/src/runtime/asm_amd64.s"),
    ("net/http.(*conn).serve", "/usr/local/go/src/net/http/server.go"),
    ("google.golang.org/grpc.(*Server).serveStreams.func1.1",
     "/go/pkg/mod/google.golang.org/grpc@v1.64.0/server.go"),
    ("runtime.main", "/usr/local/go/src/runtime/proc.go"),
    ("runtime.gcBgMarkWorker", "/usr/local/go/src/runtime/mgc.go"),
]
# No blocking functions (epoll_wait, ...): brownfield drops idle samples by default, and the
# benchmark checks that the total it reads equals the total written.
LIBC = ["__memmove_avx_unaligned_erms", "__memset_avx2_unaligned_erms", "malloc", "free",
        "_int_malloc", "__libc_write", "__GI___libc_read", "cfree"]


def uvarint(n):
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def fv(field, v):
    """A varint field (omitted when zero, as proto3 does)."""
    return uvarint(field << 3) + uvarint(v) if v else b""


def fb(field, b):
    """A length-delimited field (bytes, string, sub-message, packed repeated)."""
    return uvarint((field << 3) | 2) + uvarint(len(b)) + b


class Strings:
    def __init__(self):
        self.index = {"": 0}
        self.table = [""]

    def __call__(self, s):
        i = self.index.get(s)
        if i is None:
            i = self.index[s] = len(self.table)
            self.table.append(s)
        return i


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--size", type=int, default=120_000_000, help="bytes to write (at least)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--functions", type=int, default=40_000)
    ap.add_argument("--locations", type=int, default=150_000)
    ap.add_argument("--paths", type=int, default=50_000, help="hot paths stacks grow from")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    st = Strings()

    # Sample types, period type.
    vt_samples = fv(1, st("samples")) + fv(2, st("count"))
    vt_cpu = fv(1, st("cpu")) + fv(2, st("nanoseconds"))

    # Mappings: 1 = the binary, 2 = libc, 3 = vdso.
    mappings = [
        (1, 0x400000, 0x2400000, 0, "/srv/shop/bin/shop-server", "9f3c1a7e5b2d4c6f8a0b"),
        (2, 0x7F3A1C000000, 0x7F3A1C1D5000, 0x28000, "/usr/lib/x86_64-linux-gnu/libc.so.6",
         "4c1a9e0d7b3f2a5c6e8d"),
        (3, 0x7FFC8E5F0000, 0x7FFC8E5F2000, 0, "[vdso]", ""),
    ]
    mapping_msgs = []
    for mid, start, limit, off, name, build in mappings:
        m = (fv(1, mid) + fv(2, start) + fv(3, limit) + fv(4, off) + fv(5, st(name))
             + fv(6, st(build)) + fv(7, 1 if mid == 1 else 0) + fv(8, 1 if mid == 1 else 0)
             + fv(9, 1 if mid == 1 else 0) + fv(10, 1 if mid == 1 else 0))
        mapping_msgs.append(fb(3, m))

    # Functions: runtime + roots + libc first, then the service's.
    functions = []  # (name, file, start_line)
    for name, file in RUNTIME:
        functions.append((name, "/usr/local/go/src/runtime/" + file, rng.randint(20, 1500)))
    n_runtime = len(functions)
    for name, file in ROOTS:
        functions.append((name, file, rng.randint(20, 3000)))
    root_funcs = list(range(n_runtime, len(functions)))
    for name in LIBC:
        functions.append((name, "", 0))
    libc_funcs = list(range(len(functions) - len(LIBC), len(functions)))
    while len(functions) < args.functions:
        k = len(functions)
        pkg = PKGS[rng.randrange(len(PKGS))]
        sub = rng.randrange(40)
        typ = TYPES[rng.randrange(len(TYPES))]
        meth = METHODS[rng.randrange(len(METHODS))]
        name = f"github.com/acme/shop/internal/{pkg}/v{sub}.(*{typ}).{meth}{k}"
        file = f"/build/shop/internal/{pkg}/v{sub}/{typ.lower()}.go"
        functions.append((name, file, rng.randint(10, 4000)))
    func_msgs = []
    for i, (name, file, start) in enumerate(functions):
        n = st(name)
        func_msgs.append(fb(5, fv(1, i + 1) + fv(2, n) + fv(3, n) + fv(4, st(file))
                            + fv(5, start)))

    # Locations, in blocks: runtime (4 per runtime function), roots, the service's, and
    # libc at the end (address only for half of them: no symbols).
    n_fn = len(functions)
    first_service_fn = n_runtime + len(root_funcs) + len(LIBC)
    n_loc = args.locations
    n_libc_locs = max(8, n_loc // 50)
    first_service = 4 * n_runtime + len(root_funcs) + 1  # location id
    last_service = n_loc - n_libc_locs  # location id, inclusive
    loc_msgs = []
    runtime_locs, root_locs, libc_locs = [], [], []
    addr = 0x401000
    for lid in range(1, n_loc + 1):
        mapping = 1
        if lid < first_service - len(root_funcs):
            fns = [(lid - 1) % n_runtime]
            runtime_locs.append(lid)
        elif lid < first_service:
            fns = [root_funcs[lid - (first_service - len(root_funcs))]]
            root_locs.append(lid)
        elif lid <= last_service:
            r = rng.random()
            depth = 1 if r < 0.82 else (2 if r < 0.95 else 3)
            fns = [rng.randrange(first_service_fn, n_fn) for _ in range(depth)]
        else:
            fns = [] if rng.random() < 0.5 else [libc_funcs[rng.randrange(len(libc_funcs))]]
            libc_locs.append(lid)
            mapping = 2
        addr += rng.randint(4, 400)
        lines = b"".join(
            fb(4, fv(1, f + 1) + fv(2, functions[f][2] + rng.randint(0, 250))) for f in fns)
        a = addr if mapping == 1 else 0x7F3A1C028000 + rng.randrange(0x1AD000)
        loc_msgs.append(fb(4, fv(1, lid) + fv(2, mapping) + fv(3, a) + lines))

    # Call graph over the service's locations: callees[lid] = 1..6 location ids (the first
    # ones preferred by the walk below).
    n_service = last_service - first_service + 1
    callees = [None] * (n_loc + 1)
    for lid in range(first_service, last_service + 1):
        k = rng.randint(1, 6)
        cs = []
        for _ in range(k):
            if rng.random() < 0.7:
                # Mostly "nearby" code (the same package region) ...
                c = first_service + (lid - first_service + rng.randint(1, 500)) % n_service
            else:
                # ... sometimes anywhere.
                c = rng.randint(first_service, last_service)
            cs.append(c)
        callees[lid] = cs

    vb = [uvarint(i) for i in range(n_loc + 1)]  # varint bytes of each location id

    tail = (b"".join(mapping_msgs) + b"".join(loc_msgs) + b"".join(func_msgs))
    strings = b"".join(fb(6, s.encode()) for s in st.table)
    header = fb(1, vt_samples) + fb(1, vt_cpu)

    def trailer(duration_ns):
        return (fv(9, 1_700_000_000_000_000_000) + fv(10, duration_ns) + fb(11, vt_cpu)
                + fv(12, PERIOD_NS))

    fixed = len(header) + len(tail) + len(strings) + len(trailer(1 << 62))

    samples = total_count = 0
    # The hot paths: --paths stacks of 8-52 frames from a walk on the call graph (from a root,
    # through one of the entry handlers), each with the location it goes on to.
    rand = rng.random
    paths = []
    for _ in range(args.paths):
        target = max(9, min(52, int(rng.gammavariate(2.0, 9.0))))
        stack = [root_locs[int(len(root_locs) * rand() ** 2)]]
        cur = first_service + int(200 * rand() ** 2)  # entry handlers, a few hot
        while len(stack) < target:
            stack.append(cur)
            if rand() < 0.03 and len(stack) > 4 and len(stack) + 2 <= target:
                stack.extend(stack[-3:-1])  # recursion: a;b;a;b
            cs = callees[cur]
            cur = cs[int(len(cs) * rand() ** 2)]
        paths.append((stack, cur))
    n_paths = len(paths)

    dmin, dmax, dsum = 10**9, 0, 0
    written = fixed
    chunk, chunk_bytes = [], 0
    randrange = rng.randrange
    n_runtime_locs = len(runtime_locs)
    with open(args.out, "wb") as out:
        out.write(header)
        while written < args.size:
            # A hot path (picked with a skew), then a short walk of its own to the leaf.
            base, cur = paths[int(n_paths * rand() ** 2)]
            target = min(60, len(base) + 1 + randrange(8))
            stack = base[:]
            while len(stack) < target:
                stack.append(cur)
                cs = callees[cur]
                cur = cs[randrange(len(cs))]
            r = rand()
            if r < 0.35:
                # The leaf is in the runtime (allocation, copying, GC) ...
                stack[-1] = runtime_locs[randrange(n_runtime_locs)]
            elif r < 0.40:
                # ... or in libc.
                stack[-1] = libc_locs[randrange(len(libc_locs))]
            depth = len(stack)
            count = 1 + int(rng.expovariate(0.4))
            locs = b"".join([vb[i] for i in reversed(stack)])  # leaf first
            vals = uvarint(count) + uvarint(count * PERIOD_NS)
            body = b"\x0a" + uvarint(len(locs)) + locs + b"\x12" + uvarint(len(vals)) + vals
            msg = b"\x12" + uvarint(len(body)) + body
            chunk.append(msg)
            chunk_bytes += len(msg)
            written += len(msg)
            samples += 1
            total_count += count
            dmin, dmax, dsum = min(dmin, depth), max(dmax, depth), dsum + depth
            if chunk_bytes >= 8 << 20:
                out.write(b"".join(chunk))
                chunk, chunk_bytes = [], 0
        out.write(b"".join(chunk))
        out.write(tail)
        out.write(strings)
        # As if recorded for as long as 16 busy cores take to accumulate that much CPU time.
        out.write(trailer(total_count * PERIOD_NS // 16))
        out_bytes = out.tell()

    json.dump({
        "bytes": out_bytes, "samples": samples, "total_count": total_count,
        "total_nanoseconds": total_count * PERIOD_NS, "functions": n_fn,
        "locations": n_loc, "mappings": len(mappings), "strings": len(st.table),
        "depth_min": dmin, "depth_max": dmax, "depth_mean": round(dsum / max(1, samples), 1),
        "seed": args.seed,
    }, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
