class User:
    def __init__(self, name):
        self.name = name

    def greet(self):
        return fmt(self.name)


def fmt(s):
    return "hi " + s


class Admin(User):
    def greet(self):
        return "admin " + super().greet()
