def not_exported():
    return "main"


def _hidden():
    return "main"


from util import *  # noqa: E402,F403  (__all__ keeps main.not_exported)
from helpers import *  # noqa: E402,F403  (no __all__: _hidden is not imported)


def run():
    t = Tool()  # noqa: F405
    return public() + t.use() + assist(), not_exported(), _hidden()  # noqa: F405


run()
