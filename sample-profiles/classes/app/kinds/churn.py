"""Garbage-collector pressure: a tree of small container objects with parent links (cycles),
built and dropped over and over, as an AST or DOM builder does."""


class Node:
    def __init__(self, kind, parent=None):
        self.kind = kind
        self.parent = parent
        self.children = []


class Element(Node):
    def __init__(self, kind, parent=None, attrs=None):
        super().__init__(kind, parent)
        self.attrs = dict(attrs or ())


def build_tree(depth, fanout):
    root = Element("root")
    level = [root]
    for d in range(depth):
        nxt = []
        for parent in level:
            for i in range(fanout):
                child = Element("n%d" % d, parent, (("i", i),))
                parent.children.append(child)
                nxt.append(child)
        level = nxt
    return root


def count(node):
    total = 1
    for c in node.children:
        total += count(c)
    return total


def churn(rounds):
    kept = []
    seen = 0
    for r in range(rounds):
        tree = build_tree(6, 4)
        seen += count(tree)
        # Keep a few trees alive so the older generations grow and full collections run.
        if r % 8 == 0:
            kept.append(tree)
    return seen, len(kept)
