def max(xs):  # shadows the builtin on purpose
    best = xs[0]
    for x in xs:
        if bigger(x, best):
            best = x
    return best


def bigger(a, b):
    return a > b


def run():
    return max([1, 3, 2]) + len("ab")


run()
