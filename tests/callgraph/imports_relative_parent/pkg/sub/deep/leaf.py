from ... import util
from ...base import shared
from .. import helpers


def run():
    return shared() + helpers.assist() + util.tool()
