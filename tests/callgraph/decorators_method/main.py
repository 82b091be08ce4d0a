import functools


def audited(fn):
    @functools.wraps(fn)
    def wrapper(self, *args):
        self.calls += 1
        return fn(self, *args)

    return wrapper


def tagged(fn):
    fn.tagged = True
    return fn


class Repo:
    def __init__(self):
        self.calls = 0

    @audited
    def save(self, x):
        return self.validate(x)

    @tagged
    def validate(self, x):
        return bool(x)

    @staticmethod
    @tagged
    def version():
        return 1

    @classmethod
    def create(cls):
        return cls()


r = Repo.create()
r.save(1)
Repo.version()
r.version()
