def cmd_add(a, b):
    return a + b


def cmd_sub(a, b):
    return a - b


COMMANDS = {"add": cmd_add, "sub": cmd_sub}


class Calc:
    def __init__(self):
        self.ops = {"neg": self.neg}

    def neg(self, a, _b):
        return -a

    def run(self, name, a, b):
        if name in self.ops:
            return self.ops[name](a, b)
        return COMMANDS[name](a, b)


def main():
    c = Calc()
    return [c.run(n, 3, 1) for n in ("add", "sub", "neg")]


assert main() == [4, 2, -3]
