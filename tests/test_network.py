"""The graph type: builder, edge views, version hash, components, networkx export, stats."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from maps.geo import from_local_xy
from maps.network import NetworkBuilder, RoadNetwork, largest_strong_component, subnetwork
from models.errors import InputError

LAT0, LON0 = 28.5, 112.35


def ll(x: float, y: float) -> tuple[float, float]:
    lat, lon = from_local_xy(x, y, LAT0, LON0)
    return float(lat), float(lon)


def small() -> RoadNetwork:
    b = NetworkBuilder()
    a, c, d = b.add_node(*ll(0, 0)), b.add_node(*ll(1000, 0)), b.add_node(*ll(1000, 1000))
    b.add_road(a, c, highway="primary", maxspeed_kmh=40, via=[ll(500, 100)])
    b.add_road(c, d, highway="residential", oneway=True)
    b.add_road(d, a, highway="residential")
    e = b.add_node(*ll(5000, 5000))  # an island
    f = b.add_node(*ll(5100, 5000))
    b.add_road(e, f, highway="track")
    return b.build(name="small", source="generated")


def test_builder_makes_directed_edges_over_shared_geometries() -> None:
    net = small()
    assert (net.n_nodes, net.n_geoms, net.n_edges) == (5, 4, 7)
    assert net.edge_class[:2] == ["primary", "primary"]
    assert net.edge_oneway.tolist() == [False, False, True, False, False, False, False]
    assert net.edge_maxspeed_kmh[:2].tolist() == [40, 40]
    assert net.edge_length_m[0] == pytest.approx(2 * np.hypot(500, 100), abs=0.5)
    fwd, back = net.edge_polyline(0), net.edge_polyline(1)
    assert fwd == back[::-1] and len(fwd) == 3


def test_version_is_a_content_hash() -> None:
    assert small().version == small().version
    renamed = dataclasses.replace(small(), name="other", _cache={})
    assert renamed.version == small().version  # the name is not content
    moved = dataclasses.replace(small(), node_lat=small().node_lat + 1e-6, _cache={})
    assert moved.version != small().version


def test_inconsistent_arrays_are_refused() -> None:
    with pytest.raises(InputError):
        dataclasses.replace(small(), edge_dst=small().edge_dst + 10, _cache={})
    with pytest.raises(InputError, match="unknown road class"):
        NetworkBuilder().add_road(0, 0, highway="footway")


def test_largest_strong_component_drops_islands_and_dead_ends() -> None:
    net = largest_strong_component(small())
    assert net.n_nodes == 3 and net.n_edges == 5
    assert set(net.edge_class) == {"primary", "residential"}
    keep = np.array([True, True, False, False, False])
    assert subnetwork(small(), keep).n_edges == 2


def test_networkx_export_has_osmnx_like_attributes() -> None:
    g = small().to_networkx()
    assert g.number_of_nodes() == 5 and g.number_of_edges() == 7
    data = g.get_edge_data(0, 1)[0]
    assert data["highway"] == "primary" and data["maxspeed"] == 40 and not data["oneway"]
    assert g.nodes[0]["y"] == pytest.approx(LAT0) and len(data["geometry"]) == 3


def test_stats_count_each_road_once() -> None:
    s = small().stats()
    assert s["nodes"] == 5 and s["edges"] == 7
    assert s["road_km_by_class"]["residential"] == pytest.approx(1 + np.sqrt(2), abs=0.01)
    assert s["one_way_km"] == pytest.approx(1.0, abs=0.01)
    assert s["road_km"] == pytest.approx(sum(s["road_km_by_class"].values()), abs=0.01)
