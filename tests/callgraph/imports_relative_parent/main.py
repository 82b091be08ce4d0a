from pkg.sub.deep import leaf

assert leaf.run() == 13
