"""Shared pytest set-up: the project root on sys.path, and one thread for numerical libraries."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

os.environ.setdefault("PYTHONHASHSEED", "0")
