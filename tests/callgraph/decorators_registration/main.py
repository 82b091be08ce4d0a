REGISTRY = {}


def register(fn):
    REGISTRY[fn.__name__] = fn
    return fn


@register
def alpha():
    return helper()


@register
def beta():
    return 2


def helper():
    return 1


def run():
    return alpha() + beta()


run()
