class BaseError(Exception):
    def __init__(self, what):
        super().__init__(what)
        self.what = describe(what)


def describe(w):
    return "<" + w + ">"


class NotFound(BaseError):
    pass


class Denied(BaseError):
    def __init__(self, what, who):
        super().__init__(what)
        self.who = who


def lookup(key):
    if key == "x":
        raise NotFound(key)
    if key == "y":
        raise Denied(key, "bob")
    return key


def run():
    out = []
    for k in ("x", "y", "z"):
        try:
            out.append(lookup(k))
        except BaseError as e:
            out.append(e.what)
    return out


assert run() == ["<x>", "<y>", "z"]
