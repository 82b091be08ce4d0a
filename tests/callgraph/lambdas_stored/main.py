def helper(x):
    return x + 1


def other(x):
    return x - 1


to_str = lambda x: str(helper(x))  # noqa: E731


def apply(fn, x):
    return fn(x)


def run():
    local = lambda y: helper(y) * 2  # noqa: E731
    return local(1) + len(to_str(2)) + apply(lambda z: other(z), 3)


run()
(lambda: other(0))()
