import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "src"))

import app  # noqa: E402
from app.util import fmt  # noqa: E402


def run():
    return app.start("x") + fmt("y")


run()
