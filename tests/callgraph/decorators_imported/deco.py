import functools

HANDLERS = {}


def traced(fn):
    @functools.wraps(fn)
    def inner(*a, **k):
        return fn(*a, **k)

    return inner


def register(name):
    def wrap(fn):
        HANDLERS[name] = fn
        return fn

    return wrap
