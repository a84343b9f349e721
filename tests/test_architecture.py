"""The layout holds: import-linter contracts from pyproject.toml, and modules stay small."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("logistics", "api_core", "mobile_api", "web")
MAX_LINES = 450  # STYLE.md: "about 400"; a hard stop a little above it


def test_import_contracts_are_kept():
    """logistics never imports the HTTP layers; routing and tracking stay independent."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--config", str(ROOT / "pyproject.toml")], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_modules_stay_under_the_size_limit():
    """No source module grows past about 400 lines (split by use case instead)."""
    too_long = {
        str(path.relative_to(ROOT)): n
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}
