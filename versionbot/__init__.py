"""versionbot: one version per deployable unit, bumped exactly when its inputs change."""

from __future__ import annotations

__version__ = "0.4.0"
