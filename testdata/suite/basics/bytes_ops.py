b = b'abc'
print(b[1], b.hex(), bytes(3))
