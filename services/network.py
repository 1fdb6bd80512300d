"""Road networks in the registry: import, activate, load the active one, a day's matrices.

Network files live under ``<data_dir>/networks/<version>.npz``; the
``road_networks`` table records them (path relative to the data dir) and
which one is active.  Importing builds the graph, stores the file, then
registers and activates it in one transaction (the file is removed again if
that transaction fails).  The loaded active graph is cached in-process by
version, so the dispatch day does not reload it per request.
"""

from __future__ import annotations

import datetime as dt
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from maps.errors import NetworkFileError
from maps.matrix import MatrixResult, compute_matrices
from maps.network import RoadNetwork
from maps.profiles import DEFAULT_PROFILES
from maps.store import load_network, save_network
from models import orm
from models.db import session_scope
from models.enums import OrderStatus
from models.errors import InputError
from models.settings import Settings

Progress = Callable[[str], None]
_SKIPPED_ORDERS = (OrderStatus.CANCELLED, OrderStatus.MERGED)
_LOADED: dict[str, RoadNetwork] = {}
_LOCK = threading.Lock()


def networks_dir(settings: Settings) -> Path:
    """Where network files are kept: ``<data_dir>/networks``."""
    return settings.data_dir / "networks"


def _stats(network: RoadNetwork) -> dict[str, Any]:
    return {**network.stats(), "attribution": network.attribution, "profiles": DEFAULT_PROFILES.names}


def register_network(
    session: Session,
    settings: Settings,
    network: RoadNetwork,
    *,
    path: Path,
    name: str | None = None,
    origin: Path | None = None,
) -> orm.RoadNetwork:
    """Record ``network`` (stored at ``path``) and make it the active one, in the caller's transaction.

    A network already registered with the same version is re-activated, not duplicated.
    ``origin`` (a scenario's own ``roads.npz``) is remembered as a second place to
    load the graph from when the data folder's copy is missing.
    """
    try:
        rel = str(path.resolve().relative_to(settings.data_dir.resolve()))
    except ValueError:
        rel = str(path.resolve())
    for old in session.scalars(select(orm.RoadNetwork).where(orm.RoadNetwork.is_active)):
        old.is_active = False
    session.flush()  # the one-active index must see the old row switched off first
    found = session.scalars(select(orm.RoadNetwork).where(orm.RoadNetwork.version == network.version)).first()
    row = found if found is not None else orm.RoadNetwork(version=network.version)
    if found is None:
        session.add(row)
    row.name, row.source, row.path = name or network.name, network.source, rel
    stats = _stats(network)
    if origin is not None:
        stats["origin"] = str(origin.resolve())
    row.stats, row.is_active, row.imported_at = stats, True, orm.now_utc()
    session.flush()
    with _LOCK:
        _LOADED[network.version] = network
    return row


def _store(settings: Settings, network: RoadNetwork) -> tuple[Path, bool]:
    """Save under the networks folder; returns (path, whether this call created it)."""
    path = networks_dir(settings) / f"{network.version}.npz"
    if path.is_file():
        return path, False
    save_network(network, path)
    return path, True


def import_network(
    settings: Settings, file: Path, *, name: str | None = None, progress: Progress | None = None
) -> dict[str, Any]:
    """Import an OpenStreetMap extract, store it, register and activate it (one transaction).

    Raises ``FileNotFoundError`` for a missing file, :class:`NetworkFileError`
    for an unreadable one.
    """
    from maps.osm_import import import_osm

    network = import_osm(file, name=name, progress=progress)
    if progress:
        progress(f"storing {network.n_nodes} nodes, {network.n_edges} edges")
    path, created = _store(settings, network)
    try:
        with session_scope(settings) as session:
            row = register_network(session, settings, network, path=path)
            out = _row_dict(row)
    except BaseException:
        if created:
            path.unlink(missing_ok=True)
        raise
    return out


def register_scenario_network(session: Session, settings: Settings, roads: Path, name: str) -> int:
    """Register a scenario's generated ``roads.npz`` (copied into the networks folder).

    Runs inside the caller's transaction (the scenario load); returns 1.
    """
    network = load_network(roads)
    path = networks_dir(settings) / f"{network.version}.npz"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(roads, path)
    register_network(session, settings, network, path=path, name=name, origin=roads)
    return 1


