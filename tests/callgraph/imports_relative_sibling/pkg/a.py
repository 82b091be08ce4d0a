from . import b
from .b import g as gg
from .c import h


def run():
    return b.f() + gg() + h()
