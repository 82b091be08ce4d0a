import a

assert a.fa(3) == 3
