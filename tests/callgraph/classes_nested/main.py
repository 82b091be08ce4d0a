class Outer:
    class Inner:
        def __init__(self, v):
            self.v = v

        def value(self):
            return self.v

        class Deepest:
            def ping(self):
                return "p"

    def make(self):
        inner = Outer.Inner(3)
        return inner.value() + len(self.Inner.Deepest().ping())


Outer().make()
