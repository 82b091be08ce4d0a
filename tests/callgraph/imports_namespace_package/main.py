import ns.mod
from ns import mod as m2
from ns.inner.deep import h


def run():
    return ns.mod.f() + h() + m2.g()


run()
