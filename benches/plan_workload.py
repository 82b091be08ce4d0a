#!/usr/bin/env python3
"""A deterministic networkx workload for benches/plan.sh, to be recorded with py-spy.

It runs a fixed sequence of pure-Python graph algorithms (shortest paths, centrality,
PageRank, components, flows, matching, isomorphism, communities, I/O...) on graphs built
from seeded generators, so the profile is a real program's: deep networkx stacks across many
modules. No numpy or scipy is needed (networkx's pure-Python code paths only).

One *round* runs every task once; round r seeds its graphs with r, so every run of the
script does the same work in the same order. Rounds repeat until at least MIN_SECONDS have
passed (and at least one round has run), so a slow or loaded machine still yields a long
enough capture: only the number of rounds varies from run to run.

Usage: plan_workload.py [MIN_SECONDS]     (default 110; also env PLAN_WORKLOAD_SECONDS)
Prints one line per round (its tasks' seconds) and a summary to stdout.
"""

import os
import random
import sys
import time

import networkx as nx
from networkx.algorithms import approximation, community, flow, isomorphism
from networkx.algorithms.link_analysis import pagerank_alg


def weighted_gnm(n, m, seed, directed=False):
    g = nx.gnm_random_graph(n, m, seed=seed, directed=directed)
    rng = random.Random(seed)
    for u, v, d in g.edges(data=True):
        d["weight"] = rng.randint(1, 20)
        d["capacity"] = rng.randint(1, 50)
    return g


def t_shortest_paths(seed):
    g = weighted_gnm(1500, 6000, seed)
    for src in range(0, 1500, 15):
        nx.single_source_dijkstra_path_length(g, src)
        nx.single_source_shortest_path_length(g, src)
    nx.single_source_bellman_ford_path_length(g, 0)
    for s, t in [(1, 1400), (7, 900), (33, 1234)]:
        nx.astar_path(g, s, t, weight="weight")
        nx.bidirectional_dijkstra(g, s, t)
    d = weighted_gnm(1200, 5000, seed, directed=True)
    nx.johnson(nx.DiGraph(d.subgraph(range(120))), weight="weight")


def t_centrality(seed):
    g = nx.barabasi_albert_graph(900, 3, seed=seed)
    nx.betweenness_centrality(g, k=150, seed=seed)
    nx.closeness_centrality(g.subgraph(range(400)))
    nx.edge_betweenness_centrality(g, k=60, seed=seed)
    nx.harmonic_centrality(g, nbunch=range(100))
    nx.degree_centrality(g)


def t_pagerank(seed):
    d = nx.gnp_random_graph(3000, 0.003, seed=seed, directed=True)
    for alpha in (0.85, 0.95):
        pagerank_alg._pagerank_python(d, alpha=alpha, tol=1e-10, max_iter=500)


def t_components(seed):
    g = nx.gnm_random_graph(20000, 16000, seed=seed)
    list(nx.connected_components(g))
    list(nx.biconnected_components(g))
    list(nx.articulation_points(g))
    list(nx.bridges(g))
    d = nx.gnm_random_graph(15000, 30000, seed=seed, directed=True)
    list(nx.strongly_connected_components(d))
    list(nx.kosaraju_strongly_connected_components(d))
    list(nx.weakly_connected_components(d))
    c = nx.condensation(d)
    nx.dag_longest_path(c)
    list(nx.topological_sort(c))
    nx.transitive_reduction(nx.DiGraph(c.subgraph(list(c)[:2000])))


def t_flow(seed):
    d = weighted_gnm(1500, 12000, seed, directed=True)
    for func in (flow.edmonds_karp, flow.preflow_push, flow.shortest_augmenting_path,
                 flow.dinitz, flow.boykov_kolmogorov):
        nx.maximum_flow_value(d, 0, 1499, flow_func=func)
    nx.minimum_cut(d, 3, 250)
    s = weighted_gnm(60, 300, seed, directed=True)
    for n in s:
        s.nodes[n]["demand"] = 0
    s.nodes[0]["demand"], s.nodes[59]["demand"] = -5, 5
    try:
        nx.network_simplex(s)
        nx.max_flow_min_cost(s, 0, 59)
    except nx.NetworkXUnfeasible:
        pass


def t_matching_trees(seed):
    g = weighted_gnm(300, 1200, seed)
    nx.max_weight_matching(g)
    nx.maximal_matching(g)
    b = nx.bipartite.random_graph(300, 300, 0.02, seed=seed)
    top = {n for n, d in b.nodes(data=True) if d["bipartite"] == 0}
    nx.bipartite.hopcroft_karp_matching(b, top)
    nx.bipartite.eppstein_matching(b, top)
    big = weighted_gnm(5000, 25000, seed)
    for algorithm in ("kruskal", "prim", "boruvka"):
        nx.minimum_spanning_tree(big, algorithm=algorithm)
    nx.dfs_tree(big, 0)
    nx.bfs_tree(big, 0)
    list(nx.dfs_postorder_nodes(big, 0))


