import deco
from deco import traced


@traced
def work():
    return 1


@deco.register("job")
def job():
    return 2


def run():
    return work() + job() + deco.HANDLERS["job"]()


run()
