"""Unit patterns: `*`, `**`, `?`, `[...]`, directory patterns, `select` on sorted paths, refusals;
and the wildmatch dialect they share with `.gitattributes` (its two engines agree)."""

from __future__ import annotations

import fnmatch
import random
import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from versionbot import wildmatch
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
        ("a/**/**/c", "a/c", True),
        ("a/**/*/c", "a/c", False),
        ("a/**/*/c", "a/b/x/c", True),
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
        ("\\.\\./x", "`..`"),  # escapes are undone before the check
        ("a/\\./b", "`.`"),
        ("a\\/b", "backslash before `/`"),
        ("a\\\\\\/b", "backslash before `/`"),
        ("a\\", "lone backslash"),
        ("a/b\\\\\\", "lone backslash"),
        ("a\\b", "backslash before 'b'"),  # a Windows separator, most likely
        ("..\\x", "backslash before 'x'"),
        ("src\\pkg\\", "backslash"),
        ("a\\1", "backslash"),
        ("a\\é", "backslash"),
        ("x[", "unclosed `[`"),
        ("src/[abc/x", "unclosed `[`"),
        ("[[:nope:]]", "unknown `[:class:]`"),
    ],
)
def test_pattern_problem_refuses(pattern: str, problem: str) -> None:
    message = pattern_problem(pattern)
    assert message is not None
    assert problem in message


@pytest.mark.parametrize(
    "pattern",
    [
        *["a", "a/", "a/b.txt", "**", "**/x", "a/**", "*.py", "...", "..a", "a..", ".hidden", "a/.b/c"],
        *["[ab]?", "a\\\\b", "a\\\\/b", "\\*.py", "\\[x]", "x\\?", "[\\]]", "\\!a", "a\\ b", "\\#"],
        *["[[:digit:]]*", "[z-a]", "x[]]", "[[:digit]]"],
    ],
)
def test_pattern_problem_accepts(pattern: str) -> None:
    assert pattern_problem(pattern) is None


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        # POSIX classes, ranges, escapes: git's wildmatch, character by character
        ("src/[[:digit:]]*.py", "src/1a.py", True),
        ("src/[[:digit:]]*.py", "src/a1.py", False),
        ("src/[[:alpha:]][[:alnum:]]", "src/a1", True),
        ("src/[[:upper:]]*", "src/Make", True),
        ("src/[[:upper:]]*", "src/make", False),
        ("[[:alpha:]]", "é", False),  # POSIX classes are ASCII, as in git
        ("?", "é", True),  # unit patterns match characters
        ("[é]", "é", True),
        ("[[:space:]]x", " x", True),
        ("[![:digit:]]x", "ax", True),
        ("[![:digit:]]x", "1x", False),
        ("x[[:punct:]]y", "x/y", False),  # a class never matches `/`
        ("[a-c]", "b", True),
        ("[z-a]", "z", True),  # git: the first end is a member, the reversed range is empty
        ("[z-a]", "m", False),
        ("[^a-c]", "d", True),
        ("file\\[1].txt", "file[1].txt", True),
        ("file\\[1].txt", "file1.txt", False),
        ("src/\\*.py", "src/*.py", True),
        ("src/\\*.py", "src/a.py", False),
        ("src/\\*.py/", "src/*.py/x", True),
        ("a\\.b", "a.b", True),
        ("a\\\\b", "a\\b", True),
        ("[\\]a]", "]", True),
        ("x\\?", "x?", True),
        ("x\\?", "xy", False),
        ("[[:digit]]", "d]", True),
        ("x[", "x[", False),  # malformed: matches nothing (pattern_problem refuses it)
        ("**/[[:digit:]]/**", "a/1/b", True),
    ],
)
def test_git_dialect(pattern: str, path: str, matches: bool) -> None:
    compiled = Pattern.compile(pattern)
    assert compiled.matches(path) is matches
    assert (list(compiled.select([path])) == [path]) is matches


def test_escaped_segments_are_not_literal_prefixes() -> None:
    compiled = Pattern.compile("src/\\*/a")
    assert compiled.scan_root == "src"
    assert list(compiled.select(sorted(["src/*/a", "src/b/a"]))) == ["src/*/a"]


def test_hostile_unit_pattern_stays_fast() -> None:
    compiled = Pattern.compile("**/*a*a*a*a*a*a*a*a*a*b/**")
    start = time.perf_counter()
    assert not compiled.matches("x/" + "a" * 3000 + "/y")
    assert compiled.matches("x/" + "a" * 2999 + "b/y")
    assert time.perf_counter() - start < 5  # linear: milliseconds; exponential: longer than the universe


# ---- the two engines of wildmatch: a regex where it is safe, an NFA for many stars ----------------

TEXT_ALPHABET = "ab/.-]é\\"
PATTERN_PIECES = [
    *["a", "b", "/", ".", "-", "é", "*", "**", "?", "\\*", "\\a", "\\"],
    *[
        "[ab]",
        "[!a]",
        "[^/]",
        "[a-c]",
        "[z-a]",
        "[]a]",
        "[[:alpha:]]",
        "[[:punct:]]",
        "[/]",
        "[",
        "**/",
        "/**",
    ],
]


@settings(max_examples=300, deadline=None, database=None)
@given(
    pattern=st.lists(st.sampled_from(PATTERN_PIECES), max_size=7).map("".join),
    texts=st.lists(st.text(TEXT_ALPHABET, max_size=8), min_size=1, max_size=8),
    pathname=st.booleans(),
)
def test_regex_and_nfa_agree(pattern: str, texts: list[str], pathname: bool) -> None:
    tokens = wildmatch.tokens(pattern, pathname=pathname)
    if tokens is None:
        assert not any(wildmatch.compile_matcher(pattern, pathname=pathname)(text) for text in texts)
        return
    regex = re.compile(wildmatch.regex_source(tokens), re.DOTALL)
    nfa = wildmatch.Nfa(tokens)
    compiled = wildmatch.compile_matcher(pattern, pathname=pathname)
    for text in texts:
        expected = regex.fullmatch(text) is not None
        assert nfa.matches(text) is expected, (pattern, text)
        assert bool(compiled(text)) is expected, (pattern, text)


@pytest.mark.parametrize(
    ("pattern", "text", "pathname", "matches"),
    [
        ("*a*a*a*a*a*b", "a" * 50 + "b", True, True),  # more stars than a regex may have: the NFA
        ("*a*a*a*a*a*b", "a" * 50, True, False),
        ("*a*a*a*a*a*b", "a/" * 5 + "b", True, False),
        ("*a*a*a*a*a*b", "a/" * 5 + "b", False, True),
        ("**/a/**/b/**/c", "x/a/b/y/c", True, True),
        ("**/a/**/b/**/c", "a/b/c", True, True),
        ("**/a/**/b/**/c", "a/bc", True, False),
        ("a/**\\/b", "a/x/y/b", True, True),  # git: `**\\/` matches across `/` but never nothing
        ("a/**\\/b", "a/b", True, False),
        ("a**\\/b", "ax/b", True, True),  # after a name, `**` is a plain `*`
        ("a**\\/b", "ax/y/b", True, False),
        ("a/**\\/b", "a//b", True, True),
    ],
)
def test_wildmatch_cases(pattern: str, text: str, pathname: bool, matches: bool) -> None:
    assert bool(wildmatch.compile_matcher(pattern, pathname=pathname)(text)) is matches
