"""Sessionization and visit analytics.

A *session* is a run of requests from one visitor in which no two
consecutive requests are more than ``gap`` seconds apart (30 minutes, the
classic web-analytics convention).  Visitors are identified by
:meth:`AccessRecord.visitor_key`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Iterable

from logpipe.records import AccessRecord, Session
from logpipe.stats import Histogram, RunningStats, TopK, group_latency_report, percentiles

DEFAULT_GAP = 30 * 60.0
CONVERSION_ROUTE = "/checkout"


class Sessionizer:
    """Group access records into sessions.

    Records may arrive in any order (shards interleave); they are grouped per
    visitor first and each group is sorted by timestamp before splitting.
    """

    def __init__(self, gap: float = DEFAULT_GAP, include_bots: bool = False) -> None:
        self.gap = gap
        self.include_bots = include_bots
        self.skipped_bots = 0

    def group(self, records: Iterable[AccessRecord]) -> dict[str, list[AccessRecord]]:
        """Bucket records by visitor key."""
        buckets: dict[str, list[AccessRecord]] = defaultdict(list)
        for record in records:
            if not self.include_bots and record.client_kind == "bot":
                self.skipped_bots += 1
                continue
            buckets[record.visitor_key()].append(record)
        return buckets

    def split(self, key: str, requests: list[AccessRecord]) -> list[Session]:
        """Split one visitor's requests into sessions at idle gaps."""
        requests.sort(key=lambda record: (record.timestamp, record.line_no))
        sessions: list[Session] = []
        current = Session(key)
        previous_ts = None
        for record in requests:
            if previous_ts is not None and record.timestamp - previous_ts > self.gap:
                sessions.append(current)
                current = Session(key)
            current.requests.append(record)
            previous_ts = record.timestamp
        if current.requests:
            sessions.append(current)
        return sessions

    def sessionize(self, records: Iterable[AccessRecord]) -> list[Session]:
        """All sessions, ordered by start time then visitor key."""
        sessions: list[Session] = []
        for key, requests in self.group(records).items():
            sessions.extend(self.split(key, requests))
        sessions.sort(key=lambda session: (session.start, session.key))
        return sessions


class SessionAnalytics:
    """Aggregate statistics over a list of sessions."""

    def __init__(self, sessions: list[Session], top_k: int = 15) -> None:
        self.sessions = sessions
        self.top_k = top_k

    def _transitions(self) -> TopK:
        """Most common route-to-route moves within sessions."""
        moves = TopK(self.top_k)
        for session in self.sessions:
            routes = session.routes()
            for before, after in zip(routes, routes[1:]):
                if before != after:
                    moves.add(before + " -> " + after)
        return moves

    def dwell_times(self) -> dict[str, list[float]]:
        """Seconds spent on each route before the next request ("time on page").

        The last request of a session has no successor and therefore no
        dwell time, as in every page-analytics tool.
        """
        dwell: dict[str, list[float]] = defaultdict(list)
        for session in self.sessions:
            requests = session.requests
            for current, following in zip(requests, requests[1:]):
                dwell[current.route or current.path].append(following.timestamp - current.timestamp)
        return dwell

    def _entry_exit(self) -> tuple[TopK, TopK]:
        entries, exits = TopK(self.top_k), TopK(self.top_k)
        for session in self.sessions:
            routes = session.routes()
            entries.add(routes[0])
            exits.add(routes[-1])
        return entries, exits

    def summary(self) -> dict[str, object]:
        """The session section of the analytics report."""
        if not self.sessions:
            return {"sessions": 0}
        durations = [session.duration for session in self.sessions]
        pages = RunningStats()
        page_histogram = Histogram(start=1, factor=2, buckets=10)
        bounces = conversions = with_errors = 0
        kinds: Counter[str] = Counter()
        for session in self.sessions:
            count = session.page_count
            pages.add(count)
            page_histogram.add(count)
            if count == 1:
                bounces += 1
            routes = session.routes()
            if CONVERSION_ROUTE in routes:
                conversions += 1
            if session.error_count:
                with_errors += 1
            kinds[session.key[0]] += 1
        entries, exits = self._entry_exit()
        total = len(self.sessions)
        return {
            "sessions": total,
            "visitors": len({session.key for session in self.sessions}),
            "authenticated_share": round(kinds["u"] / total, 4),
            "bounce_rate": round(bounces / total, 4),
            "conversion_rate": round(conversions / total, 4),
            "error_session_rate": round(with_errors / total, 4),
            "duration_seconds": percentiles(durations),
            "pages": pages.as_dict(),
            "pages_histogram": page_histogram.as_rows(),
            "top_entries": entries.top(),
            "top_exits": exits.top(),
            "top_transitions": self._transitions().top(),
            "dwell_seconds": group_latency_report(
                self.dwell_times(), min_count=20,
                histogram_factory=lambda: Histogram(start=1.0, factor=2.0, buckets=12)),
        }