def t_isomorphism(seed):
    for k in range(4):
        g1 = nx.random_regular_graph(3, 60, seed=seed * 10 + k)
        perm = list(g1)
        random.Random(seed * 10 + k).shuffle(perm)
        g2 = nx.relabel_nodes(g1, dict(zip(g1, perm)))
        nx.is_isomorphic(g1, g2)
        nx.vf2pp_is_isomorphic(g1, g2)
        nx.could_be_isomorphic(g1, g2)
    big = nx.gnm_random_graph(150, 500, seed=seed)
    cycle = nx.cycle_graph(5)
    matcher = isomorphism.GraphMatcher(big, cycle)
    for i, _ in enumerate(matcher.subgraph_isomorphisms_iter()):
        if i >= 2000:
            break


def t_communities(seed):
    g = nx.planted_partition_graph(12, 60, 0.3, 0.01, seed=seed)
    community.louvain_communities(g, seed=seed)
    list(community.label_propagation_communities(g))
    community.asyn_lpa_communities(g, seed=seed)
    parts = community.greedy_modularity_communities(g)
    community.modularity(g, parts)
    nx.clustering(g)
    nx.triangles(g)
    nx.core_number(g)
    nx.greedy_color(g, strategy="largest_first")
    nx.greedy_color(g, strategy="saturation_largest_first")
    small = nx.gnp_random_graph(80, 0.3, seed=seed)
    sum(1 for _ in nx.find_cliques(small))
    approximation.maximum_independent_set(small)
    approximation.min_weighted_vertex_cover(small)
    approximation.treewidth_min_degree(small)


def t_io(seed):
    g = weighted_gnm(1500, 5000, seed)
    nx.node_link_graph(nx.node_link_data(g, edges="edges"), edges="edges")
    nx.adjacency_graph(nx.adjacency_data(g))
    nx.parse_gml(list(nx.generate_gml(g)))
    nx.parse_graphml("".join(nx.generate_graphml(g)))
    nx.parse_edgelist(list(nx.generate_edgelist(g)), nodetype=int)
    nx.parse_adjlist(list(nx.generate_adjlist(g)), nodetype=int)
    nx.from_dict_of_dicts(nx.to_dict_of_dicts(g))
    nx.relabel_nodes(g, {n: f"n{n}" for n in g})
    nx.line_graph(nx.gnm_random_graph(800, 2500, seed=seed))
    nx.complement(nx.gnm_random_graph(600, 3000, seed=seed))
    nx.cartesian_product(nx.path_graph(40), nx.cycle_graph(40))
    nx.compose(g, nx.grid_2d_graph(30, 30))


def t_misc(seed):
    g = nx.connected_watts_strogatz_graph(1200, 6, 0.1, seed=seed)
    nx.eccentricity(nx.connected_watts_strogatz_graph(300, 4, 0.2, seed=seed))
    nx.average_shortest_path_length(nx.connected_watts_strogatz_graph(300, 4, 0.2, seed=seed))
    nx.immediate_dominators(nx.gnm_random_graph(3000, 9000, seed=seed, directed=True), 0)
    list(nx.simple_cycles(nx.gnm_random_graph(40, 80, seed=seed, directed=True), length_bound=6))
    nx.cycle_basis(g)
    nx.minimum_cycle_basis(nx.gnm_random_graph(60, 120, seed=seed))
    nx.is_chordal(g)
    nx.is_planar(nx.grid_2d_graph(40, 40))
    nx.check_planarity(nx.gnm_random_graph(300, 600, seed=seed))
    nx.k_components(nx.gnm_random_graph(30, 90, seed=seed))
    nx.node_connectivity(nx.gnm_random_graph(60, 300, seed=seed))
    nx.edge_connectivity(nx.gnm_random_graph(80, 400, seed=seed))
    nx.rich_club_coefficient(g, normalized=False)
    nx.average_clustering(g)
    nx.s_metric(g)
    nx.wiener_index(nx.connected_watts_strogatz_graph(200, 4, 0.2, seed=seed))
    list(nx.all_simple_paths(nx.grid_2d_graph(5, 5), (0, 0), (4, 4), cutoff=10))


TASKS = [
    ("shortest_paths", t_shortest_paths),
    ("centrality", t_centrality),
    ("pagerank", t_pagerank),
    ("components", t_components),
    ("flow", t_flow),
    ("matching_trees", t_matching_trees),
    ("isomorphism", t_isomorphism),
    ("communities", t_communities),
    ("io", t_io),
    ("misc", t_misc),
]


def main():
    arg = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("PLAN_WORKLOAD_SECONDS", "110")
    min_seconds = float(arg)
    only = os.environ.get("PLAN_WORKLOAD_ONLY")  # a task name, for calibration
    tasks = [t for t in TASKS if not only or t[0] == only]
    start = time.perf_counter()
    rounds = 0
    while rounds == 0 or time.perf_counter() - start < min_seconds:
        rounds += 1
        times = []
        for name, task in tasks:
            t0 = time.perf_counter()
            task(rounds)
            times.append(f"{name} {time.perf_counter() - t0:.2f}")
        print(f"round {rounds}: " + ", ".join(times), flush=True)
    print(f"networkx {nx.__version__}: {rounds} rounds in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
