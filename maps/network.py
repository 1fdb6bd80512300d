"""The road graph: nodes with lat/lon, directed edges over shared road geometries.

A :class:`RoadNetwork` is immutable and index-based (numpy arrays), so that it
loads in milliseconds and feeds ``scipy.sparse.csgraph`` directly.  A *geometry*
is one stretch of road between two junctions (its polyline, length, road class
and ``maxspeed``); a two-way road has two directed edges over one geometry, a
one-way street one.  The content hash of the arrays is the network *version*:
caches are keyed by it.

Build one with :class:`NetworkBuilder` (hand-made graphs, the county
generator, the OSM importer); export with :meth:`RoadNetwork.to_networkx`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from maps.geo import haversine_m
from maps.profiles import CLASS_INDEX, ROAD_CLASSES, SpeedProfile
from models.errors import InputError

if TYPE_CHECKING:
    import networkx as nx

OSM_ATTRIBUTION = "© OpenStreetMap contributors"
WINDING_RATIO = 1.3  # length / end-to-end distance above which a road is "winding"
WINDING_MIN_M = 300.0

_ARRAYS = (
    "node_lat",
    "node_lon",
    "geom_offsets",
    "geom_lat",
    "geom_lon",
    "geom_length_mm",
    "geom_class",
    "geom_maxspeed",
    "edge_src",
    "edge_dst",
    "edge_geom",
    "edge_reversed",
)


@dataclass(frozen=True, eq=False)
class RoadNetwork:
    """An immutable directed road graph (see the module docstring).

    Arrays (``n`` nodes, ``g`` geometries, ``m`` directed edges, ``P`` points):
    ``node_lat``/``node_lon`` float64[n]; ``geom_offsets`` int64[g+1] into
    ``geom_lat``/``geom_lon`` float64[P] (each polyline runs from its start node
    to its end node); ``geom_length_mm`` int64[g]; ``geom_class`` uint8[g]
    (index into :data:`maps.profiles.ROAD_CLASSES`); ``geom_maxspeed`` uint16[g]
    (km/h, 0 = none); ``edge_src``/``edge_dst``/``edge_geom`` int32[m];
    ``edge_reversed`` bool[m] (the edge runs against its geometry).
    """

    name: str
    source: str
    node_lat: np.ndarray
    node_lon: np.ndarray
    geom_offsets: np.ndarray
    geom_lat: np.ndarray
    geom_lon: np.ndarray
    geom_length_mm: np.ndarray
    geom_class: np.ndarray
    geom_maxspeed: np.ndarray
    edge_src: np.ndarray
    edge_dst: np.ndarray
    edge_geom: np.ndarray
    edge_reversed: np.ndarray
    attribution: str = ""
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        n, g, m = len(self.node_lat), len(self.geom_length_mm), len(self.edge_src)
        checks = [
            ("node_lon", len(self.node_lon) == n),
            ("geom_offsets", len(self.geom_offsets) == g + 1),
            ("geom_lon", len(self.geom_lon) == len(self.geom_lat)),
            ("geom_offsets", g == 0 or int(self.geom_offsets[-1]) == len(self.geom_lat)),
            ("geom_class", len(self.geom_class) == g and len(self.geom_maxspeed) == g),
            ("edge_dst", len(self.edge_dst) == m and len(self.edge_geom) == m),
            ("edge_reversed", len(self.edge_reversed) == m),
            ("edge_src", m == 0 or (self.edge_src.min() >= 0 and self.edge_src.max() < n)),
            ("edge_dst", m == 0 or (self.edge_dst.min() >= 0 and self.edge_dst.max() < n)),
            ("edge_geom", m == 0 or (self.edge_geom.min() >= 0 and self.edge_geom.max() < g)),
            ("geom_class", g == 0 or int(self.geom_class.max()) < len(ROAD_CLASSES)),
        ]
        for name, ok in checks:
            if not ok:
                raise InputError.single(name, "inconsistent road network arrays")

    # -- identity ---------------------------------------------------------
    @property
    def version(self) -> str:
        """Content hash (hex, 16 chars) of the graph's arrays: the network version."""
        if "version" not in self._cache:
            h = hashlib.sha256("|".join(ROAD_CLASSES).encode())
            for name in _ARRAYS:
                arr = np.ascontiguousarray(getattr(self, name))
                h.update(f"{name}:{arr.dtype.str}:{arr.shape}".encode())
                h.update(arr.tobytes())
            self._cache["version"] = h.hexdigest()[:16]
        return str(self._cache["version"])

    @property
    def n_nodes(self) -> int:
        return len(self.node_lat)

    @property
    def n_edges(self) -> int:
        return len(self.edge_src)

    @property
    def n_geoms(self) -> int:
        return len(self.geom_length_mm)

    # -- per-edge views -----------------------------------------------------
    @property
    def edge_length_m(self) -> np.ndarray:
        """Length of each directed edge in metres (float64)."""
        return self.geom_length_mm[self.edge_geom] / 1000.0

    @property
    def edge_class(self) -> list[str]:
        """Road class of each directed edge."""
        return [ROAD_CLASSES[c] for c in self.geom_class[self.edge_geom]]

    @property
    def edge_oneway(self) -> np.ndarray:
        """True where the edge's geometry carries one direction only."""
        counts = np.bincount(self.edge_geom, minlength=self.n_geoms)
        return counts[self.edge_geom] == 1

    @property
    def edge_maxspeed_kmh(self) -> np.ndarray:
        """Posted ``maxspeed`` of each edge in km/h (0 = none)."""
        return self.geom_maxspeed[self.edge_geom]

    @property
    def geom_winding(self) -> np.ndarray:
        """True where a geometry is a winding road (length > 1.3 × end-to-end, > 300 m)."""
        if "winding" not in self._cache:
            s, e = self.geom_offsets[:-1], self.geom_offsets[1:] - 1
            chord = haversine_m(self.geom_lat[s], self.geom_lon[s], self.geom_lat[e], self.geom_lon[e])
            length = self.geom_length_mm / 1000.0
            self._cache["winding"] = (length > WINDING_MIN_M) & (length > WINDING_RATIO * chord)
        return np.asarray(self._cache["winding"])

    def geometry(self, g: int) -> tuple[np.ndarray, np.ndarray]:
        """(lat, lon) arrays of geometry ``g``, from its start node to its end node."""
        a, b = int(self.geom_offsets[g]), int(self.geom_offsets[g + 1])
        return self.geom_lat[a:b], self.geom_lon[a:b]

    def edge_polyline(self, e: int) -> list[tuple[float, float]]:
        """The (lat, lon) polyline of directed edge ``e`` in its direction of travel."""
        lat, lon = self.geometry(int(self.edge_geom[e]))
        pts = list(zip(lat.tolist(), lon.tolist(), strict=True))
        return pts[::-1] if self.edge_reversed[e] else pts

    # -- per-profile weights -------------------------------------------------
    def edge_weights(self, profile: SpeedProfile) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For ``profile``: (usable bool[m], length int64 mm[m], travel time int64 ms[m]).

        Speed = min(class speed, posted maxspeed, top speed) × winding factor on
        winding roads.  Every usable edge costs at least 1 mm and 1 ms.
        """
        key = f"weights:{profile.fingerprint()}"
        if key not in self._cache:
            cls = self.geom_class[self.edge_geom]
            speed = profile.class_speed_array()[cls]
            usable = speed > 0
            posted = self.geom_maxspeed[self.edge_geom].astype(np.float64)
            speed = np.where(posted > 0, np.minimum(speed, posted), speed)
            speed = np.where(self.geom_winding[self.edge_geom], speed * profile.winding_factor, speed)
            length = np.maximum(self.geom_length_mm[self.edge_geom], 1).astype(np.int64)
            with np.errstate(divide="ignore", invalid="ignore"):
                ms = np.where(usable, np.ceil(length * 3.6 / np.where(usable, speed, 1.0)), 0)
            self._cache[key] = (usable, length, np.maximum(ms.astype(np.int64), 1))
        usable, length, ms = self._cache[key]
        return usable, length, ms

    # -- export and summary --------------------------------------------------
    def to_networkx(self) -> nx.MultiDiGraph:
        """A networkx ``MultiDiGraph`` (osmnx-like attributes: ``y``/``x``, ``length`` m,
        ``highway``, ``oneway``, ``maxspeed`` km/h or None, ``geometry`` [(lat, lon)])."""
        import networkx as nx

        g = nx.MultiDiGraph(name=self.name, source=self.source, version=self.version)
        for i, (la, lo) in enumerate(zip(self.node_lat.tolist(), self.node_lon.tolist(), strict=True)):
            g.add_node(i, y=la, x=lo, lat=la, lon=lo)
        oneway = self.edge_oneway
        for e in range(self.n_edges):
            gi = int(self.edge_geom[e])
            ms = int(self.geom_maxspeed[gi])
            g.add_edge(
                int(self.edge_src[e]),
                int(self.edge_dst[e]),
                key=e,
                length=float(self.geom_length_mm[gi]) / 1000.0,
                highway=ROAD_CLASSES[int(self.geom_class[gi])],
                oneway=bool(oneway[e]),
                maxspeed=ms or None,
                geometry=self.edge_polyline(e),
            )
        return g

    def stats(self) -> dict[str, Any]:
        """Nodes, edges, road km by class (each road counted once), one-way km, bbox."""
        km = np.bincount(self.geom_class, weights=self.geom_length_mm / 1e6, minlength=len(ROAD_CLASSES))
        counts = np.bincount(self.edge_geom, minlength=self.n_geoms)
        one_way_km = float((self.geom_length_mm[counts == 1]).sum() / 1e6)
        bbox = (
            [
                float(self.node_lat.min()),
                float(self.node_lon.min()),
                float(self.node_lat.max()),
                float(self.node_lon.max()),
            ]
            if self.n_nodes
            else None
        )
        return {
            "nodes": self.n_nodes,
            "edges": self.n_edges,
            "road_km": round(float(km.sum()), 3),
            "road_km_by_class": {ROAD_CLASSES[i]: round(float(v), 3) for i, v in enumerate(km) if v > 0},
            "one_way_km": round(one_way_km, 3),
            "bbox": bbox,
        }


@dataclass
class NetworkBuilder:
    """Collects nodes and roads, then builds an immutable :class:`RoadNetwork`.

    >>> b = NetworkBuilder()
    >>> a, c = b.add_node(28.0, 112.0), b.add_node(28.0, 112.01)
    >>> b.add_road(a, c, highway="residential")
    >>> b.build(name="tiny", source="generated").n_edges
    2
    """

    lat: list[float] = field(default_factory=list)
    lon: list[float] = field(default_factory=list)
    _geoms: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    _attrs: list[tuple[int, int]] = field(default_factory=list)  # (class index, maxspeed)
    _edges: list[tuple[int, int, int, bool]] = field(default_factory=list)

    def add_node(self, lat: float, lon: float) -> int:
        """Add a junction; returns its index."""
        self.lat.append(float(lat))
        self.lon.append(float(lon))
        return len(self.lat) - 1

    def add_road(
        self,
        u: int,
        v: int,
        *,
        highway: str,
        via: list[tuple[float, float]] | np.ndarray | None = None,
        oneway: bool = False,
        maxspeed_kmh: int | None = None,
    ) -> int:
        """Add a road from node ``u`` to node ``v`` through the (lat, lon) points ``via``.

        ``oneway=True`` allows only u → v.  Returns the geometry index.  Raises
        :class:`InputError` for an unknown road class or node.
        """
        if highway not in CLASS_INDEX:
            raise InputError.single("highway", "unknown road class", value=highway)
        if not (0 <= u < len(self.lat) and 0 <= v < len(self.lat)):
            raise InputError.single("node", "no such node", value=(u, v))
        mid = np.asarray(via if via is not None and len(via) else np.empty((0, 2)), dtype=np.float64)
        lat = np.concatenate([[self.lat[u]], mid[:, 0], [self.lat[v]]])
        lon = np.concatenate([[self.lon[u]], mid[:, 1], [self.lon[v]]])
        gi = len(self._geoms)
        self._geoms.append((lat, lon))
        self._attrs.append((CLASS_INDEX[highway], int(maxspeed_kmh or 0)))
        self._edges.append((u, v, gi, False))
        if not oneway:
            self._edges.append((v, u, gi, True))
        return gi

    def build(self, *, name: str, source: str, attribution: str = "") -> RoadNetwork:
        """The immutable network (lengths measured along each polyline)."""
        sizes = np.array([len(la) for la, _ in self._geoms], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        glat = np.concatenate([la for la, _ in self._geoms]) if self._geoms else np.zeros(0)
        glon = np.concatenate([lo for _, lo in self._geoms]) if self._geoms else np.zeros(0)
        length = geometry_lengths_mm(glat, glon, offsets)
        attrs = np.array(self._attrs, dtype=np.int64).reshape(-1, 2)
        edges = np.array(self._edges, dtype=np.int64).reshape(-1, 4)
        return RoadNetwork(
            name=name,
            source=source,
            attribution=attribution,
            node_lat=np.array(self.lat, dtype=np.float64),
            node_lon=np.array(self.lon, dtype=np.float64),
            geom_offsets=offsets,
            geom_lat=glat.astype(np.float64),
            geom_lon=glon.astype(np.float64),
            geom_length_mm=length,
            geom_class=attrs[:, 0].astype(np.uint8),
            geom_maxspeed=np.clip(attrs[:, 1], 0, 65535).astype(np.uint16),
            edge_src=edges[:, 0].astype(np.int32),
            edge_dst=edges[:, 1].astype(np.int32),
            edge_geom=edges[:, 2].astype(np.int32),
            edge_reversed=edges[:, 3].astype(bool),
        )


def geometry_lengths_mm(lat: np.ndarray, lon: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Length in whole millimetres of every polyline ``offsets[i]:offsets[i+1]`` (vectorised)."""
    if len(offsets) < 2:
        return np.zeros(0, dtype=np.int64)
    seg = np.zeros(len(lat))
    if len(lat) > 1:
        seg[1:] = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    seg[offsets[:-1]] = 0.0
    return np.rint(np.add.reduceat(seg, offsets[:-1]) * 1000).astype(np.int64)


