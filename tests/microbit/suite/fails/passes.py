# Passes everywhere: a failing neighbour must not change this verdict.
print(sum(range(10)))
