#!/usr/bin/env python3
"""Deterministic graph-analytics workload for networkx 3.6.1 (pure Python).

Builds seeded random graphs and runs the kind of analysis a network-science
script runs on them, then prints a short summary that is identical from run to
run for the same --seed/--scale:

1. A "social" graph: Holme-Kim power-law graph with clustering
   (powerlaw_cluster_graph), plus integer edge weights from a seeded
   random.Random.
2. Betweenness centrality (Brandes), unweighted on a sample of k sources and
   weighted (Dijkstra) on a smaller sample.
3. Single-source Dijkstra from a sample of sources; closeness of the top nodes.
4. Community detection: Louvain (seeded) and greedy modularity (CNM); modularity.
5. Clustering coefficients, triangles, k-core decomposition.
6. A flow network: maximum flow (preflow-push) between sampled pairs on a
   seeded directed graph with capacities.
7. Minimum spanning tree (Kruskal) of the weighted graph.

Uses only networkx and the standard library. Run it with networkx on
PYTHONPATH:

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
import hashlib
import random
import sys
import time

import networkx as nx


def check_pure_python() -> None:
    """Every module loaded from the install directory must be a .py file."""
    roots = [p for p in sys.path if p.endswith(os.path.join(".cache", "site"))]
    for name, mod in list(sys.modules.items()):
        f = getattr(mod, "__file__", None) or ""
        if any(f.startswith(r) for r in roots) and not f.endswith(".py"):
            raise SystemExit(f"compiled module loaded from the site dir: {name} {f}")


def digest(items) -> str:
    h = hashlib.sha256()
    for item in items:
        h.update(repr(item).encode())
    return h.hexdigest()[:16]


def r6(x: float) -> float:
    return round(x, 6)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="1.0 = 3000-node graph")
    ap.add_argument("--seed", type=int, default=20241205)
    args = ap.parse_args()

    t0 = time.perf_counter()
    c0 = time.process_time()
    rng = random.Random(args.seed)
    n = max(100, int(3000 * args.scale))
    out = []
    stages = [("graph", c0)]

    def stage(name):
        stages.append((name, time.process_time()))

    # 1. the social graph
    G = nx.powerlaw_cluster_graph(n, 4, 0.3, seed=rng.randrange(2**31))
    for u, v in G.edges():
        G[u][v]["weight"] = rng.randint(1, 20)
    out.append(f"graph: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges")

    stage('betweenness')
    # 2. betweenness
    k = max(10, int(300 * args.scale))
    bc = nx.betweenness_centrality(G, k=k, seed=rng.randrange(2**31))
    top_bc = sorted(bc, key=lambda x: (-bc[x], x))[:5]
    out.append("betweenness top 5: " + ", ".join(f"{x}:{bc[x]:.4f}" for x in top_bc))
    bcw = nx.betweenness_centrality(G, k=k // 2, weight="weight", seed=rng.randrange(2**31))
    top_bcw = sorted(bcw, key=lambda x: (-bcw[x], x))[:5]
    out.append("weighted betweenness top 5: " + ", ".join(f"{x}:{bcw[x]:.4f}" for x in top_bcw))

    stage('shortest')
    # 3. shortest paths from sampled sources, closeness of the top nodes
    nodes = sorted(G)
    sources = rng.sample(nodes, max(5, int(80 * args.scale)))
    dist_sum = 0
    longest = 0
    for s in sources:
        dist, paths = nx.single_source_dijkstra(G, s, weight="weight")
        dist_sum += sum(dist.values())
        longest = max(longest, max(len(p) for p in paths.values()))
    out.append(f"dijkstra from {len(sources)} sources: distance sum {dist_sum}, longest path {longest} nodes")
    clo = {x: r6(nx.closeness_centrality(G, u=x)) for x in top_bc}
    out.append("closeness of top 5: " + ", ".join(f"{x}:{clo[x]}" for x in top_bc))

    stage('communities')
    # 4. communities
    comms = nx.community.louvain_communities(G, weight="weight", seed=rng.randrange(2**31))
    comms = sorted((sorted(c) for c in comms), key=lambda c: (-len(c), c[0]))
    q = nx.community.modularity(G, comms, weight="weight")
    out.append(f"louvain: {len(comms)} communities, largest {len(comms[0])}, modularity {q:.4f}")
    gm = nx.community.greedy_modularity_communities(G, weight="weight")
    gm = sorted((sorted(c) for c in gm), key=lambda c: (-len(c), c[0]))
    q = nx.community.modularity(G, gm, weight="weight")
    out.append(f"greedy modularity: {len(gm)} communities, largest {len(gm[0])}, modularity {q:.4f}")

    stage('local')
    # 5. local structure
    tri = nx.triangles(G)
    cc = nx.average_clustering(G)
    core = nx.core_number(G)
    out.append(f"triangles {sum(tri.values()) // 3}, average clustering {cc:.4f}, max core {max(core.values())}")

    stage('flows')
    # 6. flows
    D = nx.DiGraph()
    m = max(50, int(600 * args.scale))
    D.add_nodes_from(range(m))
    for u in range(m):
        for v in rng.sample(range(m), 6):
            if u != v:
                D.add_edge(u, v, capacity=rng.randint(1, 50))
    flows = []
    for _ in range(max(2, int(24 * args.scale))):
        s, t = rng.sample(range(m), 2)
        flows.append(nx.maximum_flow_value(D, s, t, flow_func=nx.algorithms.flow.preflow_push))
    out.append(f"max flow on {D.number_of_nodes()}/{D.number_of_edges()}: {flows}")

    stage('spanning')
    # 7. spanning tree
    T = nx.minimum_spanning_tree(G, weight="weight", algorithm="kruskal")
    out.append(f"minimum spanning tree: {T.number_of_edges()} edges, weight {T.size(weight='weight')}")

    out.append("digest " + digest([top_bc, top_bcw, dist_sum, [len(c) for c in comms], [len(c) for c in gm], flows]))
    check_pure_python()
    stage("end")
    print("\n".join(out), flush=True)
    for (name, c), (_, c_next) in zip(stages, stages[1:]):
        print(f"  cpu {name}: {c_next - c:.2f} s", file=sys.stderr)
    print(
        f"elapsed {time.perf_counter() - t0:.2f} s, cpu {time.process_time() - c0:.2f} s, gc {'off' if not gc.isenabled() else 'on'}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
