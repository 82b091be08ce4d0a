def inner(n):
    for i in range(n):
        yield transform(i)


def transform(i):
    return i * 10


def outer():
    yield from inner(2)
    yield from inner(1)


def run():
    return list(outer())


assert run() == [0, 10, 0]
