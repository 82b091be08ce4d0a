import textwrap as tw

import util as u


def run():
    return u.helper(tw.dedent("  x"))


run()
