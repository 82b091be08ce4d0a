#!/usr/bin/env python3
"""Deterministic C-parsing workload for pycparser 3.12 (pure Python).

Generates, with a seeded random.Random, a few large *preprocessed* C
translation units, the kind of input pycparser is given after `cpp`: linemarker
lines (`# 12 "include/list.h"`), hundreds of typedefs, struct/union/enum
definitions and extern prototypes from "headers", then function definitions
with declarations, loops, switch statements, pointer arithmetic, casts, calls,
compound literals and initializer lists. Then, for every unit:

1. parse it with pycparser.CParser (the lexer and the recursive-descent parser);
2. walk the AST with a c_ast.NodeVisitor, counting node types and collecting
   function names;
3. regenerate C with c_generator.CGenerator and parse the regenerated text again
   (round trip), checking that it regenerates to the same text.

Prints a short summary (node counts, digests) that is identical from run to run
for the same --seed/--scale. Uses only pycparser and the standard library:

    PYTHONPATH=.cache/site python3 -S workload.py [--scale S] [--seed N]

TRIAL_GC=off disables the cyclic garbage collector (gc.disable()) at start.
The elapsed and CPU times go to stderr.
"""

from __future__ import annotations

import os
import gc

if os.environ.get("TRIAL_GC", "on") == "off":
    gc.disable()

import argparse
import collections
import hashlib
import random
import sys
import time

from pycparser import CParser, c_ast, c_generator

BASE_TYPES = ["int", "unsigned int", "long", "unsigned long", "short", "char",
              "unsigned char", "double", "float", "long long", "unsigned long long"]
WORDS = ["node", "list", "buf", "len", "count", "head", "tail", "key", "value", "hash",
         "size", "cap", "flags", "state", "ctx", "item", "entry", "next", "prev", "data",
         "offset", "index", "width", "height", "color", "mask", "shift", "table", "slot",
         "page", "block", "queue", "stack", "tree", "left", "right", "parent", "child",
         "token", "name", "path", "file", "line", "col", "err", "status", "mode", "pool"]
BINOPS = ["+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^", "<", ">", "<=", ">=",
          "==", "!=", "&&", "||"]
ASSIGNOPS = ["=", "+=", "-=", "*=", "|=", "&=", "^=", "<<=", ">>="]


