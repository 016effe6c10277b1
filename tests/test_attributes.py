"""`.gitattributes` of one snapshot -> the text mode of a path (hash revision 1, step 2).

Every expectation here is git's own (tests/test_attributes_oracle.py asks git about the same rules).
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import pytest

from versionbot.attrfile import Line, parse_gitattributes
from versionbot.attributes import Attributes, TextMode, folders_above

T, B, A = TextMode.TEXT, TextMode.BINARY, TextMode.AUTO


def attributes(files: Mapping[str, str | bytes]) -> Attributes:
    """Attributes over `.gitattributes` contents keyed by their folder ('' is the root)."""
    return Attributes(files.get)


def mode_of(text: str | bytes, path: str = "data/x.dat") -> TextMode:
    return attributes({"": text}).text_mode(path)


@pytest.mark.parametrize(
    ("line", "mode"),
    [
        # `text` decides first
        ("*.dat text", T),
        ("*.dat -text", B),
        ("*.dat text=input", T),
        ("*.dat text=auto", A),
        ("*.dat !text", A),
        ("*.dat text=other", A),
        ("*.dat text=", A),
        ("*.dat -text=auto", B),  # git ignores a value after `-`
        ("*.dat binary", B),
        # where `text` is unspecified or another value, the legacy `crlf` decides the same way
        ("*.dat crlf", T),
        ("*.dat -crlf", B),
        ("*.dat crlf=input", T),
        ("*.dat crlf=auto", A),
        ("*.dat crlf=other", A),
        ("*.dat !text -crlf", B),
        ("*.dat text=other -crlf", B),
        ("*.dat text -crlf", T),
        ("*.dat -text crlf", B),
        ("*.dat text=auto -crlf", A),
        # where both are unspecified, `eol=lf` or `eol=crlf` makes it text
        ("*.dat eol=lf", T),
        ("*.dat eol=crlf", T),
        ("*.dat eol=other", A),
        ("*.dat eol", A),
        ("*.dat eol=lf=x", A),  # the value is everything after the first `=`
        ("*.dat text=other eol=lf", T),
        ("*.dat crlf=other eol=crlf", T),
        ("*.dat text=auto eol=lf", A),  # auto still detects
        ("*.dat crlf=auto eol=crlf", A),
        ("*.dat -text eol=lf", B),
        ("*.dat -crlf eol=lf", B),
        ("*.dat binary eol=crlf", B),
        # within one line the later state wins, and a macro expands where it stands
        ("*.dat -text text", T),
        ("*.dat text -text", B),
        ("*.dat binary text", T),
        ("*.dat text binary", B),
        ("*.dat -binary", A),
        ("*.dat binary=yes", A),  # a macro expands only when set
        # attributes that do not touch line endings
        ("*.dat diff", A),
        ("*.dat -diff -merge", A),
        # blanks, comments, patterns without attributes
        ("*.dat\t-text", B),
        ("   *.dat   text   ", T),
        ("*.dat\r-text", B),  # a CR separates like a blank
        ("*.dat\v-text", A),  # a vertical tab does not: one pattern, no attributes
        ("*.other -text", A),
        ("", A),
        ("# *.dat -text", A),
        ("#*.dat -text", A),
        ("*.dat", A),
        ("data/ -text", A),  # a pattern ending in `/` names only directories
        ("x.dat/ -text", A),
        # git ignores a negative pattern's whole line
        ("!*.dat -text", A),
        ("!x.dat text", A),
        # an invalid attribute name makes git ignore the whole line
        ("*.dat -text bad$name", A),
        ("*.dat -text -", A),
        ("*.dat --text", A),
        ("*.dat -text =x", A),
        ("*.dat -text !", A),
        ("*.dat -text é", A),
        ("*.dat -text a-b.c_D9", B),
    ],
)
def test_single_line(line: str, mode: TextMode) -> None:
    assert mode_of(line + "\n") is mode


def test_no_attributes_file_is_auto() -> None:
    assert attributes({}).text_mode("a/b/c.txt") is A
    assert attributes({"": ""}).text_mode("a/b/c.txt") is A


@pytest.mark.parametrize(
    ("text", "mode"),
    [
        ("*.dat -text\n*.dat !text\n", A),
        ("*.dat -text\n*.dat text\n", T),
        ("*.dat text\n*.dat -text\n", B),
        ("*.dat text\n*.dat text=auto\n", A),
        ("*.dat eol=lf\n*.dat !eol\n", A),
        ("*.dat binary\n*.dat diff\n", B),  # unrelated later lines keep earlier settings
        ("* -text\n*.dat text\n", T),
        ("*.dat text\n* -text\n", B),
        ("* binary\n*.dat text\n", T),  # `binary` followed by a more specific `text` is text
        ("*.dat text\n* binary\n", B),
        ("*.dat -text\r\n*.dat text\r\n", T),  # CRLF attribute files
        ("*.dat -text\n*.dat text", T),  # no newline at the end
        ("*.dat -text\n*.dat eol=lf\n", B),  # eol alone does not override an earlier -text
        ("*.dat -text\n*.dat crlf\n", B),
    ],
)
def test_later_lines_override(text: str, mode: TextMode) -> None:
    assert mode_of(text, "x.dat") is mode


@pytest.mark.parametrize(
    ("text", "mode"),
    [
        ("[attr]mine -text\n*.dat mine\n", B),
        ("*.dat mine\n[attr]mine -text\n", B),  # macros are known before any line is matched
        ("[attr]mine -text\n*.dat -mine\n", A),
        ("[attr]mine -text\n*.dat !mine\n", A),
        ("[attr]mine -text\n*.dat mine=x\n", A),
        ("[attr]mine -text\n[attr]mine text\n*.dat mine\n", T),  # the last definition wins
        ("[attr]binary text\n*.dat binary\n", T),  # the root may redefine the built-in macro
        ("[attr]outer inner\n[attr]inner eol=crlf\n*.dat outer\n", T),
        ("[attr]a b\n[attr]b a -text\n*.dat a\n", B),  # a cycle expands each macro once
        ("[attr]mine text -text\n*.dat mine\n", B),  # a macro's later state wins too
        ("[attr]mine -text\n*.dat text mine\n", B),
        ("[attr]mine -text\n*.dat mine text\n", T),
        ("[attr]mine -text\n*.dat mine\n*.dat eol=lf\n", B),
        ("[attr]lf text eol=lf\n*.dat lf\n*.dat -text\n", B),  # what a later line sets stays
        ("[attr]mine -text\n*.dat -mine\n*.dat mine\n", B),
        ("[attr]mine -text\n*.dat mine\n*.dat -mine\n", A),
        ("[attr]bad$ -text\n*.dat bad$\n", A),  # an invalid macro name: the line is ignored
        ("[attr]mine -text bad$\n*.dat mine\n", A),
        ("[attr] -text\n", A),  # `[attr]` alone is a pattern (a class of a, t and r)
        ('"[attr]mine" -text\n*.dat mine\n', B),  # git unquotes before it looks for `[attr]`
    ],
)
def test_macros(text: str, mode: TextMode) -> None:
    assert mode_of(text, "x.dat") is mode


def test_attr_alone_is_a_class_pattern() -> None:
    assert mode_of("[attr] -text\n", "d/t") is B
    assert mode_of("[attr] -text\n", "d/x") is A


def test_long_macro_chains_do_not_recurse() -> None:
    chain = "".join(f"[attr]m{i} m{i + 1}\n" for i in range(5000))
    assert mode_of(chain + "[attr]m5000 -text\n*.dat m0\n", "x.dat") is B


@pytest.mark.parametrize(
    ("files", "path", "mode"),
    [
        # `[attr]` lines define macros only in the root's file; elsewhere git ignores the line
        ({"": "*.dat mine", "sub": "[attr]mine -text"}, "sub/x.dat", A),
        ({"sub": "[attr]mine -text\n*.dat mine"}, "sub/x.dat", A),
        ({"": "[attr]mine -text", "sub": "*.dat mine"}, "sub/x.dat", B),
        # -binary in a subfolder stops a root `binary` from expanding there, !binary too
        ({"": "*.dat binary", "sub": "*.dat -binary"}, "sub/x.dat", A),
        ({"": "*.dat binary", "sub": "*.dat -binary"}, "sub/d/x.dat", A),
        ({"": "*.dat binary", "sub": "*.dat -binary"}, "x.dat", B),
        ({"": "*.dat binary", "sub": "*.dat !binary"}, "sub/x.dat", A),
        ({"": "*.dat binary", "sub": "*.dat text"}, "sub/x.dat", T),
        ({"": "*.dat binary", "sub": "*.dat eol=lf"}, "sub/x.dat", B),
        # a macro's states yield to what a deeper file set
        ({"": "[attr]lf text eol=lf\n*.x lf", "sub": "*.x -text"}, "sub/a.x", B),
        ({"": "[attr]raw -text\n*.x raw", "sub": "*.x crlf"}, "sub/a.x", B),
        ({"": "*.x -text", "sub": "*.x !text"}, "sub/a.x", A),
    ],
)
def test_macros_across_files(files: Mapping[str, str], path: str, mode: TextMode) -> None:
    assert attributes(files).text_mode(path) is mode


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        # POSIX classes (ASCII only, as git's ctype)
        ("[[:digit:]]*.dat", "1x.dat", True),
        ("[[:digit:]]*.dat", "x1.dat", False),
        ("*[[:space:]]*", "a b", True),
        ("*[[:space:]]*", "a\tb", True),
        ("*[[:space:]]*", "a\vb", False),  # git's isspace leaves out \v and \f
        ("[[:upper:]][[:lower:]]", "Ab", True),
        ("[[:alpha:]]", "é", False),
        ("[![:alnum:]]", "-", True),
        ("[[:xdigit:]][[:xdigit:]]", "fF", True),
        ("[[:punct:]]", "!", True),
        ("[[:blank:]]", " ", True),
        ("[[:cntrl:]]", "\x7f", True),
        ("[[:graph:]]", " ", False),
        ("[[:print:]]", " ", True),
        ("x[[:digit:]-]", "x-", True),
        ("[[:nope:]]", "n", False),  # an unknown class: the pattern matches nothing
        ("[[:digit]]", "d]", True),  # not a class: `[`, `:`, d, i, g, t, then a literal `]`
        ("[[:]]", ":]", True),
        # ranges, reversed ranges (empty, with the first end still a member, as in git), negation
        ("[a-c].dat", "b.dat", True),
        ("[a-c].dat", "d.dat", False),
        ("[z-a]", "z", True),
        ("[z-a]", "m", False),
        ("[z-a]", "a", False),
        ("[!a-c]", "d", True),
        ("[^a-c]", "b", False),
        ("[]a]", "]", True),
        ("[!]]", "]", False),
        ("x[--0]", "x.", True),
        ("[--/]", "-", False),  # a `/` inside a class still makes it a path pattern
        ("[a-]", "-", True),
        # escapes
        ("\\*.dat", "*.dat", True),
        ("\\*.dat", "x.dat", False),
        ("\\[x]", "[x]", True),
        ("a\\", "a", False),  # a trailing backslash matches nothing
        ("\\!n", "!n", True),  # the way to write a leading `!`
        ("\\#c", "#c", True),
        ("[\\]]", "]", True),
        ("[\\!]", "!", True),
        # unclosed classes match nothing
        ("x[", "x[", False),
        ("[abc", "[abc", False),
        # `?` and classes match bytes: é is two
        ("?.txt", "é.txt", False),
        ("??.txt", "é.txt", True),
        ("*é*", "café.txt", True),
        ("x[é]", "xé", False),  # a class of two bytes matches one of them
        ("x[é][é]", "xé", True),
        # literal names, `*literal` and other shapes
        ("x.dat", "x.dat", True),
        ("x.dat", "xx.dat", False),
        ("*", "anything", True),
        ("*.tar.gz", "a.tar.gz", True),
        ("*.*.gz", "a.b.gz", True),
        ("a*c", "abbbc", True),
        ("**", "x", True),
        ("a**", "abc", True),
    ],
)
def test_basename_patterns(pattern: str, path: str, matches: bool) -> None:
    expected = B if matches else A
    assert mode_of(f'"{_c_quoted(pattern)}" -text\n', f"d/{path}") is expected


def _c_quoted(text: str) -> str:
    return "".join(f"\\{ord(char):03o}" if ord(char) < 0x20 or char in '"\\' else char for char in text)


@pytest.mark.parametrize(
    ("files", "path", "mode"),
    [
        # a basename pattern matches at any depth below its file's folder
        ({"": "*.txt -text"}, "a.txt", B),
        ({"": "*.txt -text"}, "a/b/c/d.txt", B),
        ({"": "d.txt -text"}, "a/b/c/d.txt", B),
        ({"": "d.txt -text"}, "a/b/c/xd.txt", A),
        ({"": "*.txt -text"}, "a/b/c.txt.bak", A),
        ({"": "*.TXT -text"}, "a.txt", A),
        ({"sub": "*.txt -text"}, "sub/a.txt", B),
        ({"sub": "*.txt -text"}, "sub/d/e/a.txt", B),
        ({"sub": "*.txt -text"}, "a.txt", A),
        ({"sub": "*.txt -text"}, "other/a.txt", A),
        ({"sub": "*.txt -text"}, "subway/a.txt", A),
        ({"sub": "*.txt -text"}, "x/sub/a.txt", A),
        ({"a/b": "*.txt -text"}, "a/b/c.txt", B),
        ({"a/b": "*.txt -text"}, "a/c.txt", A),
        # a pattern with `/` is anchored to its file's folder (WM_PATHNAME)
        ({"": "docs/*.md -text"}, "docs/a.md", B),
        ({"": "docs/*.md -text"}, "x/docs/a.md", A),
        ({"": "docs/*.md -text"}, "docs/sub/a.md", A),
        ({"": "/a.txt -text"}, "a.txt", B),
        ({"": "/a.txt -text"}, "d/a.txt", A),
        ({"": "/*.txt -text"}, "d/a.txt", A),
        ({"sub": "/a.txt -text"}, "sub/a.txt", B),
        ({"sub": "/a.txt -text"}, "sub/d/a.txt", A),
        ({"sub": "d/*.txt -text"}, "sub/d/x.txt", B),
        ({"sub": "d/*.txt -text"}, "d/x.txt", A),
        ({"sub": "d/*.txt -text"}, "sub/e/d/x.txt", A),
        ({"": "d/?.txt -text"}, "d/x.txt", B),
        ({"": "/d?x.txt -text"}, "d/x.txt", A),  # `?`, `*` and classes never match a `/` here
        ({"": "/d[/]x.txt -text"}, "d/x.txt", A),
        ({"": "/d[!a]x.txt -text"}, "d/x.txt", A),
        ({"": "/d[[:punct:]]x.txt -text"}, "d/x.txt", A),
        ({"": "/d*x.txt -text"}, "d/x.txt", A),
        ({"": "/d?x.txt -text"}, "d-x.txt", B),
        ({"": "**/gen/*.c -text"}, "gen/a.c", B),
        ({"": "**/gen/*.c -text"}, "x/y/gen/a.c", B),
        ({"": "**/gen/*.c -text"}, "x/gen/y/a.c", A),
        ({"": "a/**/b -text"}, "a/b", B),
        ({"": "a/**/b -text"}, "a/x/y/b", B),
        ({"": "a/**b -text"}, "a/xb", B),  # `**` inside a name is a plain `*`
        ({"": "a/**b -text"}, "a/x/b", A),
        ({"": "vendor/** -text"}, "vendor/a/b.js", B),
        ({"": "vendor/** -text"}, "src/vendor/b.js", A),
        ({"": "vendor -text"}, "vendor/b.js", A),  # naming a directory does not reach inside
        ({"": "vendor/ -text"}, "vendor/b.js", A),
        ({"": "**/ -text"}, "vendor/b.js", A),
        # git 2.39 matches the part after the literal prefix on its own (newer git does not)
        ({"": "foo**/bar -text"}, "foobar", B),
        ({"": "foo**/bar -text"}, "foo/bar", B),
        ({"": "foo**/bar -text"}, "fooX/Y/bar", B),
        ({"": "a.b+c -text"}, "a.b+c", B),
        ({"": "a.b+c -text"}, "axb+c", A),
        ({"": "? -text"}, "d/x", B),
        ({"": "[xy].bin -text"}, "d/y.bin", B),
        ({"": "[xy].bin -text"}, "d/z.bin", A),
        ({"données": "*.txt -text"}, "données/é.txt", B),
        ({"": "données/[[:alpha:]]*.txt -text"}, "données/é.txt", A),
        ({"": "données/??.txt -text"}, "données/é.txt", B),
        # a deeper .gitattributes overrides a shallower one, either way round
        ({"": "*.txt -text", "sub": "*.txt text"}, "sub/a.txt", T),
        ({"": "*.txt -text", "sub": "*.txt text"}, "a.txt", B),
        ({"": "*.txt -text", "sub": "*.txt text"}, "other/a.txt", B),
        ({"": "*.txt text", "sub": "*.txt -text"}, "sub/d/a.txt", B),
        ({"": "*.txt text", "sub": "*.txt !text"}, "sub/a.txt", A),
        ({"": "*.txt text", "a": "*.txt -text", "a/b": "*.txt text"}, "a/b/c.txt", T),
        ({"": "*.txt text", "a": "*.txt -text", "a/b": "*.txt text"}, "a/c.txt", B),
        ({"": "*.txt text", "a": "*.txt -text", "a/b": "*.md text"}, "a/b/c.txt", B),
        # the root file's anchored line still reaches into a folder that has its own file
        ({"": "sub/a.txt -text", "sub": "*.md text"}, "sub/a.txt", B),
        ({"": "sub/a.txt -text", "sub": "a.txt text"}, "sub/a.txt", T),
        ({"": "sub/a.txt -text", "sub": "a.txt eol=lf"}, "sub/a.txt", B),
        # a file nearer the path decides even when the root says more
        ({"": "* text eol=lf", "sub": "* -text"}, "sub/x", B),
        ({"": "* -text", "sub": "* eol=lf"}, "sub/x", B),
        ({"": "* -crlf", "sub": "* text=other"}, "sub/x", B),
    ],
)
def test_where_patterns_apply(files: Mapping[str, str], path: str, mode: TextMode) -> None:
    assert attributes(files).text_mode(path) is mode


@pytest.mark.parametrize(
    ("text", "path", "mode"),
    [
        ('"a b.dat" -text\n', "a b.dat", B),
        ('"a\\040b.dat" -text\n', "a b.dat", B),
        ('"\\303\\251.dat" -text\n', "é.dat", B),
        ('"\\"q\\".dat" -text\n', '"q".dat', B),
        ('"a\\\\b" -text\n', "a\\b", A),  # unquoted `a\b` is a glob: `\b` escapes b
        ('"a\\\\\\\\b" -text\n', "a\\b", B),
        ('"a\\tb" -text\n', "a\tb", B),
        ('"x"-text\n', "x", B),  # the attributes may follow the closing quote at once
        ('"!x" -text\n', "!x", A),  # still a negative pattern
        ('"#x" -text\n', "#x", B),  # not a comment
        ('"/d/*.dat" -text\n', "d/x.dat", B),
        ('"d/" -text\n', "d", A),
        # not valid C quoting: git takes the pattern as written, quotes and all
        ('"a\\qb" -text\n', '"aqb"', B),
        ('"a -text\n', '"a', B),
        ('"a\\1b" -text\n', '"a1b"', B),
        ('"a\\400" -text\n', '"a400"', B),
        ('"a\\000b" -text\n', "a", B),  # a NUL ends the pattern
    ],
)
def test_quoted_patterns(text: str, path: str, mode: TextMode) -> None:
    assert mode_of(text, path) is mode


@pytest.mark.parametrize(
    ("data", "mode"),
    [
        (b"\xef\xbb\xbf*.dat -text\n", B),  # a UTF-8 BOM is dropped
        (b"*.dat text\n\xef\xbb\xbf*.dat -text\n", T),  # ... at the start only
        (b"*.dat -text\0 garbage\n*.dat eol=lf\n", B),  # a NUL ends its line only
        (b"*.dat text\n*.dat -text\0\n", B),
        (b"*.dat text\r\r\n", T),
        (b"*.dat -text\n#\xff\xfe\n", B),
        (b"\xff*.dat -text\n", A),
        (b"x[\xc3]* -text\n", B),  # git matches bytes: the class holds the first byte of \xc3\xa9
    ],
)
def test_file_bytes(data: bytes, mode: TextMode) -> None:
    assert mode_of(data, "xé" if b"[" in data else "x.dat") is mode


@pytest.mark.parametrize(
    ("length", "mode"),
    [(2046, B), (2047, B), (2048, A), (2049, A), (5000, A)],
)
def test_lines_of_2048_bytes_or_more_are_ignored(length: int, mode: TextMode) -> None:
    line = "*.dat -text"
    assert mode_of(line + " " * (length - len(line)) + "\n", "x.dat") is mode
    assert mode_of((line + " " * (length - len(line)) + "\r\n").encode(), "x.dat") is mode  # CR not counted


def test_line_length_counts_bytes() -> None:
    line = "é" * 1018 + " -text"  # 2042 bytes: 1024 characters
    assert mode_of(f"{line}\n", f"d/{'é' * 1018}") is B
    assert mode_of(f"{'é' + line}\n", f"d/{'é' * 1019}") is B  # 2044 bytes
    assert mode_of(f"{'éé' + line}\n", f"d/{'é' * 1020}") is B  # 2046 bytes
    assert mode_of(f"{'ééé' + line}\n", f"d/{'é' * 1021}") is A  # 2048 bytes


def test_comment_and_blank_lines_may_be_long() -> None:
    assert mode_of("#" + "x" * 5000 + "\n" + " " * 5000 + "\n*.dat -text\n", "x.dat") is B


def test_files_of_100_mb_or_more_are_ignored() -> None:
    line = b"*.dat -text\n"
    padding = bytes(100 * 1024 * 1024 - len(line))  # NUL bytes: a smaller file keeps its first line
    assert mode_of(line + padding[:1000], "x.dat") is B
    assert mode_of(line + padding, "x.dat") is A


def test_text_and_bytes_give_the_same_answers() -> None:
    text = "[attr]m -text\n*é* m\n? text\n"
    for path in ("é.x", "aéb", "é", "x"):
        assert mode_of(text, path) is mode_of(text.encode(), path)


def test_hostile_patterns_stay_fast() -> None:
    """git 2.39's own wildmatch takes exponential time here; versionbot must not."""
    text = "*a*a*a*a*a*a*a*a*a*b -text\n**/*a*a*a*a*a*a*a*a*c/** -text\n[[:alpha:]]*a*?*a*?*a*?*a*b text\n"
    attrs = attributes({"": text})
    start = time.perf_counter()
    assert attrs.text_mode("a" * 3000) is A
    assert attrs.text_mode("a" * 2999 + "b") is T
    assert attrs.text_mode("x/" + "a" * 1500 + "/" + "a" * 1500) is A
    assert attrs.text_mode("x/" + "a" * 1500 + "c/y") is B
    assert time.perf_counter() - start < 5  # linear: milliseconds; exponential: longer than the universe


