"""Hand-written field tokenizer for the access-log format.

The combined log format mixes three kinds of fields on one line::

    10.1.2.3 - alice [01/Mar/2024:12:00:01 +0000] "GET /x HTTP/1.1" 200 512 "-" "curl/8.5.0" 0.0123

* bare fields separated by runs of spaces,
* ``[...]`` bracketed fields (the timestamp) that may contain spaces,
* ``"..."`` quoted fields with backslash escapes (request, referer, agent).

A single regular expression for the whole line turned out to be fragile with
escaped quotes inside user agents, so the ingest team wrote this small state
machine instead.  It is intentionally simple, allocation-light Python; it is
also one of the hottest functions of the pipeline, which makes it a rewrite
candidate.
"""

from __future__ import annotations

from typing import Iterable, Iterator

_SPACE = " "
_QUOTE = '"'
_OPEN = "["
_CLOSE = "]"
_ESCAPE = "\\"
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


class TokenizeError(ValueError):
    """Raised for unterminated quoted or bracketed fields."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} at column {position}")
        self.position = position


def split_fields(line: str) -> list[str]:
    """Split one access-log line into its raw fields.

    Quoted fields are returned without their quotes and with escapes
    resolved; bracketed fields are returned without the brackets.

    >>> split_fields('a "b c" [d e] f')
    ['a', 'b c', 'd e', 'f']
    """
    fields: list[str] = []
    length = len(line)
    index = 0
    while index < length:
        char = line[index]
        if char == _SPACE:
            index += 1
            continue
        if char == _QUOTE:
            index += 1
            chunk: list[str] = []
            closed = False
            while index < length:
                char = line[index]
                if char == _ESCAPE and index + 1 < length:
                    chunk.append(_ESCAPES.get(line[index + 1], line[index + 1]))
                    index += 2
                    continue
                if char == _QUOTE:
                    closed = True
                    index += 1
                    break
                chunk.append(char)
                index += 1
            if not closed:
                raise TokenizeError("unterminated quoted field", index)
            fields.append("".join(chunk))
            continue
        if char == _OPEN:
            start = index + 1
            index = start
            while index < length and line[index] != _CLOSE:
                index += 1
            if index >= length:
                raise TokenizeError("unterminated bracketed field", start)
            fields.append(line[start:index])
            index += 1
            continue
        start = index
        while index < length and line[index] != _SPACE:
            index += 1
        fields.append(line[start:index])
    return fields


def split_request(request: str) -> tuple[str, str, str]:
    """Split ``"GET /path?x=1 HTTP/1.1"`` into method, target and protocol."""
    first = request.find(_SPACE)
    last = request.rfind(_SPACE)
    if first < 0 or last == first:
        raise TokenizeError("malformed request line", 0)
    return request[:first], request[first + 1:last], request[last + 1:]


def split_target(target: str) -> tuple[str, dict[str, str]]:
    """Split a request target into path and decoded query parameters."""
    mark = target.find("?")
    if mark < 0:
        return target, {}
    path = target[:mark]
    query: dict[str, str] = {}
    for pair in target[mark + 1:].split("&"):
        if not pair:
            continue
        key, _, value = pair.partition("=")
        query[percent_decode(key)] = percent_decode(value)
    return path, query


def percent_decode(text: str) -> str:
    """Decode ``%XX`` escapes and ``+`` in a query component."""
    if "%" not in text and "+" not in text:
        return text
    out: list[str] = []
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char == "+":
            out.append(" ")
        elif char == "%" and index + 2 < length:
            try:
                out.append(chr(int(text[index + 1:index + 3], 16)))
                index += 3
                continue
            except ValueError:
                out.append(char)
        else:
            out.append(char)
        index += 1
    return "".join(out)


def tokenize_lines(lines: Iterable[str]) -> Iterator[tuple[int, list[str] | None, str]]:
    """Tokenize many lines, yielding ``(line_no, fields_or_None, line)``.

    Lines that fail to tokenize are yielded with ``None`` so that callers can
    count them without wrapping every call in ``try``.
    """
    for number, line in enumerate(lines, start=1):
        try:
            yield number, split_fields(line), line
        except TokenizeError:
            yield number, None, line
