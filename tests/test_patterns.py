"""Unit patterns: `*`, `**`, `?`, `[...]`, directory patterns, `select` on sorted paths, refusals."""

from __future__ import annotations

import fnmatch
import random

import pytest

from versionbot.patterns import Pattern, pattern_problem


def reference_matches(pattern: str, path: str) -> bool:
    """An independent matcher: segment by segment with fnmatch, `**` spanning segments, and a
    pattern that names a directory matching every path below it."""
    segments = pattern.rstrip("/").split("/")
    parts = path.split("/")
    return any(_match_segments(segments, parts[:depth]) for depth in range(1, len(parts) + 1))


def _match_segments(segments: list[str], parts: list[str]) -> bool:
    if not segments:
        return not parts
    head, rest = segments[0], segments[1:]
    if head == "**":
        if not rest:  # a trailing `**` is "everything below", so at least one segment
            return len(parts) >= 1
        return any(_match_segments(rest, parts[start:]) for start in range(len(parts) + 1))
    return bool(parts) and fnmatch.fnmatchcase(parts[0], head) and _match_segments(rest, parts[1:])


PATHS = [
    "README.md",
    "a.py",
    "src/a.py",
    "src/b.txt",
    "src/pkg/c.py",
    "src/pkg/deep/d.py",
    "src/pkg-extra/e.py",
    "srcx/a.py",
    "docs/index.md",
    "docs/api/ref.md",
    "requirements/app/pylock.app.toml",
    "requirements/app/pylock.toml",
    "requirements/app/version.json",
    "requirements/fw/pylock.fw.toml",
    "x/y/z/gen/out.c",
    "gen/out.c",
    "file[1].txt",
]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        # `*` stays within one segment
        ("*.py", ["a.py"]),
        ("src/*.py", ["src/a.py"]),
        ("src/*", ["src/a.py", "src/b.txt", "src/pkg/c.py", "src/pkg/deep/d.py", "src/pkg-extra/e.py"]),
        (
            "requirements/*/pylock.*.toml",
            ["requirements/app/pylock.app.toml", "requirements/fw/pylock.fw.toml"],
        ),
        ("src*/a.py", ["src/a.py", "srcx/a.py"]),
        # `**` leading, middle, trailing
        (
            "**/*.py",
            ["a.py", "src/a.py", "src/pkg/c.py", "src/pkg/deep/d.py", "src/pkg-extra/e.py", "srcx/a.py"],
        ),
        ("**/gen/*.c", ["gen/out.c", "x/y/z/gen/out.c"]),
        ("src/**/d.py", ["src/pkg/deep/d.py"]),
        ("src/**/*.py", ["src/a.py", "src/pkg/c.py", "src/pkg/deep/d.py", "src/pkg-extra/e.py"]),
        ("docs/**", ["docs/api/ref.md", "docs/index.md"]),
        ("**", sorted(PATHS)),
        # directories, with and without the trailing slash
        ("src/pkg/", ["src/pkg/c.py", "src/pkg/deep/d.py"]),
        ("src/pkg", ["src/pkg/c.py", "src/pkg/deep/d.py"]),
        ("docs", ["docs/api/ref.md", "docs/index.md"]),
        ("requirements/", sorted(p for p in PATHS if p.startswith("requirements/"))),
        # literal files
        ("src/a.py", ["src/a.py"]),
        ("README.md", ["README.md"]),
        ("missing.txt", []),
        ("src/pkg/c", []),
        # `?` and `[...]`
        ("src/?.py", ["src/a.py"]),
        ("src/?.txt", ["src/b.txt"]),
        ("?.py", ["a.py"]),
        ("src/[ab].*", ["src/a.py", "src/b.txt"]),
        ("src/[!a].*", ["src/b.txt"]),
        ("src/[b-z].*", ["src/b.txt"]),
        ("file[1.txt", []),  # an unclosed `[` is literal
    ],
)
def test_select_and_matches(pattern: str, expected: list[str]) -> None:
    compiled = Pattern.compile(pattern)
    paths = sorted(PATHS)
    assert list(compiled.select(paths)) == sorted(expected)
    assert [path for path in paths if compiled.matches(path)] == sorted(expected)
    assert [path for path in paths if reference_matches(pattern, path)] == sorted(expected)


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("*", "a", True),
        ("*", "a/b", True),  # the directory `a` matches, so everything below it does
        ("*.py", "a/b.py", False),
        ("a/*", "a/b/c", True),
        ("a/*/c", "a/b/c", True),
        ("a/*/c", "a/b/x/c", False),
        ("a/**/c", "a/c", True),
        ("a/**/c", "a/b/x/c", True),
        ("a/**/c", "a/b/x/cc", False),
        ("a/**", "a", False),
        ("a/**", "a/b", True),
        ("**/c", "c", True),
        ("**/c", "a/b/c/d", True),
        ("a?c", "abc", True),
        ("a?c", "a/c", False),
        ("a*c", "a/c", False),
        ("a[/]c", "a/c", False),
        ("x[!a]y", "x/y", False),  # a bracket, negated or not, stays inside one segment
        ("x[^a]y", "x/y", False),
        ("x[!a]y", "xby", True),
        ("x[!a]y", "xay", False),
        ("a+b(c)", "a+b(c)", True),  # regex characters are literal
        ("a.b", "axb", False),
        ("[]]", "]", True),
        ("file[[]1].txt", "file[1].txt", True),  # `[[]` is the glob spelling of a literal `[`
        ("[!]]", "a", True),  # `]` right after `[!` is a member, as in fnmatch
        ("[!]]", "]", False),
        ("données/*.txt", "données/é.txt", True),
    ],
)
def test_matches(pattern: str, path: str, matches: bool) -> None:
    assert Pattern.compile(pattern).matches(path) is matches
    assert reference_matches(pattern, path) is matches


