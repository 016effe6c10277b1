"""Whether a path is text, binary or left to its content, from the `.gitattributes` of one snapshot.

The answer is the one git itself would act on when converting line endings (`convert.c`,
`convert_attrs`), with the attributes resolved as `git check-attr` resolves them (`attr.c`): the most
specific source first, deeper files before shallower and later lines before earlier, the first value
an attribute gets winning; a macro expands only where it is set. We read the files ourselves instead
of asking libgit2 so that the answer depends only on the snapshot: never on `.git/info/attributes`,
global attributes files or `core.ignorecase`.

git works on bytes, so patterns and paths are matched as their UTF-8 bytes, one character per byte
(`?` matches one byte, as in git). Files are read as git reads a checked-out `.gitattributes`: a
UTF-8 BOM is dropped, a CR before each LF is dropped, a line stops at a NUL byte.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Mapping, Sequence

from versionbot.attrfile import (
    BUILTIN_MACROS,
    DECIDING,
    AttrValue,
    Line,
    State,
    parse_gitattributes,
    parse_line,
)
from versionbot.wildmatch import compile_matcher

_WILDCARDS = frozenset("*?[\\")  # git's is_glob_special


class TextMode(enum.Enum):
    TEXT = "text"
    BINARY = "binary"
    AUTO = "auto"  # decided by content: the NUL rule in hashing.py


PathTest = Callable[[str, str], object]  # (path, basename) in git's bytes -> truthy on a match


def _path_test(pattern: str, base: str) -> PathTest | None:
    """git's match_pathname for a pattern with a `/`, under the folder `base`; None when no file can
    match (a pattern ending in `/` names only directories)."""
    if pattern.endswith("/"):
        return None
    offset = len(base) + 1 if base else 0
    pattern = pattern.removeprefix("/")
    literal = next((i for i, char in enumerate(pattern) if char in _WILDCARDS), len(pattern))
    prefix, rest = pattern[:literal], pattern[literal:]
    if not rest:
        return lambda path, name: path[offset:] == prefix
    # As git 2.39's match_pathname, the wildcard part is matched on its own: `foo**/bar` matches
    # `foobar` (newer git keeps one character of context and does not).
    match = compile_matcher(rest, pathname=True)
    cut = offset + len(prefix)
    return lambda path, name: path.startswith(prefix, offset) and match(path[cut:])


def _basename_test(pattern: str) -> PathTest:
    match = compile_matcher(pattern, pathname=False)
    return lambda path, name: match(name)


class _Frame:
    """The usable lines of one `.gitattributes`, last line first (later lines take precedence).

    As git's match_basename, a literal name and a `*literal` need no matcher: they are found by
    dictionary lookups of the name and of its endings of the lengths that occur, and only the other
    lines are tried one by one.
    """

    def __init__(self, lines: Sequence[tuple[str, tuple[State, ...]]], base: str) -> None:
        self.states: list[tuple[State, ...]] = []
        self.tests: list[PathTest | None] = []  # None: found by lookup, no test needed
        self._by_name: dict[str, list[int]] = {}
        self._by_ending: dict[str, list[int]] = {}
        self._tried: list[int] = []
        for pattern, states in lines:
            self._add(pattern, states, base)
        self._ending_lengths = sorted({len(ending) for ending in self._by_ending})

    def _add(self, pattern: str, states: tuple[State, ...], base: str) -> None:
        index = len(self.states)
        test: PathTest | None = None
        if "/" in pattern:
            test = _path_test(pattern, base)
            if test is None:
                return
            self._tried.append(index)
        elif not _WILDCARDS.intersection(pattern):
            self._by_name.setdefault(pattern, []).append(index)
        elif pattern.startswith("*") and not _WILDCARDS.intersection(pattern[1:]):
            self._by_ending.setdefault(pattern[1:], []).append(index)
        else:
            test = _basename_test(pattern)
            self._tried.append(index)
        self.states.append(states)
        self.tests.append(test)

    def __bool__(self) -> bool:
        return bool(self.states)

    def candidates(self, name: str) -> list[int]:
        """The lines that may match a file called `name`, most specific first."""
        found = [*self._tried, *self._by_name.get(name, ())]
        by_ending = self._by_ending
        for length in self._ending_lengths:
            if length > len(name):
                break
            found += by_ending.get(name[len(name) - length :], ())
        found.sort()
        return found


def _relevant(macros: Mapping[str, tuple[State, ...]]) -> frozenset[str]:
    """The attributes that can change a decision: `DECIDING` and every macro whose expansion
    reaches one of them. All others are dropped when a file is read."""
    users: dict[str, list[str]] = {}
    for macro, states in macros.items():
        for name, _ in states:
            users.setdefault(name, []).append(macro)
    relevant = set(DECIDING)
    pending = list(DECIDING)
    while pending:
        for macro in users.get(pending.pop(), ()):
            if macro not in relevant:
                relevant.add(macro)
                pending.append(macro)
    return frozenset(relevant)


def _action(value: AttrValue) -> TextMode | None:
    """convert.c's git_path_check_crlf: what a `text` (or legacy `crlf`) value decides, if anything."""
    if value is True or value == "input":
        return TextMode.TEXT
    if value is False:
        return TextMode.BINARY
    if value == "auto":
        return TextMode.AUTO
    return None


