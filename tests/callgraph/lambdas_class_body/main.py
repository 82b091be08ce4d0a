def weight(x):
    return -x


class Sorter:
    default_key = staticmethod(lambda x: weight(x))

    def sort(self, xs):
        return sorted(xs, key=self.default_key)

    def sort_inline(self, xs):
        return sorted(xs, key=lambda x: weight(x) * 2)


s = Sorter()
s.sort([1, 2])
s.sort_inline([1, 2])
