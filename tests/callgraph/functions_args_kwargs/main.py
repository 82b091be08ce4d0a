def default_value():
    return 10


def f(a, b=default_value(), *args, key=None, **kw):
    return a + b + len(args) + len(kw)


def g(*args, **kwargs):
    return f(*args, **kwargs)


def run():
    f(1)
    f(1, 2, 3, key="k", extra=1)
    g(1, b=2)
    return f(**{"a": 1})


run()
