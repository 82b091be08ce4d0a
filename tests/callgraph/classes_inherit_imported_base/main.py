import base
from base import Plugin


class Hello(Plugin):
    def execute(self):
        return "hello"


class Named(base.Plugin):
    def default_name(self):
        return "named"


Hello().run()
Named().run()
