"""Child processes that end with the process that started them, however it ends (kill -9 included).

A run starts two kinds of children: its parse and mart workers (jeugdmonitor.parallel) and, when no Prefect server
is configured, Prefect's temporary API server (a uvicorn process). Neither notices on its own that the run was
killed: the workers wait on a queue that their siblings keep open, the server serves on. Two mechanisms, each the
simplest that holds for its kind:

- workers run our code, so each watches `multiprocessing.parent_process().sentinel`, a pipe that the operating
  system closes when the parent ends, in a thread, and exits at once (any OS; no polling; it does not matter
  which thread of the parent started the worker);
- the Prefect server runs only Prefect's code, so the kernel ends it: Linux PR_SET_PDEATHSIG, set between fork
  and exec. That signal follows the thread that forked the child, which is why the command line starts the
  server itself, from its main thread, before the flow (`start_prefect_server`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import multiprocessing.connection
import os
import signal
import subprocess
import sys
import threading

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """In a multiprocessing child (a pool initializer): exit the moment the parent process ends."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _death_signal():
    """A preexec_fn that has the kernel SIGKILL the child when its parent ends (Linux), or None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True).prctl  # looked up before the fork
    parent = os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent ended before the signal was asked for
            os._exit(1)

    return preexec


def start_prefect_server() -> None:
    """Start Prefect's temporary API server now, tied to this process, when no server is configured
    (PREFECT_API_URL). Prefect keeps one temporary server per process and uses this one from then on."""
    from unittest import mock  # patch.object: the swap below, undone however the start ends

    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL

    preexec = _death_signal()
    server = SubprocessASGIServer()
    if PREFECT_API_URL.value() or server.running or preexec is None:
        return

    class Tied(subprocess.Popen):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, preexec_fn=preexec, **kwargs)

    # Prefect builds the server's command line and calls subprocess.Popen itself: Popen is swapped for this one
    # start, from the command line's main thread before the flow starts any other thread.
    with mock.patch.object(subprocess, "Popen", Tied):
        server.start()
