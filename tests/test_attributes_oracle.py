"""Oracle: versionbot's text/binary decision is git's own, on real repositories.

Each case writes `.gitattributes` files into a fresh repository, asks `git check-attr --stdin -z text
eol crlf` about every path at once (no global, system or info/attributes file can speak), turns
git's answer into a decision the way convert.c's `convert_attrs` does (written here independently of
versionbot) and compares it with `Attributes.text_mode`.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.gitrepo import clean_env
from versionbot.attributes import Attributes, TextMode

Tree = Mapping[str, bytes]  # folder ('' is the root) -> its .gitattributes


def git_env(home: Path) -> dict[str, str]:
    """No attributes but the repository's: no system file, no ~/.config/git/attributes."""
    return clean_env(GIT_ATTR_NOSYSTEM="1", HOME=str(home), XDG_CONFIG_HOME=str(home / "config"))


def converts_as(text: str, crlf: str, eol: str) -> TextMode:
    """convert.c's decision from check-attr's words (set / unset / unspecified / a value)."""
    for value in (text, crlf):
        if value in ("set", "input"):
            return TextMode.TEXT
        if value == "unset":
            return TextMode.BINARY
        if value == "auto":
            return TextMode.AUTO
    return TextMode.TEXT if eol in ("lf", "crlf") else TextMode.AUTO


def git_modes(root: Path, tree: Tree, paths: Sequence[str]) -> list[TextMode]:
    """What git decides for each path, with `tree` written into a new repository at `root`."""
    env = git_env(root.parent)
    subprocess.run(["git", "init", "-q", str(root)], env=env, check=True)
    (root / ".git" / "info" / "attributes").unlink(missing_ok=True)
    for folder, content in tree.items():
        target = root / folder / ".gitattributes"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    result = subprocess.run(
        ["git", "check-attr", "--stdin", "-z", "text", "eol", "crlf"],
        cwd=root,
        input=b"".join(path.encode() + b"\0" for path in paths),
        env=env,
        capture_output=True,
        check=True,
        timeout=120,
    )
    fields = result.stdout.decode().split("\0")[:-1]
    assert len(fields) == 9 * len(paths), result.stderr
    answers = [
        dict(zip(fields[i + 1 : i + 9 : 3], fields[i + 2 : i + 9 : 3], strict=True))
        for i in range(0, len(fields), 9)
    ]
    return [converts_as(a["text"], a["crlf"], a["eol"]) for a in answers]


def versionbot_modes(tree: Tree, paths: Sequence[str]) -> list[TextMode]:
    attributes = Attributes(tree.get)
    return [attributes.text_mode(path) for path in paths]


def compare_with_git(tree: Tree, paths: Sequence[str]) -> list[TextMode]:
    with tempfile.TemporaryDirectory() as scratch:
        expected = git_modes(Path(scratch) / "repo", tree, paths)
    assert dict(zip(paths, versionbot_modes(tree, paths), strict=True)) == dict(
        zip(paths, expected, strict=True)
    ), tree
    return expected


# ---- the items of issue 9, each checked against git and against what it should be -----------------