def _row_dict(row: orm.RoadNetwork) -> dict[str, Any]:
    return {
        "id": row.id, "name": row.name, "version": row.version, "source": row.source,
        "path": row.path, "active": row.is_active,
        "imported_at": row.imported_at.isoformat() if row.imported_at else None,
        "stats": row.stats,
    }  # fmt: skip


def _resolve(settings: Settings, rel: str) -> Path:
    p = Path(rel)
    return p if p.is_absolute() else settings.data_dir / p


def active_network(session: Session, settings: Settings) -> RoadNetwork | None:
    """The active network (loaded once per process and version), or ``None`` when none is.

    Raises :class:`NetworkFileError` when the registered file is gone or damaged.
    """
    row = session.scalars(select(orm.RoadNetwork).where(orm.RoadNetwork.is_active)).first()
    if row is None:
        return None
    with _LOCK:
        cached = _LOADED.get(row.version)
    if cached is not None:
        return cached
    path = _resolve(settings, row.path)
    origin = (row.stats or {}).get("origin")
    if not path.is_file() and origin and Path(origin).is_file():
        path = Path(origin)  # e.g. a database copied without its data folder
    try:
        network = load_network(path)
    except FileNotFoundError:
        raise NetworkFileError(f"road network {row.name} ({row.version}): file {path} is missing") from None
    if network.version != row.version:
        raise NetworkFileError(
            f"road network {row.name}: {path} holds version {network.version}, not {row.version}"
        )
    with _LOCK:
        _LOADED[row.version] = network
    return network


def network_info(session: Session, settings: Settings) -> dict[str, Any]:
    """The active network's nodes, edges, road km by class, profiles; and every registered one."""
    rows = session.scalars(select(orm.RoadNetwork).order_by(orm.RoadNetwork.id)).all()
    active = next((r for r in rows if r.is_active), None)
    out: dict[str, Any] = {"networks": [_row_dict(r) for r in rows], "profiles": DEFAULT_PROFILES.names}
    if active is None:
        out.update(
            active=None,
            approximate=True,
            note="no road network loaded: distances are straight-line × detour factor (approximate)",
        )
        return out
    network = active_network(session, settings)
    assert network is not None
    out.update(active=_row_dict(active), approximate=False, **_stats(network))
    return out


def day_points(session: Session, date: dt.date) -> list[tuple[str, float, float]]:
    """The depots plus every customer with an order for ``date`` (cancelled/merged excluded)."""
    depots = session.execute(select(orm.Depot.code, orm.Depot.lat, orm.Depot.lon).order_by(orm.Depot.code))
    customers = session.execute(
        select(orm.Customer.code, orm.Customer.lat, orm.Customer.lon)
        .join(orm.Order, orm.Order.customer_id == orm.Customer.id)
        .where(orm.Order.delivery_date == date, orm.Order.status.not_in(_SKIPPED_ORDERS))
        .distinct()
        .order_by(orm.Customer.code)
    )
    return [(str(c), float(la), float(lo)) for c, la, lo in [*depots.all(), *customers.all()]]


def day_matrices(
    settings: Settings, date: dt.date, *, profile: str | None = None
) -> tuple[list[tuple[str, float, float]], dict[str, MatrixResult]]:
    """The day's points and their matrices per profile (all profiles when ``profile`` is None).

    Cached under ``settings.cache_dir``.  Raises :class:`RoutingError` naming
    two points without a road between them; :class:`InputError` for an
    unknown profile or a day with no orders.
    """
    names = [DEFAULT_PROFILES.get(profile).name] if profile else DEFAULT_PROFILES.names
    with session_scope(settings) as session:
        points = day_points(session, date)
        network = active_network(session, settings)
    if not points:
        raise InputError.single("date", "no depots and no orders on this date", value=date.isoformat())
    results = {
        n: compute_matrices(network, points, profile=n, cache_dir=settings.cache_dir,
                            limit_m=settings.snap_limit_m, detour_factor=settings.detour_factor)
        for n in names
    }  # fmt: skip
    return points, results
