"""Small geometry helpers shared by the road-network modules (WGS-84, metres)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)


def haversine_m(
    lat1: npt.ArrayLike,
    lon1: npt.ArrayLike,
    lat2: npt.ArrayLike,
    lon2: npt.ArrayLike,
) -> np.ndarray:
    """Great-circle distance in metres (vectorised; spherical, ~0.3 % of geodesic)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def to_ecef(lat: npt.ArrayLike, lon: npt.ArrayLike) -> np.ndarray:
    """Points on the mean sphere as (n, 3) metres: a KD-tree in these is global."""
    la, lo = np.radians(lat), np.radians(lon)
    c = np.cos(la)
    return EARTH_RADIUS_M * np.column_stack([c * np.cos(lo), c * np.sin(lo), np.sin(la)])


def local_xy(
    lat: npt.ArrayLike, lon: npt.ArrayLike, lat0: float, lon0: float
) -> tuple[np.ndarray, np.ndarray]:
    """Equirectangular projection around (lat0, lon0): metres east and north."""
    k = np.pi / 180 * EARTH_RADIUS_M
    return (np.asarray(lon) - lon0) * k * np.cos(np.radians(lat0)), (np.asarray(lat) - lat0) * k


def from_local_xy(
    x: npt.ArrayLike, y: npt.ArrayLike, lat0: float, lon0: float
) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of :func:`local_xy`: (lat, lon) degrees."""
    k = np.pi / 180 * EARTH_RADIUS_M
    return lat0 + np.asarray(y) / k, lon0 + np.asarray(x) / (k * np.cos(np.radians(lat0)))


def polyline_cum_m(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Cumulative length along a polyline, metres, starting at 0."""
    if len(lat) < 2:
        return np.zeros(len(lat))
    seg = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    return np.concatenate([[0.0], np.cumsum(seg)])
