"""Line parsers for the two log formats.

:class:`AccessLogParser` builds on the hand-written tokenizer in
:mod:`logpipe.tokenizer`; :class:`AppLogParser` uses regular expressions,
because the service-log layout is regular enough and the ``key=value`` tail
is open-ended.  Both share error accounting through :class:`BaseParser`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Generic, Iterable, Iterator, Optional, TypeVar

from logpipe.records import AccessRecord, AppRecord
from logpipe.timefmt import TimestampError, parse_clf, parse_iso
from logpipe.tokenizer import TokenizeError, split_fields, split_request, split_target

RecordT = TypeVar("RecordT")


class ParseError(ValueError):
    """A line could not be turned into a record."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class BaseParser(Generic[RecordT]):
    """Common driver: iterate lines, count successes and failures by reason.

    Subclasses implement :meth:`parse_line`, returning a record or raising
    :class:`ParseError`.
    """

    #: Name used in reports and error counters.
    format_name = "base"

    def __init__(self, keep_samples: int = 5) -> None:
        self.parsed = 0
        self.failures: Counter[str] = Counter()
        self.samples: dict[str, list[str]] = {}
        self.keep_samples = keep_samples

    def parse_line(self, line: str) -> RecordT:
        raise NotImplementedError

    def _record_failure(self, reason: str, line: str) -> None:
        self.failures[reason] += 1
        bucket = self.samples.setdefault(reason, [])
        if len(bucket) < self.keep_samples:
            bucket.append(line[:200])

    def parse_lines(self, lines: Iterable[tuple[str, int, str]]) -> Iterator[RecordT]:
        """Parse ``(source, line_no, text)`` triples, skipping bad lines."""
        for source, line_no, text in lines:
            try:
                record = self.parse_line(text)
            except ParseError as error:
                self._record_failure(error.reason, text)
                continue
            self._annotate(record, source, line_no)
            self.parsed += 1
            yield record

    @staticmethod
    def _annotate(record: RecordT, source: str, line_no: int) -> None:
        record.source = source  # type: ignore[attr-defined]
        record.line_no = line_no  # type: ignore[attr-defined]

    def summary(self) -> dict[str, object]:
        """Counters for the ingest report."""
        return {
            "format": self.format_name,
            "parsed": self.parsed,
            "failed": sum(self.failures.values()),
            "failures": dict(sorted(self.failures.items())),
            "samples": self.samples,
        }


def _optional(value: str) -> Optional[str]:
    return None if value == "-" else value


class AccessLogParser(BaseParser[AccessRecord]):
    """Parser for the combined access-log format plus response time."""

    format_name = "access"
    expected_fields = 10

    def parse_line(self, line: str) -> AccessRecord:
        try:
            fields = split_fields(line)
        except TokenizeError as error:
            raise ParseError("tokenize", str(error)) from None
        if len(fields) != self.expected_fields:
            raise ParseError("field-count", str(len(fields)))
        (address, _ident, user, stamp, request, status, size,
         referer, agent, elapsed) = fields
        try:
            method, target, protocol = split_request(request)
        except TokenizeError:
            raise ParseError("request-line", request) from None
        path, query = split_target(target)
        try:
            timestamp = parse_clf(stamp)
        except TimestampError:
            raise ParseError("timestamp", stamp) from None
        if not status.isdigit():
            raise ParseError("status", status)
        try:
            response_time = float(elapsed)
        except ValueError:
            raise ParseError("response-time", elapsed) from None
        return AccessRecord(
            remote_addr=address,
            user=_optional(user),
            timestamp=timestamp,
            method=method,
            path=path,
            query=query,
            protocol=protocol,
            status=int(status),
            size=int(size) if size.isdigit() else 0,
            referer=_optional(referer),
            user_agent=agent,
            response_time=response_time,
        )


class AppLogParser(BaseParser[AppRecord]):
    """Regex-based parser for the service log.

    ``2024-03-01T00:00:26.922Z ERROR [checkout] shop.checkout.api - msg | k=v k=v payload={...}``
    """

    format_name = "app"

    LINE_RE = re.compile(
        r"^(?P<ts>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) "
        r"(?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL) "
        r"\[(?P<service>[\w.-]+)\] "
        r"(?P<logger>[\w.]+) - "
        r"(?P<message>.*?)"
        r"(?: \| (?P<tail>.*))?$"
    )
    FIELD_RE = re.compile(r"(\w+)=(\{.*\}|\S+)")

    def __init__(self, keep_samples: int = 5, decode_payloads: bool = True) -> None:
        super().__init__(keep_samples=keep_samples)
        self.decode_payloads = decode_payloads
        self.payloads = 0

    def parse_line(self, line: str) -> AppRecord:
        match = self.LINE_RE.match(line)
        if match is None:
            raise ParseError("layout")
        try:
            timestamp = parse_iso(match.group("ts"))
        except TimestampError:
            raise ParseError("timestamp", match.group("ts")) from None
        fields, payload = self._parse_tail(match.group("tail") or "")
        return AppRecord(
            timestamp=timestamp,
            level=match.group("level"),
            service=match.group("service"),
            logger=match.group("logger"),
            message=match.group("message"),
            fields=fields,
            payload=payload,
        )

    def _parse_tail(self, tail: str) -> tuple[dict[str, str], Optional[dict]]:
        fields: dict[str, str] = {}
        payload = None
        for key, value in self.FIELD_RE.findall(tail):
            if key == "payload" and self.decode_payloads:
                try:
                    payload = json.loads(value)
                except ValueError:
                    raise ParseError("payload-json", value[:40]) from None
                self.payloads += 1
            else:
                fields[key] = value
        return fields, payload
