"""The day's matrices for the planner: from the active road network, or the geodesic fallback."""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from maps.matrix import compute_matrices
from models.settings import Settings
from services.network import active_network

Point = tuple[str, float, float]


def day_matrices_for(
    session: Session, settings: Settings, points: list[Point], profiles: list[str]
) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], dict[str, Any]]:
    """Distance (m) and duration (s) matrices per profile for ``points``, with what they came from.

    Cached on disk under the settings' cache folder, keyed by network version,
    profile and point set. Raises ``RoutingError`` naming two points with no road between them.
    """
    network = active_network(session, settings)
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    meta: dict[str, Any] = {
        "approximate": network is None,
        "network_version": None if network is None else network.version,
        "profiles": {},
    }
    for profile in profiles:
        res = compute_matrices(
            network,
            points,
            profile=profile,
            cache_dir=settings.cache_dir,
            limit_m=settings.snap_limit_m,
            detour_factor=settings.detour_factor,
        )
        out[profile] = (res.distance_m, res.duration_s)
        meta["profiles"][profile] = {
            "seconds": round(res.seconds, 3),
            "cache_hit": res.cache_hit,
            "approximate": res.approximate,
            "warnings": list(res.warnings)[:20],
            "note": res.note,
        }
    return out, meta
