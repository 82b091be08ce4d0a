def repeat(times):
    def decorator(fn):
        def wrapper(*args):
            result = None
            for _ in range(times):
                result = fn(*args)
            return result

        return wrapper

    return decorator


@repeat(2)
def greet(name):
    return name.upper()


def run():
    return greet("x")


run()
