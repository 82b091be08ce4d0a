from app.util import fmt

from .util import shout


def start(name):
    return fmt(name) + shout(name)
