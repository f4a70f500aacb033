"""`python -m scaling_core`: the command line (see `scaling_core.cli`)."""

import os
import sys

from .cli import main

try:
    status = main()
    sys.stdout.flush()
except (
    BrokenPipeError
):  # the reader went away (`… | head -1`): not an error, and nothing left to say
    os.dup2(
        os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno()
    )  # so the flush at exit does not fail again
    status = 0
raise SystemExit(status)
