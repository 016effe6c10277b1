"""The one family of errors a user can cause; the CLI maps them to exit code 2."""

from __future__ import annotations


class VersionbotError(Exception):
    """The question could not be answered: bad config, bad arguments, bad repository state."""


class ConfigError(VersionbotError):
    """The configuration is malformed or inconsistent."""


class GitError(VersionbotError):
    """A revision, repository or snapshot could not be read."""
