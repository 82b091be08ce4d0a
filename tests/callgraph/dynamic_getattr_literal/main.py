import util


class Robot:
    def walk(self):
        return "walk"

    def talk(self):
        return "talk"


def run():
    r = Robot()
    return getattr(r, "walk")() + getattr(Robot, "talk")(r) + getattr(util, "helper")()


run()
