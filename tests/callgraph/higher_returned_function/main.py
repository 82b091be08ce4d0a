def add(a, b):
    return a + b


def mul(a, b):
    return a * b


def get_op(name):
    return {"add": add, "mul": mul}[name]


def pick(flag):
    if flag:
        return add
    return mul


def run():
    op = pick(False)
    return get_op("add")(1, 2) + op(2, 2)


assert run() == 7
