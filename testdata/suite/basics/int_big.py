print(2**100)
print((2**64) // 3)
