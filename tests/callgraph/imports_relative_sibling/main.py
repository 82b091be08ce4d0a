from pkg.a import run

assert run() == 6
