"""A crash in native code (llama.cpp) told in one line, never a bare exit 139.

Python cannot survive a SIGSEGV, but faulthandler can still write what it knows before the
process dies. `arm` starts a small watcher process that holds the read end of a pipe, and
points faulthandler at the write end. When longcli ends in any ordinary way (an exit, an
exception, SIGKILL) the pipe closes with no report in it and the watcher says nothing;
when a fatal signal kills it, faulthandler's report arrives first, and the watcher prints
one line on stderr: llama.cpp crashed, with which model and settings, and what to try.
The exit status stays the signal's (139 for SIGSEGV, 134 for SIGABRT): scripts can tell a
crash from an error.

Only the real command line turns this on (`enable`, from `__main__.run`): a test runner or
a program importing longcli keeps its own fault handler.
"""

from __future__ import annotations

import faulthandler
import os
import subprocess
import sys
from typing import IO

FATAL_MARK = "Fatal Python error:"
CONTEXT_MARK = "longcli-context:"

# The watcher: reads the pipe to its end, then speaks only if faulthandler wrote a report.
# Kept to the standard library and tiny: it starts in ~20 ms beside the model's load.
WATCHER = r"""
import os, sys
chunks = []
while True:
    try:
        data = os.read(0, 65536)
    except InterruptedError:
        continue
    except OSError:
        break
    if not data:
        break
    chunks.append(data)
text = b"".join(chunks).decode("utf-8", "replace")
if "Fatal Python error:" in text:
    context = ""
    for line in text.splitlines():
        if line.startswith("longcli-context:"):
            context = line[len("longcli-context:"):].strip()
    what = "a crash"
    for line in text.splitlines():
        if line.startswith("Fatal Python error:"):
            what = line[len("Fatal Python error:"):].strip().lower() or what
            break
    where = f" running {context}" if context else ""
    message = (
        f"longcli: llama.cpp crashed ({what}){where}; try --no-repack, a smaller --ctx "
        "or --gpu-layers 0, and run `longcli doctor` for a report to file\n"
    )
    try:
        os.write(2, message.encode("utf-8", "replace"))
    except OSError:
        pass
"""

_enabled = False
_pipe: IO[str] | None = None


def enable() -> None:
    """Let `arm` install the watcher (the command-line entry point does this)."""
    global _enabled
    _enabled = True


def arm(context: str) -> None:
    """Before native code runs: make a crash in it end with one line naming `context`."""
    global _pipe
    if not _enabled:
        return
    if _pipe is None:
        _pipe = _start_watcher()
        if _pipe is None:
            return
    try:
        # Each context replaces the last; faulthandler's report follows whatever came last.
        _pipe.write(f"{CONTEXT_MARK} {' '.join(context.split())}\n")
        _pipe.flush()
    except OSError:
        pass


def _start_watcher() -> IO[str] | None:
    read_end, write_end = os.pipe()
    try:
        subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", WATCHER],
            stdin=read_end,
            stdout=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C for us is not for it: it ends with the pipe
        )
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    os.close(read_end)
    pipe = os.fdopen(write_end, "w", encoding="utf-8")
    faulthandler.enable(file=pipe, all_threads=False)
    return pipe
