"""Pins hash revision 1: these fingerprints must never change (a change is a new hash revision).

Set VERSIONBOT_REGENERATE_GOLDEN=1 to rewrite tests/fixtures/golden.json, and only ever together
with a new hash revision.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run
from tests.gitrepo import GitRepo

GOLDEN = Path(__file__).parent / "fixtures" / "golden.json"
SUBMODULE_COMMIT = "0123456789abcdef0123456789abcdef01234567"

CONFIG = """\
[units.alpha]
version-file = "versions/alpha.json"
inputs = ["alpha/"]

[units.beta]
version-file = "versions/beta.json"
inputs = ["beta/*.txt"]
depends-on = ["alpha"]
values = { runtime = "cpython-3.11", flags = [1, true, "x"], nested = { key = "välue" } }
"""

FILES: dict[str, bytes] = {
    ".gitattributes": b"*.dat binary\n*.crlf eol=crlf\nalpha/force/* text\n/alpha/keep/* -text\n",
    "alpha/lf.txt": b"hello\nworld\n",
    "alpha/crlf.txt": b"hello\r\nworld\r\n",
    "alpha/lone-cr.txt": b"a\rb\r\nc\r",
    "alpha/nul.bin": b"\x00\r\n",
    "alpha/late-nul.txt": b"x" * 9000 + b"\x00\r\n",
    "alpha/data.dat": b"a\r\n",
    "alpha/eol.crlf": b"a\r\nb\n",
    "alpha/force/t.bin": b"\x00\r\n",
    "alpha/keep/k.txt": b"a\r\n",
    "alpha/ünïcödé.txt": "ü\r\n".encode(),
    "alpha/empty.txt": b"",
    "beta/one.txt": b"1\r\n",
    "beta/skip.md": b"not an input\n",
}


def make_sample(root: Path) -> GitRepo:
    repo = GitRepo(root)
    repo.write("versionbot.toml", CONFIG)
    for path, content in FILES.items():
        repo.write(path, content)
    (repo.path / "alpha" / "link").symlink_to("lf.txt")
    (repo.path / "alpha" / "sub").mkdir()  # a submodule that is not checked out
    repo.git("add", "-A")
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{SUBMODULE_COMMIT},alpha/sub")
    repo.commit("sample", add_all=False)
    return repo


def fingerprints(repo: GitRepo) -> dict[str, Any]:
    return {
        name: {
            key: repo.read_json(f"versions/{name}.json").get(key)
            for key in ("inputs", "inputs_hash", "depends", "values")
        }
        for name in ("alpha", "beta")
    }


def test_hash_revision_1_is_pinned(tmp_path: Path, run: Run) -> None:
    repo = make_sample(tmp_path / "sample")
    assert run(repo, "bump").code == 0
    actual = fingerprints(repo)
    if os.environ.get("VERSIONBOT_REGENERATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(actual, indent=2, sort_keys=True, ensure_ascii=False) + "\n", "utf-8")
    assert actual == json.loads(GOLDEN.read_text("utf-8"))


@pytest.mark.parametrize("head", ["worktree", "index", "HEAD"])
def test_every_snapshot_kind_gives_the_same_fingerprints(tmp_path: Path, run: Run, head: str) -> None:
    repo = make_sample(tmp_path / "sample")
    run(repo, "bump")
    repo.commit("versions")
    result = run(repo, "check", "--head", head, "--format", "json")
    assert result.code == 0, result.out
    golden = json.loads(GOLDEN.read_text("utf-8"))
    hashes = {unit["unit"]: unit["inputs_hash"] for unit in json.loads(result.out)["units"]}
    assert hashes == {"alpha": golden["alpha"]["inputs_hash"], "beta": golden["beta"]["inputs_hash"]}


def test_golden_digests_follow_the_rules() -> None:
    """Spot checks that the pinned file digests mean what DESIGN.md says."""
    golden = json.loads(GOLDEN.read_text("utf-8"))["alpha"]["inputs"]
    assert golden["alpha/crlf.txt"] == golden["alpha/lf.txt"]  # CRLF normalised
    assert golden["alpha/keep/k.txt"] == golden["alpha/data.dat"]  # both binary: raw b"a\r\n"
    assert golden["alpha/nul.bin"] != golden["alpha/force/t.bin"]  # `text` forces normalisation
    assert golden["alpha/sub"] == "git:" + SUBMODULE_COMMIT
    # the same figures `printf ... | sha256sum` gives
    assert golden["alpha/lf.txt"] == "sha256:" + hashlib.sha256(b"hello\nworld\n").hexdigest()
    assert golden["alpha/lone-cr.txt"] == "sha256:" + hashlib.sha256(b"a\rb\nc\r").hexdigest()
    assert golden["alpha/force/t.bin"] == "sha256:" + hashlib.sha256(b"\x00\n").hexdigest()
    assert golden["alpha/link"] == "sha256:" + hashlib.sha256(b"symlink:lf.txt").hexdigest()
    assert "alpha/link" in golden
