class Base:
    def __init__(self):
        self.log = []

    def step(self):
        self.log.append("Base")
        return self.log


class Left(Base):
    def step(self):
        self.log.append("Left")
        return super().step()


class Right(Base):
    def step(self):
        self.log.append("Right")
        return super().step()

    def only_right(self):
        return "r"


class Child(Left, Right):
    def run(self):
        return self.step(), self.only_right()


c = Child()
assert c.run() == (["Left", "Right", "Base"], "r")
