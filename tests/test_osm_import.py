"""Import of a real OpenStreetMap extract (Andorra, ODbL, © OpenStreetMap contributors)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from maps.errors import NetworkFileError
from maps.geo import from_local_xy, local_xy
from maps.matrix import compute_matrices, leg_geometry
from maps.network import OSM_ATTRIBUTION, RoadNetwork, largest_strong_component
from maps.osm_import import import_osm, is_drivable, oneway_direction, parse_maxspeed
from maps.snap import snap_points
from tests.needs import requires

ANDORRA = Path(__file__).resolve().parents[2] / "shared" / "data" / "osm" / "andorra.osm.pbf"
pytestmark = requires(ANDORRA.is_file(), f"shared Andorra extract not present at {ANDORRA}")


@pytest.fixture(scope="module")
def andorra() -> RoadNetwork:
    return import_osm(ANDORRA)


def test_andorra_imports_with_sane_counts(andorra: RoadNetwork) -> None:
    s = andorra.stats()
    assert 300 < s["road_km"] < 1000  # hundreds of road km
    assert 1000 < s["nodes"] < 10000 and s["edges"] > s["nodes"]
    assert {"primary", "secondary", "residential"} <= set(s["road_km_by_class"])
    assert not {"footway", "path", "steps"} & set(s["road_km_by_class"])
    assert 0 < s["one_way_km"] < s["road_km"] / 2
    assert (andorra.geom_maxspeed > 0).any()
    assert andorra.attribution == OSM_ATTRIBUTION == "© OpenStreetMap contributors"
    assert andorra.source == "osm" and andorra.name == "andorra"
    assert 42.4 < s["bbox"][0] < s["bbox"][2] < 42.7
    # Already the largest strongly connected component.
    assert largest_strong_component(andorra).n_nodes == andorra.n_nodes


def test_fifty_random_points_snap_within_the_limit(andorra: RoadNetwork) -> None:
    """Points near the roads, where customers are: up to 300 m off a random road point."""
    rng = np.random.default_rng(42)
    idx = rng.integers(0, len(andorra.geom_lat), 50)
    lat0, lon0 = float(andorra.node_lat.mean()), float(andorra.node_lon.mean())
    x, y = local_xy(andorra.geom_lat[idx], andorra.geom_lon[idx], lat0, lon0)
    ang, r = rng.uniform(0, 2 * np.pi, 50), rng.uniform(0, 300, 50)
    lat, lon = from_local_xy(x + r * np.cos(ang), y + r * np.sin(ang), lat0, lon0)
    pts = [(f"C{i:02d}", float(a), float(b)) for i, (a, b) in enumerate(zip(lat, lon, strict=True))]
    res = snap_points(andorra, pts, limit_m=500)
    assert res.warnings == []
    got = np.array([p.distance_m for p in res.points])
    assert (got <= r + 1.0).all()  # never farther than the road point we started from


def test_matrices_on_andorra_for_every_profile(andorra: RoadNetwork) -> None:
    # Andorra la Vella, Encamp, Canillo, La Massana, Sant Julià de Lòria.
    towns = [("ALV", 42.5075, 1.5218), ("ENC", 42.5347, 1.5804), ("CAN", 42.5672, 1.5979),
             ("LAM", 42.5450, 1.5148), ("SJL", 42.4637, 1.4913)]  # fmt: skip
    results = {p: compute_matrices(andorra, towns, profile=p) for p in ("truck", "van", "ev")}
    van = results["van"]
    assert 5000 < van.distance_m[0, 1] < 12000  # Andorra la Vella → Encamp, about 7 km by road
    assert (results["truck"].duration_s >= van.duration_s).all()
    assert (results["ev"].duration_s >= van.duration_s).all()
    line = leg_geometry(andorra, towns[0], towns[2], profile="van")
    assert len(line) > 20


def test_missing_or_bad_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        import_osm(tmp_path / "none.osm.pbf")
    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(b"\x00\x01garbage")
    with pytest.raises(NetworkFileError):
        import_osm(bad)


def test_tag_rules() -> None:
    assert parse_maxspeed("50") == 50 and parse_maxspeed("30 mph") == 48
    assert parse_maxspeed("50;30") == 30 and parse_maxspeed("none") == 0 and parse_maxspeed(None) == 0
    assert oneway_direction({"oneway": "yes"}) == 1 and oneway_direction({"oneway": "-1"}) == -1
    assert oneway_direction({"junction": "roundabout"}) == 1
    assert oneway_direction({"highway": "motorway"}) == 1 and oneway_direction({}) == 0
    assert oneway_direction({"highway": "motorway", "oneway": "no"}) == 0
    assert is_drivable({"highway": "residential"})
    assert not is_drivable({"highway": "footway"}) and not is_drivable({"highway": "path"})
    assert not is_drivable({"highway": "service", "service": "parking_aisle"})
    assert not is_drivable({"highway": "track", "access": "private"})
    assert is_drivable({"highway": "track", "access": "no", "motor_vehicle": "destination"})
    assert not is_drivable({"highway": "residential", "motor_vehicle": "no"})
