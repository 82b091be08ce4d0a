def run():
    import json

    import util
    from helpers import assist as a

    return util.helper() + a() + len(json.dumps([]))


def lazy_class():
    from models import Model

    return Model().value()


run()
lazy_class()
