class Counter:
    def __init__(self):
        self.n = 0

    def incr(self, x):
        self.n += x
        return self.n


def apply_all(fn, xs):
    return [fn(x) for x in xs]


def run():
    c = Counter()
    apply_all(c.incr, [1, 2])
    return list(map(c.incr, [3]))


run()
