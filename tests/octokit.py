"""GitHub's official REST description and webhook examples, fetched from npm.

Two npm packages (pinned below) carry what the offline GitHub tests need:

* ``@octokit/openapi``: ``package/generated/api.github.com.json``, GitHub's own
  OpenAPI 3.0.3 description of the REST API (~13 MB);
* ``@octokit/webhooks-examples``: ``package/api.github.com/index.json``, real
  webhook payloads per event.

``npm pack`` fetches each tarball (the npm registry through the ordinary
``npm`` client is the only network access) into ``<project root>/.cache/octokit/``;
only the one needed file is extracted, the tarball is then deleted. The
extracted files are reused as long as they exist. A lock file serialises
concurrent processes (pytest-xdist, two terminals) and every file appears by
atomic rename, so a half-written file is never read. When npm is missing or
fails, a ``RuntimeError`` is raised: tests fail, they never skip.
"""

from __future__ import annotations

import base64
import copy
import fcntl
import functools
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openapi_core import Config, OpenAPI

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# VERSIONBOT_OCTOKIT_CACHE moves the cache (e.g. to a directory CI keeps between runs).
CACHE_DIR = Path(os.environ.get("VERSIONBOT_OCTOKIT_CACHE") or PROJECT_ROOT / ".cache" / "octokit")

OPENAPI_PACKAGE = "@octokit/openapi"
OPENAPI_VERSION = "23.0.2"
OPENAPI_INTEGRITY = (  # the registry's dist.integrity of that version
    "sha512-pV8M7L9GY23AybNvTmo2nyjmpmnt6+2sRE/tqr0ZLQcPS4lnw7u5eZGNmwRNkBC3D7gZXbFx5AHzLUVRBXGDhg=="
)
OPENAPI_MEMBER = "package/generated/api.github.com.json"

WEBHOOKS_PACKAGE = "@octokit/webhooks-examples"
WEBHOOKS_VERSION = "7.6.1"
WEBHOOKS_INTEGRITY = (
    "sha512-De6U3XB6O3DtCa7bKgCMzTHdeopqqZ6SNivMYJnK65ierKL1AnNIA0tkRYCRS7lwGT792d+Ps1WbfHlso6MynQ=="
)
WEBHOOKS_MEMBER = "package/api.github.com/index.json"

# The one server the REST description declares; requests are validated as if sent there.
GITHUB_API_SERVER = "https://api.github.com"


@dataclass(frozen=True)
class NpmFile:
    """One file inside one exact version of an npm package."""

    package: str
    version: str
    integrity: str  # the registry's ``dist.integrity`` (sha512, base64)
    member: str  # path inside the tarball

    @property
    def cached_path(self) -> Path:
        slug = self.package.lstrip("@").replace("/", "-")
        return CACHE_DIR / f"{slug}-{self.version}" / Path(self.member).name


OPENAPI_FILE = NpmFile(OPENAPI_PACKAGE, OPENAPI_VERSION, OPENAPI_INTEGRITY, OPENAPI_MEMBER)
WEBHOOKS_FILE = NpmFile(WEBHOOKS_PACKAGE, WEBHOOKS_VERSION, WEBHOOKS_INTEGRITY, WEBHOOKS_MEMBER)


