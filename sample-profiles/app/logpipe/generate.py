"""Deterministic synthetic log corpus.

The analytics pipeline is normally fed from the log shipper's spool
directory.  For demos, benchmarks and the integration tests we synthesise a
corpus instead: a seeded :class:`random.Random` drives a small traffic model
(visitors with concurrent visits walking through the shop's routes) and a
service-log model (mostly INFO chatter with bursts of warnings and errors
whose wording changed between releases).

The same seed and sizes always produce byte-identical files.
"""

from __future__ import annotations

import gzip
import io
import itertools
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Optional, TextIO

from logpipe.timefmt import format_clf, format_iso

#: 2024-03-01T00:00:00Z, the start of the synthetic traffic window.
CORPUS_START = 1709251200.0

FIRST_NAMES = [
    "ana", "ben", "chen", "dara", "eli", "fatima", "gus", "hana", "ivan",
    "jo", "kai", "lena", "marek", "nia", "omar", "pia", "quinn", "rosa",
    "sven", "tara", "uma", "vik", "wen", "xavi", "yara", "zoe",
]

USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36 Edg/121.0.2277.128",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "curl/8.5.0",
    "python-requests/2.31.0",
    "okhttp/4.12.0",
    "Prometheus/2.50.1",
]

# (weight, method, path pattern, base latency in seconds)
ROUTES = [
    (30, "GET", "/api/v1/products/{pid}", 0.045),
    (10, "GET", "/api/v1/products/{pid}/reviews?page={page}&sort=recent", 0.080),
    (12, "GET", "/search?q={word}&page={page}", 0.120),
    (8, "POST", "/api/v1/cart/items", 0.060),
    (6, "DELETE", "/api/v1/cart/items/{iid}", 0.040),
    (4, "POST", "/checkout", 0.350),
    (5, "GET", "/users/{uid}/orders/{oid}", 0.070),
    (14, "GET", "/static/js/app.{hash}.js", 0.004),
    (8, "GET", "/static/css/site.{hash}.css", 0.003),
    (2, "POST", "/login", 0.150),
    (1, "POST", "/logout", 0.020),
    (3, "GET", "/health", 0.001),
]

SEARCH_WORDS = [
    "lamp", "desk", "chair", "kettle", "headphones", "backpack", "monitor",
    "keyboard", "mug", "plant", "rug", "blender", "jacket", "boots",
]

SERVICES = ["checkout", "catalog", "search", "accounts", "cart", "gateway"]
TABLES = ["orders", "order_items", "carts", "inventory", "customers", "payments"]
QUEUES = ["email-outbound", "order-events", "search-reindex", "audit"]

# Each template has several phrasings: the wording drifted across releases,
# which is exactly what the similarity clustering is meant to absorb.
ERROR_TEMPLATES = [
    ("ERROR", "checkout", [
        "Payment declined for order {order}: card ending {card} rejected by issuer (code={code})",
        "Payment was declined for order {order}: card ending in {card} rejected by the issuer (code {code})",
    ]),
    ("ERROR", "gateway", [
        "Timeout after {ms}ms calling {host}:{port}/{endpoint}",
        "Upstream timeout after {ms} ms while calling {host}:{port}/{endpoint}",
        "Timed out after {ms}ms calling {host}:{port}/{endpoint} (no response)",
    ]),
    ("ERROR", "cart", [
        "Connection refused: {host}:{port} (attempt {attempt} of 5)",
        "Connection refused by {host}:{port} on attempt {attempt}/5",
    ]),
    ("ERROR", "accounts", [
        "Deadlock detected while updating table {table} for tenant {tenant}",
        "Deadlock found when trying to update {table} for tenant {tenant}; transaction rolled back",
    ]),
    ("ERROR", "catalog", [
        "Failed to render template {tmpl}.html: KeyError '{key}'",
        "Template {tmpl}.html failed to render: KeyError: '{key}' is undefined",
    ]),
    ("WARNING", "gateway", [
        "User {user} exceeded rate limit of {limit} requests per minute",
        "Rate limit of {limit} req/min exceeded by user {user}",
    ]),
    ("WARNING", "catalog", [
        "Cache miss storm on key product:{pid}, {count} concurrent loaders",
        "Cache stampede detected for key product:{pid} ({count} concurrent loaders)",
    ]),
    ("WARNING", "search", [
        "Slow query ({ms} ms): SELECT * FROM {table} WHERE tenant_id = ? AND status = ?",
        "Slow query took {ms} ms: SELECT id, status FROM {table} WHERE tenant_id = ?",
    ]),
    ("ERROR", "gateway", [
        "Invalid JSON body from client {ip}: Expecting ',' delimiter: line 1 column {col}",
        "Rejected request body from {ip}: invalid JSON, expecting ',' delimiter at column {col}",
    ]),
    ("WARNING", "accounts", [
        "Certificate for {host} expires in {days} days",
        "TLS certificate of {host} will expire in {days} days",
    ]),
    ("CRITICAL", "search", [
        "Worker {worker} restarted after OOM (rss={mb}MB)",
        "Worker process {worker} was killed by the OOM killer (rss {mb} MB) and restarted",
    ]),
    ("ERROR", "checkout", [
        "Retrying message {msgid} on queue {queue} (delivery {attempt})",
        "Redelivering message {msgid} from queue {queue}, delivery attempt {attempt}",
    ]),
]

