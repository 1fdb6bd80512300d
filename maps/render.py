"""Map sheets that work offline: one folium HTML file per route, and the dispatcher's overview.

Every sheet is a single self-contained HTML file: Leaflet's JS/CSS (shipped in
``maps/assets/leaflet``, BSD-2) and the sheet's own CSS/JS are inlined, and
the base layer is the road network itself drawn as vectors (roads by class,
township names), so nothing is fetched when it is opened from a USB stick or
on a phone with no signal. Online tile layers are optional (:func:`tile_specs`:
OpenStreetMap, Tianditu, AMap); AMap tiles are GCJ-02, so when that layer is
chosen the route is swapped for a copy converted with :mod:`maps.gcj02`.

Input is plain data (:class:`SheetRoute`, :class:`SheetStop` …), already in
the sheet's language; ``services.printing`` builds it from a stored plan.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import Any, cast

import folium
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from maps.gcj02 import to_gcj02_path, wgs84_to_gcj02
from maps.network import RoadNetwork
from maps.render_base import (
    LABELS,
    PALETTE,
    ROAD_TIERS,
    Flagged,
    Place,
    SheetRoute,
    SheetStop,
    StoreArea,
    TileSpec,
    bbox_of,
    inline_assets,
    pad_bbox,
    road_polylines,
    route_colour,
    tile_specs,
)


class _Script(MacroElement):
    """Raw JavaScript emitted after every layer it refers to exists."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.code }}{% endmacro %}")

    def __init__(self, code: str) -> None:
        super().__init__()
        self._name = "Script"
        self.code = code


