class Report:
    def build(self):
        return self.header() + self.body()

    def header(self):
        return "H"

    def body(self):
        return ""


class Sales(Report):
    def body(self):
        return "sales"


class Audit(Report):
    def header(self):
        return "A"

    def body(self):
        return "audit"


for r in (Sales(), Audit()):
    r.build()
