class AppError(Exception):
    def __init__(self, msg, code=1):
        super().__init__(msg)
        self.code = code


class PlainError(Exception):
    pass


def fail(kind):
    if kind == "app":
        raise AppError("bad", code=2)
    raise PlainError("plain")


def run():
    codes = []
    for kind in ("app", "plain"):
        try:
            fail(kind)
        except AppError as e:
            codes.append(e.code)
        except PlainError:
            codes.append(0)
    return codes


assert run() == [2, 0]
