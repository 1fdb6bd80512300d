"""Building blocks of map sheets: plain input types, labels, optional tile layers, the offline road layer.

The road layer (roads by class as vector polylines) is shared by the HTML
sheets (:mod:`maps.render`) and the static PDF map (``documents.static_map``),
so both draw the roads the same way; ``inline_assets`` gives the Leaflet and
sheet JS/CSS that every HTML sheet inlines.
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from maps.network import RoadNetwork
from maps.profiles import CLASS_INDEX

LatLon = tuple[float, float]
PALETTE = (
    "#1565c0",
    "#c62828",
    "#2e7d32",
    "#6a1b9a",
    "#ef6c00",
    "#00838f",
    "#ad1457",
    "#4e342e",
    "#283593",
    "#558b2f",
    "#d84315",
    "#37474f",
)
ROUTE_WEIGHT = 6


def route_colour(number: int) -> str:
    """The colour of route ``number`` (1-based), the same on every sheet and the overview."""
    return PALETTE[(number - 1) % len(PALETTE)]


@dataclass(frozen=True)
class SheetStop:
    """A stop as the map shows it; text fields are already formatted in the sheet's language."""

    seq: int
    lat: float
    lon: float
    name: str
    code: str = ""
    address: str = ""
    lines: tuple[tuple[str, int], ...] = ()
    window: str = ""
    eta: str = ""
    cash: str = ""
    note: str = ""
    transfer: bool = False


@dataclass(frozen=True)
class SheetRoute:
    """A route: its stops in visiting order and one road polyline per leg (depot → … → depot)."""

    number: int
    code: str
    title: str
    depot_name: str
    depot_lat: float
    depot_lon: float
    stops: tuple[SheetStop, ...]
    legs: tuple[tuple[LatLon, ...], ...] = ()
    facts: tuple[tuple[str, str], ...] = ()
    colour: str = ""
    depot_code: str = ""

    @property
    def color(self) -> str:
        return self.colour or route_colour(self.number)


@dataclass(frozen=True)
class Place:
    """A place name drawn on the base layer (township)."""

    name: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Flagged:
    """An order the overview marks: ``held`` or ``unassigned``, with the reason."""

    status: str
    order: str
    name: str
    lat: float
    lon: float
    reason: str


@dataclass(frozen=True)
class StoreArea:
    """A depot on the overview: the centre, or a store with its service radius."""

    code: str
    name: str
    lat: float
    lon: float
    radius_m: int | None = None
    centre: bool = False


@dataclass(frozen=True)
class TileSpec:
    """An optional online base layer. ``crs`` is ``wgs84`` or ``gcj02`` (AMap)."""

    key: str
    name: str
    url: str
    attribution: str
    crs: str = "wgs84"
    subdomains: str = "abc"
    max_zoom: int = 18
    overlays: tuple[str, ...] = field(default=())


LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "roads": "道路（离线）",
        "route": "路线",
        "depot": "出发/返回",
        "stop": "送货点（数字=顺序）",
        "held": "暂缓订单",
        "unassigned": "未排订单",
        "store": "门店及服务半径",
        "centre": "配送中心",
        "address": "地址",
        "window": "收货时间",
        "eta": "预计到达",
        "cash": "收现金",
        "goods": "货物",
        "note": "单号",
        "legend": "图例",
        "stops": "站点",
        "reason": "原因",
        "order": "订单",
        "cases": "箱",
        "transfer": "门店补货（调拨）",
        "roads_by_class": "道路等级",
        "radius": "服务半径",
        "customer": "客户",
    },
    "en": {
        "roads": "Roads (offline)",
        "route": "Route",
        "depot": "Start / end",
        "stop": "Stop (number = order)",
        "held": "Held order",
        "unassigned": "Unassigned order",
        "store": "Store and service radius",
        "centre": "Distribution centre",
        "address": "Address",
        "window": "Window",
        "eta": "ETA",
        "cash": "Cash",
        "goods": "Goods",
        "note": "Note",
        "legend": "Legend",
        "stops": "Stops",
        "reason": "Reason",
        "order": "Order",
        "cases": "cases",
        "transfer": "Store replenishment (transfer)",
        "roads_by_class": "Roads by class",
        "radius": "service radius",
        "customer": "Customer",
    },
}


def tile_specs(keys: Sequence[str], *, tianditu_key: str | None = None) -> list[TileSpec]:
    """Tile layers for ``keys`` among ``osm``, ``tianditu`` (needs a key), ``amap``; unknown keys raise."""
    out = []
    for key in keys:
        if key == "osm":
            out.append(
                TileSpec(
                    "osm",
                    "OpenStreetMap",
                    "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                    "© OpenStreetMap contributors",
                    subdomains="abc",
                    max_zoom=19,
                )
            )
        elif key == "tianditu":
            if not tianditu_key:
                raise ValueError("map tile layer 'tianditu' needs DISPATCH_TIANDITU_KEY")
            base = (
                "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
                "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
                "&TILECOL={x}&tk=" + tianditu_key
            )
            out.append(
                TileSpec(
                    "tianditu",
                    "天地图 Tianditu",
                    base.replace("{layer}", "vec"),
                    "© 天地图 Tianditu (CGCS2000)",
                    subdomains="01234567",
                    overlays=(base.replace("{layer}", "cva"),),
                )
            )
        elif key == "amap":
            out.append(
                TileSpec(
                    "amap",
                    "高德 AMap",
                    "https://webrd0{s}.is.autonavi.com/appmaptile?"
                    "lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
                    "© 高德地图 AMap (GCJ-02)",
                    crs="gcj02",
                    subdomains="1234",
                )
            )
        else:
            raise ValueError(f"unknown map tile layer {key!r}; expected osm, tianditu or amap")
    return out


