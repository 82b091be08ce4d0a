def fmt(s):
    return s.title()


def shout(s):
    return s.upper()
