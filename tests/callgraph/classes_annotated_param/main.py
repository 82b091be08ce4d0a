class Printer:
    def print_it(self, s):
        return s


class Doc:
    def __init__(self, text):
        self.text = text

    def render(self, p: Printer) -> str:
        return p.print_it(self.text)


def publish(doc: Doc, printer: "Printer") -> str:
    return doc.render(printer)


publish(Doc("x"), Printer())
