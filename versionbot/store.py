"""versionbot's own files under the git directory: what earlier runs learnt, and the parsed
configuration. Never committed; a read-only git directory only loses the speed-up."""

from __future__ import annotations

import contextlib
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from versionbot import __version__, safejson, writer
from versionbot.cache import Memory
from versionbot.config import parse_toml
from versionbot.errors import VersionbotError
from versionbot.files import read_regular

FOLDER = "versionbot"
MEMORY = f"{FOLDER}/cache-v1.json"
PARSED_TOML = f"{FOLDER}/toml-v1.json"  # the parsed configuration, by the file's content


class Store:
    """The files under `git_dir/versionbot/`."""

    def __init__(self, git_dir: Path) -> None:
        self.git_dir = git_dir

    @contextlib.contextmanager
    def memory(self) -> Iterator[Memory]:
        """What earlier runs learnt (see cache.py). A run that fails stores nothing; concurrent runs
        merge what they learnt."""
        memory = Memory.from_json(self._read_text(MEMORY))
        before = memory.size
        yield memory
        if memory.size == before:  # runs only ever add
            return
        self._keep(MEMORY, memory.merged(Memory.from_json(self._read_text(MEMORY))).to_json())

    def parsed_toml(self, data: bytes) -> dict[str, Any]:
        """`parse_toml(data)`, kept for the next run: reading it back as JSON costs a tenth of parsing
        a large configuration again."""
        key = f"{hashlib.sha256(data).hexdigest()} {__version__} {sys.version_info[:2]}"
        with contextlib.suppress(ValueError, TypeError, KeyError):
            kept = safejson.loads(self._read_text(PARSED_TOML))
            if kept["key"] == key and isinstance(kept["data"], dict):
                return kept["data"]
        parsed = parse_toml(data)
        with contextlib.suppress(ValueError, TypeError):  # TOML dates have no JSON form
            self._keep(PARSED_TOML, json.dumps({"key": key, "data": parsed}))
        return parsed

    def _keep(self, name: str, text: str) -> None:
        with contextlib.suppress(OSError, VersionbotError):
            writer.write(self.git_dir, name, text.encode("utf-8"), what="cache file")

    def _read_text(self, name: str) -> str:
        data = read_regular(str(self.git_dir / name))
        try:
            return data.decode("utf-8") if data is not None else ""
        except UnicodeDecodeError:
            return ""
