class Builder:
    def __init__(self):
        self.parts = []

    def add(self, p):
        self.parts.append(p)
        return self

    def build(self):
        return "".join(self.parts)


class Service:
    def ping(self):
        return "pong"


def run():
    Service().ping()
    svc = Service()
    svc.ping()
    return Builder().add("a").add("b").build()


run()
