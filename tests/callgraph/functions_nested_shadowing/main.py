def helper():
    return "module"


def run():
    def helper():
        return "local"

    return helper()


def other():
    return helper()


run()
other()
