def helper():
    return inner()


def inner():
    return [1]
