# Fails on the micro:bit on purpose: its firmware computes in single precision, so 1/3 prints
# fewer digits than the expected output (CPython's) holds. mptest must report it failed, with
# the diff.
print(1 / 3)
print("same on every board")
