def outer():
    def helper():
        return 1

    def middle():
        def inner():
            return helper() + top()

        return inner()

    return middle()


def top():
    return 2


outer()
