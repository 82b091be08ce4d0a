def first():
    return 1


def second():
    return 2


handler = first


def use():
    return handler()


def swap():
    global handler
    handler = second


def local_rebinding():
    fn = first
    x = fn()
    fn = second
    return x + fn()


def run():
    a = use()
    swap()
    b = use()
    return a, b, local_rebinding()


run()
