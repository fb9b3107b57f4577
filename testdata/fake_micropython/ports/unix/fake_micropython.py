#!/usr/bin/env python3
"""A stand-in for the unix port's binary: `fake_micropython.py -X emit=<emit> <test.py>` runs the
test with CPython in the working directory it is given (so tests see run-tests.py's cwd, atexit
handlers and exit status); `-m <module>` runs <module>.mpy written by the fake mpy-cross."""
import runpy
import sys

args = sys.argv[1:]
while args and args[0] == "-X":
    args = args[2:]
if args[:1] == ["-m"]:
    with open(args[1] + ".mpy") as f:
        source = f.read()
    exec(compile(source, args[1], "exec"), {"__name__": "__main__"})
else:
    sys.argv = args
    runpy.run_path(args[0], run_name="__main__")
