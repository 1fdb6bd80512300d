"""VRPLIB benchmark instances with best-known solutions, under their cost conventions.

A folder holds ``bks.csv`` (columns ``instance, set, n, vehicles, bks,
bks_routes, convention, ...``) and the ``NAME.vrp`` / ``NAME.sol`` files in any
sub-folder.  Each instance becomes a :class:`~optimizer.problem.RoutingProblem`
whose integer matrices follow the convention of the BKS
(see ``../shared/bench/instances/README.md``):

``round`` (X, A, B, P)
    distance = Euclidean rounded to the nearest integer; unlimited fleet.
``exact`` (CMT)
    real Euclidean distance; the solver works in thousandths (costs rounded,
    durations rounded up so that the route limit ``DISTANCE``, which counts
    travel plus ``SERVICE_TIME``, is never exceeded in reality); the cost is
    recomputed in floating point from the coordinates.
``dimacs`` (Solomon, Gehring-Homberger)
    distance = ``floor(10 d) / 10``; travel time = distance; windows on the
    service start; return to the depot by its due time; at most ``VEHICLES``
    routes; objective = distance.  The solver works in tenths.
"""

from __future__ import annotations

import csv
import itertools
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import vrplib

from optimizer.problem import Depot, Location, Matrix, RoutingProblem, Stop, TimeWindow, Vehicle

CONVENTIONS = ("round", "exact", "dimacs")
EXACT_SCALE = 1000
DIMACS_SCALE = 10


def default_instances_dir() -> Path:
    """``$DISPATCH_BENCH_INSTANCES`` or ``../shared/bench/instances`` next to the project."""
    env = os.environ.get("DISPATCH_BENCH_INSTANCES")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared" / "bench" / "instances"


@dataclass(frozen=True)
class Entry:
    """One row of ``bks.csv``."""

    name: str
    set: str
    n: int
    bks: float
    bks_routes: int | None
    vehicles: int | None
    convention: str
    note: str
    vrp: Path
    sol: Path | None


