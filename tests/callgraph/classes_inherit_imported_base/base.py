class Plugin:
    def __init__(self):
        self.name = self.default_name()

    def default_name(self):
        return "plugin"

    def run(self):
        return self.execute()

    def execute(self):
        return "base"
