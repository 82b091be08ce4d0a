from ..base import shared


def assist():
    return shared() * 10