@contextmanager
def _cache_lock() -> Iterator[None]:
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with (CACHE_DIR / ".lock").open("a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def _npm_pack(spec: str, destination: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(
            f"`npm` is not on PATH: it is needed to fetch {spec} for the GitHub API tests "
            "(install Node.js/npm, e.g. `apt-get install npm`)"
        )
    command = [
        npm,
        "pack",
        spec,
        "--json",
        "--ignore-scripts",
        "--pack-destination",
        str(destination),
    ]
    try:
        done = subprocess.run(
            command,
            cwd=destination,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise RuntimeError(f"`npm pack {spec}` could not run: {error}") from error
    if done.returncode != 0:
        raise RuntimeError(
            f"`npm pack {spec}` failed with exit code {done.returncode}:\n{done.stderr.strip()}"
        )
    try:
        filename = json.loads(done.stdout)[0]["filename"]
    except (ValueError, LookupError, TypeError) as error:
        raise RuntimeError(f"`npm pack {spec}` printed no tarball name: {done.stdout!r}") from error
    tarball = destination / str(filename)
    if not tarball.is_file():
        raise RuntimeError(f"`npm pack {spec}` did not write {tarball}")
    return tarball


def _check_integrity(tarball: Path, expected: str) -> None:
    algorithm = expected.partition("-")[0]
    digest = hashlib.new(algorithm)
    with tarball.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    actual = f"{algorithm}-{base64.b64encode(digest.digest()).decode()}"
    if actual != expected:
        raise RuntimeError(f"{tarball.name}: integrity {actual} is not the pinned {expected}")


def fetch(item: NpmFile) -> Path:
    """Return the cached path of ``item``, fetching it with ``npm pack`` if needed."""
    target = item.cached_path
    if target.is_file():
        return target
    with _cache_lock():
        if target.is_file():  # another process fetched it while we waited
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=CACHE_DIR, prefix=".pack-") as scratch:
            tarball = _npm_pack(f"{item.package}@{item.version}", Path(scratch))
            _check_integrity(tarball, item.integrity)
            with tarfile.open(tarball, "r:gz") as archive:
                try:
                    member = archive.getmember(item.member)
                except KeyError as error:
                    raise RuntimeError(f"{tarball.name} has no {item.member}") from error
                source = archive.extractfile(member)
                if source is None:
                    raise RuntimeError(f"{item.member} in {tarball.name} is not a regular file")
                partial = Path(scratch) / "partial"
                with source, partial.open("wb") as sink:
                    shutil.copyfileobj(source, sink)
            partial.replace(target)  # atomic: readers see no file or the whole file
    return target


@functools.cache
def load_openapi_spec() -> dict[str, Any]:
    """GitHub's REST OpenAPI description (parsed once per process; do not mutate it).

    The whole description is kept, ``paths`` included: pruning them would not make
    anything faster (see ``load_openapi``) and the full set lets the fake server tell a
    real GitHub endpoint it does not implement from a path GitHub does not have.
    """
    with fetch(OPENAPI_FILE).open("rb") as stream:
        spec: dict[str, Any] = json.load(stream)
    return spec


@functools.cache
def load_openapi() -> OpenAPI:
    """An openapi-core ``OpenAPI`` for GitHub's REST description, built once per process.

    Measured on the 13 MB description (2 cores): ``json.load`` ~0.2 s;
    ``OpenAPI.from_dict`` with its default spec validation ~18 s, and still ~14 s with
    ``paths`` pruned to a handful of operations, because the time goes into checking
    the ~900 shared ``components`` schemas. With ``spec_validator_cls=None`` it is
    instant; $refs then resolve lazily, the first request validation takes ~70 ms and
    later ones ~5 ms. The description is GitHub's own published one, so checking the
    description itself is skipped; requests are still validated in full against it.
    """
    config = Config(spec_validator_cls=None, server_base_url=GITHUB_API_SERVER)
    return OpenAPI.from_dict(load_openapi_spec(), config=config)


@functools.cache
def _webhook_events() -> list[dict[str, Any]]:
    with fetch(WEBHOOKS_FILE).open("rb") as stream:
        events: list[dict[str, Any]] = json.load(stream)
    return events


def webhook_events() -> list[str]:
    """Names of the events that have examples (``pull_request``, ``push``, ...)."""
    return [str(event["name"]) for event in _webhook_events()]


def webhook_example(event: str, action: str | None = None) -> dict[str, Any]:
    """A deep copy of the first real example payload of ``event`` (with ``action``).

    ``index.json`` is a list of ``{"name", "description", "actions", "properties",
    "examples"}``; each example is a full payload, its ``action`` field saying which
    action it shows (events without actions, like ``push``, have none).
    """
    for entry in _webhook_events():
        if entry["name"] != event:
            continue
        examples: list[dict[str, Any]] = entry["examples"]
        for example in examples:
            if action is None or example.get("action") == action:
                return copy.deepcopy(example)
        shown = sorted({str(example.get("action")) for example in examples})
        raise LookupError(f"no {event!r} example with action {action!r}; examples show {shown}")
    raise LookupError(f"no webhook event {event!r}; known events: {webhook_events()}")


def _measure() -> None:  # pragma: no cover - `python -m tests.octokit` prints timings
    start = time.perf_counter()
    spec = load_openapi_spec()
    loaded = time.perf_counter()
    load_openapi()
    built = time.perf_counter()
    print(f"spec: {len(spec['paths'])} paths, fetch+parse {loaded - start:.2f} s")
    print(f"OpenAPI object: {built - loaded:.3f} s")


if __name__ == "__main__":  # pragma: no cover
    _measure()
