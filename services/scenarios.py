"""Generate a county scenario (and its roads) into a folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from models.settings import Settings
from scenarios.generate import GenParams, generate


def generate_scenario(
    settings: Settings,
    *,
    seed: int,
    customers: int,
    townships: int,
    history_days: int = 30,
    name: str | None = None,
    out: Path | None = None,
) -> dict[str, Any]:
    """Generate a scenario with roads and write it; return what was written."""
    from scenarios.roads import write_roads

    name = name or f"county-{seed}-{customers}"
    folder = out or settings.data_dir / "scenarios" / name
    sc = generate(
        GenParams(seed=seed, customers=customers, townships=townships, history_days=history_days, name=name)
    )
    path = sc.write(folder)
    roads = write_roads(sc, folder)
    return {
        "name": name,
        "folder": str(folder),
        "scenario_file": str(path),
        "roads_file": str(roads) if roads else None,
        "townships": len(sc.townships),
        "customers": len(sc.customers),
        "orders": len(sc.orders),
    }
