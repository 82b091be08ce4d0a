def assist():
    return 10


def _hidden():
    return 20
