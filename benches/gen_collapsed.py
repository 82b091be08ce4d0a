#!/usr/bin/env python3
"""Generates a large folded-stack file that looks like `py-spy record --format raw` output.

A real capture is the template (default: sample-profiles/logpipe.pyspy.txt). Each template
stack is grown into SHAPES deeper variants (10-60 frames) by

  * repeating a segment of its middle frames (recursion: a;b;c;b;c;d), and
  * inserting wrapper frames (decorators, middleware, retry loops) from a small fixed set,

so that stacks share long common prefixes, as real ones do. Each output line then takes one
shape and renames its last 1-8 frames into one of VARIANTS copies of the module
(`parse_line (logpipe/parser.py:165)` -> `parse_line_v17 (logpipe/parser_v17.py:172)`: a
counter suffix on the function and the file, and a line number shifted by a per-variant
offset; copies are picked with a skew, so a few are hot). Most lines are therefore distinct stacks, as in a real py-spy file (py-spy writes each
distinct stack once), while the number of distinct frames stays bounded (template frames x
VARIANTS) and the stack prefix tree grows by a few nodes per line, not by the whole depth.

Template stacks are picked in proportion to their count in the capture (the hot paths stay
hot); each line's count is drawn from the capture's counts. About 1 line in 20 000 is an empty stack
(` COUNT`), as py-spy writes for samples without Python frames.

Deterministic: the same --seed, --size and template give the same bytes (for one Python
version; `random` is seeded with --seed). Writes in 8 MiB chunks.

Prints one JSON line of statistics on stdout (lines, total count, frame depth range, bytes).
"""

import argparse
import json
import random
import re
import sys

FRAME_RE = re.compile(r"^(?P<func>.+) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")

WRAPPERS = [
    ("wrapper", "logpipe/decorators.py", 41),
    ("inner", "logpipe/retry.py", 88),
    ("Middleware.__call__", "logpipe/middleware.py", 57),
    ("TaskRunner._run", "logpipe/tasks.py", 130),
    ("EventBus.dispatch", "logpipe/events.py", 212),
    ("timed.<locals>.wrapped", "logpipe/metrics.py", 19),
    ("contextmanager.__enter__", "contextlib.py", 137),
    ("_GeneratorContextManager.__exit__", "contextlib.py", 144),
]

MIN_DEPTH = 10
MAX_DEPTH = 60


def parse_frame(text):
    """(func, file, line) for `func (file:line)`, `func (file)`; (text, None, None) otherwise."""
    m = FRAME_RE.match(text)
    if not m:
        return (text, None, None)
    line = m.group("line")
    return (m.group("func"), m.group("file"), int(line) if line else None)


def render(frame):
    func, file, line = frame
    if file is None:
        return func
    if line is None:
        return f"{func} ({file})"
    return f"{func} ({file}:{line})"


def load_template(path):
    """The non-empty stacks with their counts, and the counts of every record."""
    stacks, stack_counts, counts = [], [], []
    with open(path, encoding="utf-8") as f:
        for raw in f:
            raw = raw.rstrip("\n").rstrip("\r")
            if not raw.strip():
                continue
            stack, count = raw.rsplit(" ", 1)
            counts.append(int(count))
            frames = [parse_frame(t) for t in stack.split(";")] if stack.strip() else []
            if frames:
                stacks.append(frames)
                stack_counts.append(int(count))
    return stacks, stack_counts, counts


