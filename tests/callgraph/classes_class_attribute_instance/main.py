class Logger:
    def __init__(self, prefix):
        self.prefix = prefix

    def log(self, m):
        return self.prefix + m


def make_prefix():
    return "> "


class Service:
    logger = Logger(make_prefix())

    def work(self):
        return self.logger.log("w") + Service.logger.log("s")


Service().work()