@pytest.mark.parametrize(
    ("tree", "expected"),
    [
        # POSIX classes: a CRLF change in 1.dat is a content change, not an eol-only one
        ({"": b"[[:digit:]]*.dat -text\n"}, {"1.dat": TextMode.BINARY, "x.dat": TextMode.AUTO}),
        ({"": b"*[[:space:]]*.dat -text\n"}, {"a b.dat": TextMode.BINARY, "ab.dat": TextMode.AUTO}),
        # -binary in a subfolder stops the root's `binary` from expanding there
        (
            {"": b"*.dat binary\n", "sub": b"*.dat -binary\n"},
            {"x.dat": TextMode.BINARY, "sub/x.dat": TextMode.AUTO, "sub/d/x.dat": TextMode.AUTO},
        ),
        # custom macros expand where set, and only the root's are macros
        (
            {"": b"[attr]lf text eol=lf\n[attr]raw -text\n*.sh lf\n*.bin raw\n", "sub": b"*.bin -raw\n"},
            {"a.sh": TextMode.TEXT, "a.bin": TextMode.BINARY, "sub/a.bin": TextMode.AUTO},
        ),
        (
            {"": b"*.x mine\n", "sub": b"[attr]mine -text\n*.y mine\n"},
            {"a.x": TextMode.AUTO, "sub/a.x": TextMode.AUTO, "sub/a.y": TextMode.AUTO},
        ),
        # a reversed range is empty, never an error; its first end is still a member, as in git
        ({"": b"[z-a] text\n[z-a]* -text\n* eol=lf\n"}, {"a": TextMode.TEXT, "z": TextMode.BINARY}),
        ({"": b"[z-a]* -text\n* text\n[y-a]* -text\n"}, {"a": TextMode.TEXT, "y": TextMode.BINARY}),
    ],
)
def test_issue_items_match_git(tree: Tree, expected: Mapping[str, TextMode]) -> None:
    assert compare_with_git(tree, list(expected)) == list(expected.values())


def test_many_stars_match_git() -> None:
    """Short names only: git 2.39's own wildmatch takes exponential time on long ones (fixed in
    2.41); versionbot's speed on those is pinned in test_attributes.py."""
    tree = {"": b"*a*a*a*a*a*b -text\n**/*a*a*a*c/** -text\n*a*?*[ab]*b* text\n"}
    paths = ["a" * 16, "a" * 15 + "b", "x/" + "a" * 8 + "c/y", "a" * 8 + "/z", "abab", "xaxbx"]
    compare_with_git(tree, paths)


# ---- generated trees ---------------------------------------------------------------------------

FOLDERS = ["a", "b", "sub", "é", "x y", "[x]"]
NAMES = [
    "a",
    "b",
    "ab",
    "a.dat",
    "b.dat",
    "1.dat",
    "x.txt",
    "A.TXT",
    "é",
    "é.dat",
    "a b",
    "[x]",
    "!n",
    "q\\r",
    "*",
]
PIECES = [
    *["a", "b", "dat", ".", "sub", "é", "x", "-", "]", "!"],
    *["*", "**", "?", "/", "\\*", "\\[", "\\", "[", "[]]", "[!]a]"],
    *["[ab]", "[!a]", "[^a]", "[a-c]", "[z-a]", "[--/]", "[\\]-a]", "[[:digit:]]", "[[:alpha:]]"],
    *["[[:space:]]", "[[:punct:]]", "[[:nope:]]", "[[:digit]]", "[[:]]", "[\xc3]"],
]
STATES = [
    *["text", "-text", "!text", "text=auto", "text=input", "text=lf", "text=", "-text=auto"],
    *["crlf", "-crlf", "!crlf", "crlf=input", "crlf=auto", "crlf=x", "eol=lf", "eol=crlf", "eol=x", "!eol"],
    *["binary", "-binary", "!binary", "binary=x", "m1", "-m1", "m2", "!m2", "diff", "-diff"],
    *["bad$name", "-", "=x", "--text", "a=b=c"],
]
MACROS = ["[attr]m1", "[attr]m2", "[attr]binary", "[attr]bad$"]


def quote(pattern: bytes) -> bytes:
    """The C-quoted spelling git accepts: escaped `"` and `\\`, other bytes in octal or as they are."""
    out = bytearray(b'"')
    for byte in pattern:
        if byte in b'"\\':
            out += b"\\" + bytes([byte])
        elif byte >= 0x80 or byte == 0x20:
            out += b"\\%03o" % byte
        else:
            out.append(byte)
    return bytes(out + b'"')


SEGMENT_CHANGES = ["*", "**", "?", "[!]]", "[[:alpha:]]", "[[:digit:]]", "[a-z]", "[!a]", "[]a-z]"]


