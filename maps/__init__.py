"""The road network: graph, OSM import, generated county roads, snapping, matrices.

The dispatch day calls::

    network = load_network(path)                      # or None: approximate fallback
    snap = snap_points(network, points, limit_m=500)  # points: [(id, lat, lon)]
    m = compute_matrices(network, points, profile="truck", cache_dir=settings.cache_dir)
    line = leg_geometry(network, a_point, b_point, profile="truck")

Maps made from OpenStreetMap data must show "© OpenStreetMap contributors"
(``RoadNetwork.attribution``).  ``render.py`` (map sheets) is a separate issue.
"""

from __future__ import annotations

from typing import Any

from maps.errors import NetworkFileError, RoutingError
from maps.matrix import MatrixResult, compute_matrices, leg_geometries, leg_geometry
from maps.network import NetworkBuilder, RoadNetwork
from maps.profiles import DEFAULT_PROFILES, ProfileTable, SpeedProfile
from maps.snap import SnappedPoint, SnapResult, snap_points
from maps.store import load_network, save_network

__all__ = [
    "DEFAULT_PROFILES",
    "MatrixResult",
    "NetworkBuilder",
    "NetworkFileError",
    "ProfileTable",
    "RoadNetwork",
    "RoutingError",
    "SnapResult",
    "SnappedPoint",
    "SpeedProfile",
    "compute_matrices",
    "generate_county_roads",
    "import_osm",
    "leg_geometries",
    "leg_geometry",
    "load_network",
    "save_network",
    "snap_points",
]


def __getattr__(name: str) -> Any:  # heavy or optional imports on first use
    if name == "import_osm":
        from maps.osm_import import import_osm

        return import_osm
    if name == "generate_county_roads":
        from maps.county_roads import generate_county_roads

        return generate_county_roads
    raise AttributeError(f"module 'maps' has no attribute {name!r}")
