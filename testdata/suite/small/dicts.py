# Dictionaries and sets.
d = {"one": 1, "two": 2}
d["three"] = 3
print(sorted(d.items()), d.get("four", 4), "two" in d, len(d))
del d["one"]
print(sorted(d.keys()), sorted(d.values()))
s = {1, 2, 3}
print(sorted(s | {4}), sorted(s & {2, 3, 5}), sorted(s - {1}))
