from json import dumps as to_json

from util import helper as h, other as o


def helper():
    return "local"


def run():
    return to_json([h(), helper(), o()])


run()
