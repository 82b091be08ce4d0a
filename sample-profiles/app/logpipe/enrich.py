"""Record enrichment: client classification, network lookup, route templates.

Every valid access record gets:

* ``client_kind`` / ``browser`` from the user agent (:class:`UserAgentClassifier`),
* ``subnet`` (its /24) and ``network`` (the named CIDR block it belongs to,
  if any) from :class:`SubnetIndex`,
* ``route``, the request path with identifiers replaced by placeholders
  (:func:`route_template`), so that ``/api/v1/products/17`` and
  ``/api/v1/products/4242`` aggregate together.
"""

from __future__ import annotations

from typing import Iterable, Optional

from logpipe.records import AccessRecord

#: Named networks used for traffic attribution.
DEFAULT_NETWORKS = [
    ("10.0.0.0/8", "corp-internal"),
    ("10.1.0.0/16", "office-berlin"),
    ("10.2.0.0/16", "office-lisbon"),
    ("100.64.0.0/10", "carrier-nat"),
    ("198.51.100.0/24", "partner-feeds"),
    ("198.51.101.0/24", "partner-feeds-b"),
    ("203.0.113.0/24", "monitoring"),
    ("203.0.113.128/25", "monitoring-eu"),
    ("66.249.64.0/19", "googlebot"),
    ("157.55.0.0/16", "bingbot"),
]


def ip_to_int(address: str) -> int:
    """Convert dotted-quad notation to a 32-bit integer."""
    value = 0
    for part in address.split("."):
        value = (value << 8) | int(part)
    return value


def int_to_ip(value: int) -> str:
    """Convert a 32-bit integer back to dotted-quad notation."""
    return ".".join(str((value >> shift) & 0xFF) for shift in (24, 16, 8, 0))


def prefix_mask(length: int) -> int:
    """Network mask for a prefix length, e.g. 24 -> 0xFFFFFF00."""
    return (0xFFFFFFFF << (32 - length)) & 0xFFFFFFFF if length else 0


def parse_cidr(cidr: str) -> tuple[int, int]:
    """Parse ``a.b.c.d/len`` into ``(network, length)``, normalising the host bits."""
    address, _, length_text = cidr.partition("/")
    length = int(length_text) if length_text else 32
    if not 0 <= length <= 32:
        raise ValueError(f"bad prefix length in {cidr!r}")
    return ip_to_int(address) & prefix_mask(length), length


class SubnetIndex:
    """Longest-prefix-match lookup over a small set of named networks.

    Networks are bucketed by prefix length; a lookup masks the address once
    per distinct length, longest first, and probes a dict.
    """

    def __init__(self, networks: Iterable[tuple[str, str]] = DEFAULT_NETWORKS) -> None:
        self._by_length: dict[int, dict[int, str]] = {}
        for cidr, name in networks:
            network, length = parse_cidr(cidr)
            self._by_length.setdefault(length, {})[network] = name
        self._lengths = sorted(self._by_length, reverse=True)
        self._masks = {length: prefix_mask(length) for length in self._lengths}

    def lookup(self, address: int) -> Optional[str]:
        """Name of the most specific network containing ``address``."""
        for length in self._lengths:
            name = self._by_length[length].get(address & self._masks[length])
            if name is not None:
                return name
        return None

    @staticmethod
    def subnet_of(address: int, length: int = 24) -> str:
        """CIDR string of the ``length`` subnet containing ``address``."""
        return f"{int_to_ip(address & prefix_mask(length))}/{length}"


class UserAgentClassifier:
    """Coarse user-agent classification with a memo table.

    The rules are ordered: bots first (they often claim to be Mozilla),
    then tools and libraries, then browsers, most specific token first.
    """

    BOT_TOKENS = ("Googlebot", "bingbot", "Prometheus", "bot", "spider", "crawler")
    TOOL_TOKENS = ("curl/", "python-requests/", "okhttp/", "Go-http-client/", "wget/")
    BROWSER_TOKENS = (("Edg/", "edge"), ("Firefox/", "firefox"), ("Chrome/", "chrome"),
                      ("Safari/", "safari"))

    def __init__(self) -> None:
        self._memo: dict[str, tuple[str, str]] = {}

    @classmethod
    def with_warm_cache(cls, agents: Iterable[str]) -> "UserAgentClassifier":
        """Build a classifier and pre-classify known agents."""
        classifier = cls()
        for agent in agents:
            classifier.classify(agent)
        return classifier

    def classify(self, agent: str) -> tuple[str, str]:
        """Return ``(kind, family)``, kind in bot/tool/mobile/desktop/unknown."""
        memo = self._memo.get(agent)
        if memo is not None:
            return memo
        result = self._classify_uncached(agent)
        self._memo[agent] = result
        return result

    def _classify_uncached(self, agent: str) -> tuple[str, str]:
        for token in self.BOT_TOKENS:
            if token in agent:
                return "bot", token.rstrip("/").lower()
        for token in self.TOOL_TOKENS:
            if agent.startswith(token):
                return "tool", token.rstrip("/")
        family = "other"
        for token, name in self.BROWSER_TOKENS:
            if token in agent:
                family = name
                break
        if "Mobile" in agent or "Android" in agent or "iPhone" in agent:
            return "mobile", family
        if agent.startswith("Mozilla/"):
            return "desktop", family
        return "unknown", family


def _is_hexish(segment: str) -> bool:
    if len(segment) < 8:
        return False
    for char in segment:
        if char not in "0123456789abcdef":
            return False
    return True


def route_template(path: str) -> str:
    """Replace identifier-like path segments with placeholders.

    >>> route_template("/users/42/orders/913377")
    '/users/{id}/orders/{id}'
    >>> route_template("/static/js/app.1f2e3d4c.js")
    '/static/js/app.{hash}.js'
    """
    segments = path.split("/")
    for index, segment in enumerate(segments):
        if not segment:
            continue
        if segment.isdigit():
            segments[index] = "{id}"
        elif "." in segment:
            pieces = segment.split(".")
            changed = False
            for piece_index, piece in enumerate(pieces):
                if _is_hexish(piece):
                    pieces[piece_index] = "{hash}"
                    changed = True
            if changed:
                segments[index] = ".".join(pieces)
        elif _is_hexish(segment):
            segments[index] = "{hash}"
    return "/".join(segments)


class Enricher:
    """Apply all enrichment steps to access records in place."""

    def __init__(self, subnets: Optional[SubnetIndex] = None,
                 agents: Optional[UserAgentClassifier] = None) -> None:
        self.subnets = subnets or SubnetIndex()
        self.agents = agents or UserAgentClassifier()
        self.network_hits = 0

    def enrich(self, records: Iterable[AccessRecord]) -> list[AccessRecord]:
        out = []
        subnets = self.subnets
        for record in records:
            record.client_kind, record.browser = self.agents.classify(record.user_agent)
            address = ip_to_int(record.remote_addr)
            record.subnet = subnets.subnet_of(address)
            network = subnets.lookup(address)
            if network is not None:
                record.network = network
                self.network_hits += 1
            record.route = route_template(record.path)
            out.append(record)
        return out
