import a
import b
from a import helper


def run():
    return a.helper() + b.helper() + helper()


run()
