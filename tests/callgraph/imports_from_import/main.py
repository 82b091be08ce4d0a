from json import dumps

from util import helper


def run():
    return dumps(helper())


run()
