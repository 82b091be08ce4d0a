import functools
from functools import lru_cache


@functools.lru_cache(maxsize=None)
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


@lru_cache
def square(n):
    return mul(n, n)


def mul(a, b):
    return a * b


def run():
    return fib(10) + square(3) + square(3)


run()
