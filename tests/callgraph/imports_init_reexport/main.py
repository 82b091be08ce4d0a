import pkg
from pkg import Motor, work


def run():
    m = Motor()
    return work() + pkg.work() + m.start() + pkg.tools.tool()


run()
