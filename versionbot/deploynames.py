"""Deploy names (pure): `deploy-name` templates such as `{unit}@{version}`, checked when the
configuration is read and filled in for every report. Only `{unit}` and `{version}` are placeholders
(no attribute access, no format spec: the template is the repository's), and `{{`/`}}` are braces."""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from versionbot.escape import visible
from versionbot.validation import Fail

DEPLOY_NAME = "{unit}@{version}"
PLACEHOLDERS = ("unit", "version")


def render_template(template: str, fields: Mapping[str, str]) -> str:
    """The template with its placeholders filled in."""
    return "".join(text + (fields[field] if field else "") for text, field in _parts(template))


def placeholders(template: str) -> set[str]:
    """The placeholders a (checked) template holds."""
    return {field for _, field in _parts(template) if field}


def _parts(template: str) -> list[tuple[str, str | None]]:
    """A deploy-name template as (literal text, placeholder or None) pairs; `{{` and `}}` are braces."""
    return [(text, field) for text, field, _, _ in string.Formatter().parse(template)]


def deploy_template(value: Any, key: str, fail: Fail, parts: tuple[str, ...] = ()) -> str:
    """A checked template; `parts`: the unit's part names, placeholders too (`{lock}+{app}`)."""
    if not isinstance(value, str) or not value:
        raise fail(key, 'must be a template such as "{unit}@{version}"')
    try:
        parsed = list(string.Formatter().parse(value))
    except ValueError as error:
        raise fail(key, f"{value!r} is no template: {error} (write `{{{{` and `}}}}` for braces)") from None
    known = ", ".join(f"{{{name}}}" for name in (*PLACEHOLDERS, *parts))
    for _, field, spec, conversion in parsed:
        if field is not None and field not in (*PLACEHOLDERS, *parts):
            raise fail(key, f"unknown placeholder {{{field}}} in {value!r}; known: {known}")
        if spec or conversion:
            raise fail(key, f"{{{field}}} in {value!r} takes no `!` conversion or `:` format; write {known}")
    fields = {field for _, field, _, _ in parsed}
    if "version" not in fields and not (parts and set(parts) <= fields):
        every = " (or every part)" if parts else ""
        raise fail(key, f"{value!r} must hold {{version}}{every}: a deploy name names one version")
    if not visible(value) == value:
        raise fail(key, f"{visible(value)!r} holds a control character; a deploy name is one line")
    return value
