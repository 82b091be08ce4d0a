def helper():
    return "util"


def other():
    return "other"
