class Base:
    def __init__(self, x):
        self.x = x

    def render(self):
        return str(self.x)


class Mid(Base):
    def __init__(self, x):
        super().__init__(x)

    def render(self):
        return "[" + super().render() + "]"


class Leaf(Mid):
    def __init__(self):
        super(Leaf, self).__init__(1)

    def render(self):
        return super(Leaf, self).render() + "!"


assert Leaf().render() == "[1]!"
