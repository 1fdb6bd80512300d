"""Snap depots and customers to the nearest road (a KD-tree, never a scan).

Every road polyline is sampled every ≤ 25 m; a ``scipy.spatial.cKDTree`` over
those samples (earth-centred metres, so it works anywhere) finds a few
candidate segments per point, and the point is projected exactly onto the
nearest of them.  The result says where on which road each point lies, how far
it was moved, and warns, by id, about every snap beyond the limit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.spatial import cKDTree

from maps.geo import haversine_m, to_ecef
from maps.network import RoadNetwork
from maps.profiles import SpeedProfile, get_profile
from models.errors import FieldError, InputError

DEFAULT_LIMIT_M = 500.0
SAMPLE_SPACING_M = 25.0
_CANDIDATES = 8

Point = tuple[str, float, float]  # (id, lat, lon)


@dataclass(frozen=True)
class SnappedPoint:
    """Where one point lies on the road network.

    ``geom`` is the road geometry (see :class:`maps.network.RoadNetwork`),
    ``offset_m`` the distance along it from its start node ``edge[0]`` towards
    its end node ``edge[1]``; ``node`` is the nearer of the two junctions;
    ``distance_m`` is how far the point was moved to reach the road.
    """

    id: str
    lat: float
    lon: float
    snapped_lat: float
    snapped_lon: float
    geom: int
    offset_m: float
    edge: tuple[int, int]
    node: int
    distance_m: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "lat": self.lat,
            "lon": self.lon,
            "snapped_lat": round(self.snapped_lat, 7),
            "snapped_lon": round(self.snapped_lon, 7),
            "edge": list(self.edge),
            "offset_m": round(self.offset_m, 1),
            "node": self.node,
            "snap_distance_m": round(self.distance_m, 1),
        }


@dataclass(frozen=True)
class SnapResult:
    """Every point's snap, in input order, plus one warning per point beyond the limit."""

    points: list[SnappedPoint]
    limit_m: float
    warnings: list[str] = field(default_factory=list)

    @property
    def max_distance_m(self) -> float:
        return max((p.distance_m for p in self.points), default=0.0)

    @property
    def far(self) -> list[SnappedPoint]:
        """The points snapped farther than ``limit_m``."""
        return [p for p in self.points if p.distance_m > self.limit_m]

    def by_id(self) -> dict[str, SnappedPoint]:
        return {p.id: p for p in self.points}


@dataclass(frozen=True)
class _Index:
    tree: cKDTree
    sample_seg: np.ndarray  # sample → segment start (global point index)
    seg_geom: np.ndarray  # global point index → geometry
    pt_cum_m: np.ndarray  # global point index → metres from its geometry's start
    xyz: np.ndarray  # global point index → ECEF metres


def geom_end_nodes(network: RoadNetwork) -> tuple[np.ndarray, np.ndarray]:
    """(start node, end node) of every geometry."""
    if "geom_ends" not in network._cache:
        start = np.full(network.n_geoms, -1, dtype=np.int64)
        end = np.full(network.n_geoms, -1, dtype=np.int64)
        fwd = ~network.edge_reversed
        start[network.edge_geom[fwd]] = network.edge_src[fwd]
        end[network.edge_geom[fwd]] = network.edge_dst[fwd]
        rev = network.edge_reversed
        start[network.edge_geom[rev]] = network.edge_dst[rev]
        end[network.edge_geom[rev]] = network.edge_src[rev]
        network._cache["geom_ends"] = (start, end)
    s, e = network._cache["geom_ends"]
    return s, e


def point_cum_m(network: RoadNetwork) -> np.ndarray:
    """For every geometry point: metres from the start of its geometry."""
    if "pt_cum" not in network._cache:
        lat, lon, off = network.geom_lat, network.geom_lon, network.geom_offsets
        seg = np.zeros(len(lat))
        if len(lat) > 1:
            seg[1:] = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
        seg[off[:-1]] = 0.0  # first point of every geometry
        cum = np.cumsum(seg)
        base = np.repeat(cum[off[:-1]], np.diff(off))
        network._cache["pt_cum"] = cum - base
    return np.asarray(network._cache["pt_cum"])


def _usable_geoms(network: RoadNetwork, profile: SpeedProfile | None) -> np.ndarray:
    mask = np.zeros(network.n_geoms, dtype=bool)
    if profile is None:
        mask[network.edge_geom] = True
    else:
        usable, _, _ = network.edge_weights(profile)
        mask[network.edge_geom[usable]] = True
    return mask


