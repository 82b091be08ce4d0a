#!/usr/bin/env python3
"""Summarise a py-spy ``--format raw`` capture by function.

Each line of a raw capture is ``frame;frame;...;frame COUNT`` (root first,
leaf last) with frames like ``func (file:line)``.  For every function
(``file:func``, line numbers dropped; ``thread (...)``/``process ...`` root
frames from ``--threads``/``--subprocesses`` are counted separately) this
prints:

* self  -- share of samples in which the function is the leaf frame;
* total -- share of samples in which it appears anywhere on the stack
  (counted once per sample even when it recurses).

With ``--categories RULES.json`` it also buckets every sample by its leaf
frame: RULES is a list of ``[category, [regex, ...]]`` pairs tried in order
against ``file:func:line`` of the leaf frame (first match wins).

CAPTURE may also be a py-spy ``--format speedscope`` JSON file: every sample
of every profile (one profile per thread) counts once, its frames are
rendered ``name (file:line)`` (``name (file)`` for line 0, just ``name`` for
an empty file), and the share of each profile is listed as well.

Usage: summarize_capture.py CAPTURE [--top N] [--markdown] [--module-prefix P]
                            [--categories RULES.json]
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter

FRAME_RE = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


def is_pseudo_frame(frame: str) -> bool:
    """``--threads`` / ``--subprocesses`` add ``thread (TID): NAME`` and
    ``process PID:"CMDLINE"`` root frames; they are not functions."""
    return frame.startswith("thread (") or frame.startswith("process ")


def frame_key(frame: str) -> str:
    """``func (file:line)`` -> ``file:func``; other frames are kept as-is."""
    if is_pseudo_frame(frame):
        return frame
    match = FRAME_RE.match(frame)
    if match is None:
        return frame
    return f"{match.group('file')}:{match.group('func')}"


def leaf_location(frame: str) -> str:
    """``func (file:line)`` -> ``file:func:line`` (used for category rules)."""
    match = FRAME_RE.match(frame)
    if match is None:
        return frame
    return f"{match.group('file')}:{match.group('func')}:{match.group('line') or ''}"


def speedscope_frame(frame: dict) -> str:
    name, file, line = frame["name"], frame.get("file") or "", frame.get("line") or 0
    if not file:
        return name
    return f"{name} ({file}:{line})" if line else f"{name} ({file})"


def read_stacks(path: str, profiles: Counter):
    """Yield ``(frames, count)`` root first, from a raw or speedscope file."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    if text.lstrip().startswith("{"):
        doc = json.loads(text)
        frames = [speedscope_frame(frame) for frame in doc["shared"]["frames"]]
        for profile in doc["profiles"]:
            profiles[profile["name"]] += len(profile["samples"])
            for sample in profile["samples"]:
                yield [frames[index] for index in sample], 1
        return
    for raw in text.splitlines():
        if not raw:
            continue
        stack, _, count_text = raw.rpartition(" ")
        yield ([frame for frame in stack.split(";") if frame] if stack else []), int(count_text)


def load(path: str) -> tuple[int, Counter, Counter, int, Counter, Counter, Counter]:
    self_counts: Counter = Counter()
    leaves: Counter = Counter()
    threads: Counter = Counter()
    profiles: Counter = Counter()
    total_counts: Counter = Counter()
    total = empty = 0
    for frames, count in read_stacks(path, profiles):
        total += count
        while frames and is_pseudo_frame(frames[0]):
            pseudo = frames.pop(0)
            # thread (TID): NAME -> thread (TID); process PID:"CMDLINE" stays whole
            threads[pseudo.split(":")[0] if pseudo.startswith("thread (") else pseudo] += count
        if not frames:
            empty += count
            continue
        leaves[leaf_location(frames[-1])] += count
        keys = [frame_key(frame) for frame in frames]
        self_counts[keys[-1]] += count
        for key in set(keys):
            total_counts[key] += count
    return total, self_counts, total_counts, empty, threads, leaves, profiles


def categorize(leaves: Counter, rules_path: str) -> Counter:
    with open(rules_path, encoding="utf-8") as handle:
        rules = [(name, [re.compile(pattern) for pattern in patterns])
                 for name, patterns in json.load(handle)]
    buckets: Counter = Counter()
    for location, count in leaves.items():
        for name, patterns in rules:
            if any(pattern.search(location) for pattern in patterns):
                buckets[name] += count
                break
        else:
            buckets["other"] += count
    return buckets


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("capture")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--categories", default=None,
                        help="JSON list of [category, [regex, ...]] rules for leaf frames")
    parser.add_argument("--module-prefix", default="",
                        help="only list functions whose file contains this string")
    args = parser.parse_args()
    total, self_counts, total_counts, empty, threads, leaves, profiles = load(args.capture)
    print(f"samples: {total} (samples without Python frames: {empty})")
    for profile, count in sorted(profiles.items(), key=lambda item: -item[1]):
        print(f"  {100.0 * count / total:5.1f}%  profile {profile}")
    for thread, count in sorted(threads.items(), key=lambda item: -item[1]):
        print(f"  {100.0 * count / total:5.1f}%  {thread}")

    def keep(key: str) -> bool:
        return args.module_prefix in key

    for title, counts in (("self", self_counts), ("total", total_counts)):
        ranked = [(key, value) for key, value in counts.most_common() if keep(key)][: args.top]
        print(f"\ntop {args.top} by {title}:")
        if args.markdown:
            print("| function | self % | total % |")
            print("| --- | ---: | ---: |")
        for key, _ in ranked:
            self_share = 100.0 * self_counts[key] / total
            total_share = 100.0 * total_counts[key] / total
            if args.markdown:
                print(f"| `{key}` | {self_share:.1f} | {total_share:.1f} |")
            else:
                print(f"  {self_share:5.1f}% self  {total_share:5.1f}% total  {key}")
    if args.categories:
        print("\nsamples by category of the leaf frame:")
        if args.markdown:
            print("| category | share % |")
            print("| --- | ---: |")
        for name, count in categorize(leaves, args.categories).most_common():
            if args.markdown:
                print(f"| {name} | {100.0 * count / total:.1f} |")
            else:
                print(f"  {100.0 * count / total:5.1f}%  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
