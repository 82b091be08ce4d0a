import b


def fa(n):
    if n <= 0:
        return 0
    return b.fb(n - 1) + 1
