class MathUtil:
    @staticmethod
    def square(x):
        return x * x

    @staticmethod
    def cube(x):
        return MathUtil.square(x) * x

    def apply(self, x):
        return self.square(x) + self.cube(x)


def run():
    m = MathUtil()
    return MathUtil.square(2) + m.cube(2) + m.apply(3)


run()