class Gen:
    """Seeded generator of one preprocessed translation unit."""

    def __init__(self, rng: random.Random, unit: int):
        self.rng = rng
        self.unit = unit
        self.typedefs: list[str] = list(BASE_TYPES)
        self.structs: list[tuple[str, list[tuple[str, str]]]] = []
        self.funcs: list[tuple[str, int]] = []
        self.lines: list[str] = []
        self.n = 0

    def name(self, prefix: str = "") -> str:
        self.n += 1
        r = self.rng
        return f"{prefix}{r.choice(WORDS)}_{r.choice(WORDS)}{self.n}"

    def emit(self, s: str) -> None:
        self.lines.append(s)

    # --- headers ---------------------------------------------------------------
    def header(self, hname: str, items: int) -> None:
        r = self.rng
        self.emit(f'# 1 "include/{hname}.h" 1')
        line = 1
        for _ in range(items):
            line += r.randint(1, 6)
            self.emit(f'# {line} "include/{hname}.h"')
            k = r.random()
            if k < 0.25:
                t = self.name("t_")
                self.emit(f"typedef {r.choice(self.typedefs)} {t};")
                self.typedefs.append(t)
            elif k < 0.5:
                s = self.name("s_")
                fields = [(r.choice(self.typedefs), self.name("f_")) for _ in range(r.randint(2, 9))]
                body = " ".join(
                    f"{ty} {'*' if r.random() < 0.3 else ''}{fn}{'[%d]' % r.randint(2, 64) if r.random() < 0.15 else ''};"
                    for ty, fn in fields
                )
                kw = "union" if r.random() < 0.1 else "struct"
                self.emit(f"typedef {kw} {s} {{ {body} }} {s}_t;")
                self.structs.append((s + "_t", fields))
                self.typedefs.append(s + "_t")
            elif k < 0.6:
                e = self.name("E_")
                vals = ", ".join(f"{e.upper()}_{i}" + (f" = {i * 4}" if i % 3 == 0 else "") for i in range(r.randint(3, 12)))
                self.emit(f"enum {e} {{ {vals} }};")
            else:
                f = self.name("fn_")
                params = ", ".join(
                    f"{'const ' if r.random() < 0.3 else ''}{r.choice(self.typedefs)} {'*' if r.random() < 0.4 else ''}{self.name('p_')}"
                    for _ in range(r.randint(0, 5))
                ) or "void"
                self.emit(f"extern {r.choice(self.typedefs)} {'*' if r.random() < 0.3 else ''}{f}({params});")
                self.funcs.append((f, params.count(",") + 1 if params != "void" else 0))
        self.emit(f'# 2 "unit{self.unit}.c" 2')

    # --- code ------------------------------------------------------------------
    def expr(self, vars_: list[str], depth: int = 0) -> str:
        r = self.rng
        k = r.random()
        if depth > 3 or k < 0.3:
            return r.choice(vars_) if r.random() < 0.7 else str(r.randint(0, 4096))
        if k < 0.65:
            return f"({self.expr(vars_, depth + 1)} {r.choice(BINOPS)} {self.expr(vars_, depth + 1)})"
        if k < 0.75 and self.funcs:
            f, argc = r.choice(self.funcs)
            return f"{f}({', '.join(self.expr(vars_, depth + 2) for _ in range(argc))})"
        if k < 0.82:
            return f"({r.choice(BASE_TYPES)}) {self.expr(vars_, depth + 1)}"
        if k < 0.88:
            return f"{r.choice(vars_)} ? {self.expr(vars_, depth + 1)} : {self.expr(vars_, depth + 1)}"
        if k < 0.94:
            return f"{r.choice(['-', '!', '~'])}({self.expr(vars_, depth + 1)})"
        return f"sizeof({r.choice(self.typedefs)})"

    def stmt(self, vars_: list[str], depth: int, indent: str) -> None:
        r = self.rng
        k = r.random()
        v = r.choice(vars_)
        if depth > 2 or k < 0.45:
            self.emit(f"{indent}{v} {r.choice(ASSIGNOPS)} {self.expr(vars_)};")
        elif k < 0.6:
            i = self.name("i_")
            self.emit(f"{indent}for (int {i} = 0; {i} < {self.expr(vars_, 2)}; {i}++) {{")
            for _ in range(r.randint(1, 4)):
                self.stmt(vars_ + [i], depth + 1, indent + "    ")
            self.emit(f"{indent}}}")
        elif k < 0.75:
            self.emit(f"{indent}if ({self.expr(vars_)}) {{")
            for _ in range(r.randint(1, 3)):
                self.stmt(vars_, depth + 1, indent + "    ")
            self.emit(f"{indent}}} else {{")
            self.stmt(vars_, depth + 1, indent + "    ")
            self.emit(f"{indent}}}")
        elif k < 0.83:
            self.emit(f"{indent}while ({self.expr(vars_, 2)}) {{")
            self.stmt(vars_, depth + 1, indent + "    ")
            self.emit(f"{indent}    if ({v} > {r.randint(1, 99)}) break;")
            self.emit(f"{indent}}}")
        elif k < 0.9:
            self.emit(f"{indent}switch ({v} & {r.randint(3, 15)}) {{")
            for c in range(r.randint(2, 5)):
                self.emit(f"{indent}case {c}:")
                self.stmt(vars_, depth + 1, indent + "    ")
                self.emit(f"{indent}    break;")
            self.emit(f"{indent}default:")
            self.stmt(vars_, depth + 1, indent + "    ")
            self.emit(f"{indent}}}")
        elif k < 0.95 and self.structs:
            st, fields = r.choice(self.structs)
            p = self.name("ps_")
            self.emit(f"{indent}{{ {st} *{p} = ({st} *) &{v};")
            self.emit(f"{indent}  {v} += {p}->{r.choice(fields)[1]} + (*{p}).{r.choice(fields)[1]}; }}")
        else:
            arr = self.name("a_")
            vals = ", ".join(str(r.randint(0, 255)) for _ in range(r.randint(2, 16)))
            self.emit(f"{indent}{{ static const unsigned char {arr}[] = {{ {vals} }}; {v} ^= {arr}[{v} % sizeof {arr}]; }}")

    def function(self) -> None:
        r = self.rng
        f = self.name("impl_")
        nparams = r.randint(1, 4)
        params = [self.name("p_") for _ in range(nparams)]
        sig = ", ".join(f"{r.choice(self.typedefs[:len(BASE_TYPES)])} {p}" for p in params)
        static = "static " if r.random() < 0.5 else ""
        self.emit(f"{static}long {f}({sig})")
        self.emit("{")
        locs = [self.name("l_") for _ in range(r.randint(1, 5))]
        for l_ in locs:
            self.emit(f"    long {l_} = {r.randint(0, 100)};")
        vars_ = params + locs
        for _ in range(r.randint(4, 14)):
            self.stmt(vars_, 0, "    ")
        self.emit(f"    return {self.expr(vars_)};")
        self.emit("}")
        self.funcs.append((f, nparams))