def _index(network: RoadNetwork, profile: SpeedProfile | None) -> _Index:
    key = f"snap:{profile.fingerprint() if profile else '*'}"
    if key in network._cache:
        idx: _Index = network._cache[key]
        return idx
    off = network.geom_offsets
    n_pts = len(network.geom_lat)
    seg_geom = np.repeat(np.arange(network.n_geoms), np.diff(off))
    is_seg = np.ones(n_pts, dtype=bool)
    is_seg[off[1:] - 1] = False  # a geometry's last point starts no segment
    if n_pts:
        is_seg &= _usable_geoms(network, profile)[seg_geom]
    seg_start = np.flatnonzero(is_seg)
    if len(seg_start) == 0:
        raise InputError.single("network", "no road usable by this profile to snap to")
    xyz = to_ecef(network.geom_lat, network.geom_lon)
    cum = point_cum_m(network)
    seg_len = cum[seg_start + 1] - cum[seg_start]
    parts = np.maximum(np.ceil(seg_len / SAMPLE_SPACING_M), 1).astype(np.int64)
    owner = np.repeat(np.arange(len(seg_start)), parts)
    first = np.repeat(np.cumsum(parts) - parts, parts)
    t = (np.arange(len(owner)) - first) / parts[owner]
    a, b = xyz[seg_start[owner]], xyz[seg_start[owner] + 1]
    samples = np.vstack([a + (b - a) * t[:, None], xyz[seg_start + 1]])
    sample_seg = np.concatenate([seg_start[owner], seg_start])
    idx = _Index(cKDTree(samples), sample_seg, seg_geom, cum, xyz)
    network._cache[key] = idx
    return idx


def _validate(points: list[Point]) -> None:
    errors = []
    for row, (pid, lat, lon) in enumerate(points, start=1):
        try:
            la, lo = float(lat), float(lon)
        except (TypeError, ValueError):
            la = lo = math.nan
        if not (math.isfinite(la) and math.isfinite(lo)) or abs(la) > 90 or abs(lo) > 180:
            errors.append(
                FieldError(field="lat/lon", reason=f"bad coordinates for {pid}", row=row, value=(lat, lon))
            )
    if errors:
        raise InputError(errors, context="snap")


def snap_points(
    network: RoadNetwork,
    points: list[Point],
    *,
    limit_m: float = DEFAULT_LIMIT_M,
    profile: str | SpeedProfile | None = None,
) -> SnapResult:
    """Snap each ``(id, lat, lon)`` to the nearest road of ``network``.

    With ``profile`` only roads that vehicle may use are candidates (the EV is
    never snapped onto a trunk road).  A snap farther than ``limit_m`` metres
    is kept but produces a warning naming the point's id.  Raises
    :class:`InputError` for non-finite or out-of-range coordinates.
    """
    _validate(points)
    prof = get_profile(profile) if profile is not None else None
    if not points:
        return SnapResult([], float(limit_m))
    idx = _index(network, prof)
    lat = np.array([p[1] for p in points], dtype=np.float64)
    lon = np.array([p[2] for p in points], dtype=np.float64)
    q = to_ecef(lat, lon)
    k = min(_CANDIDATES, idx.tree.n)
    _, nearest = idx.tree.query(q, k=k)
    nearest = np.asarray(nearest).reshape(len(points), k)
    segs = idx.sample_seg[nearest]  # (n, k) candidate segment starts
    a, b = idx.xyz[segs], idx.xyz[segs + 1]
    ab = b - a
    denom = np.maximum((ab * ab).sum(-1), 1e-9)
    t = np.clip(((q[:, None, :] - a) * ab).sum(-1) / denom, 0.0, 1.0)
    d = np.linalg.norm(a + ab * t[..., None] - q[:, None, :], axis=-1)
    best = d.argmin(axis=1)
    rows = np.arange(len(points))
    seg, tb = segs[rows, best], t[rows, best]
    geom = idx.seg_geom[seg]
    offset = idx.pt_cum_m[seg] + tb * (idx.pt_cum_m[seg + 1] - idx.pt_cum_m[seg])
    s_lat = network.geom_lat[seg] + tb * (network.geom_lat[seg + 1] - network.geom_lat[seg])
    s_lon = network.geom_lon[seg] + tb * (network.geom_lon[seg + 1] - network.geom_lon[seg])
    dist = haversine_m(lat, lon, s_lat, s_lon)
    g_start, g_end = geom_end_nodes(network)
    length_m = network.geom_length_mm[geom] / 1000.0
    offset = np.clip(offset, 0.0, length_m)
    out: list[SnappedPoint] = []
    warnings: list[str] = []
    for i, (pid, plat, plon) in enumerate(points):
        u, v = int(g_start[geom[i]]), int(g_end[geom[i]])
        node = u if offset[i] <= length_m[i] / 2 else v
        sp = SnappedPoint(
            id=str(pid),
            lat=float(plat),
            lon=float(plon),
            snapped_lat=float(s_lat[i]),
            snapped_lon=float(s_lon[i]),
            geom=int(geom[i]),
            offset_m=float(offset[i]),
            edge=(u, v),
            node=node,
            distance_m=float(dist[i]),
        )
        out.append(sp)
        if sp.distance_m > limit_m:
            warnings.append(f"{sp.id} is {sp.distance_m:.0f} m from the nearest road (limit {limit_m:.0f} m)")
    return SnapResult(out, float(limit_m), warnings)
