"""Approximate matrices when no road network is loaded.

Distance = geodesic distance (geopy, WGS-84) × a detour factor (default 1.4);
time = that distance at the profile's average door-to-door speed.  Every
result built here is marked approximate, and says how, wherever it is shown.

For large point sets the pairwise geodesic is evaluated with the vectorised
Andoyer–Lambert formula (within 0.01 % of geopy's geodesic at county scale,
checked in the tests) instead of one geopy call per pair.
"""

from __future__ import annotations

import numpy as np
from geopy.distance import geodesic

from maps.profiles import SpeedProfile

DEFAULT_DETOUR_FACTOR = 1.4
EXACT_POINT_LIMIT = 60  # up to this many points: one geopy call per pair

_WGS84_A = 6_378_137.0
_WGS84_F = 1 / 298.257223563

Point = tuple[str, float, float]


def approximate_note(*, detour_factor: float, profile: SpeedProfile) -> str:
    """The one-line explanation shown beside approximate figures."""
    return (
        f"approximate: no road network loaded; straight-line (geodesic) distance × "
        f"{detour_factor:g} at {profile.average_kmh:g} km/h ({profile.name})"
    )


def _andoyer_lambert(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Pairwise ellipsoidal distances (metres) between all points, vectorised."""
    f = _WGS84_F
    beta = np.arctan((1 - f) * np.tan(np.radians(lat)))
    lam = np.radians(lon)
    b1, b2 = beta[:, None], beta[None, :]
    dl = lam[None, :] - lam[:, None]
    hav = np.sin((b2 - b1) / 2) ** 2 + np.cos(b1) * np.cos(b2) * np.sin(dl / 2) ** 2
    sigma = 2 * np.arcsin(np.sqrt(np.clip(hav, 0.0, 1.0)))
    p, q = (b1 + b2) / 2, (b2 - b1) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        x = (sigma - np.sin(sigma)) * np.sin(p) ** 2 * np.cos(q) ** 2 / np.cos(sigma / 2) ** 2
        y = (sigma + np.sin(sigma)) * np.cos(p) ** 2 * np.sin(q) ** 2 / np.sin(sigma / 2) ** 2
        d = _WGS84_A * (sigma - f / 2 * (x + y))
    return np.where(sigma > 0, d, 0.0)


def geodesic_matrix_m(points: list[Point]) -> np.ndarray:
    """Pairwise geodesic distance in metres (float64, symmetric, zero diagonal)."""
    n = len(points)
    if n > EXACT_POINT_LIMIT:
        lat = np.array([p[1] for p in points], dtype=np.float64)
        lon = np.array([p[2] for p in points], dtype=np.float64)
        d = _andoyer_lambert(lat, lon)
        return np.maximum(d, d.T)
    d = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            d[i, j] = d[j, i] = geodesic(points[i][1:], points[j][1:]).meters
    return d


def geodesic_matrices(
    points: list[Point], *, profile: SpeedProfile, detour_factor: float = DEFAULT_DETOUR_FACTOR
) -> tuple[np.ndarray, np.ndarray]:
    """(distance m, duration s) as int64 n×n: geodesic × ``detour_factor`` at average speed.

    Values are rounded up to whole metres and seconds (which keeps the
    triangle inequality).  Raises ``ValueError`` for a detour factor below 1.
    """
    if detour_factor < 1.0:
        raise ValueError(f"detour factor must be ≥ 1, got {detour_factor}")
    road_m = geodesic_matrix_m(points) * detour_factor
    secs = road_m / (profile.average_kmh / 3.6)
    return np.ceil(road_m).astype(np.int64), np.ceil(secs).astype(np.int64)