def decide(values: Mapping[str, AttrValue]) -> TextMode:
    """convert_attrs: `text`, else `crlf`, else an `eol` of `lf` or `crlf` makes a file text.
    `text=auto eol=lf` still detects; `-text eol=lf` stays binary."""
    mode = _action(values.get("text")) or _action(values.get("crlf"))
    if mode is None:
        return TextMode.TEXT if values.get("eol") in ("lf", "crlf") else TextMode.AUTO
    return mode


def _is_decided(values: Mapping[str, AttrValue]) -> bool:
    if _action(values.get("text")) is not None:
        return True
    if "text" not in values or "crlf" not in values:
        return False
    return _action(values["crlf"]) is not None or "eol" in values


def _git_bytes(text: str) -> str:
    """`text` as git sees it: its UTF-8 bytes, one character per byte."""
    if text.isascii():
        return text
    try:
        data = text.encode("utf-8", "surrogateescape")  # a path git gave us undecodable
    except UnicodeEncodeError:
        data = text.encode("utf-8", "replace")
    return data.decode("latin-1")


def folders_above(path: str) -> list[str]:
    """The folders that hold `path`, from the root ('') down to its parent."""
    parts = path.split("/")[:-1]
    return ["", *("/".join(parts[: index + 1]) for index in range(len(parts)))]


class Attributes:
    """Answers `text_mode(path)` for one snapshot; `load(directory)` returns that folder's
    `.gitattributes` (bytes, or text), or None."""

    def __init__(self, load: Callable[[str], bytes | str | None]) -> None:
        self._load = load
        self._macros: dict[str, tuple[State, ...]] = {}
        self._relevant: frozenset[str] = frozenset(DECIDING)
        # per folder: the .gitattributes files above it that have usable lines, deepest first
        self._stacks: dict[str, tuple[_Frame, ...]] = {}
        self._modes: dict[str, TextMode] = {}  # each path's answer: a run asks for most twice

    def _lines(self, directory: str) -> tuple[Line, ...]:
        data = self._load(directory)
        return parse_gitattributes(data, is_root=not directory) if data else ()

    def _root_frame(self) -> _Frame:
        """The root file's lines; its `[attr]` lines (after the built-in `binary`) define the macros."""
        lines = self._lines("")
        macros = {
            line.macro: line.states
            for line in (parse_line(BUILTIN_MACROS, is_root=True), *lines)
            if line is not None and line.macro is not None
        }
        self._relevant = _relevant(macros)
        self._macros = {
            name: self._only_relevant(states) for name, states in macros.items() if name in self._relevant
        }
        return self._frame(lines, "")

    def _only_relevant(self, states: tuple[State, ...]) -> tuple[State, ...]:
        return tuple(state for state in states if state[0] in self._relevant)

    def _frame(self, lines: tuple[Line, ...], directory: str) -> _Frame:
        kept = [
            (line.pattern, states)
            for line in reversed(lines)
            if line.pattern is not None and (states := self._only_relevant(line.states))
        ]
        return _Frame(kept, _git_bytes(directory))

    def _stack(self, folder: str) -> tuple[_Frame, ...]:
        """The folder's frames, built down from the nearest folder already known."""
        missing: list[str] = []
        current = folder
        while current not in self._stacks:
            missing.append(current)
            if not current:
                break
            current = current.rpartition("/")[0]
        stack = self._stacks.get(current, ())
        for directory in reversed(missing):
            own = self._frame(self._lines(directory), directory) if directory else self._root_frame()
            stack = (own, *stack) if own else stack
            self._stacks[directory] = stack
        return stack

    def _assign(self, states: tuple[State, ...], values: dict[str, AttrValue]) -> bool:
        """git's fill_one: the line's states right to left, each only where nothing more specific
        spoke, a macro set to true expanding in place. True once the decision cannot change."""
        pending: list[Iterator[State]] = [reversed(states)]
        while pending:
            for name, value in pending[-1]:
                if name not in values:
                    values[name] = value
                    if value is True and name in self._macros:
                        pending.append(reversed(self._macros[name]))
                        break
            else:
                pending.pop()
        return _is_decided(values)

    def text_mode(self, path: str) -> TextMode:
        mode = self._modes.get(path)
        if mode is None:
            mode = self._modes[path] = self._text_mode(path)
        return mode

    def _text_mode(self, path: str) -> TextMode:
        folder = path.rpartition("/")[0]
        stack = self._stacks.get(folder)
        if stack is None:
            stack = self._stack(folder)
        if not stack:
            return TextMode.AUTO
        git_path = _git_bytes(path)
        name = git_path.rpartition("/")[2]
        values: dict[str, AttrValue] = {}
        for frame in stack:
            tests, states = frame.tests, frame.states
            for index in frame.candidates(name):
                test = tests[index]
                if (test is None or test(git_path, name)) and self._assign(states[index], values):
                    return decide(values)
        return decide(values)
