"""Record types shared by the pipeline stages.

Records are plain slotted dataclasses: the pipeline creates hundreds of
thousands of them, so we keep them small and avoid per-instance ``__dict__``.
Enrichment fields start empty and are filled in by :mod:`logpipe.enrich`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional


@dataclass(slots=True)
class AccessRecord:
    """One parsed line of the HTTP access log."""

    remote_addr: str
    user: Optional[str]
    timestamp: float
    method: str
    path: str
    query: dict[str, str]
    protocol: str
    status: int
    size: int
    referer: Optional[str]
    user_agent: str
    response_time: float
    source: str = ""
    line_no: int = 0
    # Filled in by the enrichment stage.
    client_kind: str = ""
    browser: str = ""
    subnet: str = ""
    network: str = ""
    route: str = ""

    @property
    def is_error(self) -> bool:
        """True for server-side failures (5xx)."""
        return self.status >= 500

    @property
    def is_client_error(self) -> bool:
        """True for 4xx responses."""
        return 400 <= self.status < 500

    def visitor_key(self) -> str:
        """Key used to group requests into sessions.

        Authenticated users are keyed by user name; anonymous traffic falls
        back to the client address plus the browser family, which is what the
        analytics team settled on after comparing against cookie data.
        """
        if self.user:
            return "u:" + self.user
        return "a:" + self.remote_addr + "/" + (self.browser or "?")

    def to_summary(self) -> dict[str, Any]:
        """A compact JSON-friendly view used in reports."""
        return {
            "ts": self.timestamp,
            "method": self.method,
            "route": self.route or self.path,
            "status": self.status,
            "rt": self.response_time,
        }


@dataclass(slots=True)
class AppRecord:
    """One parsed line of the application (service) log."""

    timestamp: float
    level: str
    service: str
    logger: str
    message: str
    fields: dict[str, str]
    payload: Optional[dict[str, Any]] = None
    source: str = ""
    line_no: int = 0
    # Filled in by the fingerprinting stage.
    template: str = ""
    fingerprint: str = ""

    @property
    def is_error(self) -> bool:
        """True for ERROR and CRITICAL records."""
        return self.level in ("ERROR", "CRITICAL")


@dataclass
class Session:
    """A run of requests from one visitor without long idle gaps."""

    key: str
    requests: list[AccessRecord] = field(default_factory=list)

    @property
    def start(self) -> float:
        return self.requests[0].timestamp

    @property
    def end(self) -> float:
        return self.requests[-1].timestamp

    @property
    def duration(self) -> float:
        return self.end - self.start

    @property
    def page_count(self) -> int:
        return len(self.requests)

    @property
    def error_count(self) -> int:
        return sum(1 for request in self.requests if request.is_error)

    @property
    def bytes_sent(self) -> int:
        return sum(request.size for request in self.requests)

    def routes(self) -> list[str]:
        """The sequence of route templates visited in this session."""
        return [request.route or request.path for request in self.requests]

    def to_json(self) -> dict[str, Any]:
        """Serialisable form written to the sessions report."""
        return {
            "key": self.key,
            "start": self.start,
            "end": self.end,
            "duration": round(self.duration, 3),
            "pages": self.page_count,
            "errors": self.error_count,
            "bytes": self.bytes_sent,
            "routes": self.routes(),
        }
