def bold(fn):
    def wrap_bold():
        return "<b>" + fn() + "</b>"

    return wrap_bold


def italic(fn):
    def wrap_italic():
        return "<i>" + fn() + "</i>"

    return wrap_italic


def tag(name):
    def deco(fn):
        fn.tag = name
        return fn

    return deco


@bold
@italic
@tag("x")
def text():
    return "t"


assert text() == "<b><i>t</i></b>"
