"""Parser time behind a standard-library shell: ``ast.parse`` is ``compile()``, so its samples
are CPython's parser, and the walk over the tree is the only Python here."""

import ast


def source_text(copies):
    body = []
    for i in range(copies):
        body.append(
            "def f%d(a, b=1, *c, **d):\n"
            "    x = [i * a for i in range(b) if i %% 3]\n"
            "    return {k: v for k, v in zip(x, c)}, d.get('k', %d)\n" % (i, i)
        )
    return "".join(body)


def count_calls(tree):
    calls = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            calls += 1
    return calls


def parse_all(rounds):
    text = source_text(300)
    total = 0
    for _ in range(rounds):
        tree = ast.parse(text)
        total += count_calls(tree)
    return total
