def f(x):
    return x + 1


def g(x):
    return x * 2


def keep(x):
    return x > 1


TABLE = {k: f(k) for k in range(2)}


def run():
    a = [f(x) for x in range(3) if keep(x)]
    b = {g(x) for x in a}
    c = {x: g(x) for x in a}
    d = sum(f(x) for x in a)
    e = [[g(y) for y in range(x)] for x in range(2)]
    return a, b, c, d, e


run()
