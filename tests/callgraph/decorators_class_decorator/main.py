PLUGINS = []


def plugin(cls):
    PLUGINS.append(cls)
    return cls


def with_greeting(greeting):
    def apply(cls):
        cls.greeting = greeting
        return cls

    return apply


@plugin
@with_greeting("hi ")
class Echo:
    def __init__(self, text):
        self.text = text

    def run(self):
        return self.greeting + self.text


def run_all():
    return [p("x").run() for p in PLUGINS]


Echo("y").run()
run_all()
