from a import helper as a_helper


def helper():
    return a_helper() + 1
