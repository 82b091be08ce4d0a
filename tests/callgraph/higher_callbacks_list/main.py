def on_start():
    return log("start")


def on_stop():
    return log("stop")


def log(m):
    return m


HANDLERS = [on_start, on_stop]


def fire():
    return [h() for h in HANDLERS]


def fire_loop(handlers):
    for h in handlers:
        h()


class Button:
    def __init__(self, on_click):
        self.on_click = on_click

    def click(self):
        return self.on_click()


fire()
fire_loop([on_stop])
Button(on_start).click()
