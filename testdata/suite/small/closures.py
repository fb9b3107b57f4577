# Closures, default arguments, lambdas and *args/**kwargs.
def counter():
    count = [0]
    def bump(step=1):
        count[0] += step
        return count[0]
    return bump
bump = counter()
print(bump(), bump(5), bump())
def call(f, *args, **kwargs):
    return f(*args, **kwargs)
print(call(lambda a, b=2: a * b, 3), call(lambda a, b=2: a * b, 3, b=4))
print(list(map(lambda x: x + 1, [1, 2])), list(filter(None, [0, 1, 2])))
