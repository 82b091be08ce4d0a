import functools
from functools import partial


def square(x):
    return x * x


def is_even(x):
    return x % 2 == 0


def key(x):
    return -x


def add(a, b):
    return a + b


def power(base, exp):
    return base**exp


cube = partial(power, exp=3)


def run():
    xs = [3, 1, 2]
    a = list(map(square, xs))
    b = list(filter(is_even, xs))
    c = sorted(xs, key=key)
    d = functools.reduce(add, xs)
    e = max(xs, key=key)
    f = functools.partial(power, 2)(5) + cube(2)
    return a, b, c, d, e, f


run()
