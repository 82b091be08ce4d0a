def work():
    return _step()


def _step():
    return 1


class Engine:
    def __init__(self):
        self.n = 0

    def start(self):
        return work()