ASSETS = Path(__file__).resolve().parent / "assets"
LEAFLET = ASSETS / "leaflet"
Bbox = tuple[float, float, float, float]  # south, west, north, east


@dataclass(frozen=True)
class RoadTier:
    """A group of road classes drawn alike."""

    key: str
    zh: str
    en: str
    classes: frozenset[str]
    colour: str
    weight: float
    dash: str | None = None

    def label(self, english: bool = False) -> str:
        return self.en if english else self.zh


ROAD_TIERS: tuple[RoadTier, ...] = (
    RoadTier(
        "major",
        "国道、省道",
        "Trunk and primary roads",
        frozenset({"motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link"}),
        "#e07b1f",
        5.0,
    ),
    RoadTier(
        "secondary", "县道", "Secondary roads", frozenset({"secondary", "secondary_link"}), "#e8b923", 4.0
    ),
    RoadTier("tertiary", "乡道", "Tertiary roads", frozenset({"tertiary", "tertiary_link"}), "#8d8d8d", 3.0),
    RoadTier(
        "minor",
        "村道、街道",
        "Minor roads and streets",
        frozenset({"unclassified", "residential", "living_street", "service", "road"}),
        "#a9a9a9",
        2.0,
    ),
    RoadTier("track", "机耕道、山路", "Tracks", frozenset({"track"}), "#9c7b55", 1.6, "5 4"),
)


def bbox_of(points: Iterable[tuple[float, float]]) -> Bbox:
    """(south, west, north, east) of (lat, lon) points; raises ``ValueError`` when there are none."""
    pts = list(points)
    if not pts:
        raise ValueError("no points to fit the map to")
    lats = [p[0] for p in pts]
    lons = [p[1] for p in pts]
    return min(lats), min(lons), max(lats), max(lons)


def pad_bbox(b: Bbox, *, frac: float = 0.2, min_m: float = 1000.0) -> Bbox:
    """``b`` grown by ``frac`` of its size on each side, and by at least ``min_m`` metres."""
    s, w, n, e = b
    dlat_min = min_m / 111_320.0
    dlon_min = min_m / (111_320.0 * max(0.1, math.cos(math.radians((s + n) / 2))))
    dlat = max((n - s) * frac, dlat_min)
    dlon = max((e - w) * frac, dlon_min)
    return s - dlat, w - dlon, n + dlat, e + dlon


def road_polylines(
    network: RoadNetwork, classes: Iterable[str], bbox: Bbox | None = None, *, decimals: int = 5
) -> list[list[list[float]]]:
    """The (lat, lon) polylines of every road of ``classes`` that has a point inside ``bbox``.

    Coordinates are rounded to ``decimals`` (5 ≈ 1 m) and repeated points dropped,
    which keeps a county's roads to a few hundred kB of HTML.
    """
    wanted = np.array([CLASS_INDEX[c] for c in classes if c in CLASS_INDEX], dtype=np.int64)
    keep = np.isin(network.geom_class, wanted)
    if bbox is not None and network.n_geoms:
        s, w, n, e = bbox
        inside = (
            (network.geom_lat >= s)
            & (network.geom_lat <= n)
            & (network.geom_lon >= w)
            & (network.geom_lon <= e)
        ).astype(np.int64)
        sizes = np.diff(network.geom_offsets)
        nonempty = sizes > 0
        hits = np.zeros(network.n_geoms, dtype=np.int64)
        hits[nonempty] = np.add.reduceat(inside, network.geom_offsets[:-1][nonempty])
        keep &= hits > 0
    lat = np.round(network.geom_lat, decimals)
    lon = np.round(network.geom_lon, decimals)
    out = []
    for g in np.flatnonzero(keep):
        a, b = int(network.geom_offsets[g]), int(network.geom_offsets[g + 1])
        line: list[list[float]] = []
        for la, lo in zip(lat[a:b].tolist(), lon[a:b].tolist(), strict=True):
            if not line or line[-1] != [la, lo]:
                line.append([la, lo])
        if len(line) >= 2:
            out.append(line)
    return out


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _inline_css(css: str, folder: Path) -> str:
    """Relative ``url(images/x.png)`` → data URIs, so the CSS works inside a single HTML file."""
    return re.sub(
        r"url\((['\"]?)(images/[^)'\"]+)\1\)", lambda m: f"url({_data_uri(folder / m.group(2))})", css
    )


def _inline_js(js: str) -> str:
    """Make JS safe inside ``<script>``: no ``</script``, no literal ``href="http``.

    Only string literals contain these; ``<\\/`` and ``:\\/\\/`` are the same strings to JavaScript.
    """
    return js.replace("</", "<\\/").replace('"https://', '"https:\\/\\/').replace('"http://', '"http:\\/\\/')


@lru_cache(maxsize=1)
def inline_assets() -> tuple[str, str]:
    """(JS, CSS) to inline into every sheet: Leaflet 1.9.4 (BSD-2, see assets/leaflet/LICENSE) and ours."""
    js = (
        (LEAFLET / "leaflet.js").read_text(encoding="utf-8") + "\n" + (ASSETS / "sheet.js").read_text("utf-8")
    )
    css = _inline_css((LEAFLET / "leaflet.css").read_text(encoding="utf-8"), LEAFLET)
    css += "\n" + (ASSETS / "sheet.css").read_text(encoding="utf-8")
    return _inline_js(js), css


def flatten(lines: Sequence[Sequence[Sequence[float]]]) -> int:
    """Number of points in a list of polylines (for size checks)."""
    return sum(len(line) for line in lines)


__all__ = [
    "ASSETS",
    "ROAD_TIERS",
    "Bbox",
    "RoadTier",
    "bbox_of",
    "inline_assets",
    "pad_bbox",
    "road_polylines",
]
