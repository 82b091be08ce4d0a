"""Report serialisation, optionally on a background writer thread.

The pipeline hands finished report sections to :class:`ReportWriter`, which
writes each job to the output directory.  In background mode the writer is a
thread draining a queue, so serialisation overlaps with the remaining
analysis; otherwise jobs are written synchronously on submission.  Outputs:

* ``.json`` documents, pretty-printed for humans,
* ``.jsonl`` streams (one compact JSON document per line), optionally
  gzip-compressed.

When the writer is closed it also produces ``manifest.json`` with the size
and SHA-256 of every file it wrote.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import queue
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional

_STOP = object()


@dataclass
class WriteJob:
    """One file to produce."""

    name: str
    document: Any = None
    rows: Optional[Iterable[Any]] = None
    compress: bool = False
    compresslevel: Optional[int] = None


@dataclass
class WrittenFile:
    name: str
    bytes: int
    sha256: str
    rows: Optional[int] = None


def dump_document(document: Any) -> str:
    """Pretty JSON for human-facing reports (stable key order)."""
    return json.dumps(document, indent=2, sort_keys=True, default=_fallback) + "\n"


def dump_rows(rows: Iterable[Any]) -> tuple[list[str], int]:
    """Compact JSON lines; returns the chunks and the row count."""
    encode = json.JSONEncoder(separators=(",", ":"), default=_fallback).encode
    chunks = []
    for row in rows:
        chunks.append(encode(row))
        chunks.append("\n")
    return chunks, len(chunks) // 2


def _fallback(value: Any) -> Any:
    """Serialise the odd non-JSON value (sets, tuples of tuples, ...)."""
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if hasattr(value, "as_dict"):
        return value.as_dict()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def file_sha256(path: Path, chunk_size: int = 1 << 16) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(chunk_size)
            if not chunk:
                break
            digest.update(chunk)
    return digest.hexdigest()


class ReportWriter(threading.Thread):
    """Background thread that serialises and writes report jobs."""

    def __init__(self, directory: Path, compresslevel: int = 6, background: bool = True) -> None:
        super().__init__(name="report-writer", daemon=True)
        self.directory = directory
        self.background = background
        self.compresslevel = compresslevel
        self.jobs: "queue.Queue[object]" = queue.Queue(maxsize=16)
        self.written: list[WrittenFile] = []
        self.error: Optional[BaseException] = None

    def open(self) -> None:
        """Prepare the output directory and start the thread if needed."""
        self.directory.mkdir(parents=True, exist_ok=True)
        if self.background:
            self.start()

    def submit(self, job: WriteJob) -> None:
        """Queue a job (background mode) or write it right away."""
        if self.error is not None:
            raise RuntimeError("report writer failed") from self.error
        if self.background:
            self.jobs.put(job)
        else:
            self.written.append(self._write(job))

    def run(self) -> None:
        while True:
            job = self.jobs.get()
            if job is _STOP:
                break
            try:
                self.written.append(self._write(job))  # type: ignore[arg-type]
            except BaseException as error:  # surfaced to the submitter
                self.error = error
                break

    def _write(self, job: WriteJob) -> WrittenFile:
        path = self.directory / job.name
        rows = None
        if job.rows is not None:
            chunks, rows = dump_rows(job.rows)
            data = "".join(chunks).encode("utf-8")
        else:
            data = dump_document(job.document).encode("utf-8")
        if job.compress:
            level = job.compresslevel if job.compresslevel is not None else self.compresslevel
            data = gzip.compress(data, compresslevel=level, mtime=0)
            path = path.with_name(path.name + ".gz")
        with path.open("wb") as handle:
            handle.write(data)
        return WrittenFile(name=path.name, bytes=len(data), sha256=file_sha256(path), rows=rows)

    def close(self, timeout: Optional[float] = None) -> list[WrittenFile]:
        """Flush outstanding jobs, write the manifest and stop the thread."""
        if self.background:
            self.jobs.put(_STOP)
            self.join(timeout)
        if self.error is not None:
            raise RuntimeError("report writer failed") from self.error
        manifest = [vars(entry) for entry in sorted(self.written, key=lambda entry: entry.name)]
        (self.directory / "manifest.json").write_text(dump_document({"files": manifest}))
        return self.written
