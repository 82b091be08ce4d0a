class Conn:
    def __init__(self, url):
        self.url = url

    def query(self, q):
        return q


def connect(url: str) -> Conn:
    return Conn(url)


def make_default():
    return connect("db://")


def run():
    c = connect("x")
    c.query("a")
    return make_default().query("b") + connect("y").query("c")


run()
