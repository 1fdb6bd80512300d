"""The network registry (SQLite and PostgreSQL): import, activate, load, info, a day's matrices."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from maps.county_roads import Place, generate_county_roads
from maps.errors import NetworkFileError
from maps.store import save_network
from models import orm
from models.db import session_scope
from models.settings import Settings
from services import network as svc
from tests.needs import requires

ANDORRA = Path(__file__).resolve().parents[2] / "shared" / "data" / "osm" / "andorra.osm.pbf"
needs_andorra = requires(ANDORRA.is_file(), f"shared Andorra extract not present at {ANDORRA}")


def _active_count(settings: Settings) -> int:
    with session_scope(settings) as s:
        return int(s.scalar(select(func.count()).where(orm.RoadNetwork.is_active)) or 0)


def _tiny_roads(tmp_path: Path) -> Path:
    places = [
        Place("CT", "城关", 28.46, 112.32, "county_town", "T00"),
        Place("T01", "青石", 28.61, 112.23, "township", "T01"),
        Place("V1", "坪林村", 28.59, 112.19, "village", "T01"),
    ]
    net = generate_county_roads(places, seed=1, county_town=(28.46, 112.32), name="tiny")
    return save_network(net, tmp_path / "scenario" / "roads.npz")


@needs_andorra
def test_import_registers_stores_and_activates(settings: Settings) -> None:
    out = svc.import_network(settings, ANDORRA)
    assert out["active"] and out["source"] == "osm" and out["name"] == "andorra"
    assert out["path"] == f"networks/{out['version']}.npz"
    assert (settings.data_dir / out["path"]).is_file()
    assert 300 < out["stats"]["road_km"] < 1000
    assert out["stats"]["attribution"] == "© OpenStreetMap contributors"
    again = svc.import_network(settings, ANDORRA)  # same content: the same row, re-activated
    assert again["id"] == out["id"] and _active_count(settings) == 1
    with session_scope(settings) as s:
        info = svc.network_info(s, settings)
        net = svc.active_network(s, settings)
    assert info["approximate"] is False and info["nodes"] == net.n_nodes
    assert sum(info["road_km_by_class"].values()) == pytest.approx(info["road_km"], abs=0.1)
    assert info["profiles"] == ["ev", "truck", "van"]


def test_scenario_roads_switch_the_active_network(settings: Settings, tmp_path: Path) -> None:
    with session_scope(settings) as s:
        assert svc.active_network(s, settings) is None
        assert svc.network_info(s, settings)["approximate"] is True
    roads = _tiny_roads(tmp_path)
    with session_scope(settings) as s:
        assert svc.register_scenario_network(s, settings, roads, "qingshan") == 1
    with session_scope(settings) as s:
        net = svc.active_network(s, settings)
        assert net is not None and svc.active_network(s, settings) is net  # cached in-process
        row = s.scalars(select(orm.RoadNetwork)).one()
        assert (row.name, row.source, row.is_active) == ("qingshan", "generated", True)
        assert (settings.data_dir / row.path).is_file()


def test_missing_network_file_falls_back_to_its_origin_then_errs(settings: Settings, tmp_path: Path) -> None:
    roads = _tiny_roads(tmp_path)
    with session_scope(settings) as s:
        svc.register_scenario_network(s, settings, roads, "tiny")
        path = settings.data_dir / s.scalars(select(orm.RoadNetwork.path)).one()
    svc._LOADED.clear()
    path.unlink()  # e.g. the database was copied without its data folder
    with session_scope(settings) as s:
        assert svc.active_network(s, settings) is not None  # loaded from the scenario's roads.npz
    svc._LOADED.clear()
    roads.unlink()
    with session_scope(settings) as s, pytest.raises(NetworkFileError, match="missing"):
        svc.active_network(s, settings)


def test_failed_import_leaves_nothing_behind(settings: Settings, tmp_path: Path) -> None:
    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(b"garbage")
    with pytest.raises(NetworkFileError):
        svc.import_network(settings, bad)
    with session_scope(settings) as s:
        assert s.scalar(select(func.count()).select_from(orm.RoadNetwork)) == 0


def _busy_day(settings: Settings) -> dt.date:
    with session_scope(settings) as s:
        day = s.scalar(
            select(orm.Order.delivery_date).group_by(orm.Order.delivery_date)
            .order_by(func.count().desc()).limit(1)
        )  # fmt: skip
    assert day is not None
    return day


def test_day_matrices_are_approximate_without_a_network_and_cached(county_settings: Settings) -> None:
    day = _busy_day(county_settings)
    svc._LOADED.clear()
    with session_scope(county_settings) as s:
        pts = svc.day_points(s, day)
        n_depots = s.scalar(select(func.count()).select_from(orm.Depot))
        has_network = svc.active_network(s, county_settings) is not None
    assert len(pts) > n_depots and len({p[0] for p in pts}) == len(pts)
    points, results = svc.day_matrices(county_settings, day, profile="van")
    assert points == pts and list(results) == ["van"]
    r = results["van"]
    assert r.distance_m.shape == (len(pts), len(pts)) and r.approximate is (not has_network)
    if has_network:  # the scenario ships roads: the second run is a cache hit
        assert svc.day_matrices(county_settings, day, profile="van")[1]["van"].cache_hit
    _, all_profiles = svc.day_matrices(county_settings, day)
    assert sorted(all_profiles) == ["ev", "truck", "van"]


def test_day_with_a_generated_network_uses_the_roads(county_settings: Settings, tmp_path: Path) -> None:
    with session_scope(county_settings) as s:
        towns = s.scalars(select(orm.Township)).all()
        places = [
            Place(t.code, t.name_zh, t.lat, t.lon, "county_town" if t.is_county_town else "township", t.code)
            for t in towns
        ]
        ct = next(t for t in towns if t.is_county_town)
        rows = s.execute(select(orm.Customer.village, orm.Township.code, func.avg(orm.Customer.lat),
                                func.avg(orm.Customer.lon))
                         .join(orm.Township, orm.Customer.township_id == orm.Township.id)
                         .where(orm.Customer.village != "")
                         .group_by(orm.Customer.village, orm.Township.code)).all()  # fmt: skip
    places += [
        Place(f"V{i}", v, float(la), float(lo), "village", code) for i, (v, code, la, lo) in enumerate(rows)
    ]
    net = generate_county_roads(places, seed=7, county_town=(ct.lat, ct.lon), name="county")
    path = save_network(net, tmp_path / "roads.npz")
    with session_scope(county_settings) as s:
        svc.register_scenario_network(s, county_settings, path, "county")
    day = _busy_day(county_settings)
    _, results = svc.day_matrices(county_settings, day, profile="truck")
    r = results["truck"]
    assert not r.approximate and r.network_version == net.version and not r.cache_hit
    assert svc.day_matrices(county_settings, day, profile="truck")[1]["truck"].cache_hit
