"""Version schemes: pure next-version rules."""

from __future__ import annotations

import pytest

from versionbot.schemes import INTEGER, SCHEMES


def test_known_schemes() -> None:
    assert SCHEMES == {"integer": INTEGER}
    assert INTEGER.name == "integer"


def test_integer_starts_at_one() -> None:
    assert INTEGER.initial == 1


@pytest.mark.parametrize(("version", "following"), [(1, 2), (2, 3), (41, 42), (2**63, 2**63 + 1)])
def test_integer_next(version: int, following: int) -> None:
    assert INTEGER.next(version) == following
