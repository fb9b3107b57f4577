# Fails: it raises.
print("Ran 1 test")
raise AssertionError("1 != 2")
