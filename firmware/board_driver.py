# The virtual board's interpreter: one persistent CPython process per board, driven by
# firmware/virtual_board over pipes. It keeps globals between executions, clears them (and
# modules imported since boot) on a soft reset, and formats exceptions as MicroPython does.
#
# Frames on stdin (from the board): one type byte, a 4-byte little-endian length, payload.
#   X code  execute a raw-REPL program    S code  execute a friendly-REPL line (echoes values)
#   R       soft reset
# Frames on fd 3 (to the board): O bytes = stdout; E text = end of execution (traceback or
# empty); Q = end of execution by SystemExit (the board then soft-reboots, as MicroPython's
# pyexec does); D = reset done; B = booted.
# argv: board variant version date
import os
import signal
import struct
import sys
import types

_board, _variant, _version, _date = sys.argv[1:5]
_events = os.fdopen(3, "wb", buffering=0)
_commands = os.fdopen(0, "rb", buffering=0)
_executing = False
_MESSAGES = {
    "division by zero": "divide by zero",
    "integer division or modulo by zero": "divide by zero",
    "float division by zero": "divide by zero",
}


def _send(kind, payload=b""):
    _events.write(kind + struct.pack("<I", len(payload)) + payload)


class _Stdout:
    def write(self, text):
        if text:
            _send(b"O", text.encode("utf-8", "replace") if isinstance(text, str) else bytes(text))
        return len(text)

    def flush(self):
        pass

    @property
    def buffer(self):
        return self


def _identify():
    numbers = []
    for part in _version.lstrip("v").split("-")[0].split(".")[:3]:
        numbers.append(int(part) if part.isdigit() else 0)
    while len(numbers) < 3:
        numbers.append(0)
    machine = "%s with CPython" % (_board + ("-" + _variant if _variant else ""))
    fields = dict(vars(sys.implementation))
    fields.update(name="micropython", version=tuple(numbers) + ("",), _machine=machine,
                  _build=_variant, _mpy=6)
    sys.implementation = types.SimpleNamespace(**fields)
    sys.version = "3.4.0; MicroPython %s on %s" % (_version, _date)
    uname = types.SimpleNamespace(sysname="virtual", nodename="virtual",
                                  release=_version.lstrip("v").split("-")[0],
                                  version="%s on %s" % (_version, _date), machine=machine)
    os.uname = lambda: uname


def _on_sigint(signum, frame):
    if _executing:
        raise KeyboardInterrupt()


def _exception_text(exc, tb):
    lines = ["Traceback (most recent call last):"]
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename == "<stdin>":
            lines.append('  File "<stdin>", line %d, in %s' % (tb.tb_lineno, code.co_name))
        tb = tb.tb_next
    if isinstance(exc, SyntaxError):
        lines = lines[:1] + ['  File "<stdin>", line %d' % (exc.lineno or 1)]
        message = "invalid syntax"
    elif len(exc.args) == 1:
        message = str(exc.args[0])
    elif exc.args:
        message = str(exc.args)
    else:
        message = ""
    message = _MESSAGES.get(message, message)
    if isinstance(exc, NameError):
        message = message.replace("is not defined", "isn't defined")
    lines.append("%s: %s" % (type(exc).__name__, message))
    return "\n".join(lines) + "\n"


def _fresh_globals():
    return {"__name__": "__main__", "__builtins__": __builtins__}


def _read_exactly(size):
    data = b""
    while len(data) < size:
        chunk = _commands.read(size - len(data))
        if not chunk:
            sys.exit(0)
        data += chunk
    return data


def main():
    global _executing
    _identify()
    signal.signal(signal.SIGINT, _on_sigint)
    sys.stdout = _Stdout()
    sys.stdin = open(os.devnull)
    boot_modules = set(sys.modules)
    scope = _fresh_globals()
    _send(b"B")
    while True:
        kind, size = struct.unpack("<cI", _read_exactly(5))
        payload = _read_exactly(size)
        if kind == b"R":
            for name in set(sys.modules) - boot_modules:
                del sys.modules[name]
            scope = _fresh_globals()
            _send(b"D")
            continue
        error = ""
        end = b"E"
        try:
            source = payload.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
            if kind == b"S" and not source.endswith("\n"):
                source += "\n"  # 'single' mode needs it after a compound statement
            code = compile(source, "<stdin>", "single" if kind == b"S" else "exec")
            _executing = True
            try:
                exec(code, scope)
            finally:
                _executing = False
        except SystemExit:
            _executing = False
            end = b"Q"
        except BaseException as exc:  # everything, KeyboardInterrupt included, is reported
            _executing = False
            error = _exception_text(exc, exc.__traceback__)
        _send(end, error.encode("utf-8", "replace"))


main()
