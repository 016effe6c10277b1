"""`.gitattributes` of one snapshot -> the text mode of a path (hash revision 1, step 2)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from versionbot.attributes import Attributes, TextMode, parse_gitattributes


def attributes(files: Mapping[str, str]) -> Attributes:
    """Attributes over `.gitattributes` texts keyed by their folder ('' is the root)."""
    return Attributes(files.get)


@pytest.mark.parametrize(
    ("line", "mode"),
    [
        ("*.dat -text", TextMode.BINARY),
        ("*.dat binary", TextMode.BINARY),
        ("*.dat text", TextMode.TEXT),
        ("*.dat text=auto", TextMode.AUTO),
        ("*.dat eol=lf", TextMode.TEXT),
        ("*.dat eol=crlf", TextMode.TEXT),
        ("*.dat !text", TextMode.AUTO),
        ("*.dat diff", TextMode.AUTO),
        ("*.dat -diff -merge", TextMode.AUTO),
        ("*.dat text=auto eol=lf", TextMode.TEXT),
        ("*.dat -text eol=lf", TextMode.BINARY),
        ("*.dat eol=lf -text", TextMode.BINARY),
        ("*.dat binary eol=crlf", TextMode.BINARY),
        ("*.dat\t-text", TextMode.BINARY),
        ("   *.dat   text   ", TextMode.TEXT),
        ("*.other -text", TextMode.AUTO),
        ("", TextMode.AUTO),
        ("# *.dat -text", TextMode.AUTO),
        ("#*.dat -text", TextMode.AUTO),
        ("!*.dat -text", TextMode.AUTO),  # negative patterns are invalid in .gitattributes
        ("[attr]mine -text", TextMode.AUTO),  # a macro definition sets nothing by itself
        ("*.dat", TextMode.AUTO),  # a pattern with no attributes
        ("data/ -text", TextMode.AUTO),  # directory patterns never match files in .gitattributes
    ],
)
def test_single_line(line: str, mode: TextMode) -> None:
    assert attributes({"": line + "\n"}).text_mode("data/x.dat") is mode


def test_no_attributes_file_is_auto() -> None:
    assert attributes({}).text_mode("a/b/c.txt") is TextMode.AUTO


@pytest.mark.parametrize(
    ("text", "mode"),
    [
        ("*.dat -text\n*.dat !text\n", TextMode.AUTO),
        ("*.dat -text\n*.dat text\n", TextMode.TEXT),
        ("*.dat text\n*.dat -text\n", TextMode.BINARY),
        ("*.dat text\n*.dat text=auto\n", TextMode.AUTO),
        ("*.dat eol=lf\n*.dat !eol\n", TextMode.AUTO),
        ("*.dat binary\n*.dat diff\n", TextMode.BINARY),  # unrelated later lines keep earlier settings
        ("* -text\n*.dat text\n", TextMode.TEXT),
        ("*.dat text\n* -text\n", TextMode.BINARY),
        ("*.dat -text\r\n*.dat text\r\n", TextMode.TEXT),  # CRLF attribute files
        ("[attr]mine -text\n*.dat mine\n", TextMode.AUTO),  # macros are not expanded
    ],
)
def test_later_lines_override(text: str, mode: TextMode) -> None:
    assert attributes({"": text}).text_mode("x.dat") is mode


@pytest.mark.parametrize(
    ("files", "path", "mode"),
    [
        # a basename pattern matches at any depth below its file's folder
        ({"": "*.txt -text"}, "a.txt", TextMode.BINARY),
        ({"": "*.txt -text"}, "a/b/c/d.txt", TextMode.BINARY),
        ({"": "d.txt -text"}, "a/b/c/d.txt", TextMode.BINARY),
        ({"": "d.txt -text"}, "a/b/c/xd.txt", TextMode.AUTO),
        ({"": "*.txt -text"}, "a/b/c.txt.bak", TextMode.AUTO),
        ({"": "*.TXT -text"}, "a.txt", TextMode.AUTO),
        ({"sub": "*.txt -text"}, "sub/a.txt", TextMode.BINARY),
        ({"sub": "*.txt -text"}, "sub/d/e/a.txt", TextMode.BINARY),
        ({"sub": "*.txt -text"}, "a.txt", TextMode.AUTO),
        ({"sub": "*.txt -text"}, "other/a.txt", TextMode.AUTO),
        ({"sub": "*.txt -text"}, "subway/a.txt", TextMode.AUTO),
        ({"sub": "*.txt -text"}, "x/sub/a.txt", TextMode.AUTO),
        ({"a/b": "*.txt -text"}, "a/b/c.txt", TextMode.BINARY),
        ({"a/b": "*.txt -text"}, "a/c.txt", TextMode.AUTO),
        # a pattern with `/` is anchored to its file's folder
        ({"": "docs/*.md -text"}, "docs/a.md", TextMode.BINARY),
        ({"": "docs/*.md -text"}, "x/docs/a.md", TextMode.AUTO),
        ({"": "docs/*.md -text"}, "docs/sub/a.md", TextMode.AUTO),
        ({"": "/a.txt -text"}, "a.txt", TextMode.BINARY),
        ({"": "/a.txt -text"}, "d/a.txt", TextMode.AUTO),
        ({"sub": "/a.txt -text"}, "sub/a.txt", TextMode.BINARY),
        ({"sub": "/a.txt -text"}, "sub/d/a.txt", TextMode.AUTO),
        ({"sub": "d/*.txt -text"}, "sub/d/x.txt", TextMode.BINARY),
        ({"sub": "d/*.txt -text"}, "d/x.txt", TextMode.AUTO),
        ({"sub": "d/*.txt -text"}, "sub/e/d/x.txt", TextMode.AUTO),
        ({"": "**/gen/*.c -text"}, "gen/a.c", TextMode.BINARY),
        ({"": "**/gen/*.c -text"}, "x/y/gen/a.c", TextMode.BINARY),
        ({"": "**/gen/*.c -text"}, "x/gen/y/a.c", TextMode.AUTO),
        ({"": "vendor/** -text"}, "vendor/a/b.js", TextMode.BINARY),
        ({"": "vendor/** -text"}, "src/vendor/b.js", TextMode.AUTO),
        ({"": "vendor -text"}, "vendor/b.js", TextMode.AUTO),  # naming a directory does not recurse
        ({"": "a.b+c -text"}, "a.b+c", TextMode.BINARY),
        ({"": "a.b+c -text"}, "axb+c", TextMode.AUTO),
        ({"": "? -text"}, "d/x", TextMode.BINARY),
        ({"": "[xy].bin -text"}, "d/y.bin", TextMode.BINARY),
        ({"": "[xy].bin -text"}, "d/z.bin", TextMode.AUTO),
        ({"données": "*.txt -text"}, "données/é.txt", TextMode.BINARY),
        # a deeper .gitattributes overrides a shallower one, either way round
        ({"": "*.txt -text", "sub": "*.txt text"}, "sub/a.txt", TextMode.TEXT),
        ({"": "*.txt -text", "sub": "*.txt text"}, "a.txt", TextMode.BINARY),
        ({"": "*.txt -text", "sub": "*.txt text"}, "other/a.txt", TextMode.BINARY),
        ({"": "*.txt text", "sub": "*.txt -text"}, "sub/d/a.txt", TextMode.BINARY),
        ({"": "*.txt text", "sub": "*.txt !text"}, "sub/a.txt", TextMode.AUTO),
        ({"": "*.txt text", "a": "*.txt -text", "a/b": "*.txt text"}, "a/b/c.txt", TextMode.TEXT),
        ({"": "*.txt text", "a": "*.txt -text", "a/b": "*.txt text"}, "a/c.txt", TextMode.BINARY),
        ({"": "*.txt text", "a": "*.txt -text", "a/b": "*.md text"}, "a/b/c.txt", TextMode.BINARY),
        # the root file's anchored line still reaches into a folder that has its own file
        ({"": "sub/a.txt -text", "sub": "*.md text"}, "sub/a.txt", TextMode.BINARY),
        ({"": "sub/a.txt -text", "sub": "a.txt text"}, "sub/a.txt", TextMode.TEXT),
        ({"": "sub/a.txt -text", "sub": "a.txt eol=lf"}, "sub/a.txt", TextMode.BINARY),
    ],
)
def test_where_patterns_apply(files: Mapping[str, str], path: str, mode: TextMode) -> None:
    assert attributes(files).text_mode(path) is mode


def test_each_folder_is_loaded_once() -> None:
    calls: list[str] = []
    files = {"": "*.txt -text\n", "a": "*.md text\n"}

    def load(directory: str) -> str | None:
        calls.append(directory)
        return files.get(directory)

    attrs = Attributes(load)
    assert attrs.text_mode("a/b/x.txt") is TextMode.BINARY
    assert attrs.text_mode("a/b/y.md") is TextMode.TEXT
    assert attrs.text_mode("a/z.txt") is TextMode.BINARY
    assert sorted(calls) == ["", "a", "a/b"]


def test_parse_gitattributes_keeps_only_lines_with_attributes() -> None:
    text = "# comment\n\n[attr]m -text\n!neg -text\n*.a -text\ndir/ -text\n*.b\n*.c text eol=lf\n"
    rules = parse_gitattributes(text, "")
    assert [rule.settings for rule in rules] == [(("text", False),), (("text", True), ("eol", "lf"))]
    assert [bool(rule.regex.fullmatch("d/x.a")) for rule in rules] == [True, False]
