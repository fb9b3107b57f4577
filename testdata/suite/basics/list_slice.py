a = list(range(10))
print(a[2:5], a[::3], a[-2:])