def make_unit(rng: random.Random, unit: int, scale: float) -> str:
    g = Gen(rng, unit)
    for h in ["stddef", "stdint", "list", "hash", "io", "proto"]:
        g.header(f"{h}{unit}", max(10, int(50 * scale)))
    for _ in range(max(5, int(110 * scale))):
        g.function()
    return "\n".join(g.lines) + "\n"


class Census(c_ast.NodeVisitor):
    def __init__(self) -> None:
        self.counts: collections.Counter[str] = collections.Counter()
        self.funcs: list[str] = []

    def generic_visit(self, node: c_ast.Node) -> None:
        self.counts[type(node).__name__] += 1
        for _, child in node.children():
            self.visit(child)

    def visit_FuncDef(self, node: c_ast.FuncDef) -> None:
        self.funcs.append(node.decl.name)
        self.generic_visit(node)


def check_pure_python() -> None:
    """Every module loaded from the install directory must be a .py file."""
    roots = [p for p in sys.path if p.endswith(os.path.join(".cache", "site"))]
    for name, mod in list(sys.modules.items()):
        f = getattr(mod, "__file__", None) or ""
        if any(f.startswith(r) for r in roots) and not f.endswith(".py"):
            raise SystemExit(f"compiled module loaded from the site dir: {name} {f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="1.0 = 4 units of about 11,000 lines")
    ap.add_argument("--seed", type=int, default=20241205)
    args = ap.parse_args()

    t0 = time.perf_counter()
    c0 = time.process_time()
    rng = random.Random(args.seed)
    units = [make_unit(rng, u, args.scale) for u in range(4)]
    c_gen = time.process_time()

    total = collections.Counter()
    out = []
    h = hashlib.sha256()
    parser = CParser()
    generator = c_generator.CGenerator()
    for i, text in enumerate(units):
        ast = parser.parse(text, filename=f"unit{i}.c")
        census = Census()
        census.visit(ast)
        total.update(census.counts)
        regenerated = generator.visit(ast)
        ast2 = CParser().parse(regenerated, filename=f"unit{i}.regen.c")
        again = generator.visit(ast2)
        if again != regenerated:
            raise SystemExit(f"unit{i}: round trip differs")
        h.update(regenerated.encode())
        out.append(
            f"unit{i}.c: {text.count(chr(10))} lines, {len(text)} bytes, {len(ast.ext)} external declarations, "
            f"{len(census.funcs)} function definitions, {sum(census.counts.values())} nodes"
        )
    out.append("node types: " + ", ".join(f"{k} {v}" for k, v in sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))[:12]))
    out.append("regenerated digest " + h.hexdigest()[:16])
    check_pure_python()
    print("\n".join(out), flush=True)
    c1 = time.process_time()
    print(f"  cpu generate: {c_gen - c0:.2f} s, parse+regenerate: {c1 - c_gen:.2f} s", file=sys.stderr)
    print(
        f"elapsed {time.perf_counter() - t0:.2f} s, cpu {c1 - c0:.2f} s, gc {'off' if not gc.isenabled() else 'on'}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
