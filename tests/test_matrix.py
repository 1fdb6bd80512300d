"""Shortest paths on hand-made graphs with known answers, profiles, one-way, errors, geometry."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from maps.errors import RoutingError
from maps.geo import from_local_xy, haversine_m
from maps.matrix import compute_matrices, leg_geometries, leg_geometry
from maps.network import NetworkBuilder, RoadNetwork, largest_strong_component
from maps.profiles import ProfileTable, SpeedProfile
from models.errors import DispatchError, InputError

LAT0, LON0 = 28.5, 112.35


def ll(x: float, y: float) -> tuple[float, float]:
    lat, lon = from_local_xy(x, y, LAT0, LON0)
    return float(lat), float(lon)


def pt(pid: str, x: float, y: float) -> tuple[str, float, float]:
    return (pid, *ll(x, y))


def square() -> RoadNetwork:
    """A 1 km square A(0,0) B(1000,0) C(1000,1000) D(0,1000), B→C one-way, plus a trunk B–E.

    E(2000,0) is also reachable by residential roads via F(2000,1000): C–F–E.
    """
    b = NetworkBuilder()
    n = {k: b.add_node(*ll(x, y)) for k, (x, y) in
         {"A": (0, 0), "B": (1000, 0), "C": (1000, 1000), "D": (0, 1000), "E": (2000, 0),
          "F": (2000, 1000)}.items()}  # fmt: skip
    b.add_road(n["A"], n["B"], highway="residential")
    b.add_road(n["B"], n["C"], highway="residential", oneway=True)
    b.add_road(n["C"], n["D"], highway="residential")
    b.add_road(n["D"], n["A"], highway="residential")
    b.add_road(n["B"], n["E"], highway="trunk")
    b.add_road(n["C"], n["F"], highway="residential")
    b.add_road(n["F"], n["E"], highway="residential")
    return b.build(name="square", source="generated")


NODES = {"A": (0, 0), "B": (1000, 0), "C": (1000, 1000), "D": (0, 1000), "E": (2000, 0), "F": (2000, 1000)}


def at(*names: str) -> list[tuple[str, float, float]]:
    return [pt(k, *NODES[k]) for k in names]


def test_known_answer_distances_and_times() -> None:
    r = compute_matrices(square(), at("A", "C"), profile="van")
    # A→B→C = 2 km of residential at 25 km/h = 288 s.
    assert abs(int(r.distance_m[0, 1]) - 2000) <= 1
    assert abs(int(r.duration_s[0, 1]) - 288) <= 1
    assert r.distance_m.dtype == np.int64 and r.duration_s.dtype == np.int64
    assert not r.approximate and not r.cache_hit and r.network_version == square().version


def test_one_way_makes_the_matrix_asymmetric() -> None:
    r = compute_matrices(square(), at("B", "C"), profile="van")
    assert abs(int(r.distance_m[0, 1]) - 1000) <= 1  # B→C along the one-way street
    assert abs(int(r.distance_m[1, 0]) - 3000) <= 1  # C→B: round by D and A


def test_points_between_nodes_are_spliced_into_their_road() -> None:
    # Halfway along B→C (one-way) and halfway along A–B.
    pts = [pt("p", 1000, 500), pt("q", 500, 0)]
    r = compute_matrices(square(), pts, profile="van")
    assert abs(int(r.distance_m[1, 0]) - 1000) <= 2  # q→B 500, B→p 500
    assert abs(int(r.distance_m[0, 1]) - 3000) <= 2  # p→C 500, C→D→A 2000, A→q 500


def test_matches_networkx_dijkstra_between_nodes() -> None:
    net = square()
    g = net.to_networkx()
    names = list(NODES)
    r = compute_matrices(net, at(*names), profile="van")
    for i, j in itertools.product(range(len(names)), repeat=2):
        expect = nx.dijkstra_path_length(g, i, j, weight="length")
        assert abs(r.distance_m[i, j] - expect) <= 1


def test_profile_top_speed_and_maxspeed_cap_times() -> None:
    b = NetworkBuilder()
    u, v = b.add_node(*ll(0, 0)), b.add_node(*ll(0, 9000))
    b.add_road(u, v, highway="primary")
    fast = b.build(name="p", source="generated")
    pts = [pt("u", 0, 0), pt("v", 0, 9000)]
    ev = compute_matrices(fast, pts, profile="ev").duration_s[0, 1]
    van = compute_matrices(fast, pts, profile="van").duration_s[0, 1]
    assert abs(ev - 9000 / (45 / 3.6)) <= 1  # ev: 45 km/h
    assert abs(van - 9000 / (60 / 3.6)) <= 1  # van: 60 km/h on primary
    rocket = SpeedProfile(name="rocket", speeds_kmh={"primary": 200}, top_kmh=50)
    table = ProfileTable({"rocket": rocket})
    assert abs(compute_matrices(fast, pts, profile="rocket", profiles=table).duration_s[0, 1] - 648) <= 1
    b2 = NetworkBuilder()
    u, v = b2.add_node(*ll(0, 0)), b2.add_node(*ll(0, 9000))
    b2.add_road(u, v, highway="primary", maxspeed_kmh=30)
    posted = b2.build(name="p30", source="generated")
    assert abs(compute_matrices(posted, pts, profile="van").duration_s[0, 1] - 1080) <= 1


def test_forbidden_class_is_avoided_and_never_snapped_onto() -> None:
    net = square()
    van = compute_matrices(net, at("B", "E"), profile="van")
    ev = compute_matrices(net, at("B", "E"), profile="ev")
    assert abs(int(van.distance_m[0, 1]) - 1000) <= 1  # the trunk
    assert abs(int(ev.distance_m[0, 1]) - 3000) <= 1  # B→C→F→E: no trunk for the EV
    on_trunk = [pt("t", 1500, 0), pt("A", 0, 0)]
    ev_snap = compute_matrices(net, on_trunk, profile="ev").snap
    assert ev_snap is not None and ev_snap.points[0].distance_m > 400  # moved off the trunk


def test_truck_is_slower_than_van_on_village_and_winding_roads() -> None:
    b = NetworkBuilder()
    u, v = b.add_node(*ll(0, 0)), b.add_node(*ll(3000, 0))
    zigzag = [ll(x, 600 if k % 2 else -600) for k, x in enumerate(range(300, 3000, 300))]
    b.add_road(u, v, highway="unclassified", via=zigzag)
    net = b.build(name="w", source="generated")
    assert net.geom_winding.all()
    pts = [pt("u", 0, 0), pt("v", 3000, 0)]
    truck = compute_matrices(net, pts, profile="truck").duration_s[0, 1]
    van = compute_matrices(net, pts, profile="van").duration_s[0, 1]
    length = net.geom_length_mm[0] / 1000
    assert abs(truck - length / (25 * 0.75 / 3.6)) <= 1
    assert abs(van - length / (32 * 0.9 / 3.6)) <= 1


def two_islands() -> RoadNetwork:
    b = NetworkBuilder()
    a, c = b.add_node(*ll(0, 0)), b.add_node(*ll(1000, 0))
    d, e = b.add_node(*ll(5000, 0)), b.add_node(*ll(6000, 0))
    b.add_road(a, c, highway="residential")
    b.add_road(d, e, highway="residential")
    return b.build(name="islands", source="generated")


def test_unreachable_pair_is_a_routing_error_naming_both_points() -> None:
    with pytest.raises(RoutingError) as err:
        compute_matrices(two_islands(), [pt("CUST-1", 500, 0), pt("CUST-2", 5500, 0)], profile="van")
    assert isinstance(err.value, DispatchError)
    assert "CUST-1" in str(err.value) and "CUST-2" in str(err.value)
    with pytest.raises(RoutingError, match="CUST-1"):
        leg_geometry(two_islands(), pt("CUST-1", 500, 0), pt("CUST-2", 5500, 0), profile="van")


def test_dead_end_one_way_is_unreachable_one_way_only() -> None:
    b = NetworkBuilder()
    a, c = b.add_node(*ll(0, 0)), b.add_node(*ll(1000, 0))
    b.add_road(a, c, highway="residential", oneway=True)
    with pytest.raises(RoutingError, match=r"from Y to X"):
        compute_matrices(b.build(name="dead", source="generated"),
                         [pt("X", 0, 0), pt("Y", 1000, 0)], profile="van")  # fmt: skip


def test_bad_input_is_an_input_error() -> None:
    with pytest.raises(InputError, match="duplicate"):
        compute_matrices(square(), [pt("A", 0, 0), pt("A", 10, 0)], profile="van")
    with pytest.raises(InputError, match="profile"):
        compute_matrices(square(), at("A", "B"), profile="bicycle")
    with pytest.raises(InputError):
        compute_matrices(square(), [("A", float("nan"), 112.0), pt("B", 0, 0)], profile="van")


def test_same_place_twice_is_zero_apart() -> None:
    r = compute_matrices(square(), [pt("a", 500, 3), pt("b", 500, -3), pt("c", 0, 1000)], profile="van")
    assert r.distance_m[0, 1] == 0 and r.duration_s[1, 0] == 0
    assert (np.diag(r.distance_m) == 0).all()


def test_leg_geometry_follows_the_roads() -> None:
    net = square()
    line = leg_geometry(net, pt("q", 500, 0), pt("p", 1000, 500), profile="van")
    # q → B → p: starts at q, turns at B, ends at p.
    assert np.allclose(line[0], ll(500, 0), atol=1e-6) and np.allclose(line[-1], ll(1000, 500), atol=1e-6)
    assert any(np.allclose(p, ll(1000, 0), atol=1e-6) for p in line)
    lat, lon = np.array(line).T
    assert abs(haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:]).sum() - 1000) < 2
    back = leg_geometry(net, pt("p", 1000, 500), pt("q", 500, 0), profile="van")
    lat, lon = np.array(back).T
    assert abs(haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:]).sum() - 3000) < 3  # one-way
    legs = leg_geometries(net, at("A", "C", "E"), profile="ev")
    assert len(legs) == 2 and np.allclose(legs[1][-1], ll(2000, 0), atol=1e-6)
    assert leg_geometry(None, pt("a", 0, 0), pt("b", 10, 10), profile="van") == [ll(0, 0), ll(10, 10)]


def test_leg_geometry_polyline_length_matches_the_duration_route() -> None:
    net = square()
    pts = at("D", "E")
    line = leg_geometry(net, *pts, profile="van")
    lat, lon = np.array(line).T
    # Fastest D→E for the van: D→A→B→E (3 km, 1 of it trunk) rather than D→C→F→E.
    assert abs(haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:]).sum() - 3000) < 3
    assert any(np.allclose(p, ll(0, 0), atol=1e-6) for p in line)


coords = st.tuples(st.integers(0, 3000), st.integers(0, 3000))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    nodes=st.lists(coords, min_size=4, max_size=12, unique=True),
    edges=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11), st.booleans(),
                             st.sampled_from(["trunk", "primary", "residential", "track"])),
                   min_size=4, max_size=30),
    points=st.lists(coords, min_size=2, max_size=7),
    profile=st.sampled_from(["truck", "van", "ev"]),
)  # fmt: skip
def test_triangle_inequality_holds_on_matrices(nodes, edges, points, profile) -> None:
    b = NetworkBuilder()
    ids = [b.add_node(*ll(x, y)) for x, y in nodes]
    for u, v, oneway, cls in edges:
        if u < len(ids) and v < len(ids) and u != v:
            b.add_road(ids[u], ids[v], highway=cls, oneway=oneway)
    net = largest_strong_component(b.build(name="h", source="generated"))
    assume(net.n_edges > 0)
    pts = [pt(f"P{i}", x, y) for i, (x, y) in enumerate(points)]
    try:
        r = compute_matrices(net, pts, profile=profile)
    except RoutingError:
        assume(False)
    except InputError:  # nothing the EV may use
        assume(False)
    for m in (r.distance_m, r.duration_s):
        assert (np.diag(m) == 0).all() and (m >= 0).all()
        # m[i, k] <= m[i, j] + m[j, k] for every i, j, k
        assert (m[:, None, :] <= m[:, :, None] + m[None, :, :]).all()
