"""The on-disk matrix cache: identical results, invalidation on a changed network, damage."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from maps.geo import from_local_xy
from maps.matrix import compute_matrices
from maps.matrix_cache import MatrixCache, cache_key
from maps.network import NetworkBuilder, RoadNetwork


def ll(x: float, y: float) -> tuple[float, float]:
    lat, lon = from_local_xy(x, y, 28.5, 112.35)
    return float(lat), float(lon)


def grid(speed: int | None = None) -> RoadNetwork:
    b = NetworkBuilder()
    n = [[b.add_node(*ll(i * 400, j * 400)) for j in range(6)] for i in range(6)]
    for i in range(6):
        for j in range(6):
            if i < 5:
                b.add_road(n[i][j], n[i + 1][j], highway="residential", oneway=j % 2 == 1 and 0 < j < 5,
                           maxspeed_kmh=speed)  # fmt: skip
            if j < 5:
                b.add_road(n[i][j], n[i][j + 1], highway="tertiary")
    return b.build(name="g", source="generated")


POINTS = [(f"C{k}", *ll(x, y)) for k, (x, y) in enumerate([(130, 20), (1900, 1700), (820, 400), (10, 1990)])]


def test_cache_returns_identical_matrices(tmp_path: Path) -> None:
    net = grid()
    cold = compute_matrices(net, POINTS, profile="truck", cache_dir=tmp_path)
    warm = compute_matrices(net, POINTS, profile="truck", cache_dir=tmp_path)
    assert not cold.cache_hit and warm.cache_hit
    assert np.array_equal(cold.distance_m, warm.distance_m) and np.array_equal(
        cold.duration_s, warm.duration_s
    )
    assert warm.distance_m.dtype == np.int64 and warm.ids == cold.ids
    other = compute_matrices(net, POINTS, profile="van", cache_dir=tmp_path)
    assert not other.cache_hit  # the profile is part of the key
    moved = compute_matrices(net, [POINTS[0], (POINTS[1][0], POINTS[1][1] + 1e-4, POINTS[1][2]), *POINTS[2:]],
                             profile="truck", cache_dir=tmp_path)  # fmt: skip
    assert not moved.cache_hit  # so is every coordinate


def test_cache_is_invalidated_when_the_network_changes(tmp_path: Path) -> None:
    compute_matrices(grid(), POINTS, profile="van", cache_dir=tmp_path)
    changed = grid(speed=10)
    assert changed.version != grid().version
    again = compute_matrices(changed, POINTS, profile="van", cache_dir=tmp_path)
    assert not again.cache_hit
    assert (again.duration_s >= compute_matrices(grid(), POINTS, profile="van").duration_s).all()
    cache = MatrixCache(tmp_path)
    assert cache.prune(keep_version=changed.version) == 1
    assert compute_matrices(changed, POINTS, profile="van", cache_dir=tmp_path).cache_hit


def test_damaged_entry_is_a_miss_and_is_rewritten(tmp_path: Path) -> None:
    net = grid()
    compute_matrices(net, POINTS, profile="ev", cache_dir=tmp_path)
    (entry,) = (tmp_path / "matrices").glob("*.npz")
    entry.write_bytes(b"garbage")
    r = compute_matrices(net, POINTS, profile="ev", cache_dir=tmp_path)
    assert not r.cache_hit
    assert compute_matrices(net, POINTS, profile="ev", cache_dir=tmp_path).cache_hit


def test_key_depends_on_ids_order_and_profile() -> None:
    k = cache_key(network_version="v", profile_fingerprint="p", points=POINTS)
    assert k == cache_key(network_version="v", profile_fingerprint="p", points=list(POINTS))
    assert k != cache_key(network_version="v", profile_fingerprint="p", points=POINTS[::-1])
    assert k != cache_key(network_version="w", profile_fingerprint="p", points=POINTS)
    renamed = [("X", *POINTS[0][1:]), *POINTS[1:]]
    assert k != cache_key(network_version="v", profile_fingerprint="p", points=renamed)
    assert dataclasses.is_dataclass(compute_matrices(None, POINTS, profile="van"))
