# String methods and %-formatting.
s = "micro:bit runs python"
print(s.split(), s.upper(), s.find("bit"), s.replace("python", "MicroPython"))
print("-".join(["a", "b", "c"]), "  pad ".strip(), "x" * 3, s[6:9], s[-6:])
print("%d items at %s, %5s|%-4d|" % (3, "home", "r", 7))
print("{} and {:>4}".format("left", "r"), "abc".startswith("ab"), "42".isdigit())
