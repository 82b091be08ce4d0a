def double(x):
    return x * 2


def is_big(x):
    return x > 2


def run():
    xs = list(map(lambda x: double(x), [1, 2]))
    ys = sorted(xs, key=lambda v: -double(v))
    zs = list(filter(lambda v: is_big(v), ys))
    return xs, zs


run()
