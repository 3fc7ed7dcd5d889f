"""One line about an exception, fit to be stored (meta_load_run.message), logged and sent to the data engineers.

The project's own exceptions are written to name what is wrong and never what a file holds, so their message is
kept. Any other exception (a KeyError, a database driver's error) may quote a value from a file or a row in its
message: of those only the type and the place in our code where it was raised are kept.
"""

from __future__ import annotations

PACKAGE = "jeugdmonitor"
LIMIT = 500


def describe(exc: BaseException) -> str:
    if type(exc).__module__.split(".")[0] == PACKAGE:
        text = " ".join(str(exc).split())
        line = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    else:
        line = f"{type(exc).__name__} in {where(exc)}"
    return line if len(line) <= LIMIT else line[: LIMIT - 1] + "…"


def where(exc: BaseException) -> str:
    """The innermost frame of the traceback in this package (else the innermost of all): `module:line`."""
    found = "unknown place"
    tb = exc.__traceback__
    while tb is not None:
        module = tb.tb_frame.f_globals.get("__name__", "?")
        if module.split(".")[0] == PACKAGE or found == "unknown place":
            found = f"{module}:{tb.tb_lineno}"
        tb = tb.tb_next
    return found
