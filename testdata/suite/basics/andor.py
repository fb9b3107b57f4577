print(1 and 2, 0 or 3, not 0)
