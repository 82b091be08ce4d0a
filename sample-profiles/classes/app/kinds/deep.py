"""Deep recursion: py-spy cannot read stacks this deep and records them empty."""

import sys


def descend(n):
    if n == 0:
        total = 0
        for i in range(20000):
            total += i * i
        return total
    return descend(n - 1)


def deep(rounds, depth):
    sys.setrecursionlimit(max(sys.getrecursionlimit(), depth + 100))
    return sum(descend(depth) for _ in range(rounds))
