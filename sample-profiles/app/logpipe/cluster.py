"""Similarity clustering of error messages.

Template fingerprints (:mod:`logpipe.fingerprint`) group messages that are
identical up to masked values.  They do not help when the *wording* of a
message changes between releases ("Payment declined for order ..." versus
"Payment was declined for order ..."), or when variable parts that we do not
mask (table names, tenants, queue names) split one problem into many
templates.  This module groups such messages with a leader algorithm over a
normalised Levenshtein similarity.

The edit distance is plain dynamic programming in Python and is, by a wide
margin, the most expensive step of the pipeline -- the prime candidate for a
native rewrite.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Optional

from logpipe.fingerprint import mask_digits, template_digest


def edit_distance(a: str, b: str, limit: Optional[int] = None) -> int:
    """Levenshtein distance between ``a`` and ``b``.

    If ``limit`` is given the computation stops as soon as the distance is
    known to exceed it, and ``limit + 1`` is returned.
    """
    if a == b:
        return 0
    # Common prefixes and suffixes never contribute to the distance.
    start = 0
    shortest = min(len(a), len(b))
    while start < shortest and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a -= 1
        end_b -= 1
    a, b = a[start:end_a], b[start:end_b]
    if len(a) < len(b):
        a, b = b, a
    if limit is not None and len(a) - len(b) > limit:
        return limit + 1
    if not b:
        return len(a)
    previous = list(range(len(b) + 1))
    for row, char_a in enumerate(a, start=1):
        current = [row]
        row_min = row
        for column, char_b in enumerate(b, start=1):
            cost = 0 if char_a == char_b else 1
            value = min(previous[column] + 1,
                        current[column - 1] + 1,
                        previous[column - 1] + cost)
            current.append(value)
            if value < row_min:
                row_min = value
        if limit is not None and row_min > limit:
            return limit + 1
        previous = current
    distance = previous[-1]
    if limit is not None and distance > limit:
        return limit + 1
    return distance


def similarity(a: str, b: str, threshold: float = 0.0) -> float:
    """Normalised similarity in [0, 1]: ``1 - distance / max(len)``.

    Pairs that cannot reach ``threshold`` may be cut short and reported as
    some value below it.
    """
    longest = max(len(a), len(b))
    if longest == 0:
        return 1.0
    limit = int((1.0 - threshold) * longest)
    distance = edit_distance(a, b, limit if threshold > 0 else None)
    return 1.0 - distance / longest


def tokens(message: str) -> frozenset[str]:
    """Lower-cased word tokens used for the cheap pre-filter."""
    cleaned = []
    for char in message.lower():
        cleaned.append(char if char.isalnum() or char in "_#" else " ")
    return frozenset("".join(cleaned).split())


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard index of two token sets."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


@dataclass
class Cluster:
    """A group of similar messages led by its first member."""

    leader: str
    leader_tokens: frozenset[str]
    members: Counter = field(default_factory=Counter)
    services: Counter = field(default_factory=Counter)

    @property
    def size(self) -> int:
        return sum(self.members.values())

    def as_dict(self, examples: int = 3) -> dict[str, object]:
        return {
            "id": template_digest(self.leader),
            "leader": self.leader,
            "size": self.size,
            "distinct": len(self.members),
            "services": dict(self.services.most_common()),
            "examples": [message for message, _ in self.members.most_common(examples)],
        }


class MessageClusterer:
    """Leader clustering of messages by edit-distance similarity.

    Messages are considered most frequent first; each joins the most similar
    existing cluster whose leader is at least ``threshold`` similar, or
    founds a new cluster.  A token Jaccard pre-filter and a length-ratio
    check skip pairs that cannot possibly match.

    :param threshold: minimum normalised similarity to join a cluster.
    :param token_floor: minimum token Jaccard index to even compare.
    :param max_messages: cap on distinct messages clustered (the rest are
        counted as ``unclustered``).
    """

    def __init__(self, threshold: float = 0.75, token_floor: float = 0.1,
                 max_messages: int = 2000) -> None:
        self.threshold = threshold
        self.token_floor = token_floor
        self.max_messages = max_messages
        self.clusters: list[Cluster] = []
        self.comparisons = 0
        self.prefiltered = 0
        self.unclustered = 0

    def _best_cluster(self, message: str, message_tokens: frozenset[str]) -> Optional[Cluster]:
        length = len(message)
        best: Optional[Cluster] = None
        best_score = self.threshold
        for cluster in self.clusters:
            leader = cluster.leader
            shorter, longer = sorted((length, len(leader)))
            if shorter < longer * self.threshold:
                self.prefiltered += 1
                continue
            if jaccard(message_tokens, cluster.leader_tokens) < self.token_floor:
                self.prefiltered += 1
                continue
            self.comparisons += 1
            score = similarity(message, leader, self.threshold)
            if score >= best_score:
                best, best_score = cluster, score
        return best

    def fit(self, messages: Iterable[tuple[str, str]]) -> list[Cluster]:
        """Cluster ``(service, message)`` pairs.

        Messages are normalised with :func:`mask_digits` first, so ids and
        counters never make two messages look different.
        """
        counts: Counter[str] = Counter()
        services: dict[str, Counter] = {}
        for service, message in messages:
            normalised = mask_digits(message)
            counts[normalised] += 1
            services.setdefault(normalised, Counter())[service] += 1

        def ranked() -> list[tuple[str, int]]:
            # Most frequent first; ties by text so results are deterministic.
            ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
            self.unclustered = sum(count for _, count in ordered[self.max_messages:])
            return ordered[: self.max_messages]

        for message, count in ranked():
            message_tokens = tokens(message)
            cluster = self._best_cluster(message, message_tokens)
            if cluster is None:
                cluster = Cluster(leader=message, leader_tokens=message_tokens)
                self.clusters.append(cluster)
            cluster.members[message] += count
            cluster.services.update(services[message])
        self.clusters.sort(key=lambda cluster: (-cluster.size, cluster.leader))
        return self.clusters

    def summary(self, limit: int = 25) -> dict[str, object]:
        return {
            "clusters": len(self.clusters),
            "comparisons": self.comparisons,
            "prefiltered": self.prefiltered,
            "unclustered": self.unclustered,
            "threshold": self.threshold,
            "top": [cluster.as_dict() for cluster in self.clusters[:limit]],
        }
