"""Generate a hilly county's road network from its places, deterministically from a seed.

What it lays down (road classes as in OpenStreetMap):

* the **county town**: a rotated street grid, the national road (``trunk``)
  along one axis and the provincial road (``primary``) along the other, main
  streets every few blocks (``tertiary``), ``residential`` streets between
  them, some of them one-way in alternating directions;
* the **national and provincial roads** leave the town in both directions and
  pass through the township centres that lie along their corridor;
* a **county road** (``secondary``) from the town to every township centre,
  winding like a mountain road (length ≈ 1.2–1.5 × the straight line), and
  ``tertiary`` roads between neighbouring townships (a Gabriel graph);
* **village roads** (``unclassified``) between neighbouring villages and
  centres (a Gabriel graph plus a spanning tree, links up to 9 km), so that a
  village can be reached from the next one without going back to the town;
* a **local mesh** of lanes (``residential`` near the centre, ``track``
  further out) around every township centre and village, so that customers
  within ~1.8 km snap within a few hundred metres.

Road distance over straight line comes out at about 1.3–1.8 (see
:func:`detour_ratios` and the tests).  Every road is two-way except the
town's one-way streets; the result is strongly connected, also for the EV,
which may not use the trunk.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from maps._shapes import gabriel_pairs, mesh, spanning_tree, wiggle
from maps.geo import from_local_xy, haversine_m, local_xy
from maps.network import NetworkBuilder, RoadNetwork, largest_strong_component
from models.errors import FieldError, InputError

KINDS = ("county_town", "township", "village")


@dataclass(frozen=True)
class Place:
    """A named place the roads must reach; ``township`` is its township code."""

    id: str
    name: str
    lat: float
    lon: float
    kind: str
    township: str | None = None


@dataclass(frozen=True)
class CountyRoadParams:
    """Sizes (metres) and winding (road length / straight line) of the generated roads."""

    town_half_m: float = 2400.0
    town_spacing_m: float = 400.0
    township_radius_m: float = 1500.0
    township_spacing_m: float = 400.0
    village_radius_m: float = 1800.0
    village_spacing_m: float = 480.0
    corridor_m: float = 4000.0
    trunk_winding: tuple[float, float] = (1.08, 1.2)
    county_winding: tuple[float, float] = (1.2, 1.5)
    link_winding: tuple[float, float] = (1.2, 1.45)
    village_winding: tuple[float, float] = (1.1, 1.4)
    village_link_max_m: float = 9000.0


def as_place(obj: Any) -> Place:
    """A :class:`Place` from a Place, a mapping or any record with those attributes."""
    if isinstance(obj, Place):
        return obj
    get: Any = obj.get if isinstance(obj, Mapping) else (lambda k, d=None: getattr(obj, k, d))
    township = get("township", None) or get("township_code", None)
    return Place(
        id=str(get("id")), name=str(get("name", "") or get("id")), lat=float(get("lat")),
        lon=float(get("lon")), kind=str(get("kind")),
        township=None if township is None else str(township),
    )  # fmt: skip


def _check(places: list[Place]) -> None:
    errors = [
        FieldError(field="kind", reason=f"must be one of {', '.join(KINDS)}", row=i, value=p.kind)
        for i, p in enumerate(places, start=1)
        if p.kind not in KINDS
    ]
    seen: set[str] = set()
    for i, p in enumerate(places, start=1):
        if p.id in seen:
            errors.append(FieldError(field="id", reason="duplicate place id", row=i, value=p.id))
        seen.add(p.id)
    if errors:
        raise InputError(errors, context="county places")


class _Draft:
    """A network under construction, in metres around the county town."""

    def __init__(self, lat0: float, lon0: float, rng: np.random.Generator) -> None:
        self.lat0, self.lon0, self.rng = lat0, lon0, rng
        self.b = NetworkBuilder()
        self.xy: list[np.ndarray] = []

    def node(self, p: np.ndarray) -> int:
        lat, lon = from_local_xy(p[0], p[1], self.lat0, self.lon0)
        self.xy.append(np.asarray(p, dtype=float))
        return self.b.add_node(float(lat), float(lon))

    def road(
        self,
        u: int,
        v: int,
        *,
        highway: str,
        winding: tuple[float, float] | float,
        oneway: bool = False,
        maxspeed: int | None = None,
    ) -> None:
        lo, hi = winding if isinstance(winding, tuple) else (winding, winding)
        line = wiggle(self.xy[u], self.xy[v], tortuosity=float(self.rng.uniform(lo, hi)), rng=self.rng)
        lat, lon = from_local_xy(line[1:-1, 0], line[1:-1, 1], self.lat0, self.lon0)
        self.b.add_road(u, v, highway=highway, via=np.column_stack([lat, lon]), oneway=oneway,
                        maxspeed_kmh=maxspeed)  # fmt: skip

    def nearest(self, nodes: Iterable[int], p: np.ndarray) -> int:
        cand = list(nodes)
        d = [float(np.hypot(*(self.xy[c] - p))) for c in cand]
        return cand[int(np.argmin(d))]


def _town_grid(d: _Draft, angle: float, prm: CountyRoadParams) -> tuple[dict[tuple[int, int], int], int]:
    """The county town's streets; returns grid nodes by (i, j) and k (lines run -k..k)."""
    k = max(round(prm.town_half_m / prm.town_spacing_m), 2)
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    grid: dict[tuple[int, int], int] = {}
    for i in range(-k, k + 1):
        for j in range(-k, k + 1):
            jit = np.zeros(2) if (i, j) == (0, 0) else d.rng.uniform(-0.06, 0.06, 2) * prm.town_spacing_m
            grid[(i, j)] = d.node(rot @ (np.array([i, j]) * prm.town_spacing_m + jit))
    main = {0, k, -k, k // 2 + 1, -(k // 2 + 1)}
    for i in range(-k, k + 1):
        for j in range(-k, k + 1):
            if i < k:  # along x ("horizontal" line j): j == 0 is the national road
                cls = "trunk" if j == 0 else "tertiary" if j in main else "residential"
                oneway = cls == "residential" and j % 2 != 0
                u, v = grid[(i, j)], grid[(i + 1, j)]
                if oneway and ((j + k) // 2) % 2:
                    u, v = v, u
                d.road(u, v, highway=cls, winding=1.0, oneway=oneway, maxspeed=40 if j == 0 else None)
            if j < k:  # along y: i == 0 is the provincial road
                cls = "primary" if i == 0 else "tertiary" if i in main else "residential"
                d.road(grid[(i, j)], grid[(i, j + 1)], highway=cls, winding=1.0,
                       maxspeed=40 if i == 0 else None)  # fmt: skip
    return grid, k


def _through_road(
    d: _Draft,
    *,
    entry: int,
    direction: np.ndarray,
    towns: dict[str, int],
    taken: set[str],
    reach_m: float,
    highway: str,
    prm: CountyRoadParams,
    half: float,
) -> None:
    """A national/provincial road leaving the town: through the townships in its corridor."""
    normal = np.array([-direction[1], direction[0]])
    stops = []
    for code, n in towns.items():
        t, off = float(d.xy[n] @ direction), float(d.xy[n] @ normal)
        if code not in taken and t > half and abs(off) < prm.corridor_m:
            stops.append((t, n))
            taken.add(code)
    chain = [entry] + [n for _, n in sorted(stops)]
    end_t = max([reach_m] + [t + 3000.0 for t, _ in stops])
    chain.append(d.node(direction * end_t + normal * d.rng.uniform(-1500, 1500)))
    for u, v in itertools.pairwise(chain):
        d.road(u, v, highway=highway, winding=prm.trunk_winding)


def _local_mesh(d: _Draft, center: int, *, radius: float, spacing: float, core: float) -> None:
    pts, edges, c = mesh(d.xy[center], radius_m=radius, spacing_m=spacing, rng=d.rng,
                         angle=float(d.rng.uniform(0, np.pi / 2)))  # fmt: skip
    ids = [center if i == c else d.node(p) for i, p in enumerate(pts)]
    for a, b in edges:
        r = max(float(np.hypot(*(pts[a] - d.xy[center]))), float(np.hypot(*(pts[b] - d.xy[center]))))
        d.road(ids[a], ids[b], highway="residential" if r <= core else "track", winding=1.0)


def generate_county_roads(
    places: Iterable[Any],
    *,
    seed: int,
    county_town: tuple[float, float],
    name: str = "county",
    params: CountyRoadParams | None = None,
) -> RoadNetwork:
    """The road network of a hilly county whose places are ``places``.

    ``places`` are records with ``id``, ``name``, ``lat``, ``lon``, ``kind``
    (``county_town`` | ``township`` | ``village``) and ``township`` (code);
    ``county_town`` is (lat, lon) of the town centre.  The same places and
    seed give the same network (same version).  Raises :class:`InputError`
    for an unknown kind or duplicate id.
    """
    prm = params or CountyRoadParams()
    plist = sorted((as_place(p) for p in places), key=lambda p: (_kind_rank(p.kind), p.id))
    _check(plist)
    rng = np.random.default_rng(seed)
    lat0, lon0 = county_town
    d = _Draft(lat0, lon0, rng)
    angle = float(rng.uniform(0, np.pi))
    grid, k = _town_grid(d, angle, prm)
    half = k * prm.town_spacing_m
    inner = list(grid.values())
    boundary = [n for (i, j), n in grid.items() if max(abs(i), abs(j)) == k]

    def xy(p: Place) -> np.ndarray:
        x, y = local_xy(p.lat, p.lon, lat0, lon0)
        return np.array([float(x), float(y)])

    towns: dict[str, int] = {}
    for p in plist:
        if p.kind == "township":
            towns[p.township or p.id] = d.node(xy(p))
    reach = max([float(np.hypot(*xy(p))) for p in plist] + [half]) + 6000.0
    taken: set[str] = set()
    axis_x = np.array([np.cos(angle), np.sin(angle)])
    axis_y = np.array([-np.sin(angle), np.cos(angle)])
    for sign in (1, -1):
        _through_road(d, entry=grid[(sign * k, 0)], direction=sign * axis_x, towns=towns, taken=taken,
                      reach_m=reach, highway="trunk", prm=prm, half=half)  # fmt: skip
    for sign in (1, -1):
        _through_road(d, entry=grid[(0, sign * k)], direction=sign * axis_y, towns=towns, taken=taken,
                      reach_m=reach * 0.7, highway="primary", prm=prm, half=half)  # fmt: skip
    codes = sorted(towns)
    for code in codes:  # county roads: every township has one, even those on the trunk
        n = towns[code]
        d.road(d.nearest(boundary, d.xy[n]), n, highway="secondary", winding=prm.county_winding)
    hubs = np.array([[0.0, 0.0]] + [d.xy[towns[c]] for c in codes])
    for i, j in gabriel_pairs(hubs):
        if i > 0 and float(np.hypot(*(hubs[i] - hubs[j]))) < 25_000:
            d.road(towns[codes[i - 1]], towns[codes[j - 1]], highway="tertiary", winding=prm.link_winding)
    for code in codes:
        _local_mesh(d, towns[code], radius=prm.township_radius_m, spacing=prm.township_spacing_m, core=800)
    _village_roads(d, [xy(p) for p in plist if p.kind == "village"], towns, inner, half, prm)
    net = d.b.build(name=name, source="generated")
    return largest_strong_component(net)


def _kind_rank(kind: str) -> int:
    return KINDS.index(kind) if kind in KINDS else len(KINDS)


def _village_roads(
    d: _Draft,
    villages: list[np.ndarray],
    towns: dict[str, int],
    inner: list[int],
    half: float,
    prm: CountyRoadParams,
) -> None:
    """Village roads between neighbouring places (Gabriel graph plus spanning tree), meshes."""
    in_town = [bool(np.hypot(*q) < half) for q in villages]
    nodes = [d.nearest(inner, q) if t else d.node(q) for q, t in zip(villages, in_town, strict=True)]
    hub_nodes = list(towns.values())
    all_nodes = [-1, *hub_nodes, *nodes]  # -1: the town, joined at its nearest street
    pts = np.array([np.zeros(2), *[d.xy[n] for n in hub_nodes], *villages]).reshape(-1, 2)
    n_hubs = 1 + len(hub_nodes)
    tree = set(spanning_tree(pts))
    for a, b in sorted(set(gabriel_pairs(pts)) | tree):
        if b < n_hubs:
            continue  # town and township centres are joined by county roads already
        if float(np.hypot(*(pts[a] - pts[b]))) > prm.village_link_max_m and (a, b) not in tree:
            continue
        a_in = a == 0 or (a >= n_hubs and in_town[a - n_hubs])
        if a_in and in_town[b - n_hubs]:
            continue  # both ends in the town: its streets serve
        u = all_nodes[a] if all_nodes[a] >= 0 else d.nearest(inner, pts[b])
        if u != all_nodes[b]:
            d.road(u, all_nodes[b], highway="unclassified", winding=prm.village_winding)
    for n, t in zip(nodes, in_town, strict=True):
        if not t:
            _local_mesh(d, n, radius=prm.village_radius_m, spacing=prm.village_spacing_m, core=600)


def sample_places(
    *,
    seed: int,
    county_town: tuple[float, float] = (28.5, 112.35),
    townships: int = 11,
    villages_per_township: tuple[int, int] = (5, 10),
    span_km: float = 60.0,
) -> list[Place]:
    """A made-up county's places for tests and benchmarks (the scenario has its own).

    Township centres 8–35 km from the town over about ``span_km`` square,
    villages 1.5–9 km from their centre; the town's own township ``T00``.
    """
    rng = np.random.default_rng(seed)
    lat0, lon0 = county_town
    out = [Place("CT", "County town", lat0, lon0, "county_town", "T00")]
    half = span_km * 500.0
    centres: list[np.ndarray] = []
    while len(centres) < townships:
        q = rng.uniform(-half, half, 2)
        r = float(np.hypot(*q))
        if 8000 <= r <= 35000 and all(np.hypot(*(q - c)) > 7000 for c in centres):
            centres.append(q)
    for t, c in enumerate(centres, start=1):
        lat, lon = from_local_xy(c[0], c[1], lat0, lon0)
        out.append(Place(f"T{t:02d}", f"Township {t}", float(lat), float(lon), "township", f"T{t:02d}"))
    for t, c in enumerate([np.zeros(2), *centres]):
        for v in range(int(rng.integers(villages_per_township[0], villages_per_township[1] + 1))):
            a, r = rng.uniform(0, 2 * np.pi), rng.uniform(1500 if t else 2500, 9000)
            q = c + r * np.array([np.cos(a), np.sin(a)])
            lat, lon = from_local_xy(q[0], q[1], lat0, lon0)
            out.append(Place(f"V{t:02d}{v:02d}", f"Village {t}-{v}", float(lat), float(lon), "village",
                             f"T{t:02d}"))  # fmt: skip
    return out


def detour_ratios(
    network: RoadNetwork,
    points: list[tuple[str, float, float]],
    *,
    profile: str = "van",
    min_straight_m: float = 2000.0,
) -> np.ndarray:
    """Road distance / straight-line distance for every ordered pair at least ``min_straight_m`` apart."""
    from maps.matrix import compute_matrices

    res = compute_matrices(network, points, profile=profile, cache_dir=None)
    lat = np.array([p[1] for p in points])
    lon = np.array([p[2] for p in points])
    straight = haversine_m(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    mask = straight >= min_straight_m
    return res.distance_m[mask] / straight[mask]