SEGMENT_CHOICES = ["a", "b", "ab", "a.py", "b.txt", "c-d", "a b", "é"]
PATTERN_SEGMENTS = [*SEGMENT_CHOICES, "*", "**", "*.py", "a*", "*b", "?", "[ab]", "[a-c]*", "?.txt"]


def _random_paths(rng: random.Random) -> list[str]:
    paths = {
        "/".join(rng.choice(SEGMENT_CHOICES) for _ in range(rng.randint(1, 4)))
        for _ in range(rng.randint(0, 40))
    }
    return sorted(paths)


def _random_pattern(rng: random.Random) -> str:
    # Negated brackets are left out here: they are covered by test_matches (`x[!a]y` on `x/y`).
    pattern = "/".join(rng.choice(PATTERN_SEGMENTS) for _ in range(rng.randint(1, 4)))
    return pattern + "/" if rng.random() < 0.2 else pattern


@pytest.mark.parametrize("seed", range(20))
def test_select_equals_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(60):
        paths = _random_paths(rng)
        pattern = _random_pattern(rng)
        compiled = Pattern.compile(pattern)
        brute = [path for path in paths if reference_matches(pattern, path)]
        assert [path for path in paths if compiled.matches(path)] == brute, pattern
        assert list(compiled.select(paths)) == brute, pattern


def test_literal_select_skips_sibling_prefixes() -> None:
    paths = sorted(["a/b", "a/b-c/x", "a/b.txt", "a/b/x", "a/b/y/z", "a/bb"])
    assert list(Pattern.compile("a/b").select(paths)) == ["a/b", "a/b/x", "a/b/y/z"]
    assert list(Pattern.compile("a/b/").select(paths)) == ["a/b", "a/b/x", "a/b/y/z"]


@pytest.mark.parametrize(
    ("pattern", "scan_root"),
    [
        ("src/a.py", "src/a.py"),
        ("src/pkg/", "src/pkg"),
        ("src/*.py", "src"),
        ("src/pkg/**/x", "src/pkg"),
        ("*.py", ""),
        ("**/x", ""),
    ],
)
def test_scan_root(pattern: str, scan_root: str) -> None:
    assert Pattern.compile(pattern).scan_root == scan_root


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("", "empty"),
        ("/", "empty"),
        ("..", "`..`"),
        ("../x", "`..`"),
        ("a/../b", "`..`"),
        ("a/..", "`..`"),
        ("a/../", "`..`"),
        (".", "`.`"),
        ("./a", "`.`"),
        ("a/./b", "`.`"),
        ("a//b", "empty"),
        ("/etc/passwd", "absolute"),
        ("/a/", "absolute"),
        ("C:/x", "absolute"),
        ("c:x", "absolute"),
        ("a\\b", "backslash"),
        ("..\\x", "backslash"),
    ],
)
def test_pattern_problem_refuses(pattern: str, problem: str) -> None:
    message = pattern_problem(pattern)
    assert message is not None
    assert problem in message


@pytest.mark.parametrize(
    "pattern",
    ["a", "a/", "a/b.txt", "**", "**/x", "a/**", "*.py", "...", "..a", "a..", ".hidden", "a/.b/c", "[ab]?"],
)
def test_pattern_problem_accepts(pattern: str) -> None:
    assert pattern_problem(pattern) is None
