"""Timestamp parsing and formatting helpers.

The log formats carry two timestamp flavours:

* access logs use the Common Log Format stamp ``01/Mar/2024:12:00:01 +0000``;
* application logs use ISO-8601 with milliseconds ``2024-03-01T12:00:01.123Z``.

Both are converted to float epoch seconds (UTC).  We deliberately avoid
:mod:`datetime` on the hot path: constructing aware datetimes per line was a
measurable cost in production, and the calendar arithmetic below is exact for
the proleptic Gregorian calendar.
"""

from __future__ import annotations

MONTHS = {
    "Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6,
    "Jul": 7, "Aug": 8, "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12,
}
MONTH_NAMES = {number: name for name, number in MONTHS.items()}


class TimestampError(ValueError):
    """Raised when a timestamp cannot be parsed."""


def days_from_civil(year: int, month: int, day: int) -> int:
    """Return the number of days since 1970-01-01 for a civil date.

    This is Howard Hinnant's ``days_from_civil`` algorithm, valid for every
    date in the proleptic Gregorian calendar.
    """
    if month <= 2:
        year -= 1
    era = (year if year >= 0 else year - 399) // 400
    yoe = year - era * 400
    shifted_month = month + 9 if month <= 2 else month - 3
    doy = (153 * shifted_month + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(days: int) -> tuple[int, int, int]:
    """Inverse of :func:`days_from_civil`: return ``(year, month, day)``."""
    days += 719468
    era = (days if days >= 0 else days - 146096) // 146097
    doe = days - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    year = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    if month <= 2:
        year += 1
    return year, month, day


def to_epoch(year: int, month: int, day: int, hour: int, minute: int,
             second: float, offset_minutes: int = 0) -> float:
    """Convert broken-down local time plus a UTC offset to epoch seconds."""
    days = days_from_civil(year, month, day)
    return days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60


def _digits(text: str, start: int, length: int) -> int:
    """Parse ``length`` ASCII digits of ``text`` starting at ``start``."""
    value = 0
    for index in range(start, start + length):
        code = ord(text[index]) - 48
        if code < 0 or code > 9:
            raise TimestampError(f"expected digit at {index} in {text!r}")
        value = value * 10 + code
    return value


def parse_clf(stamp: str) -> float:
    """Parse a Common Log Format timestamp (without the brackets).

    >>> parse_clf("01/Mar/2024:12:00:01 +0000")
    1709294401.0
    """
    if len(stamp) != 26 or stamp[2] != "/" or stamp[6] != "/" or stamp[11] != ":":
        raise TimestampError(f"malformed CLF timestamp {stamp!r}")
    day = _digits(stamp, 0, 2)
    month = MONTHS.get(stamp[3:6])
    if month is None:
        raise TimestampError(f"unknown month in {stamp!r}")
    year = _digits(stamp, 7, 4)
    hour = _digits(stamp, 12, 2)
    minute = _digits(stamp, 15, 2)
    second = _digits(stamp, 18, 2)
    sign = stamp[21]
    if sign not in "+-":
        raise TimestampError(f"malformed offset in {stamp!r}")
    offset = _digits(stamp, 22, 2) * 60 + _digits(stamp, 24, 2)
    if sign == "-":
        offset = -offset
    return float(to_epoch(year, month, day, hour, minute, second, offset))


def parse_iso(stamp: str) -> float:
    """Parse ``YYYY-MM-DDTHH:MM:SS(.fff)Z`` into epoch seconds."""
    if len(stamp) < 20 or stamp[4] != "-" or stamp[10] != "T" or not stamp.endswith("Z"):
        raise TimestampError(f"malformed ISO timestamp {stamp!r}")
    year = _digits(stamp, 0, 4)
    month = _digits(stamp, 5, 2)
    day = _digits(stamp, 8, 2)
    hour = _digits(stamp, 11, 2)
    minute = _digits(stamp, 14, 2)
    second = float(_digits(stamp, 17, 2))
    if stamp[19] == ".":
        fraction = stamp[20:-1]
        second += _digits(fraction, 0, len(fraction)) / (10 ** len(fraction))
    return to_epoch(year, month, day, hour, minute, second)


_clf_day_cache: dict[int, str] = {}


def format_clf(epoch: float) -> str:
    """Format epoch seconds as a UTC Common Log Format timestamp."""
    whole = int(epoch)
    days, rem = divmod(whole, 86400)
    prefix = _clf_day_cache.get(days)
    if prefix is None:
        year, month, day = civil_from_days(days)
        prefix = _clf_day_cache[days] = f"{day:02d}/{MONTH_NAMES[month]}/{year:04d}"
    hour, rem = divmod(rem, 3600)
    minute, second = divmod(rem, 60)
    return f"{prefix}:{hour:02d}:{minute:02d}:{second:02d} +0000"


def format_iso(epoch: float) -> str:
    """Format epoch seconds as ISO-8601 UTC with millisecond precision."""
    millis = int(round(epoch * 1000))
    whole, ms = divmod(millis, 1000)
    days, rem = divmod(whole, 86400)
    year, month, day = civil_from_days(days)
    hour, rem = divmod(rem, 3600)
    minute, second = divmod(rem, 60)
    return (f"{year:04d}-{month:02d}-{day:02d}T"
            f"{hour:02d}:{minute:02d}:{second:02d}.{ms:03d}Z")
