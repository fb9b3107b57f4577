# Prints a line at interpreter exit, as misc/sys_atexit.py does: passes only when the test is a
# process of its own whose exit is part of the run.
import atexit

atexit.register(lambda: print("printed at exit"))
print("printed during the test")
