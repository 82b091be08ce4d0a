class Config:
    def __init__(self, data):
        self.data = data

    @classmethod
    def default(cls):
        return cls.from_dict({"a": 1})

    @classmethod
    def from_dict(cls, d):
        return cls(d)

    def get(self, k):
        return self.data[k]


def run():
    c = Config.default()
    c2 = c.from_dict({"a": 2})
    return c.get("a") + c2.get("a")


run()
