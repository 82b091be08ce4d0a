"""Small workloads, one per kind of time that brownfield must not count as movable Python.

Each module is a realistic piece of code whose samples land somewhere else than it seems:
``churn`` in the garbage collector, ``patterns`` in the regex engine behind a method chain,
``parsing`` in CPython's parser behind ``ast.parse``, ``deep`` in stacks too deep for py-spy
to read. ``python -m kinds`` runs them all; see ../README.md.
"""
