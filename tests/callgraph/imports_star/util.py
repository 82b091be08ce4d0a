__all__ = ["public", "Tool"]


def public():
    return _private()


def _private():
    return 1


def not_exported():
    return 2


class Tool:
    def use(self):
        return public()
