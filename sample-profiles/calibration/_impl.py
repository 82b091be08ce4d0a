"""Select the pure-Python or the C-accelerated variant of a stdlib module.

Shared by the calibration workloads.  ``load(name, blocked, impl)`` returns

* impl == "c":    the module as ``import name`` gives it (C accelerator in use);
* impl == "pure": a *fresh* copy of the module imported while the accelerator
  modules in ``blocked`` are set to None in sys.modules, so every
  ``try: from _accel import X / except ImportError`` in the module falls back
  to the Python definition.  This is what
  test.support.import_helper.import_fresh_module(name, blocked=...) does; it
  is re-implemented here because distribution Pythons often ship without the
  ``test`` package.  sys.modules is restored afterwards, so nothing else in
  the process is affected.

``check(ok, impl, what)`` exits with status 3 if the selected implementation
is not the expected one (e.g. the pure run is secretly using C code).
"""

from __future__ import annotations

import argparse
import importlib
import sys


def parse_args(description: str, argv=None, extra=None):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--impl", choices=("pure", "c"), required=True,
                        help="pure: stdlib pure-Python module; c: C accelerator")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiply the amount of work (default 1.0)")
    if extra:
        extra(parser)
    return parser.parse_args(argv)


def load(name: str, blocked: list[str], impl: str):
    if impl == "c":
        return importlib.import_module(name)
    names = [name] + list(blocked)
    saved = {k: v for k, v in sys.modules.items()
             if k in names or k.startswith(name + ".")}
    for key in saved:
        del sys.modules[key]
    try:
        for b in blocked:
            sys.modules[b] = None  # makes "import b" raise ImportError
        module = importlib.import_module(name)
    finally:
        for key in [k for k in sys.modules if k in names or k.startswith(name + ".")]:
            del sys.modules[key]
        sys.modules.update(saved)
    return module


def check(ok: bool, impl: str, what: str) -> None:
    if not ok:
        print(f"implementation check failed for --impl {impl}: {what}", file=sys.stderr)
        sys.exit(3)


def is_python(obj) -> bool:
    """True for functions/methods defined in Python source (not builtins)."""
    import inspect
    obj = getattr(obj, "__func__", obj)
    return inspect.isfunction(obj)
