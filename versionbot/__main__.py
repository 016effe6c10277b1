"""`python -m versionbot` and the console script: the CLI, with an interruption while it starts
(Ctrl-C or SIGTERM as the modules load) ending like any other, in exit 130 without a traceback."""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType
from typing import NoReturn


def run() -> NoReturn:
    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)  # until the CLI installs its own
    try:
        from versionbot import cli  # pygit2 and the rest: a tenth of a second
    except KeyboardInterrupt:
        sys.stderr.write("versionbot: interrupted\n")
        os._exit(130)
    cli.run()


if __name__ == "__main__":
    run()
