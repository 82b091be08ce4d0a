import importlib


def task_a():
    return 1


def task_b():
    return 2


def run_by_name(name):
    return globals()["task_" + name]()


def run():
    mod = importlib.import_module("plugins.hello")
    return run_by_name("a") + run_by_name("b") + mod.hello()


assert run() == 6