class _Popup(MacroElement):
    """A popup bound with plain Leaflet (folium's own popup needs jQuery, which we do not ship)."""

    _template = Template(
        "{% macro script(this, kwargs) %}{{ this._parent.get_name() }}.bindPopup({{ this.html|tojson }},"
        " {maxWidth: 300, autoPanPadding: [20, 60]});{% endmacro %}"
    )

    def __init__(self, content: str) -> None:
        super().__init__()
        self._name = "Popup"
        self.html = content


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _icon(content: str, size: tuple[int, int], cls: str = "map-icon") -> folium.DivIcon:
    return folium.DivIcon(
        html=content, icon_size=size, icon_anchor=(size[0] // 2, size[1] // 2), class_name=cls
    )


def _stop_popup(route: SheetRoute, s: SheetStop, lab: dict[str, str]) -> str:
    rows = [(lab["address"], s.address), (lab["window"], s.window), (lab["eta"], s.eta)]
    goods = "<br>".join(f"{_esc(p)} × {n} {lab['cases']}" for p, n in s.lines)
    rows.append((lab["goods"], goods if goods else ""))
    if s.note:
        rows.append((lab["note"], s.note))
    cells = "".join(
        f'<tr><td class="k">{_esc(k)}</td><td>{v if k == lab["goods"] else _esc(v)}</td></tr>'
        for k, v in rows
        if v
    )
    cash = f'<div class="cash">{_esc(lab["cash"])} {_esc(s.cash)}</div>' if s.cash else ""
    kind = f'<div class="muted">{_esc(lab["transfer"])}</div>' if s.transfer else ""
    code = f' <span class="muted">{_esc(s.code)}</span>' if s.code else ""
    return (
        f'<div class="popup"><h3><span class="num" style="background:{route.color}">{s.seq}</span>'
        f"{_esc(s.name)}{code}</h3>{kind}{cash}<table>{cells}</table></div>"
    )


def _new_map(bounds: tuple[float, float, float, float]) -> folium.Map:
    s, w, n, e = bounds
    m = folium.Map(
        location=[(s + n) / 2, (w + e) / 2],
        zoom_start=12,
        tiles=None,
        prefer_canvas=True,
        control_scale=False,
        zoom_snap=0.25,
        zoom_delta=0.5,
    )
    m.default_js, m.default_css = [], []
    js, css = inline_assets()
    root = cast(Figure, m.get_root())
    root.header.add_child(Element(f"<style>{css}</style>"), name="offline_css")
    root.header.add_child(Element(f"<script>{js}</script>"), name="offline_js")
    m.fit_bounds([[s, w], [n, e]], padding=(24, 24))
    return m


def _add_roads(
    target: Any, network: RoadNetwork | None, bbox: tuple[float, float, float, float], places: Sequence[Place]
) -> None:
    if network is not None:
        for tier in reversed(ROAD_TIERS):  # minor roads first, major roads on top
            lines = road_polylines(network, tier.classes, bbox)
            if lines:
                folium.PolyLine(
                    lines,
                    color=tier.colour,
                    weight=tier.weight,
                    opacity=0.95,
                    dash_array=tier.dash,
                    interactive=False,
                    smooth_factor=1.0,
                ).add_to(target)
    s, w, n, e = bbox
    for p in places:
        if s <= p.lat <= n and w <= p.lon <= e:
            icon = folium.DivIcon(
                html=f'<div class="place">{_esc(p.name)}</div>',
                icon_size=(140, 20),
                icon_anchor=(70, 34),
                class_name="map-icon",
            )
            folium.Marker([p.lat, p.lon], icon=icon, interactive=False).add_to(target)


def _add_route(
    group: folium.FeatureGroup, route: SheetRoute, lab: dict[str, str], *, small: bool, gcj: bool
) -> list[str]:
    """Draw one route into ``group``; returns the JS names of its stop markers, in visiting order."""
    conv = (lambda p: wgs84_to_gcj02(*p)) if gcj else (lambda p: p)
    for leg in route.legs:
        pts = to_gcj02_path(list(leg)) if gcj else list(leg)
        if len(pts) >= 2:
            folium.PolyLine(
                pts,
                color="#ffffff",
                weight=10 if not small else 6,
                opacity=0.9,
                interactive=False,
            ).add_to(group)
            folium.PolyLine(
                pts,
                color=route.color,
                weight=6 if not small else 4,
                opacity=0.9,
                interactive=False,
                tooltip=None,
            ).add_to(group)
    depot = conv((route.depot_lat, route.depot_lon))
    short = route.depot_code or route.depot_name
    folium.Marker(
        depot,
        icon=_icon(f'<div class="depot-pin">⌂ {_esc(short)}</div>', (44, 24)),
        z_index_offset=500,
        tooltip=_esc(route.depot_name),
    ).add_to(group)
    names = []
    size = (22, 22) if small else (30, 30)
    cls = "pin small" if small else "pin"
    for s in route.stops:
        pin = (
            f'<div class="{cls}" data-route="{_esc(route.code)}" data-seq="{s.seq}" '
            f'style="background:{route.color}">{s.seq}</div>'
        )
        marker = folium.Marker(
            conv((s.lat, s.lon)),
            icon=_icon(pin, size),
            z_index_offset=1000 + s.seq,
            tooltip=_esc(f"{s.seq}. {s.name}"),
        )
        marker.add_child(_Popup(_stop_popup(route, s, lab)))
        marker.add_to(group)
        names.append(marker.get_name())
    return names


def _add_tiles(m: folium.Map, tiles: Sequence[TileSpec]) -> None:
    for t in tiles:
        group = folium.FeatureGroup(name=t.name, overlay=False, show=False)
        folium.TileLayer(
            t.url,
            attr=t.attribution,
            name=t.name,
            subdomains=t.subdomains,
            max_zoom=t.max_zoom,
            control=False,
        ).add_to(group)
        for url in t.overlays:
            folium.TileLayer(
                url,
                attr=t.attribution,
                subdomains=t.subdomains,
                max_zoom=t.max_zoom,
                control=False,
                overlay=True,
            ).add_to(group)
        group.add_to(m)


def _legend(lab: dict[str, str], rows: list[str], attribution: str) -> str:
    roads = "".join(
        f'<div class="row"><span class="sw line" style="border-top-width:{max(2, round(t.weight))}px;'
        f'border-top-color:{t.colour};border-top-style:{"dashed" if t.dash else "solid"}"></span>'
        f"{_esc(t.label(lab is LABELS['en']))}</div>"
        for t in ROAD_TIERS
    )
    attr = f'<div class="attr">{_esc(attribution)}</div>' if attribution else ""
    return (
        f'<details class="legend" open><summary>{_esc(lab["legend"])}</summary><div class="body">'
        f'{"".join(rows)}<div class="muted">{_esc(lab["roads_by_class"])}</div>{roads}{attr}</div></details>'
    )


def _facts(facts: Sequence[tuple[str, str]]) -> str:
    return "".join(f'<tr><td class="k">{_esc(k)}</td><td>{_esc(v)}</td></tr>' for k, v in facts)


def _finish(
    m: folium.Map,
    *,
    stop_names: list[str],
    gcj_names: list[str],
    wgs_groups: list[str],
    gcj_groups: list[str],
    tiles: Sequence[TileSpec],
    bounds: tuple[float, float, float, float],
    panel: str,
    legend: str,
    base_name: str,
    attribution: str,
) -> str:
    if tiles:
        folium.LayerControl(collapsed=True, position="topright").add_to(m)
    s, w, n, e = bounds
    gs, gw = wgs84_to_gcj02(s, w)
    gn, ge = wgs84_to_gcj02(n, e)
    amap = next((t.name for t in tiles if t.crs == "gcj02"), None)
    opts = (
        f"{{stops: [{', '.join(stop_names)}], gcjStops: [{', '.join(gcj_names)}], "
        f"wgsGroups: [{', '.join(wgs_groups)}], gcjGroups: [{', '.join(gcj_groups)}], "
        f"amapName: {json.dumps(amap)}, bounds: {json.dumps([[s, w], [n, e]])}, "
        f"gcjBounds: {json.dumps([[gs, gw], [gn, ge]])}}}"
    )
    name = m.get_name()
    prefix = json.dumps(_esc(attribution or base_name))
    m.add_child(
        _Script(
            f"L.control.scale({{metric: true, imperial: false, maxWidth: 160}}).addTo({name});"
            f"{name}.attributionControl.setPrefix({prefix});"
            f"DispatchSheet.init({name}, {opts});"
        )
    )
    root = cast(Figure, m.get_root())
    root.html.add_child(Element(panel + legend))
    return str(root.render())


def route_sheet(
    route: SheetRoute,
    *,
    network: RoadNetwork | None,
    places: Sequence[Place] = (),
    tiles: Sequence[TileSpec] = (),
    lang: str = "zh",
    attribution: str = "",
) -> str:
    """One route's map sheet as a self-contained HTML document (see the module docstring)."""
    lab = LABELS["en" if lang == "en" else "zh"]
    pts = [(route.depot_lat, route.depot_lon)] + [(s.lat, s.lon) for s in route.stops]
    pts += [p for leg in route.legs for p in leg]
    bounds = bbox_of(pts)
    m = _new_map(bounds)
    base = folium.FeatureGroup(name=lab["roads"], overlay=not tiles, control=bool(tiles))
    _add_roads(base, network, pad_bbox(bounds, frac=0.35, min_m=3000), places)
    base.add_to(m)
    _add_tiles(m, tiles)
    group = folium.FeatureGroup(name=lab["route"], control=False)
    names = _add_route(group, route, lab, small=False, gcj=False)
    group.add_to(m)
    gcj_names: list[str] = []
    gcj_groups: list[str] = []
    if any(t.crs == "gcj02" for t in tiles):
        mars = folium.FeatureGroup(name=lab["route"] + " (GCJ-02)", control=False, show=False)
        gcj_names = _add_route(mars, route, lab, small=False, gcj=True)
        mars.add_to(m)
        gcj_groups = [mars.get_name()]
    items = "".join(
        f'<li data-go="{i}"><b style="color:{route.color}">{s.seq}.</b> {_esc(s.name)}'
        f'<span class="eta">{_esc(s.eta)}</span>'
        + (f' <span class="cash">{_esc(s.cash)}</span>' if s.cash else "")
        + "</li>"
        for i, s in enumerate(route.stops)
    )
    panel = (
        f'<details class="panel" open><summary>{_esc(route.title)}</summary><div class="body">'
        f'<table class="facts">{_facts(route.facts)}</table><ol class="stops">{items}</ol></div></details>'
    )
    legend_rows = [
        f'<div class="row"><span class="sw line" style="border-top-width:5px;border-top-color:{route.color}">'
        f"</span>{_esc(lab['route'])}</div>",
        f'<div class="row"><span class="sw"><span class="pin small" style="background:{route.color};'
        f'display:inline-block">1</span></span>{_esc(lab["stop"])}</div>',
        f'<div class="row"><span class="sw"><span class="depot-pin" style="font-size:10px">⌂</span></span>'
        f"{_esc(lab['depot'])}</div>",
    ]
    return _finish(
        m,
        stop_names=names,
        gcj_names=gcj_names,
        wgs_groups=[group.get_name()],
        gcj_groups=gcj_groups,
        tiles=tiles,
        bounds=bounds,
        panel=panel,
        legend=_legend(lab, legend_rows, attribution),
        base_name=lab["roads"],
        attribution=attribution,
    )


def overview_map(
    routes: Sequence[SheetRoute],
    *,
    title: str,
    facts: Sequence[tuple[str, str]] = (),
    flagged: Sequence[Flagged] = (),
    depots: Sequence[StoreArea] = (),
    network: RoadNetwork | None,
    places: Sequence[Place] = (),
    tiles: Sequence[TileSpec] = (),
    lang: str = "zh",
    attribution: str = "",
) -> str:
    """The dispatcher's overview of a day: every route in its colour, held/unassigned orders, depots."""
    lab = LABELS["en" if lang == "en" else "zh"]
    pts = [(d.lat, d.lon) for d in depots] + [(f.lat, f.lon) for f in flagged]
    pts += [(s.lat, s.lon) for r in routes for s in r.stops] + [
        p for r in routes for leg in r.legs for p in leg
    ]
    bounds = bbox_of(pts or [(p.lat, p.lon) for p in places])
    m = _new_map(bounds)
    base = folium.FeatureGroup(name=lab["roads"], overlay=not tiles, control=bool(tiles))
    _add_roads(base, network, pad_bbox(bounds, frac=0.1, min_m=2000), places)
    base.add_to(m)
    _add_tiles(m, tiles)
    amap = any(t.crs == "gcj02" for t in tiles)
    wgs_groups: list[str] = []
    gcj_groups: list[str] = []
    stop_names: list[str] = []
    gcj_names: list[str] = []
    for gcj in (False, True) if amap else (False,):
        layer = folium.FeatureGroup(name=lab["route"], control=False, show=not gcj)
        conv = (lambda la, lo: wgs84_to_gcj02(la, lo)) if gcj else (lambda la, lo: (la, lo))
        for d in depots:
            if d.radius_m and not d.centre:
                folium.Circle(
                    conv(d.lat, d.lon),
                    radius=d.radius_m,
                    color="#2e7d32",
                    weight=1.5,
                    dash_array="6 4",
                    fill=True,
                    fill_opacity=0.07,
                    interactive=False,
                ).add_to(layer)
            label = f'<div class="{"depot-pin" if d.centre else "store-pin"}">⌂ {_esc(d.code)}</div>'
            tip = d.name + (f" · {lab['radius']} {d.radius_m} m" if d.radius_m else "")
            folium.Marker(
                conv(d.lat, d.lon), icon=_icon(label, (44, 22)), tooltip=_esc(tip), z_index_offset=400
            ).add_to(layer)
        for r in routes:
            (gcj_names if gcj else stop_names).extend(_add_route(layer, r, lab, small=True, gcj=gcj))
        for f in flagged:
            mark = "!" if f.status == "held" else "?"
            icon = _icon(f'<div class="flag {f.status}"><span>{mark}</span></div>', (22, 22))
            pop = (
                f'<div class="popup"><h3>{_esc(lab[f.status])}</h3><table>'
                f'<tr><td class="k">{_esc(lab["order"])}</td><td>{_esc(f.order)}</td></tr>'
                f'<tr><td class="k">{_esc(lab["customer"])}</td>'
                f"<td>{_esc(f.name)}</td></tr>"
                f'<tr><td class="k">{_esc(lab["reason"])}</td><td>{_esc(f.reason)}</td></tr></table></div>'
            )
            mk = folium.Marker(
                conv(f.lat, f.lon), icon=icon, tooltip=_esc(f"{lab[f.status]}: {f.name}"), z_index_offset=2000
            )
            mk.add_child(_Popup(pop))
            mk.add_to(layer)
        layer.add_to(m)
        (gcj_groups if gcj else wgs_groups).append(layer.get_name())
    rows = [
        f'<div class="row"><span class="sw line" style="border-top-width:5px;border-top-color:{r.color}">'
        f"</span>{_esc(r.title)}</div>"
        for r in routes
    ]
    rows += [
        f'<div class="row"><span class="sw"><span class="flag held" style="display:inline-block;width:14px;'
        f'height:14px"></span></span>{_esc(lab["held"])}</div>',
        f'<div class="row"><span class="sw"><span class="flag unassigned" style="display:inline-block;'
        f'width:14px;height:14px"></span></span>{_esc(lab["unassigned"])}</div>',
        f'<div class="row"><span class="sw"><span class="store-pin" style="font-size:9px">S</span></span>'
        f"{_esc(lab['store'])}</div>",
    ]
    items = "".join(
        f'<li><b style="color:{r.color}">■</b> {_esc(r.title)}<br><span class="muted">'
        f"{_esc(' · '.join(f'{k} {v}' for k, v in r.facts[3:]))}</span></li>"
        for r in routes
    )
    flagged_items = "".join(
        f'<li><span class="cash">{_esc(lab[f.status])}</span> {_esc(f.name)}: {_esc(f.reason)}</li>'
        for f in flagged
    )
    panel = (
        f'<details class="panel" open><summary>{_esc(title)}</summary><div class="body">'
        f'<table class="facts">{_facts(facts)}</table><ol class="stops">{items}{flagged_items}</ol>'
        f"</div></details>"
    )
    return _finish(
        m,
        stop_names=stop_names,
        gcj_names=gcj_names,
        wgs_groups=wgs_groups,
        gcj_groups=gcj_groups,
        tiles=tiles,
        bounds=bounds,
        panel=panel,
        legend=_legend(lab, rows, attribution),
        base_name=lab["roads"],
        attribution=attribution,
    )


__all__ = [
    "PALETTE",
    "Flagged",
    "Place",
    "SheetRoute",
    "SheetStop",
    "StoreArea",
    "TileSpec",
    "overview_map",
    "route_colour",
    "route_sheet",
    "tile_specs",
]
