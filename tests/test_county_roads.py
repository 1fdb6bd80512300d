"""The generated county roads: deterministic, classed, connected, detours like a hilly county."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from maps._shapes import gabriel_pairs, sinuosity, spanning_tree, wiggle
from maps.county_roads import (
    Place,
    as_place,
    detour_ratios,
    generate_county_roads,
    sample_places,
)
from maps.geo import from_local_xy, haversine_m, local_xy
from maps.matrix import compute_matrices
from maps.network import RoadNetwork
from maps.snap import snap_points
from models.errors import InputError

TOWN = (28.5, 112.35)


@pytest.fixture(scope="module")
def places() -> list[Place]:
    return sample_places(seed=11, county_town=TOWN)


@pytest.fixture(scope="module")
def county(places: list[Place]) -> RoadNetwork:
    return generate_county_roads(places, seed=11, county_town=TOWN, name="test county")


def test_sample_places_look_like_the_county(places: list[Place]) -> None:
    towns = [p for p in places if p.kind == "township"]
    assert len(towns) == 11 and sum(p.kind == "county_town" for p in places) == 1
    d = haversine_m(TOWN[0], TOWN[1], np.array([p.lat for p in towns]), np.array([p.lon for p in towns]))
    assert (d >= 7900).all() and (d <= 35100).all()


def test_same_seed_same_network_other_seed_other_network(places: list[Place], county: RoadNetwork) -> None:
    again = generate_county_roads(list(reversed(places)), seed=11, county_town=TOWN, name="test county")
    assert again.version == county.version
    assert generate_county_roads(places, seed=12, county_town=TOWN).version != county.version


def test_road_classes_and_one_way_streets_in_town(county: RoadNetwork) -> None:
    s = county.stats()
    assert {"trunk", "primary", "secondary", "tertiary", "unclassified", "residential", "track"} <= set(
        s["road_km_by_class"]
    )
    assert s["road_km_by_class"]["secondary"] > 100  # county roads to every township
    oneway = county.edge_oneway
    lat, lon = county.node_lat[county.edge_src[oneway]], county.node_lon[county.edge_src[oneway]]
    assert oneway.sum() > 10 and (haversine_m(TOWN[0], TOWN[1], lat, lon) < 3500).all()
    assert county.geom_winding.sum() > 20  # mountain detours


def test_every_place_is_on_the_network_and_every_profile_reaches_it(
    places: list[Place], county: RoadNetwork
) -> None:
    pts = [(p.id, p.lat, p.lon) for p in places]
    snap = snap_points(county, pts)
    assert snap.max_distance_m < 5  # a junction at every place
    for profile in ("truck", "van", "ev"):  # no RoutingError: the EV gets there without the trunk
        m = compute_matrices(county, pts, profile=profile)
        assert (m.distance_m[np.eye(len(pts), dtype=bool)] == 0).all()


def test_customers_near_villages_snap_within_a_few_hundred_metres(
    places: list[Place], county: RoadNetwork
) -> None:
    rng = np.random.default_rng(1)
    pts = []
    for k in range(600):
        p = places[int(rng.integers(len(places)))]
        x, y = local_xy(p.lat, p.lon, *TOWN)
        a, r = rng.uniform(0, 2 * np.pi), rng.uniform(0, 1500)
        lat, lon = from_local_xy(x + r * np.cos(a), y + r * np.sin(a), *TOWN)
        pts.append((f"C{k:03d}", float(lat), float(lon)))
    res = snap_points(county, pts, limit_m=500)
    assert res.warnings == []
    assert np.median([p.distance_m for p in res.points]) < 150


def test_road_over_straight_line_is_that_of_a_hilly_county(places: list[Place], county: RoadNetwork) -> None:
    pts = [(p.id, p.lat, p.lon) for p in places]
    r = detour_ratios(county, pts, profile="van")
    q25, q50, q75 = np.percentile(r, [25, 50, 75])
    assert 1.3 <= q50 <= 1.8, q50
    assert q25 >= 1.2 and q75 <= 2.0
    assert r.min() >= 1.0
    hubs = [p for p in pts if p[0] == "CT" or p[0].startswith("T")]
    h = detour_ratios(county, hubs, profile="van")
    assert 1.2 <= np.median(h) <= 1.7


def test_places_as_mappings_or_records_and_bad_kinds() -> None:
    d = {"id": "V1", "name": "李家村", "lat": 28.4, "lon": 112.3, "kind": "village", "township_code": "T01"}
    assert as_place(d) == Place("V1", "李家村", 28.4, 112.3, "village", "T01")
    rec = SimpleNamespace(id="T01", name="镇", lat=28.4, lon=112.3, kind="township", township="T01")
    assert as_place(rec).kind == "township"
    with pytest.raises(InputError, match="kind"):
        generate_county_roads([{**d, "kind": "city"}], seed=1, county_town=TOWN)
    with pytest.raises(InputError, match="duplicate"):
        generate_county_roads([d, d], seed=1, county_town=TOWN)


def test_a_bigger_generated_county_gets_roads_too() -> None:
    big = sample_places(seed=3, townships=20, span_km=80, villages_per_township=(3, 5))
    net = generate_county_roads(big, seed=3, county_town=(28.5, 112.35))
    assert net.stats()["road_km_by_class"]["secondary"] > 200
    assert snap_points(net, [(p.id, p.lat, p.lon) for p in big]).max_distance_m < 5


def test_shape_helpers() -> None:
    rng = np.random.default_rng(0)
    for target in (1.1, 1.3, 1.6):
        line = wiggle(np.zeros(2), np.array([20000.0, 5000.0]), tortuosity=target, rng=rng)
        assert sinuosity(line) == pytest.approx(target, rel=0.01)
        assert np.allclose(line[0], 0) and np.allclose(line[-1], [20000, 5000])
    pts = rng.uniform(0, 1000, (30, 2))
    tree = spanning_tree(pts)
    assert len(tree) == 29 and set(tree) <= set(gabriel_pairs(pts)) | set(tree)
    assert set(tree) <= set(gabriel_pairs(pts))  # the Gabriel graph holds the minimum spanning tree
