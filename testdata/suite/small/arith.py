# Integer arithmetic, including values past a machine word.
print(7 // 2, -7 // 2, 7 % 3, -7 % 3, 2 ** 10)
print(divmod(17, 5), abs(-4), max(3, 9, 1), min([4, 2, 8]))
print(2 ** 40, 12345678901 * 3, (1 << 35) >> 3)
print(int("123") + int("0x1f", 16), hex(255), bin(5))
