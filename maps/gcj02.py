"""WGS-84 ⇄ GCJ-02 ("Mars coordinates"), the datum of AMap/Gaode (and Tencent) map tiles.

Chinese web maps are required to publish in GCJ-02, an obfuscated datum that
shifts points by a smooth, location-dependent 100–700 m.  Our coordinates are
WGS-84 (as are OpenStreetMap and, at map scale, Tianditu's CGCS2000); a point
drawn on an AMap tile layer must be converted first or it lands off its road.

The forward transform is the well-known published algorithm (Krasovsky 1940
ellipsoid, a = 6378245 m, e² = 0.00669342162296594323), as in the open-source
``coordtransform``/``eviltransform``/``prcoords`` libraries; it is the identity
outside China's rough bounding box.  The inverse has no closed form: it is
found by fixed-point iteration (each step applies the forward offset at the
current estimate), which converges to well under a millimetre in a few steps.

    >>> lat, lon = wgs84_to_gcj02(39.915, 116.404)
    >>> round(lat, 8), round(lon, 8)
    (39.91640428, 116.4102445)
"""

from __future__ import annotations

import math

A = 6378245.0  # Krasovsky 1940 semi-major axis, metres
EE = 0.00669342162296594323  # first eccentricity squared
_LON_RANGE = (73.66, 135.05)
_LAT_RANGE = (3.86, 53.55)


def out_of_china(lat: float, lon: float) -> bool:
    """True outside the rough box where GCJ-02 applies (there the datum is WGS-84 itself)."""
    return not (_LON_RANGE[0] <= lon <= _LON_RANGE[1] and _LAT_RANGE[0] <= lat <= _LAT_RANGE[1])


def _d_lat(x: float, y: float) -> float:
    pi = math.pi
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * pi) + 20.0 * math.sin(2.0 * x * pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * pi) + 40.0 * math.sin(y / 3.0 * pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * pi) + 320.0 * math.sin(y * pi / 30.0)) * 2.0 / 3.0
    return r


def _d_lon(x: float, y: float) -> float:
    pi = math.pi
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * pi) + 20.0 * math.sin(2.0 * x * pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * pi) + 40.0 * math.sin(x / 3.0 * pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * pi) + 300.0 * math.sin(x / 30.0 * pi)) * 2.0 / 3.0
    return r


def _offset(lat: float, lon: float) -> tuple[float, float]:
    """The GCJ-02 shift (dlat, dlon) in degrees at the WGS-84 point (lat, lon)."""
    dlat = _d_lat(lon - 105.0, lat - 35.0)
    dlon = _d_lon(lon - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    magic = 1.0 - EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((A * (1.0 - EE)) / (magic * sqrt_magic) * math.pi)
    dlon = (dlon * 180.0) / (A / sqrt_magic * math.cos(rad) * math.pi)
    return dlat, dlon


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """WGS-84 (lat, lon) degrees → GCJ-02 (lat, lon); unchanged outside China."""
    if out_of_china(lat, lon):
        return lat, lon
    dlat, dlon = _offset(lat, lon)
    return lat + dlat, lon + dlon


def gcj02_to_wgs84(
    lat: float, lon: float, *, tol_deg: float = 1e-10, max_iter: int = 30
) -> tuple[float, float]:
    """GCJ-02 (lat, lon) → WGS-84 by fixed-point iteration of the forward transform.

    Stops when a step moves less than ``tol_deg`` (1e-10° ≈ 0.01 mm); the
    transform is smooth and its offset changes slowly, so 3–6 steps suffice.
    Unchanged outside China.
    """
    if out_of_china(lat, lon):
        return lat, lon
    w_lat, w_lon = lat, lon
    for _ in range(max_iter):
        g_lat, g_lon = wgs84_to_gcj02(w_lat, w_lon)
        step_lat, step_lon = lat - g_lat, lon - g_lon
        w_lat, w_lon = w_lat + step_lat, w_lon + step_lon
        if abs(step_lat) < tol_deg and abs(step_lon) < tol_deg:
            break
    return w_lat, w_lon


def to_gcj02_path(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """A (lat, lon) polyline converted point by point from WGS-84 to GCJ-02."""
    return [wgs84_to_gcj02(la, lo) for la, lo in points]


__all__ = ["gcj02_to_wgs84", "out_of_china", "to_gcj02_path", "wgs84_to_gcj02"]
