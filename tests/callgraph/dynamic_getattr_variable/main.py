class Handler:
    def on_get(self):
        return "get"

    def on_post(self):
        return "post"

    def dispatch(self, verb):
        name = "on_" + verb
        return getattr(self, name)()


def run():
    h = Handler()
    return [h.dispatch(v) for v in ("get", "post")]


assert run() == ["get", "post"]
