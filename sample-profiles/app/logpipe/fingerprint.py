"""Message normalisation and fingerprinting.

Two kinds of digests are used across the pipeline:

* :func:`line_digest` -- a short BLAKE2b digest of a raw line, used by the
  reader to drop redelivered duplicates;
* :func:`pseudonymize` -- a keyed BLAKE2b digest that replaces client
  addresses and user names in exported rows (the warehouse must not hold
  personal data, but analysts still need stable join keys);
* :meth:`Fingerprinter.fingerprint` -- a SHA-256 digest of a *message
  template*, i.e. the message with variable parts (numbers, addresses,
  identifiers, hostnames, quoted values) masked out.  Records that share a
  template share a fingerprint, which is what alerting keys on.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Optional

from logpipe.records import AppRecord

# Order matters: specific shapes first, bare numbers last.
_MASKS = [
    (re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b"), "<ip>"),
    (re.compile(r"\b[\w-]+(?:\.[\w-]+)*\.internal\b"), "<host>"),
    (re.compile(r"\b[0-9a-f]{12,}\b"), "<hex>"),
    (re.compile(r"'[^']*'"), "'<str>'"),
    (re.compile(r"\b[a-z]+\.[a-z]\d+\b"), "<user>"),
    (re.compile(r"\d+(?:\.\d+)?"), "<n>"),
]
_DIGITS = re.compile(r"\d+")


def line_digest(text: str) -> bytes:
    """16-byte BLAKE2b digest of a raw log line."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


#: Key for :func:`pseudonymize`.  Rotated together with the warehouse
#: partitions; a constant here keeps the demo output reproducible.
PSEUDONYM_KEY = b"logpipe-demo-pseudonym-key-2024"


def pseudonymize(value: Optional[str]) -> Optional[str]:
    """Stable keyed pseudonym for a personal identifier (``None`` stays ``None``)."""
    if value is None:
        return None
    return hashlib.blake2b(value.encode("utf-8"), key=PSEUDONYM_KEY, digest_size=8).hexdigest()


def mask_template(message: str) -> str:
    """Replace the variable parts of a message with placeholders.

    >>> mask_template("Timeout after 512ms calling db-3.eu-west.internal:5432/v1")
    'Timeout after <n>ms calling <host>:<n>/v<n>'
    """
    for pattern, placeholder in _MASKS:
        message = pattern.sub(placeholder, message)
    return message


def mask_digits(message: str) -> str:
    """Lighter normalisation for clustering: only runs of digits go."""
    return _DIGITS.sub("#", message)


def template_digest(template: str) -> str:
    """Hex SHA-256 of a template, truncated to 16 characters."""
    return hashlib.sha256(template.encode("utf-8")).hexdigest()[:16]


@dataclass
class TemplateStats:
    """Per-template counters accumulated by :class:`Fingerprinter`."""

    template: str
    count: int = 0
    services: Counter = field(default_factory=Counter)
    levels: Counter = field(default_factory=Counter)
    first_seen: float = float("inf")
    last_seen: float = float("-inf")

    def add(self, record: AppRecord) -> None:
        self.count += 1
        self.services[record.service] += 1
        self.levels[record.level] += 1
        if record.timestamp < self.first_seen:
            self.first_seen = record.timestamp
        if record.timestamp > self.last_seen:
            self.last_seen = record.timestamp

    def as_dict(self) -> dict[str, object]:
        return {
            "template": self.template,
            "count": self.count,
            "services": dict(self.services.most_common()),
            "levels": dict(self.levels.most_common()),
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
        }


class Fingerprinter:
    """Assign templates and fingerprints to application records.

    A small cache maps already-seen messages straight to their template and
    digest; most INFO messages repeat verbatim, most errors do not.
    """

    def __init__(self, cache_size: int = 4096) -> None:
        self.templates: dict[str, TemplateStats] = {}
        self._cache: dict[str, tuple[str, str]] = {}
        self.cache_size = cache_size
        self.cache_hits = 0

    def fingerprint(self, message: str) -> tuple[str, str]:
        """Return ``(template, fingerprint)`` for a message."""
        cached = self._cache.get(message)
        if cached is not None:
            self.cache_hits += 1
            return cached
        template = mask_template(message)
        result = (template, template_digest(template))
        if len(self._cache) >= self.cache_size:
            self._cache.clear()
        self._cache[message] = result
        return result

    def process(self, records: Iterable[AppRecord]) -> list[AppRecord]:
        """Fingerprint records in place and accumulate template stats."""
        out = []
        for record in records:
            template, digest = self.fingerprint(record.message)
            record.template = template
            record.fingerprint = digest
            stats = self.templates.get(digest)
            if stats is None:
                stats = self.templates[digest] = TemplateStats(template)
            stats.add(record)
            out.append(record)
        return out

    def top_templates(self, limit: int = 20) -> list[dict[str, object]]:
        """The most frequent templates, most frequent first."""
        ranked = sorted(self.templates.items(), key=lambda item: (-item[1].count, item[0]))
        return [dict(stats.as_dict(), fingerprint=digest) for digest, stats in ranked[:limit]]
