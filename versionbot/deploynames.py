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


def _parts(template: str) -> list[tuple[str, str | None]]:
    """A deploy-name template as (literal text, placeholder or None) pairs; `{{` and `}}` are braces."""
    return [(text, field) for text, field, _, _ in string.Formatter().parse(template)]


def deploy_template(value: Any, key: str, fail: Fail) -> str:
    if not isinstance(value, str) or not value:
        raise fail(key, 'must be a template such as "{unit}@{version}"')
    try:
        parts = list(string.Formatter().parse(value))
    except ValueError as error:
        raise fail(key, f"{value!r} is no template: {error} (write `{{{{` and `}}}}` for braces)") from None
    known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
    for _, field, spec, conversion in parts:
        if field is not None and field not in PLACEHOLDERS:
            raise fail(key, f"unknown placeholder {{{field}}} in {value!r}; known: {known}")
        if spec or conversion:
            raise fail(key, f"{{{field}}} in {value!r} takes no `!` conversion or `:` format; write {known}")
    if "version" not in {field for _, field, _, _ in parts}:
        raise fail(key, f"{value!r} must hold {{version}}: a deploy name names one version")
    if not visible(value) == value:
        raise fail(key, f"{visible(value)!r} holds a control character; a deploy name is one line")
    return value
