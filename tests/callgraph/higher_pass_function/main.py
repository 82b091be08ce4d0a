def apply(fn, x):
    return fn(x)


def twice(fn, x):
    return apply(fn, apply(fn, x))


def inc(x):
    return x + 1


def dbl(x):
    return x * 2


def run():
    return apply(inc, 1) + twice(dbl, 1)


assert run() == 6
