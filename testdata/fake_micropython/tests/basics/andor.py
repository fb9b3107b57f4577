print(1 and 2)
