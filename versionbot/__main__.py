from __future__ import annotations

from versionbot.cli import main

raise SystemExit(main())