@st.composite
def segment_patterns(draw: st.DrawFn, segment: str) -> str:
    """A pattern for one path segment, likely to match it (or to nearly match it)."""
    choice = draw(st.integers(0, 7))
    if choice == 0:
        return draw(st.sampled_from(SEGMENT_CHANGES))
    if choice == 1:
        return "*" + segment[draw(st.integers(0, len(segment))) :]
    if choice == 2:
        return segment[: draw(st.integers(0, len(segment)))] + draw(st.sampled_from(["*", "**", "?*"]))
    if choice == 3:
        at = draw(st.integers(0, len(segment) - 1))
        swap = draw(st.sampled_from(["?", "\\" + segment[at], f"[{segment[at]}]", f"[!{segment[at]}]"]))
        return segment[:at] + swap + segment[at + 1 :]
    return segment


@st.composite
def patterns(draw: st.DrawFn, paths: Sequence[str]) -> bytes:
    if paths and draw(st.integers(0, 3)) != 0:  # mostly from a path, to make matches likely
        segments = draw(st.sampled_from(paths)).split("/")
        segments = segments[draw(st.integers(0, len(segments) - 1)) :]
        body = "/".join(draw(segment_patterns(segment)) for segment in segments)
    else:
        body = "".join(draw(st.lists(st.sampled_from(PIECES + NAMES), min_size=1, max_size=4)))
    pattern = (
        ("/" if draw(st.integers(0, 3)) == 0 else "") + body + ("/" if draw(st.integers(0, 9)) == 0 else "")
    )
    raw = pattern.encode()
    style = draw(st.integers(0, 9))
    if style == 0:
        return b"!" + raw
    if style in (1, 2):
        return quote(raw)
    if style == 3:
        return b'"' + raw  # not a valid quoted string: git reads it as written
    return raw


@st.composite
def lines(draw: st.DrawFn, paths: Sequence[str], *, is_root: bool) -> bytes:
    kind = draw(st.integers(0, 19))
    states = " ".join(draw(st.lists(st.sampled_from(STATES), min_size=1, max_size=4))).encode()
    indent = draw(st.sampled_from([b"", b" ", b"\t"]))
    if kind == 0:
        return b"# " + states
    if kind == 1:
        return indent
    if kind in (2, 3) or (kind == 4 and not is_root):
        return indent + draw(st.sampled_from(MACROS)).encode() + b" " + states
    if kind == 5:
        return b"* " + states + b" " * 2048  # too long: git 2.39.1+ ignores it
    return indent + draw(patterns(paths)) + draw(st.sampled_from([b" ", b"\t", b"  "])) + states


@st.composite
def trees(draw: st.DrawFn) -> tuple[dict[str, bytes], list[str]]:
    paths = draw(
        st.lists(
            st.lists(st.sampled_from(FOLDERS), max_size=3).flatmap(
                lambda folders: st.sampled_from(NAMES).map(lambda name: "/".join([*folders, name]))
            ),
            min_size=1,
            max_size=12,
            unique=True,
        )
    )
    folders = sorted({path.rpartition("/")[0] for path in paths} | {""})
    tree: dict[str, bytes] = {}
    for folder in draw(st.lists(st.sampled_from(folders), min_size=1, max_size=3, unique=True)):
        below = [path.removeprefix(folder + "/") for path in paths if path.startswith(folder + "/")]
        body = draw(st.lists(lines(below if folder else paths, is_root=not folder), min_size=1, max_size=8))
        newline = draw(st.sampled_from([b"\n", b"\r\n"]))
        bom = b"\xef\xbb\xbf" if draw(st.integers(0, 9)) == 0 else b""
        tree[folder] = bom + newline.join(body) + newline
    return tree, paths


ORACLE_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    database=None,  # nothing written into the work tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@ORACLE_SETTINGS
@given(trees())
def test_generated_trees_match_git(case: tuple[dict[str, bytes], list[str]]) -> None:
    tree, paths = case
    compare_with_git(tree, paths)
