class Animal:
    def __init__(self, name):
        self.name = name

    def describe(self):
        return self.sound()

    def sound(self):
        return "..."


class Dog(Animal):
    def fetch(self):
        return self.describe()


class Puppy(Dog):
    def sound(self):
        return "yip"


def run():
    d = Dog("rex")
    p = Puppy("bit")
    return d.fetch() + d.describe() + p.fetch()


run()
