"""Version schemes: how a unit's first version looks and what follows a given one (pure)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Scheme:
    name: str
    initial: int
    next: Callable[[int], int]


INTEGER = Scheme(name="integer", initial=1, next=lambda version: version + 1)

SCHEMES: dict[str, Scheme] = {INTEGER.name: INTEGER}
