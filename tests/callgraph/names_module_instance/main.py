from registry import REGISTRY


class Counter:
    def __init__(self):
        self.n = 0

    def bump(self):
        self.n += 1
        return self.n


COUNTER = Counter()


def run():
    COUNTER.bump()
    REGISTRY.add("x")
    return REGISTRY.size()


run()
