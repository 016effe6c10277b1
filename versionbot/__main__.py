from __future__ import annotations

from versionbot.cli import run

run()
