"""Fake mpremote: checks that it is told to connect to a device, then echoes the command."""
import sys

args = sys.argv[1:]
if len(args) < 2 or args[0] != "connect":
    print("fake mpremote: expected 'connect <device> ...'", file=sys.stderr)
    sys.exit(2)
print("fake mpremote:", " ".join(args[2:]))