def subnetwork(network: RoadNetwork, keep_nodes: np.ndarray) -> RoadNetwork:
    """The network restricted to the nodes where ``keep_nodes`` (bool[n]) is True.

    Edges with an endpoint outside are dropped, then geometries no edge uses.
    """
    keep_e = keep_nodes[network.edge_src] & keep_nodes[network.edge_dst]
    new_node = np.cumsum(keep_nodes) - 1
    used_g = np.zeros(network.n_geoms, dtype=bool)
    used_g[network.edge_geom[keep_e]] = True
    new_geom = np.cumsum(used_g) - 1
    sizes = np.diff(network.geom_offsets)[used_g]
    pt_mask = np.repeat(used_g, np.diff(network.geom_offsets))
    return RoadNetwork(
        name=network.name,
        source=network.source,
        attribution=network.attribution,
        node_lat=network.node_lat[keep_nodes],
        node_lon=network.node_lon[keep_nodes],
        geom_offsets=np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64),
        geom_lat=network.geom_lat[pt_mask],
        geom_lon=network.geom_lon[pt_mask],
        geom_length_mm=network.geom_length_mm[used_g],
        geom_class=network.geom_class[used_g],
        geom_maxspeed=network.geom_maxspeed[used_g],
        edge_src=new_node[network.edge_src[keep_e]].astype(np.int32),
        edge_dst=new_node[network.edge_dst[keep_e]].astype(np.int32),
        edge_geom=new_geom[network.edge_geom[keep_e]].astype(np.int32),
        edge_reversed=network.edge_reversed[keep_e],
    )


def largest_strong_component(network: RoadNetwork) -> RoadNetwork:
    """The largest strongly connected component (every node reaches every other)."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    n = network.n_nodes
    if n == 0:
        return network
    adj = csr_matrix((np.ones(network.n_edges), (network.edge_src, network.edge_dst)), shape=(n, n))
    _, labels = connected_components(adj, directed=True, connection="strong")
    biggest = np.bincount(labels).argmax()
    keep = labels == biggest
    return network if keep.all() else subnetwork(network, keep)
