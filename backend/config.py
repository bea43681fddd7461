"""Settings from the environment (``PORTAL_*``), read once per process at the edge."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    database_url: str

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("PORTAL_DATA_DIR", "var")).resolve()
        url = env.get("PORTAL_DATABASE_URL") or f"sqlite:///{data_dir / 'portal.db'}"
        return cls(data_dir=data_dir, database_url=url)
