# Passes: its last line is "OK".
assert 6 * 7 == 42
print("Ran 1 test")
print("OK")
