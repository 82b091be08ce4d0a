def countdown(n):
    while n > 0:
        yield step(n)
        n -= 1


def step(n):
    return n


def accumulator():
    total = 0
    while True:
        x = yield total
        total = combine(total, x)


def combine(a, b):
    return a + b


def run():
    total = 0
    for v in countdown(3):
        total += v
    acc = accumulator()
    next(acc)
    acc.send(1)
    result = total + sum(countdown(2)) + acc.send(2)
    acc.close()  # finish it here: an unclosed generator is closed later by the GC
    return result


assert run() == 12
