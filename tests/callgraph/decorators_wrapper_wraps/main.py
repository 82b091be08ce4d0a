import functools


def logged(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        note(fn.__name__)
        return fn(*args, **kwargs)

    return wrapper


def note(name):
    return name


@logged
def add(a, b):
    return a + b


def run():
    return add(1, 2)


assert run() == 3
