"""No network loaded: geodesic × detour factor at an average speed, marked approximate."""

from __future__ import annotations

import numpy as np
import pytest
from geopy.distance import geodesic

from maps import fallback
from maps.matrix import compute_matrices
from maps.profiles import get_profile

POINTS = [("DC", 28.50, 112.35), ("C1", 28.62, 112.41), ("C2", 28.31, 112.10), ("C3", 28.50, 112.36)]


def test_fallback_is_marked_approximate_and_says_how() -> None:
    r = compute_matrices(None, POINTS, profile="van")
    assert r.approximate and not r.cache_hit and r.network_version is None
    assert "approximate" in r.note and "1.4" in r.note
    assert r.as_dict()["approximate"] is True and "approximate" in r.as_dict()["note"]


def test_distance_is_geodesic_times_detour_and_time_uses_average_speed() -> None:
    r = compute_matrices(None, POINTS, profile="truck", detour_factor=1.5)
    g = geodesic(POINTS[0][1:], POINTS[1][1:]).meters
    assert r.distance_m[0, 1] == int(np.ceil(g * 1.5))
    assert r.duration_s[0, 1] == int(np.ceil(g * 1.5 / (get_profile("truck").average_kmh / 3.6)))
    assert (r.distance_m == r.distance_m.T).all() and (np.diag(r.distance_m) == 0).all()
    with pytest.raises(ValueError):
        fallback.geodesic_matrices(POINTS, profile=get_profile("van"), detour_factor=0.9)


def test_vectorised_geodesic_agrees_with_geopy() -> None:
    rng = np.random.default_rng(5)
    pts = [
        (f"P{i}", float(a), float(b))
        for i, (a, b) in enumerate(zip(rng.uniform(18, 54, 80), rng.uniform(73, 135, 80), strict=True))
    ]
    fast = fallback.geodesic_matrix_m(pts)  # more than EXACT_POINT_LIMIT: vectorised
    assert len(pts) > fallback.EXACT_POINT_LIMIT
    for i, j in [(0, 1), (5, 60), (10, 11), (3, 79)]:
        exact = geodesic(pts[i][1:], pts[j][1:]).meters
        assert fast[i, j] == pytest.approx(exact, rel=1e-4)


def test_triangle_inequality_within_rounding() -> None:
    rng = np.random.default_rng(2)
    pts = [
        (f"P{i}", float(a), float(b))
        for i, (a, b) in enumerate(
            zip(rng.uniform(28.2, 28.8, 30), rng.uniform(112.0, 112.7, 30), strict=True)
        )
    ]
    m = compute_matrices(None, pts, profile="ev").distance_m
    assert (m[:, None, :] <= m[:, :, None] + m[None, :, :] + 1).all()
