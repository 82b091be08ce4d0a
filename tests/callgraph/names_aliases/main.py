from util import helper


def original():
    return 1


class Widget:
    def __init__(self, n):
        self.n = n

    def size(self):
        return self.n


alias = original
h2 = helper
W = Widget
w = W(2)
size_of_w = w.size


def run():
    g = alias
    return alias() + g() + h2() + size_of_w()


run()
