from ns.mod import g


def h():
    return g() + 1
