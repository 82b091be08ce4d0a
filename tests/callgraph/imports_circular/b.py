import a


def fb(n):
    return a.fa(n)
