"""Reading log shards from disk.

Shards are plain or gzip-compressed text files.  :class:`ShardReader` yields
``(source, line_no, text)`` triples in shard order, strips line endings,
skips blank lines, and optionally drops exact duplicate lines (the log
shipper redelivers a batch after a timeout, so duplicates do happen).
"""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from logpipe.fingerprint import line_digest


@dataclass
class ReadStats:
    """Counters collected while reading."""

    files: int = 0
    lines: int = 0
    blank: int = 0
    duplicates: int = 0
    bytes_read: int = 0
    per_file: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "files": self.files,
            "lines": self.lines,
            "blank": self.blank,
            "duplicates": self.duplicates,
            "bytes": self.bytes_read,
            "per_file": dict(self.per_file),
        }


def open_text(path: Path) -> io.TextIOBase:
    """Open a shard for reading, transparently handling ``.gz``."""
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors="replace")
    return path.open("r", encoding="utf-8", errors="replace", buffering=1 << 16)


class ShardReader:
    """Iterate over the lines of a set of shard files.

    :param paths: shard files, read in the given order.
    :param dedupe: drop lines whose digest was already seen.
    """

    def __init__(self, paths: Iterable[Path], dedupe: bool = True) -> None:
        self.paths = list(paths)
        self.dedupe = dedupe
        self.stats = ReadStats()
        self._seen: set[bytes] = set()

    @classmethod
    def from_directory(cls, directory: Path, pattern: str, dedupe: bool = True) -> "ShardReader":
        """Build a reader for every file in ``directory`` matching ``pattern``."""
        return cls(sorted(directory.glob(pattern)), dedupe=dedupe)

    def __iter__(self) -> Iterator[tuple[str, int, str]]:
        for path in self.paths:
            yield from self._read_file(path)

    def _read_file(self, path: Path) -> Iterator[tuple[str, int, str]]:
        stats = self.stats
        stats.files += 1
        count = 0
        with open_text(path) as handle:
            for line_no, raw in enumerate(handle, start=1):
                stats.bytes_read += len(raw)
                text = raw.rstrip("\r\n")
                if not text:
                    stats.blank += 1
                    continue
                if self.dedupe and self._is_duplicate(text):
                    stats.duplicates += 1
                    continue
                count += 1
                yield path.name, line_no, text
        stats.lines += count
        stats.per_file[path.name] = count

    def _is_duplicate(self, text: str) -> bool:
        digest = line_digest(text)
        if digest in self._seen:
            return True
        self._seen.add(digest)
        return False


def read_batches(reader: Iterable[tuple[str, int, str]], size: int = 2048) -> Iterator[list[tuple[str, int, str]]]:
    """Group reader output into lists of at most ``size`` items."""
    batch: list[tuple[str, int, str]] = []
    for item in reader:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
