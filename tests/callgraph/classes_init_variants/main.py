class Own:
    def __init__(self):
        self.v = 1


class Inherits(Own):
    pass


class NoInit:
    x = 1


class DeepNoInit(NoInit):
    pass


def run():
    return [Own(), Inherits(), NoInit(), DeepNoInit()]


run()
