from dataclasses import dataclass


@dataclass
class Point:
    x: int
    y: int = 0

    def norm1(self):
        return abs(self.x) + abs(self.y)


@dataclass(frozen=True)
class Box:
    lo: Point
    hi: Point

    def width(self):
        return self.hi.x - self.lo.x

    def area(self):
        return self.width() * (self.hi.y - self.lo.y)


def run():
    b = Box(Point(0, 0), Point(2, 3))
    return b.area() + b.lo.norm1()


assert run() == 6
