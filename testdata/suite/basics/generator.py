def g(n):
    for i in range(n):
        yield i * i
print(list(g(5)))