def test_each_folder_is_loaded_once() -> None:
    calls: list[str] = []
    files = {"": "*.txt -text\n", "a": "*.md text\n"}

    def load(directory: str) -> str | None:
        calls.append(directory)
        return files.get(directory)

    attrs = Attributes(load)
    assert attrs.text_mode("a/b/x.txt") is B
    assert attrs.text_mode("a/b/y.md") is T
    assert attrs.text_mode("a/z.txt") is B
    assert attrs.text_mode("c/z.txt") is B
    assert sorted(calls) == ["", "a", "a/b", "c"]


def test_deep_folders_do_not_recurse() -> None:
    folder = "/".join(["d"] * 3000)
    assert attributes({"": "*.x -text", folder: "*.x text"}).text_mode(f"{folder}/a.x") is T


def test_parse_gitattributes_keeps_what_git_keeps() -> None:
    text = '# c\n\n[attr]m -text\n!neg -text\n*.a -text\ndir/ -text\n*.b\n*.c text eol=lf x=y !z\n"q r" t\n'
    assert parse_gitattributes(text, is_root=True) == (
        Line(None, "m", (("text", False),)),
        Line("*.a", None, (("text", False),)),
        Line("dir/", None, (("text", False),)),
        Line("*.b", None, ()),
        Line("*.c", None, (("text", True), ("eol", "lf"), ("x", "y"), ("z", None))),
        Line("q r", None, (("t", True),)),
    )
    assert parse_gitattributes(text, is_root=False)[0] == Line("*.a", None, (("text", False),))


def test_folders_above() -> None:
    assert folders_above("a/b/c.txt") == ["", "a", "a/b"]
    assert folders_above("c.txt") == [""]
