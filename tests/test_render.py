"""Map sheets: self-contained offline HTML, markers in visiting order, roads by class, GCJ-02 on AMap."""

from __future__ import annotations

import json
import re

import pytest

from maps.gcj02 import wgs84_to_gcj02
from maps.network import NetworkBuilder, RoadNetwork
from maps.render import (
    Flagged,
    Place,
    SheetRoute,
    SheetStop,
    StoreArea,
    overview_map,
    route_colour,
    route_sheet,
    tile_specs,
)
from maps.render_base import ROAD_TIERS, inline_assets, pad_bbox, road_polylines

EXTERNAL = re.compile(
    r"""(?:src|href)\s*=\s*\\?["']?\s*(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import""", re.I
)


def grid() -> RoadNetwork:
    """A 4 × 4 grid of roads: a trunk, a tertiary, residential streets and tracks."""
    b = NetworkBuilder()
    nodes = [[b.add_node(28.40 + i * 0.01, 112.10 + j * 0.01) for j in range(4)] for i in range(4)]
    for i in range(4):
        for j in range(3):
            b.add_road(nodes[i][j], nodes[i][j + 1], highway=("trunk", "tertiary", "residential", "track")[i])
    for j in range(4):
        for i in range(3):
            b.add_road(nodes[i][j], nodes[i + 1][j], highway="residential")
    return b.build(name="grid", source="generated")


def sheet_route(n: int = 5) -> SheetRoute:
    stops = tuple(
        SheetStop(
            seq=k,
            lat=28.40 + 0.006 * k,
            lon=112.11 + 0.004 * k,
            name=f"第{k}号商店<b>",
            code=f"C{k}",
            address="白沙乡",
            lines=(("加碘精制盐 500g", k),),
            window="08:00–18:00",
            eta=f"0{8 + k // 3}:00",
            cash="¥80.00" if k % 2 else "月结",
            note=f"DN20261201-{k:04d}",
        )
        for k in range(1, n + 1)
    )
    legs = tuple(((28.40, 112.10), (s.lat, s.lon)) for s in stops)
    return SheetRoute(
        number=2,
        code="20261201-V1-R02",
        title="R02 湘X·B2002",
        depot_name="配送中心",
        depot_lat=28.40,
        depot_lon=112.10,
        stops=stops,
        legs=legs,
        facts=(("里程", "9.8 km"),),
        depot_code="DC",
    )


def has(html: str, text: str) -> bool:
    """``text`` is in the page, as HTML or inside the JSON-escaped JavaScript folium writes."""
    return text in html or json.dumps(text)[1:-1] in html


def seqs(html: str) -> list[int]:
    return [
        int(x) for x in re.findall(r'class=\\"pin\\" data-route=\\"[^"\\]*\\" data-seq=\\"(\d+)\\"', html)
    ]


def test_one_marker_per_stop_in_visiting_order() -> None:
    html = route_sheet(sheet_route(7), network=grid(), places=[Place("白沙乡", 28.41, 112.12)])
    assert seqs(html) == [1, 2, 3, 4, 5, 6, 7]
    assert has(html, "白沙乡") and has(html, "DN20261201-0003") and has(html, "¥80.00")
    assert has(html, "第1号商店&lt;b&gt;") and not has(html, "第1号商店<b>")  # names escaped, never markup


def test_offline_sheet_references_no_external_host() -> None:
    html = route_sheet(sheet_route(), network=grid())
    assert not EXTERNAL.search(html)
    assert "cdn." not in html and "tile.openstreetmap" not in html and "autonavi" not in html
    assert "L.tileLayer" not in html
    assert "<script src=" not in html and '<link rel="stylesheet"' not in html
    assert "var map_" in html and "DispatchSheet.init" in html  # Leaflet and our JS inlined


def test_inlined_assets_are_leaflet_with_images_as_data() -> None:
    js, css = inline_assets()
    assert "Leaflet" in js and "</script" not in js.lower()
    assert "url(images/" not in css and "data:image/png;base64," in css


def test_roads_by_class_are_drawn() -> None:
    net = grid()
    html = route_sheet(sheet_route(), network=net)
    for tier in ROAD_TIERS:
        if road_polylines(net, tier.classes):
            assert tier.colour in html
    major = next(t for t in ROAD_TIERS if t.key == "major")
    assert len(road_polylines(net, major.classes)) == 3
    far = (29.0, 113.0, 29.1, 113.1)
    assert road_polylines(net, major.classes, far) == []
    s, _w, n, _e = pad_bbox((28.0, 112.0, 28.0, 112.0), frac=0.1, min_m=1000)
    assert n - s == pytest.approx(2 * 1000 / 111_320, rel=1e-6)


def test_sheet_without_network_draws_straight_legs_and_says_so() -> None:
    html = route_sheet(sheet_route(3), network=None, attribution="无道路网：直线示意")
    assert seqs(html) == [1, 2, 3] and has(html, "无道路网")


def test_tile_layers_are_optional_and_amap_gets_gcj02_points() -> None:
    tiles = tile_specs(["osm", "amap"])
    route = sheet_route(3)
    html = route_sheet(route, network=grid(), tiles=tiles)
    assert "tile.openstreetmap.org" in html and "autonavi.com" in html
    assert not EXTERNAL.search(html)  # tile URLs live in JS, nothing loads until chosen
    assert seqs(html) == [1, 2, 3, 1, 2, 3]  # the WGS-84 route and its GCJ-02 copy
    for s in route.stops:
        glat, glon = wgs84_to_gcj02(s.lat, s.lon)
        assert f"[{glat}, {glon}]" in html
        assert f"[{s.lat}, {s.lon}]" in html
    assert has(html, "高德 AMap")  # the swap is keyed on the layer name


def test_tianditu_needs_a_key_and_unknown_layers_are_refused() -> None:
    with pytest.raises(ValueError, match="TIANDITU_KEY"):
        tile_specs(["tianditu"])
    t = tile_specs(["tianditu"], tianditu_key="k123")[0]
    assert "tk=k123" in t.url and t.crs == "wgs84" and t.overlays
    with pytest.raises(ValueError, match="unknown map tile layer"):
        tile_specs(["google"])


def test_overview_has_every_route_flagged_orders_and_store_radius() -> None:
    a, b = sheet_route(3), sheet_route(2)
    b = SheetRoute(**{**b.__dict__, "number": 3, "code": "R03", "title": "R03"})
    html = overview_map(
        [a, b],
        title="2026-12-01 v1",
        facts=(("路线", "2"),),
        flagged=[
            Flagged("held", "CO1", "某店", 28.42, 112.12, "3 cases: centre minimum 5"),
            Flagged("unassigned", "CO2", "另一店", 28.43, 112.13, "capacity of today's fleet exhausted"),
        ],
        depots=[
            StoreArea("DC", "配送中心", 28.40, 112.10, None, centre=True),
            StoreArea("S01", "青石镇门店", 28.42, 112.11, 1000),
        ],
        network=grid(),
    )
    assert route_colour(2) in html and route_colour(3) in html and route_colour(2) != route_colour(3)
    assert has(html, "centre minimum 5") and has(html, "capacity of today")
    assert '"radius": 1000' in html and "S01" in html
    assert not EXTERNAL.search(html)
