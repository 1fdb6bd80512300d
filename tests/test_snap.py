"""Snapping to the nearest road: exact projection, limits and warnings, profiles, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from maps.geo import from_local_xy
from maps.network import NetworkBuilder, RoadNetwork
from maps.snap import snap_points
from models.errors import InputError

LAT0, LON0 = 28.5, 112.35


def ll(x: float, y: float) -> tuple[float, float]:
    lat, lon = from_local_xy(x, y, LAT0, LON0)
    return float(lat), float(lon)


def pt(pid: str, x: float, y: float) -> tuple[str, float, float]:
    return (pid, *ll(x, y))


def bent_road() -> RoadNetwork:
    """An L-shaped residential road (0,0)→(2000,0)→(2000,2000) and a trunk far north."""
    b = NetworkBuilder()
    u, v = b.add_node(*ll(0, 0)), b.add_node(*ll(2000, 2000))
    b.add_road(u, v, highway="residential", via=[ll(2000, 0)])
    t1, t2 = b.add_node(*ll(0, 2600)), b.add_node(*ll(2000, 2600))
    b.add_road(t1, t2, highway="trunk")
    return b.build(name="bent", source="generated")


def test_snaps_perpendicular_onto_the_nearest_segment() -> None:
    net = bent_road()
    res = snap_points(net, [pt("C1", 700, 120), pt("C2", 2090, 1500)])
    a, b = res.points
    assert abs(a.distance_m - 120) < 0.5 and abs(a.offset_m - 700) < 0.5
    assert np.allclose((a.snapped_lat, a.snapped_lon), ll(700, 0), atol=1e-6)
    assert abs(b.distance_m - 90) < 0.5 and abs(b.offset_m - 3500) < 0.5
    assert a.geom == b.geom == 0 and a.edge == (0, 1)
    assert a.node == 0 and b.node == 1  # nearer junction along the road
    assert res.warnings == [] and res.max_distance_m == pytest.approx(120, abs=0.5)


def test_far_snap_warns_and_names_the_customer() -> None:
    net = bent_road()
    res = snap_points(net, [pt("3301230000017", 1000, -800), pt("D1", 10, 10)], limit_m=500)
    assert len(res.warnings) == 1 and "3301230000017" in res.warnings[0] and "800 m" in res.warnings[0]
    assert [p.id for p in res.far] == ["3301230000017"]
    assert res.by_id()["D1"].distance_m < 15
    assert snap_points(net, [pt("X", 1000, -800)], limit_m=1000).warnings == []


def test_profile_limits_the_candidate_roads() -> None:
    net = bent_road()
    p = pt("near-trunk", 1000, 2550)
    assert snap_points(net, [p]).points[0].distance_m < 60
    ev = snap_points(net, [p], profile="ev").points[0]
    assert ev.distance_m > 900 and ev.geom == 0  # the EV may not use the trunk


def test_many_points_use_the_tree_not_a_scan() -> None:
    b = NetworkBuilder()
    nodes = [[b.add_node(*ll(i * 200, j * 200)) for j in range(30)] for i in range(30)]
    for i in range(30):
        for j in range(30):
            if i < 29:
                b.add_road(nodes[i][j], nodes[i + 1][j], highway="residential")
            if j < 29:
                b.add_road(nodes[i][j], nodes[i][j + 1], highway="residential")
    net = b.build(name="grid", source="generated")
    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 5800, size=(2000, 2))
    res = snap_points(net, [pt(f"P{i}", x, y) for i, (x, y) in enumerate(xy)])
    # Distance to the nearest grid line, computed directly.
    expect = np.minimum(np.abs(xy - np.round(xy / 200) * 200).min(axis=1), 1e9)
    got = np.array([p.distance_m for p in res.points])
    assert np.allclose(got, expect, atol=0.5)


def test_bad_coordinates_are_input_errors_naming_the_row() -> None:
    net = bent_road()
    with pytest.raises(InputError) as err:
        snap_points(net, [pt("ok", 0, 0), ("bad", 95.0, 112.0), ("worse", "x", 1.0)])  # type: ignore[list-item]
    assert len(err.value.errors) == 2 and err.value.errors[0].row == 2
    assert snap_points(net, []).points == []