def read_index(folder: str | Path) -> list[Entry]:
    """Rows of ``folder/bks.csv`` whose ``.vrp`` file is present, in file order.

    Raises
    ------
    FileNotFoundError
        If ``bks.csv`` is missing.
    ValueError
        For an unknown convention.
    """
    folder = Path(folder)
    files = {p.stem: p for p in folder.rglob("*.vrp")}
    sols = {p.stem: p for p in folder.rglob("*.sol")}
    out = []
    with open(folder / "bks.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            name = row["instance"].strip()
            if name not in files:
                continue
            conv = row["convention"].strip()
            if conv not in CONVENTIONS:
                raise ValueError(f"{name}: unknown convention {conv!r}")
            out.append(Entry(
                name=name, set=row["set"].strip(), n=int(row["n"]), bks=float(row["bks"]),
                bks_routes=int(row["bks_routes"]) if row.get("bks_routes") else None,
                vehicles=int(row["vehicles"]) if row.get("vehicles") else None,
                convention=conv, note=row.get("note", ""), vrp=files[name], sol=sols.get(name),
            ))
    return out


@dataclass(frozen=True)
class Instance:
    """A benchmark instance ready to solve.

    Attributes
    ----------
    entry
        Its ``bks.csv`` row.
    problem
        The routing problem (stop ids are the VRPLIB customer numbers "1".."n").
    coords
        Node coordinates (row 0 = depot), for recomputing costs.
    max_routes
        Route limit (dimacs ``VEHICLES``) or ``None``.
    """

    entry: Entry
    problem: RoutingProblem
    coords: np.ndarray
    max_routes: int | None
    time_windows: bool


def euclid(coords: np.ndarray) -> np.ndarray:
    """Real Euclidean distances between all rows of ``coords``."""
    diff = coords[:, None, :] - coords[None, :, :]
    return np.sqrt((diff.astype(float) ** 2).sum(-1))


def integer_matrix(coords: np.ndarray, convention: str) -> np.ndarray:
    """The solver's distance matrix: rounded, tenths truncated, or thousandths rounded."""
    d = euclid(coords)
    if convention == "round":
        return np.floor(d + 0.5).astype(np.int64)
    if convention == "dimacs":
        if np.all(coords == np.round(coords)):  # exact: floor(sqrt(100 * d^2))
            c = coords.astype(np.int64)
            sq = ((c[:, None, :] - c[None, :, :]) ** 2).sum(-1) * 100
            return np.array([[math.isqrt(int(x)) for x in row] for row in sq], dtype=np.int64)
        return np.floor(d * DIMACS_SCALE + 1e-9).astype(np.int64)
    return np.rint(d * EXACT_SCALE).astype(np.int64)


def route_cost(coords: np.ndarray, routes: Sequence[Sequence[int]], convention: str) -> float:
    """Cost of routes (customer numbers, depot 0 implied) in the instance's own units."""
    total = 0.0
    for r in routes:
        path = [0, *r, 0]
        for a, b in itertools.pairwise(path):
            d = math.dist(coords[a], coords[b])
            if convention == "round":
                total += math.floor(d + 0.5)
            elif convention == "dimacs":
                total += math.floor(10 * d + 1e-9) / 10
            else:
                total += d
    return round(total, 1) if convention == "dimacs" else total


def load(entry: Entry, *, fleet_slack: int | None = None) -> Instance:
    """Read ``entry.vrp`` and build its routing problem under its convention.

    Parameters
    ----------
    fleet_slack
        For unlimited fleets: vehicles beyond a lower bound on the routes
        (capacity, and work over the route limit); default ``max(2, 10 %)``,
        ``max(2, 25 %)`` with a route limit.
    """
    data = vrplib.read_instance(str(entry.vrp), compute_edge_weights=False)
    coords = np.asarray(data["node_coord"], dtype=float)
    demand = np.asarray(data["demand"], dtype=np.int64)
    cap = int(data["capacity"])
    n = len(coords)
    conv = entry.convention
    dist = integer_matrix(coords, conv)
    scale = {"round": 1, "exact": EXACT_SCALE, "dimacs": DIMACS_SCALE}[conv]
    service_raw = data.get("service_time", 0)
    service = np.broadcast_to(np.asarray(service_raw, dtype=float), (n,)).copy()
    service[0] = 0
    tw = data.get("time_window")
    if conv == "exact":
        duration = np.ceil(euclid(coords) * EXACT_SCALE - 1e-6).astype(np.int64)
        service_s = np.ceil(service * EXACT_SCALE).astype(np.int64)
    elif conv == "dimacs":
        duration = dist
        service_s = np.rint(service * DIMACS_SCALE).astype(np.int64)
    else:
        duration = np.zeros_like(dist)
        service_s = np.zeros(n, dtype=np.int64)
    limit = data.get("distance")
    max_duration = None if limit is None else math.floor(float(limit) * scale + 1e-6)
    if tw is not None:
        tw = np.rint(np.asarray(tw, dtype=float) * scale).astype(np.int64)
        shift = TimeWindow(int(tw[0][0]), int(tw[0][1]))
        int(tw[0][1])
    else:  # no windows: the time dimension only carries the route limit, if any
        if max_duration is None:
            duration = np.zeros_like(dist)
        shift = TimeWindow(0, max(max_duration or 0, 86_400))
    max_routes = entry.vehicles if conv == "dimacs" else None
    k_min = math.ceil(int(demand.sum()) / cap)
    if max_duration is not None:  # every customer is entered once and served once
        entering = np.where(np.eye(n, dtype=bool), np.iinfo(np.int64).max, duration).min(axis=0)
        work = int(entering[1:].sum() + service_s.sum())
        k_min = max(k_min, math.ceil(work / max_duration))
    share = 0.25 if max_duration is not None else 0.1  # route limits make the bound loose
    slack = fleet_slack if fleet_slack is not None else max(2, math.ceil(share * k_min))
    count = max_routes if max_routes is not None else k_min + slack
    vehicles = [
        Vehicle(id=f"V{k + 1}", start_depot="D", capacity=(cap,), shift=shift,
                max_duration=max_duration, cost_per_km=1, profile="road")
        for k in range(count)
    ]
    stops = [
        Stop(id=str(i), location=i, demand=(int(demand[i]),), service_fixed=int(service_s[i]),
             time_windows=(TimeWindow(int(tw[i][0]), int(tw[i][1])),) if tw is not None else ())
        for i in range(1, n)
    ]
    problem = RoutingProblem(
        locations=tuple(Location(str(i)) for i in range(n)),
        depots=(Depot("D", 0),),
        vehicles=tuple(vehicles),
        stops=tuple(stops),
        matrices={"road": Matrix(dist, duration)},
        dimensions=("demand",),
        name=entry.name,
        meta={"convention": conv, "scale": scale},
    )
    return Instance(entry, problem, coords, max_routes, tw is not None)
