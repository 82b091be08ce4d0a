"""Record validation rules.

Parsing only guarantees that a line had the right *shape*.  Validation
checks that the values make sense: addresses are real IPv4 addresses, status
codes exist, paths contain only URL-safe characters, timestamps fall inside
the ingest window and so on.  Rules are small objects so that teams can add
their own; :class:`Validator` runs a rule set and keeps per-rule counters.
"""

from __future__ import annotations

import string
from collections import Counter
from typing import Any, Generic, Iterable, Optional, Sequence, TypeVar

from logpipe.records import AccessRecord, AppRecord

RecordT = TypeVar("RecordT")

_PATH_CHARS = frozenset(string.ascii_letters + string.digits + "-._~/%!$&'()*+,;=:@")
_USER_CHARS = frozenset(string.ascii_lowercase + string.digits + "._-")
_KNOWN_STATUS = frozenset({
    100, 101, 200, 201, 202, 204, 206, 301, 302, 303, 304, 307, 308,
    400, 401, 403, 404, 405, 409, 410, 413, 415, 422, 429,
    500, 501, 502, 503, 504,
})


class Rule:
    """A single validation rule.

    :meth:`check` returns ``None`` when the record passes, or a short
    human-readable problem description.
    """

    name = "rule"

    def check(self, record: Any) -> Optional[str]:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


class RangeRule(Rule):
    """Numeric attribute must lie in ``[low, high]``."""

    def __init__(self, name: str, attribute: str, low: float, high: float) -> None:
        self.name = name
        self.attribute = attribute
        self.low = low
        self.high = high

    def check(self, record: Any) -> Optional[str]:
        value = getattr(record, self.attribute)
        if value < self.low or value > self.high:
            return f"{self.attribute}={value} outside [{self.low}, {self.high}]"
        return None


class StatusRule(RangeRule):
    """HTTP status must be in range *and* a code our servers actually emit."""

    def __init__(self) -> None:
        super().__init__("status", "status", 100, 599)

    def check(self, record: AccessRecord) -> Optional[str]:
        problem = super().check(record)
        if problem is None and record.status not in _KNOWN_STATUS:
            problem = f"unknown status {record.status}"
        return problem


class ResponseTimeRule(RangeRule):
    """Response times must be non-negative and below the proxy timeout."""

    def __init__(self, timeout: float = 60.0) -> None:
        super().__init__("response-time", "response_time", 0.0, timeout)


class IPv4Rule(Rule):
    """The client address must be a dotted-quad IPv4 address."""

    name = "ipv4"

    def check(self, record: AccessRecord) -> Optional[str]:
        return ipv4_problem(record.remote_addr)


def ipv4_problem(address: str) -> Optional[str]:
    """Explain why ``address`` is not a valid IPv4 address, or ``None``."""
    parts = address.split(".")
    if len(parts) != 4:
        return f"expected 4 octets in {address!r}"
    for part in parts:
        if not part or len(part) > 3:
            return f"bad octet {part!r}"
        value = 0
        for char in part:
            if char < "0" or char > "9":
                return f"non-digit in octet {part!r}"
            value = value * 10 + (ord(char) - 48)
        if value > 255:
            return f"octet {value} > 255"
        if len(part) > 1 and part[0] == "0":
            return f"leading zero in octet {part!r}"
    return None


class MethodRule(Rule):
    """Only the HTTP methods the shop serves are accepted."""

    name = "method"
    allowed = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

    def check(self, record: AccessRecord) -> Optional[str]:
        if record.method not in self.allowed:
            return f"method {record.method!r} not allowed"
        return None


class PathRule(Rule):
    """Paths must be absolute, URL-safe and free of traversal segments."""

    name = "path"

    def __init__(self, max_length: int = 2048) -> None:
        self.max_length = max_length

    def check(self, record: AccessRecord) -> Optional[str]:
        path = record.path
        if not path.startswith("/"):
            return "relative path"
        if len(path) > self.max_length:
            return "path too long"
        for char in path:
            if char not in _PATH_CHARS:
                return f"illegal character {char!r} in path"
        if "/../" in path or path.endswith("/.."):
            return "path traversal"
        return None


class UserRule(Rule):
    """Authenticated user names follow the account-service naming policy."""

    name = "user"

    def check(self, record: AccessRecord) -> Optional[str]:
        user = record.user
        if user is None:
            return None
        if not 2 <= len(user) <= 64:
            return "user name length"
        for char in user:
            if char not in _USER_CHARS:
                return f"illegal character {char!r} in user"
        return None


class TimeWindowRule(Rule):
    """Timestamps must fall inside the batch's ingest window."""

    name = "time-window"

    def __init__(self, start: float, end: float) -> None:
        self.start = start
        self.end = end

    def check(self, record: Any) -> Optional[str]:
        if not self.start <= record.timestamp < self.end:
            return "timestamp outside ingest window"
        return None


class LevelRule(Rule):
    """Application records must carry a known severity."""

    name = "level"
    levels = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

    def check(self, record: AppRecord) -> Optional[str]:
        return None if record.level in self.levels else f"level {record.level!r}"


class Validator(Generic[RecordT]):
    """Run a rule set over records and keep the ones that pass."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = list(rules)
        self.passed = 0
        self.rejected: Counter[str] = Counter()
        self.examples: dict[str, str] = {}

    @classmethod
    def for_access_log(cls, window_start: float, window_end: float) -> "Validator[AccessRecord]":
        """The standard rule set for access records."""
        return cls([
            IPv4Rule(), MethodRule(), StatusRule(), PathRule(), UserRule(),
            ResponseTimeRule(), RangeRule("size", "size", 0, 1 << 30),
            TimeWindowRule(window_start, window_end),
        ])

    @classmethod
    def for_app_log(cls, window_start: float, window_end: float) -> "Validator[AppRecord]":
        """The standard rule set for application records."""
        return cls([LevelRule(), TimeWindowRule(window_start, window_end)])

    def first_problem(self, record: RecordT) -> Optional[tuple[str, str]]:
        """Return ``(rule name, problem)`` for the first failing rule."""
        for rule in self.rules:
            problem = rule.check(record)
            if problem is not None:
                return rule.name, problem
        return None

    def filter(self, records: Iterable[RecordT]) -> list[RecordT]:
        """Return the records that pass every rule, counting the rest."""
        valid: list[RecordT] = []
        for record in records:
            failure = self.first_problem(record)
            if failure is None:
                valid.append(record)
                continue
            rule_name, problem = failure
            self.rejected[rule_name] += 1
            self.examples.setdefault(rule_name, problem)
        self.passed += len(valid)
        return valid

    def summary(self) -> dict[str, object]:
        return {
            "passed": self.passed,
            "rejected": dict(sorted(self.rejected.items())),
            "examples": dict(sorted(self.examples.items())),
            "rules": [rule.name for rule in self.rules],
        }