def grow(frames, rng):
    """One deeper variant of a template stack, MIN_DEPTH..MAX_DEPTH frames."""
    frames = list(frames)
    if len(frames) > MAX_DEPTH:
        # Drop frames from the middle (keeps the root and the leaf).
        cut = len(frames) - MAX_DEPTH
        mid = len(frames) // 2 - cut // 2
        del frames[mid : mid + cut]
    target = int(rng.gammavariate(2.0, 9.0))  # mean ~18, long tail
    target = max(MIN_DEPTH, len(frames), min(MAX_DEPTH, target))
    target = min(MAX_DEPTH, target)
    while len(frames) < target:
        room = target - len(frames)
        if rng.random() < 0.6 and len(frames) >= 4:
            # Recursion: repeat frames[i:i+n] right after themselves.
            # Recursion happens in application code, below the entry points: pick the
            # segment in the deeper half of the stack.
            n = rng.randint(1, min(3, len(frames) - 3, room))
            i = rng.randint(min(max(2, len(frames) // 2), len(frames) - 1 - n), len(frames) - 1 - n)
            reps = rng.randint(1, max(1, room // n))
            reps = min(reps, 6)
            frames[i + n : i + n] = frames[i : i + n] * reps
        else:
            i = rng.randint(max(1, len(frames) // 4), len(frames) - 1)
            frames.insert(i, WRAPPERS[rng.randrange(len(WRAPPERS))])
        if len(frames) > target:
            del frames[target - 1 : len(frames) - 1]  # keep the leaf
    return frames


def variant_frame(frame, v):
    """The frame as it appears in module copy `v` (None: the frame is not renamed)."""
    func, file, line = frame
    if file is None or not file.endswith(".py"):
        return None
    stem = file[:-3]
    if line is not None:
        line = line + (v * 7919 + len(func)) % 97
    return (f"{func}_v{v}", f"{stem}_v{v}.py", line)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--template", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--size", type=int, default=1_100_000_000, help="bytes to write (at least)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--shapes", type=int, default=64, help="grown variants per template stack")
    ap.add_argument("--variants", type=int, default=500, help="module copies for renamed frames")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    stacks, counts_of_stacks, counts = load_template(args.template)

    # Pre-render every shape: the frame texts, and for the renamable tail the parsed frames.
    shapes = []
    for frames in stacks:
        for _ in range(args.shapes):
            g = grow(frames, rng)
            shapes.append(([render(f) for f in g], g))

    # Cache of renamed frame texts, (shape frame tuple, v) -> text: bounded by
    # distinct template frames x variants.
    renamed = {}

    chunk, chunk_bytes = [], 0
    written = lines = total = 0
    dmin, dmax, dsum = 10**9, 0, 0
    n_shapes = len(shapes)
    # Pick template stacks in proportion to their count in the capture, so the hot paths of
    # the real program stay hot.
    weighted = [t for t, c in enumerate(counts_of_stacks) for _ in range(c)]
    n_weighted = len(weighted)
    n_per = args.shapes
    n_counts = len(counts)
    randrange = rng.randrange
    random_ = rng.random
    with open(args.out, "w", encoding="utf-8", newline="\n") as out:
        while written < args.size:
            count = counts[randrange(n_counts)]
            if randrange(20000) == 0:
                line = f" {count}\n"
                depth = None
            else:
                texts, parsed = shapes[weighted[randrange(n_weighted)] * n_per + randrange(n_per)]
                # Skewed: low-numbered module copies are hot, as a few modules of a big
                # codebase are.
                v = int(args.variants * random_() ** 3)
                depth = len(texts)
                r = min(depth - 2, 1 + randrange(8))
                texts = texts[:]
                for i in range(depth - r, depth):
                    key = (parsed[i], v)
                    t = renamed.get(key)
                    if t is None:
                        vf = variant_frame(parsed[i], v)
                        t = renamed[key] = render(vf) if vf else texts[i]
                    texts[i] = t
                line = ";".join(texts) + f" {count}\n"
            chunk.append(line)
            n = len(line)  # ASCII template; len == bytes
            chunk_bytes += n
            written += n
            lines += 1
            total += count
            if depth is not None:
                dmin, dmax, dsum = min(dmin, depth), max(dmax, depth), dsum + depth
            if chunk_bytes >= 8 << 20:
                out.write("".join(chunk))
                chunk, chunk_bytes = [], 0
        out.write("".join(chunk))

    json.dump(
        {
            "bytes": written,
            "lines": lines,
            "total": total,
            "depth_min": dmin,
            "depth_max": dmax,
            "depth_mean": round(dsum / max(1, lines), 1),
            "template_stacks": len(stacks),
            "shapes": n_shapes,
            "variants": args.variants,
            "seed": args.seed,
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
