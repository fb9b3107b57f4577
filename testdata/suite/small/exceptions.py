# Exceptions: raise, catch, finally and user-defined classes.
class BoardError(Exception):
    pass
def check(x):
    if x < 0:
        raise BoardError("negative")
    return x
for value in (1, -1):
    try:
        print(check(value))
    except BoardError as e:
        print("caught", e)
    finally:
        print("done", value)
try:
    [][1]
except IndexError:
    print("IndexError")
try:
    {}["k"]
except KeyError as e:
    print("KeyError", e.args[0])
