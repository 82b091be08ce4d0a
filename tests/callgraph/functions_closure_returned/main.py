def make_adder(n):
    def add(x):
        return clamp(x + n)

    return add


def clamp(v):
    return min(v, 100)


def run():
    add5 = make_adder(5)
    return add5(1) + make_adder(2)(3)


run()
