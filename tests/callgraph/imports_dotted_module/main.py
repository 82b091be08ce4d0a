import os.path

import pkg.sub.mod


def run():
    return pkg.sub.mod.f() + len(os.path.basename("/a/b"))


run()
