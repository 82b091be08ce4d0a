class Engine:
    def start(self):
        return "vroom"


class Wheel:
    def __init__(self, n):
        self.n = n

    def spin(self):
        return self.n


class Car:
    def __init__(self):
        self.engine = Engine()
        self.front = Wheel(1)

    def drive(self):
        return self.engine.start(), self.front.spin()


Car().drive()
