# A stand-in for MicroPython's unix port on a pty, for the execpty tests: a friendly prompt, a
# raw REPL whose banner ends "\r\r\n>" (as the unix port's does on a bare pty), execution with
# CPython, and a soft reset (Ctrl-D at the empty raw prompt) that EXITS the process, as the unix
# port does. argv[1] is the "firmware" file: its first line is the version the port reports; an
# optional second line "build=<name> date=<date>" gives sys.implementation._build and the build
# date (the fake micropython tree's unix port writes both, as a real build's mpversion.h would).
import io
import os
import sys
import contextlib
import types

lines = open(sys.argv[1]).read().splitlines() if len(sys.argv) > 1 else []
version = lines[0].strip() if lines else "v0.0.0-none"
fields = dict(f.split("=", 1) for f in (lines[1].split() if len(lines) > 1 else []) if "=" in f)
date = fields.get("date", "2026-11-23")
sys.version = "3.4.0; MicroPython %s on %s" % (version, date)
sys.implementation = types.SimpleNamespace(name="micropython", _machine="linux [GCC 12]",
                                           cache_tag=None)
if "build" in fields:
    sys.implementation._build = fields["build"]


def out(data):
    os.write(1, data.encode() if isinstance(data, str) else data)


out("MicroPython %s on %s; linux [GCC 12] version\r\nUse Ctrl-D to exit, Ctrl-E for paste mode\r\n>>> " % (version, date))
raw = False
line = b""
scope = {"__name__": "__main__"}
while True:
    data = os.read(0, 4096)
    if not data:
        sys.exit(0)
    for byte in data:
        c = bytes([byte])
        if not raw:
            if c == b"\x01":
                raw = True
                line = b""
                out("\r\nraw REPL; CTRL-B to exit\r\r\n>")
            elif c in (b"\r", b"\x03"):
                out("\r\n>>> ")
            continue
        if c == b"\x01":  # no raw paste here: a raw-REPL reset, as firmware before 1.14
            line = b""
            out("raw REPL; CTRL-B to exit\r\r\n>")
        elif c == b"\x02":
            raw = False
            out("\r\n>>> ")
        elif c == b"\x03":
            line = b""
        elif c == b"\x04":
            if not line:
                out("OK\r\n")
                sys.exit(0)
            out("OK")
            buf = io.StringIO()
            err = ""
            with contextlib.redirect_stdout(buf):
                try:
                    exec(line.decode(), scope)
                except Exception as e:
                    err = "Traceback (most recent call last):\n%s: %s\n" % (type(e).__name__, e)
            out(buf.getvalue().replace("\n", "\r\n") + "\x04" + err.replace("\n", "\r\n") + "\x04>")
            line = b""
        else:
            line += c
