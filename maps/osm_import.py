"""Import the drivable roads of an OpenStreetMap extract (``.osm.pbf``) with pyosmium.

Keeps ways whose ``highway`` is a drivable class (and that motor vehicles may
use), with their ``oneway``, ``maxspeed`` and ``highway`` tags; splits them at
junctions into road geometries; keeps the largest strongly connected
component.  Any extract works the same way: Andorra in the tests, a Chinese
county's extract (e.g. cut from Geofabrik's China file with
``osmium extract``) in production.  Data © OpenStreetMap contributors (ODbL).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import osmium

from maps.errors import NetworkFileError
from maps.network import (
    OSM_ATTRIBUTION,
    NetworkBuilder,
    RoadNetwork,
    largest_strong_component,
)
from maps.profiles import CLASS_INDEX

DRIVABLE: frozenset[str] = frozenset(CLASS_INDEX)
_NO_SERVICE = frozenset(
    {"parking_aisle", "driveway", "emergency_access", "parking", "private", "drive-through"}
)
_NO_ACCESS = frozenset({"no", "private"})
_YES_ACCESS = frozenset({"yes", "designated", "destination", "permissive", "delivery"})
_TRUE = frozenset({"yes", "true", "1"})
_REVERSE = frozenset({"-1", "reverse"})
_MPH = 1.609344
_SPEED = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*$")

Progress = Callable[[str], None]


def parse_maxspeed(value: str | None) -> int:
    """A ``maxspeed`` tag in km/h (0 when absent or not a number: ``none``, ``signals``…).

    ``"50"`` → 50, ``"30 mph"`` → 48, ``"50;30"`` → 30 (the lower).
    """
    if not value:
        return 0
    best = 0
    for part in value.split(";"):
        m = _SPEED.match(part)
        if m:
            kmh = float(m.group(1)) * (_MPH if m.group(2) == "mph" else 1.0)
            best = round(kmh) if best == 0 else min(best, round(kmh))
    return best if 0 < best < 300 else 0


def oneway_direction(tags: dict[str, str]) -> int:
    """1: only along the way; -1: only against it; 0: both directions."""
    ow = tags.get("oneway", "").strip().lower()
    if ow in _TRUE:
        return 1
    if ow in _REVERSE:
        return -1
    if ow in {"no", "false", "0", "reversible", "alternating"}:
        return 0
    if tags.get("junction") in {"roundabout", "circular"} or tags.get("highway") == "motorway":
        return 1
    return 0


def is_drivable(tags: dict[str, str]) -> bool:
    """Whether a way with these tags is a road a delivery vehicle may use."""
    if tags.get("highway") not in DRIVABLE or tags.get("area") == "yes":
        return False
    if tags.get("service") in _NO_SERVICE:
        return False
    for key in ("motor_vehicle", "motorcar", "vehicle", "access"):
        value = tags.get(key)
        if value in _YES_ACCESS:
            return True
        if value in _NO_ACCESS:
            return False
    return True


@dataclass(frozen=True)
class _Way:
    refs: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    highway: str
    direction: int
    maxspeed: int


def _read_ways(path: Path) -> tuple[list[_Way], int]:
    ways: list[_Way] = []
    seen = 0
    fp = (
        osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    for obj in fp:
        if not isinstance(obj, osmium.osm.Way):
            continue
        seen += 1
        tags = dict(obj.tags)
        if not is_drivable(tags):
            continue
        nodes = [n for n in obj.nodes if n.location.valid()]
        if len(nodes) < 2:
            continue
        ways.append(
            _Way(
                refs=np.array([n.ref for n in nodes], dtype=np.int64),
                lat=np.array([n.lat for n in nodes], dtype=np.float64),
                lon=np.array([n.lon for n in nodes], dtype=np.float64),
                highway=tags["highway"],
                direction=oneway_direction(tags),
                maxspeed=parse_maxspeed(tags.get("maxspeed")),
            )
        )
    return ways, seen


def import_osm(
    path: Path | str,
    *,
    name: str | None = None,
    largest_component: bool = True,
    progress: Progress | None = None,
) -> RoadNetwork:
    """Read an ``.osm.pbf`` (or ``.osm``) extract into a :class:`RoadNetwork`.

    Ways are split at every node shared with another way (or repeated in the
    same way); one-way ways give one directed edge, others two.  Raises
    :class:`FileNotFoundError` for a missing file and :class:`NetworkFileError`
    when the file is unreadable or holds no drivable road.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(2, "no such OSM file", str(path))
    say = progress or (lambda _msg: None)
    say(f"reading {path.name}")
    try:
        ways, seen = _read_ways(path)
    except RuntimeError as exc:  # pyosmium reports format errors as RuntimeError
        raise NetworkFileError(f"cannot read OSM file {path.name}: {exc}") from exc
    if not ways:
        raise NetworkFileError(f"{path.name}: no drivable roads among {seen} highway ways")
    say(f"{len(ways)} drivable ways of {seen}; splitting at junctions")
    all_refs = np.concatenate([w.refs for w in ways])
    uniq, counts = np.unique(all_refs, return_counts=True)
    junction = counts >= 2
    ends = np.concatenate([[w.refs[0], w.refs[-1]] for w in ways])
    junction[np.searchsorted(uniq, ends)] = True
    b = NetworkBuilder()
    node_of: dict[int, int] = {}

    def node(ref: int, lat: float, lon: float) -> int:
        if ref not in node_of:
            node_of[ref] = b.add_node(lat, lon)
        return node_of[ref]

    for w in ways:
        cut = np.flatnonzero(junction[np.searchsorted(uniq, w.refs)])
        for i, j in zip(cut[:-1].tolist(), cut[1:].tolist(), strict=True):
            if w.refs[i] == w.refs[j] or j <= i:
                continue  # a loop back to the same junction carries no route
            u = node(int(w.refs[i]), float(w.lat[i]), float(w.lon[i]))
            v = node(int(w.refs[j]), float(w.lat[j]), float(w.lon[j]))
            via = np.column_stack([w.lat[i + 1 : j], w.lon[i + 1 : j]])
            if w.direction == -1:
                u, v, via = v, u, via[::-1]
            b.add_road(
                u, v, highway=w.highway, via=via, oneway=w.direction != 0,
                maxspeed_kmh=w.maxspeed or None,
            )  # fmt: skip
    net = b.build(name=name or path.name.split(".")[0], source="osm", attribution=OSM_ATTRIBUTION)
    if largest_component:
        say(f"{net.n_nodes} junctions; keeping the largest strongly connected component")
        net = largest_strong_component(net)
    return net
