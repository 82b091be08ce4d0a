def fact(n):
    return 1 if n <= 1 else n * fact(n - 1)


def walk(tree):
    total = tree["v"]
    for child in tree["kids"]:
        total += walk(child)
    return total


def is_even(n):
    return True if n == 0 else is_odd(n - 1)


def is_odd(n):
    return False if n == 0 else is_even(n - 1)


fact(4)
walk({"v": 1, "kids": [{"v": 2, "kids": []}]})
is_even(3)
