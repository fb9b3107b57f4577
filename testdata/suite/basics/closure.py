def make(n):
    return lambda x: x + n
print(make(3)(4))
