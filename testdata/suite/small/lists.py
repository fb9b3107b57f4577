# Lists, tuples and comprehensions.
values = [5, 3, 8, 1, 9, 2]
print(sorted(values), values[1:4], values[::-2], len(values))
values.sort(reverse=True)
values.append(0)
print(values, values.index(8), 3 in values, values.pop(), values)
print([x * x for x in range(6) if x % 2], tuple(range(3)), list(zip("ab", [1, 2])))
a, *rest = [1, 2, 3, 4]
print(a, rest)
