# Generators: yield, send and generator expressions.
def squares(n):
    for i in range(n):
        yield i * i
print(list(squares(5)), sum(x for x in range(10)))
def echo():
    received = yield "ready"
    while True:
        received = yield received * 2
g = echo()
print(next(g), g.send(3), g.send(10))
