def helper(x):
    return _double(x)


def _double(x):
    return x * 2
