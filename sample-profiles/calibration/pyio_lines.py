"""Calibration workload: io (pure-Python _pyio vs the C io module).

Writes a deterministic CSV-like text log through a TextIOWrapper over a
BufferedWriter over a BytesIO, then reads it back line by line through a
TextIOWrapper over a BufferedReader (readline / iteration, UTF-8 with
universal newlines), with some seek/tell and read(n) calls, the way a log
tailer re-reads a rotated file from an in-memory snapshot.

--impl pure takes BytesIO, BufferedReader, BufferedWriter and TextIOWrapper
from _pyio (the standard library's pure-Python io implementation);
--impl c takes them from io (the C _io module).  Only these four classes
are used, so all I/O goes through the selected implementation.

    python3 pyio_lines.py --impl pure|c [--scale X]
"""

import random

from _impl import check, is_python, load, parse_args

args = parse_args(__doc__.splitlines()[0])
iomod = load("_pyio" if args.impl == "pure" else "io", [], args.impl)
pure = args.impl == "pure"
for cls in ("BytesIO", "BufferedReader", "BufferedWriter", "TextIOWrapper"):
    check(is_python(getattr(iomod, cls).read) == pure, args.impl,
          f"{cls}.read is {getattr(iomod, cls).read!r}")
BytesIO, BufferedReader = iomod.BytesIO, iomod.BufferedReader
BufferedWriter, TextIOWrapper = iomod.BufferedWriter, iomod.TextIOWrapper

rng = random.Random(31337)
LEVELS = ("INFO", "INFO", "INFO", "WARN", "ERROR", "DEBUG")
NAMES = ("api", "db", "cache", "auth", "wörker", "scheduler", "métrics")
n_lines = int(400_000 * args.scale)

# -- write -------------------------------------------------------------------
raw = BytesIO()
out = TextIOWrapper(BufferedWriter(raw, buffer_size=8192), encoding="utf-8", newline="\n")
levels = [rng.choice(LEVELS) for _ in range(997)]
names = [rng.choice(NAMES) for _ in range(991)]
for i in range(n_lines):
    h = (i * 2654435761) & 0xFFFFFFFF
    out.write(f"{1_700_000_000 + i},{levels[i % 997]},{names[i % 991]},{h % 10_000},req-{h:08x}\n")
out.flush()
data = raw.getvalue()

# -- read it back several ways ------------------------------------------------
errors = 0
chars = 0
for _ in range(2):
    f = TextIOWrapper(BufferedReader(BytesIO(data), buffer_size=8192), encoding="utf-8")
    for line in f:
        chars += len(line)
        if line[11] == "E":  # ...,ERROR,...
            errors += 1
    f.seek(0)
    while True:
        line = f.readline()
        if not line:
            break
        chars += len(line)
    f.seek(0)
    while True:
        block = f.read(4096)
        if not block:
            break
        chars += len(block)

print(f"io[{args.impl}] lines={n_lines} bytes={len(data)} errors={errors} chars={chars}")