INFO_MESSAGES = [
    "Request handled",
    "Cache warmed with {count} keys",
    "Feature flag {flag} evaluated to {state}",
    "Background job {job} finished in {ms} ms",
    "Health check passed",
]


class LazyValues(dict):
    """Placeholder values for :meth:`str.format_map`, drawn on first use.

    Message templates only use a few of the available placeholders, so
    values are produced by per-key factories the first time a template asks
    for them (and then reused, e.g. ``user`` and ``ip`` of the same visitor).
    """

    def __init__(self, factories: dict[str, Callable[["LazyValues"], object]]) -> None:
        super().__init__()
        self._factories = factories

    def __missing__(self, key: str) -> object:
        value = self._factories[key](self)
        self[key] = value
        return value


@dataclass(slots=True)
class Visitor:
    """A simulated client: a stable address and browser, maybe a login."""

    user: Optional[str]
    address: str
    user_agent: str


@dataclass(slots=True)
class Visit:
    """An in-progress browsing visit of one visitor."""

    visitor: Visitor
    remaining: int


class LogGenerator:
    """Produce deterministic access and application log lines.

    :param seed: seed for the private random generator.
    :param visitors: size of the simulated visitor population.
    :param concurrency: number of visits interleaved at any moment.
    :param malformed_rate: share of access lines deliberately corrupted so
        that the parser and validator error paths get exercised.
    :param redelivery_rate: probability that a written batch has its tail
        duplicated, as happens when the log shipper retries.
    """

    def __init__(self, seed: int = 1234, visitors: int = 3000,
                 concurrency: int = 120, malformed_rate: float = 0.01,
                 redelivery_rate: float = 0.05) -> None:
        self.rng = random.Random(seed)
        self.concurrency = concurrency
        self.malformed_rate = malformed_rate
        self.redelivery_rate = redelivery_rate
        self._route_weights = list(itertools.accumulate(weight for weight, *_ in ROUTES))
        self.visitors = [self._make_visitor(index) for index in range(visitors)]
        self._path_factories = self._build_path_factories()
        self._message_factories = self._build_message_factories()
        # Most traffic arrives from a limited set of landing pages.
        self._referers = [f"https://shop.example.com{self._fill_path(pattern)}"
                          for _ in range(40) for _, _, pattern, _ in ROUTES]

    # -- population -------------------------------------------------------

    def _make_visitor(self, index: int) -> Visitor:
        rng = self.rng
        user = None
        if rng.random() < 0.55:
            user = f"{rng.choice(FIRST_NAMES)}.{chr(97 + index % 26)}{index}"
        return Visitor(user=user, address=self.random_address(),
                       user_agent=rng.choice(USER_AGENTS))

    def random_address(self) -> str:
        """Pick a client address, biased towards a few known networks."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.25:
            return f"10.{rng.randrange(0, 4)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        if roll < 0.40:
            return f"203.0.113.{rng.randrange(1, 255)}"
        if roll < 0.50:
            return f"198.51.{rng.randrange(100, 102)}.{rng.randrange(1, 255)}"
        if roll < 0.60:
            return f"100.{rng.randrange(64, 128)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        return (f"{rng.randrange(11, 223)}.{rng.randrange(256)}."
                f"{rng.randrange(256)}.{rng.randrange(1, 255)}")

    def _new_visit(self) -> Visit:
        rng = self.rng
        visitor = self.visitors[int(len(self.visitors) * rng.random() ** 1.6)]
        return Visit(visitor=visitor, remaining=1 + int(rng.expovariate(1 / 9)))

    # -- placeholder values -----------------------------------------------

    def _build_path_factories(self) -> dict[str, Callable[[LazyValues], object]]:
        rng = self.rng
        return {
            "pid": lambda _: rng.randrange(1, 5000),
            "page": lambda _: rng.randrange(1, 6),
            "word": lambda _: rng.choice(SEARCH_WORDS),
            "iid": lambda _: rng.randrange(1, 100000),
            "uid": lambda _: rng.randrange(1, 20000),
            "oid": lambda _: rng.randrange(100000, 999999),
            "hash": lambda _: "%08x" % rng.getrandbits(32),
        }

    def _build_message_factories(self) -> dict[str, Callable[[LazyValues], object]]:
        rng = self.rng

        def pick(*options: object) -> Callable[[LazyValues], object]:
            return lambda _: rng.choice(options)

        def visitor_user(values: LazyValues) -> str:
            return values["visitor"].user or "anonymous"

        return {
            "visitor": lambda _: rng.choice(self.visitors),
            "user": visitor_user,
            "ip": lambda values: values["visitor"].address,
            "order": lambda _: rng.randrange(10**6, 10**7),
            "card": lambda _: "%04d" % rng.randrange(10000),
            "code": pick(5, 14, 51, 54, 61, 91),
            "ms": lambda _: rng.randrange(150, 30000),
            "host": lambda _: self._host(),
            "port": pick(5432, 6379, 8080, 8443, 9200),
            "endpoint": pick("v1/charge", "v2/stock", "internal/price", "lookup"),
            "attempt": lambda _: rng.randrange(1, 6),
            "table": pick(*TABLES),
            "tenant": lambda _: f"t-{rng.choice(FIRST_NAMES)}-{rng.randrange(1, 60)}",
            "tmpl": pick("product_page", "cart_summary", "order_mail", "search_results"),
            "key": pick("price", "currency", "user", "image_url", "discount"),
            "limit": pick(60, 120, 600),
            "pid": lambda _: rng.randrange(1, 5000),
            "count": lambda _: rng.randrange(3, 400),
            "col": lambda _: rng.randrange(2, 300),
            "days": lambda _: rng.randrange(1, 30),
            "worker": lambda _: f"{rng.choice(SERVICES)}-worker-{rng.randrange(1, 32)}",
            "mb": lambda _: rng.randrange(900, 4096),
            "msgid": lambda _: "%012x" % rng.getrandbits(48),
            "queue": pick(*QUEUES),
            "flag": pick("new_checkout", "fast_search", "dark_mode"),
            "state": pick("true", "false"),
            "job": pick("sitemap", "reindex", "invoice-batch"),
        }

    # -- access log -----------------------------------------------------

    def _fill_path(self, pattern: str) -> str:
        return pattern.format_map(LazyValues(self._path_factories))

    def _status_for(self, method: str, base_latency: float) -> int:
        roll = self.rng.random()
        if roll < 0.012 + base_latency * 0.02:
            return self.rng.choice((500, 502, 503, 504))
        if roll < 0.05:
            return self.rng.choice((400, 401, 403, 404, 404, 404, 429))
        if method == "GET" and roll < 0.12:
            return 304
        if method == "POST" and roll < 0.2:
            return 201
        return 200

    def access_lines(self, count: int) -> Iterator[str]:
        """Yield ``count`` access-log lines in timestamp order."""
        rng = self.rng
        visits = [self._new_visit() for _ in range(self.concurrency)]
        clock = CORPUS_START
        mean_gap = 2 * 86400 / max(count, 1)
        for _ in range(count):
            clock += rng.expovariate(1 / mean_gap)
            slot = rng.randrange(len(visits))
            visit = visits[slot]
            visit.remaining -= 1
            if visit.remaining <= 0:
                visits[slot] = self._new_visit()
            _, method, pattern, base = rng.choices(ROUTES, cum_weights=self._route_weights)[0]
            path = self._fill_path(pattern)
            status = self._status_for(method, base)
            latency = base * rng.lognormvariate(0.0, 0.6)
            if status >= 500:
                latency += rng.uniform(0.5, 5.0)
            size = 0 if status == 304 else int(rng.lognormvariate(7.5, 1.1))
            visitor = visit.visitor
            referer = "-" if rng.random() < 0.3 else rng.choice(self._referers)
            line = (f'{visitor.address} - {visitor.user or "-"} [{format_clf(clock)}] '
                    f'"{method} {path} HTTP/1.1" {status} {size} '
                    f'"{referer}" "{visitor.user_agent}" {latency:.4f}')
            if rng.random() < self.malformed_rate:
                line = self._corrupt(line)
            yield line

    def _corrupt(self, line: str) -> str:
        """Damage a line the way real shippers and clients do."""
        kind = self.rng.randrange(5)
        if kind == 0:
            return line[: self.rng.randrange(10, len(line) - 10)]
        if kind == 1:
            return "300" + line[line.index("."):]
        if kind == 2:
            return line.replace("HTTP/1.1\" ", "HTTP/1.1\" 2x0 ", 1)
        if kind == 3:
            return line.replace("\"GET ", "\"PROPFIND ", 1).replace("\"POST ", "\"BREW ", 1)
        return line.replace("[", "[32/", 1)

    # -- application log ------------------------------------------------

    def _host(self) -> str:
        rng = self.rng
        return f"{rng.choice(('db', 'redis', 'payments', 'search', 'inventory'))}-{rng.randrange(1, 9)}.{rng.choice(('eu-west', 'us-east', 'ap-south'))}.internal"

    def app_lines(self, count: int, error_share: float = 0.3) -> Iterator[str]:
        """Yield ``count`` application-log lines in timestamp order."""
        rng = self.rng
        clock = CORPUS_START
        mean_gap = 2 * 86400 / max(count, 1)
        for _ in range(count):
            clock += rng.expovariate(1 / mean_gap)
            values = LazyValues(self._message_factories)
            if rng.random() < error_share:
                level, service, phrasings = rng.choice(ERROR_TEMPLATES)
                # Newer phrasings roll out gradually over the two days.
                progress = (clock - CORPUS_START) / (2 * 86400)
                variant = min(len(phrasings) - 1, int(rng.random() * len(phrasings) * (0.5 + progress)))
                message = phrasings[variant].format_map(values)
            else:
                level = rng.choice(("INFO", "INFO", "INFO", "DEBUG"))
                service = rng.choice(SERVICES)
                message = rng.choice(INFO_MESSAGES).format_map(values)
            logger = f"shop.{service}.{rng.choice(('api', 'worker', 'db', 'client'))}"
            fields = (f"trace={rng.getrandbits(64):016x} span={rng.getrandbits(32):08x} "
                      f"user={values['user']} latency_ms={rng.randrange(1, 2500)}")
            line = f"{format_iso(clock)} {level} [{service}] {logger} - {message} | {fields}"
            if service in ("checkout", "cart") and rng.random() < 0.5:
                payload = {
                    "order_id": values["order"],
                    "amount": round(rng.uniform(3, 900), 2),
                    "currency": rng.choice(("EUR", "USD", "GBP")),
                    "items": [rng.randrange(1, 5000) for _ in range(rng.randrange(1, 6))],
                }
                line += " payload=" + json.dumps(payload, separators=(",", ":"))
            yield line

    # -- files ------------------------------------------------------------

    def write_corpus(self, directory: Path, access_count: int, app_count: int,
                     shards: int = 4, gzip_app_logs: bool = True) -> list[Path]:
        """Write the corpus as ``access-NN.log`` and ``app-NN.log[.gz]`` shards.

        Lines are distributed round-robin in chunks so that every shard
        covers the whole time window, like logs shipped from several hosts.
        Service logs arrive already rotated and gzip-compressed by default.
        """
        directory.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        for prefix, lines, compress in (
                ("access", self.access_lines(access_count), False),
                ("app", self.app_lines(app_count), gzip_app_logs)):
            suffix = ".log.gz" if compress else ".log"
            paths = [directory / f"{prefix}-{index:02d}{suffix}" for index in range(shards)]
            handles = [_open_shard(path, compress) for path in paths]
            try:
                buffers: list[list[str]] = [[] for _ in paths]
                for number, line in enumerate(lines):
                    buffer = buffers[(number // 64) % shards]
                    buffer.append(line + "\n")
                    if len(buffer) >= 512:
                        handle = handles[(number // 64) % shards]
                        handle.writelines(buffer)
                        if self.rng.random() < self.redelivery_rate:
                            # The shipper timed out waiting for an ack and
                            # sent the tail of the batch again.
                            handle.writelines(buffer[-16:])
                        buffer.clear()
                for handle, buffer in zip(handles, buffers):
                    handle.writelines(buffer)
            finally:
                for handle in handles:
                    handle.close()
            written.extend(paths)
        return written


def _open_shard(path: Path, compress: bool) -> TextIO:
    """Open a shard for writing; gzip members get a fixed mtime for reproducibility."""
    if not compress:
        return path.open("w", encoding="utf-8", newline="\n")
    raw = gzip.GzipFile(filename=path.name, mode="wb", compresslevel=6,
                        fileobj=path.open("wb"), mtime=0)
    return _ClosingTextWrapper(raw, encoding="utf-8", newline="\n")


class _ClosingTextWrapper(io.TextIOWrapper):
    """Text wrapper that also closes the file under a :class:`gzip.GzipFile`.

    ``GzipFile`` does not close a ``fileobj`` it was given, so closing the
    wrapper would otherwise leak the underlying file handle.
    """

    def close(self) -> None:
        gzip_file = self.buffer
        underlying = getattr(gzip_file, "fileobj", None)
        super().close()
        if underlying is not None:
            underlying.close()
