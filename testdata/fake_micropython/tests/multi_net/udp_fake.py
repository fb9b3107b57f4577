def instance0():
    print("0")
