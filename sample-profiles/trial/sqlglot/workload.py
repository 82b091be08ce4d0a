#!/usr/bin/env python3
"""Deterministic SQL workload for sqlglot 30.31.0 (pure Python, no sqlglotc/sqlglotrs).

Generates, with a seeded random.Random, a corpus of analytical queries over a
TPC-H-like schema (joins, filters, GROUP BY / HAVING, CTEs, IN / EXISTS
subqueries, window functions, CASE, date arithmetic, UNION ALL), written in one
of four source dialects (DuckDB, Postgres, Spark, Snowflake). For every query:

1. parse it (sqlglot.parse_one with the source dialect: tokenizer + parser);
2. transpile it to three other dialects (the generator), pretty-printed;
3. for most queries, optimize it against the schema (sqlglot.optimizer.optimize:
   qualify, pushdown, normalize, unnest, merge subqueries, annotate types,
   canonicalize, simplify) and generate the optimized SQL.

Prints a short summary (counts, sizes, digests of all outputs) that is
identical from run to run for the same --seed/--scale. Uses only sqlglot and
the standard library, and checks that sqlglot's compiled variants (sqlglotc,
sqlglotrs) are not in use:

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

import sqlglot
import sqlglot.tokens
from sqlglot.optimizer import optimize

SCHEMA = {
    "region": {"r_regionkey": "INT", "r_name": "VARCHAR", "r_comment": "VARCHAR"},
    "nation": {"n_nationkey": "INT", "n_name": "VARCHAR", "n_regionkey": "INT", "n_comment": "VARCHAR"},
    "supplier": {"s_suppkey": "INT", "s_name": "VARCHAR", "s_address": "VARCHAR", "s_nationkey": "INT",
                 "s_phone": "VARCHAR", "s_acctbal": "DECIMAL(12,2)", "s_comment": "VARCHAR"},
    "customer": {"c_custkey": "INT", "c_name": "VARCHAR", "c_address": "VARCHAR", "c_nationkey": "INT",
                 "c_phone": "VARCHAR", "c_acctbal": "DECIMAL(12,2)", "c_mktsegment": "VARCHAR",
                 "c_comment": "VARCHAR"},
    "part": {"p_partkey": "INT", "p_name": "VARCHAR", "p_mfgr": "VARCHAR", "p_brand": "VARCHAR",
             "p_type": "VARCHAR", "p_size": "INT", "p_container": "VARCHAR",
             "p_retailprice": "DECIMAL(12,2)", "p_comment": "VARCHAR"},
    "partsupp": {"ps_partkey": "INT", "ps_suppkey": "INT", "ps_availqty": "INT",
                 "ps_supplycost": "DECIMAL(12,2)", "ps_comment": "VARCHAR"},
    "orders": {"o_orderkey": "INT", "o_custkey": "INT", "o_orderstatus": "VARCHAR",
               "o_totalprice": "DECIMAL(12,2)", "o_orderdate": "DATE", "o_orderpriority": "VARCHAR",
               "o_clerk": "VARCHAR", "o_shippriority": "INT", "o_comment": "VARCHAR"},
    "lineitem": {"l_orderkey": "INT", "l_partkey": "INT", "l_suppkey": "INT", "l_linenumber": "INT",
                 "l_quantity": "DECIMAL(12,2)", "l_extendedprice": "DECIMAL(12,2)",
                 "l_discount": "DECIMAL(12,2)", "l_tax": "DECIMAL(12,2)", "l_returnflag": "VARCHAR",
                 "l_linestatus": "VARCHAR", "l_shipdate": "DATE", "l_commitdate": "DATE",
                 "l_receiptdate": "DATE", "l_shipinstruct": "VARCHAR", "l_shipmode": "VARCHAR",
                 "l_comment": "VARCHAR"},
}
ALIAS = {"region": "r", "nation": "n", "supplier": "s", "customer": "c", "part": "p",
         "partsupp": "ps", "orders": "o", "lineitem": "l"}
# join edges: (table a, table b, condition with {a}/{b} aliases)
JOINS = [
    ("nation", "region", "{a}.n_regionkey = {b}.r_regionkey"),
    ("supplier", "nation", "{a}.s_nationkey = {b}.n_nationkey"),
    ("customer", "nation", "{a}.c_nationkey = {b}.n_nationkey"),
    ("partsupp", "part", "{a}.ps_partkey = {b}.p_partkey"),
    ("partsupp", "supplier", "{a}.ps_suppkey = {b}.s_suppkey"),
    ("orders", "customer", "{a}.o_custkey = {b}.c_custkey"),
    ("lineitem", "orders", "{a}.l_orderkey = {b}.o_orderkey"),
    ("lineitem", "part", "{a}.l_partkey = {b}.p_partkey"),
    ("lineitem", "supplier", "{a}.l_suppkey = {b}.s_suppkey"),
]
SOURCES = ["duckdb", "postgres", "spark", "snowflake"]
TARGETS = ["duckdb", "postgres", "spark", "snowflake", "bigquery", "tsql", "mysql", "trino"]
SEGMENTS = ["BUILDING", "AUTOMOBILE", "MACHINERY", "HOUSEHOLD", "FURNITURE"]
MODES = ["MAIL", "SHIP", "AIR", "RAIL", "TRUCK", "FOB", "REG AIR"]
NATIONS = ["FRANCE", "GERMANY", "BRAZIL", "CANADA", "JAPAN", "CHINA", "INDIA", "KENYA", "PERU"]


def numeric_cols(table: str) -> list[str]:
    return [c for c, t in SCHEMA[table].items() if t.startswith(("INT", "DECIMAL")) and not c.endswith("key")]


def text_cols(table: str) -> list[str]:
    return [c for c, t in SCHEMA[table].items() if t == "VARCHAR"]


def date_cols(table: str) -> list[str]:
    return [c for c, t in SCHEMA[table].items() if t == "DATE"]


class QueryGen:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def join_path(self, n: int) -> list[str]:
        r = self.rng
        tables = [r.choice(["lineitem", "orders", "partsupp", "customer", "supplier"])]
        conds = []
        while len(tables) < n:
            options = [(a, b, c) for a, b, c in JOINS if (a in tables) != (b in tables)]
            if not options:
                break
            a, b, c = r.choice(options)
            tables.append(b if a in tables else a)
            conds.append(c.format(a=ALIAS[a], b=ALIAS[b]))
        return tables, conds

    def predicate(self, tables: list[str], dialect: str) -> str:
        r = self.rng
        t = r.choice(tables)
        a = ALIAS[t]
        k = r.random()
        if k < 0.3 and numeric_cols(t):
            c = r.choice(numeric_cols(t))
            return f"{a}.{c} {r.choice(['<', '>', '<=', '>=', '<>'])} {r.randint(1, 5000)}"
        if k < 0.5 and date_cols(t):
            c = r.choice(date_cols(t))
            y = r.randint(1993, 1998)
            if dialect == "snowflake":
                return f"{a}.{c} >= DATEADD(day, {r.randint(1, 90)}, TO_DATE('{y}-01-01'))"
            if dialect == "spark":
                return f"{a}.{c} BETWEEN DATE '{y}-01-01' AND DATE_ADD(DATE '{y}-01-01', {r.randint(30, 365)})"
            return f"{a}.{c} >= DATE '{y}-01-01' AND {a}.{c} < DATE '{y}-01-01' + INTERVAL '{r.randint(1, 12)}' MONTH"
        if k < 0.65 and text_cols(t):
            c = r.choice(text_cols(t))
            return f"{a}.{c} LIKE '%{r.choice(['green', 'special', 'BRASS', 'requests', 'pending'])}%'"
        if k < 0.75 and t == "customer":
            return f"{a}.c_mktsegment IN ({', '.join(repr(s) for s in r.sample(SEGMENTS, 3))})".replace('"', "'")
        if k < 0.85 and t == "lineitem":
            return f"{a}.l_shipmode IN ('{r.choice(MODES)}', '{r.choice(MODES)}') AND {a}.l_discount BETWEEN 0.0{r.randint(1, 4)} AND 0.0{r.randint(5, 9)}"
        if k < 0.93:
            return (f"EXISTS (SELECT 1 FROM lineitem AS l2 WHERE l2.l_orderkey = {ALIAS['orders']}.o_orderkey "
                    f"AND l2.l_commitdate < l2.l_receiptdate)") if "orders" in tables else f"{a}.{next(iter(SCHEMA[t]))} IS NOT NULL"
        return (f"{a}.{next(iter(SCHEMA[t]))} IN (SELECT {next(iter(SCHEMA[t]))} FROM {t} "
                f"WHERE {next(iter(SCHEMA[t]))} % {r.randint(2, 9)} = 0)")

    def measure(self, tables: list[str]) -> tuple[str, str]:
        r = self.rng
        t = r.choice([x for x in tables if numeric_cols(x)] or tables)
        a = ALIAS[t]
        cols = numeric_cols(t)
        if not cols:
            return "COUNT(*)", "cnt"
        c = r.choice(cols)
        k = r.random()
        if k < 0.3:
            return f"SUM({a}.{c})", f"sum_{c}"
        if k < 0.5:
            return f"AVG({a}.{c})", f"avg_{c}"
        if k < 0.65 and "lineitem" in tables:
            return "SUM(l.l_extendedprice * (1 - l.l_discount) * (1 + l.l_tax))", "revenue"
        if k < 0.8:
            return f"SUM(CASE WHEN {a}.{c} > {r.randint(1, 100)} THEN {a}.{c} ELSE 0 END)", f"big_{c}"
        if k < 0.9:
            return f"COUNT(DISTINCT {a}.{next(iter(SCHEMA[t]))})", f"n_{t}"
        return f"MAX({a}.{c}) - MIN({a}.{c})", f"range_{c}"

    def select(self, dialect: str, depth: int = 0) -> str:
        r = self.rng
        tables, conds = self.join_path(r.randint(2, 5))
        groups = []
        for t in r.sample(tables, min(len(tables), r.randint(1, 2))):
            cols = text_cols(t) or list(SCHEMA[t])
            groups.append(f"{ALIAS[t]}.{r.choice(cols)}")
        groups = list(dict.fromkeys(groups))
        measures = dict(self.measure(tables)[::-1] for _ in range(r.randint(1, 4)))
        preds = conds + [self.predicate(tables, dialect) for _ in range(r.randint(1, 4))]
        frm = " JOIN ".join(f"{t} AS {ALIAS[t]}" if i == 0 else f"{t} AS {ALIAS[t]} ON TRUE" for i, t in enumerate(tables))
        sel = ", ".join(groups + [f"{m} AS {n}" for n, m in measures.items()])
        sql = f"SELECT {sel} FROM {frm} WHERE {' AND '.join(preds)} GROUP BY {', '.join(groups)}"
        if r.random() < 0.3:
            n, m = next(iter(measures.items()))
            sql += f" HAVING {m} > {r.randint(10, 1000)}"
        return sql, groups, list(measures)

    def query(self) -> tuple[str, str]:
        r = self.rng
        dialect = r.choice(SOURCES)
        k = r.random()
        if k < 0.35:
            sql, groups, measures = self.select(dialect)
            order = ", ".join([f"{measures[0]} DESC"] + groups)
            return dialect, f"{sql} ORDER BY {order} LIMIT {r.randint(10, 100)}"
        if k < 0.6:
            inner, groups, measures = self.select(dialect)
            g = [x.split(".")[1] for x in groups]
            m = measures[0]
            return dialect, (
                f"WITH agg AS ({inner}), ranked AS (SELECT {', '.join(g)}, {m}, "
                f"RANK() OVER (PARTITION BY {g[0]} ORDER BY {m} DESC) AS rnk, "
                f"SUM({m}) OVER (PARTITION BY {g[0]}) AS total_{m} FROM agg) "
                f"SELECT * FROM ranked WHERE rnk <= {r.randint(1, 10)} ORDER BY {g[0]}, rnk"
            )
        if k < 0.8:
            a, ga, ma = self.select(dialect)
            nation = r.choice(NATIONS)
            return dialect, (
                f"SELECT sub.*, CASE WHEN sub.{ma[0]} > {r.randint(100, 10000)} THEN 'high' ELSE 'low' END AS band "
                f"FROM ({a}) AS sub WHERE sub.{ga[0].split('.')[1]} IS NOT NULL "
                f"AND EXISTS (SELECT 1 FROM nation AS n2 WHERE n2.n_name = '{nation}')"
            )
        a, ga, ma = self.select(dialect)
        b = a.replace(" WHERE ", " WHERE NOT ", 1)
        return dialect, f"SELECT * FROM ({a} UNION ALL {b}) AS u LIMIT {r.randint(5, 500)}"


def check_pure_python() -> None:
    """Every module loaded from the install directory must be a .py file."""
    if sqlglot.tokens.SQLGLOTC_INSTALLED or "sqlglotrs" in sys.modules:
        raise SystemExit("a compiled sqlglot (sqlglotc or sqlglotrs) is in use")
    roots = [p for p in sys.path if p.endswith(os.path.join(".cache", "site"))]
    for name, mod in list(sys.modules.items()):
        f = getattr(mod, "__file__", None) or ""
        if any(f.startswith(r) for r in roots) and not f.endswith(".py"):
            raise SystemExit(f"compiled module loaded from the site dir: {name} {f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="1.0 = 480 queries")
    ap.add_argument("--seed", type=int, default=20241205)
    args = ap.parse_args()

    t0 = time.perf_counter()
    c0 = time.process_time()
    rng = random.Random(args.seed)
    gen = QueryGen(rng)
    corpus = [gen.query() for _ in range(max(10, int(480 * args.scale)))]
    c_gen = time.process_time()

    h_parse, h_out, h_opt = hashlib.sha256(), hashlib.sha256(), hashlib.sha256()
    by_dialect = collections.Counter()
    nodes = 0
    out_bytes = 0
    optimized = 0
    c_opt = 0.0
    for i, (dialect, sql) in enumerate(corpus):
        by_dialect[dialect] += 1
        expr = sqlglot.parse_one(sql, read=dialect)
        nodes += sum(1 for _ in expr.walk())
        h_parse.update(expr.sql(dialect=dialect).encode())
        for target in rng.sample([t for t in TARGETS if t != dialect], 3):
            text = expr.sql(dialect=target, pretty=True)
            out_bytes += len(text)
            h_out.update(text.encode())
        if i % 4 != 3:
            c = time.process_time()
            opt = optimize(expr, schema=SCHEMA, dialect=dialect)
            h_opt.update(opt.sql(dialect="duckdb").encode())
            optimized += 1
            c_opt += time.process_time() - c

    check_pure_python()
    c1 = time.process_time()
    print(f"queries: {len(corpus)} ({', '.join(f'{d} {n}' for d, n in sorted(by_dialect.items()))}), "
          f"{sum(len(s) for _, s in corpus)} bytes of SQL")
    print(f"parsed: {nodes} expression nodes, digest {h_parse.hexdigest()[:16]}")
    print(f"transpiled: {3 * len(corpus)} outputs, {out_bytes} bytes, digest {h_out.hexdigest()[:16]}")
    print(f"optimized: {optimized} queries, digest {h_opt.hexdigest()[:16]}", flush=True)
    print(f"  cpu generate: {c_gen - c0:.2f} s, parse+transpile: {c1 - c_gen - c_opt:.2f} s, optimize: {c_opt:.2f} s",
          file=sys.stderr)
    print(f"elapsed {time.perf_counter() - t0:.2f} s, cpu {c1 - c0:.2f} s, gc {'off' if not gc.isenabled() else 'on'}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
