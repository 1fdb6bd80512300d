"""Saving and loading a network: round trip, damage detection, speed (reported, not asserted)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from maps.errors import NetworkFileError
from maps.geo import from_local_xy
from maps.network import _ARRAYS, NetworkBuilder, RoadNetwork
from maps.store import load_network, read_header, save_network


def net() -> RoadNetwork:
    b = NetworkBuilder()
    pts = [
        b.add_node(*map(float, from_local_xy(x, y, 28.5, 112.3))) for x, y in [(0, 0), (900, 0), (900, 700)]
    ]
    b.add_road(pts[0], pts[1], highway="secondary", maxspeed_kmh=60)
    b.add_road(pts[1], pts[2], highway="residential", oneway=True, via=[(28.503, 112.31)])
    b.add_road(pts[2], pts[0], highway="track")
    return b.build(name="三村", source="generated", attribution="test")


def test_round_trip_keeps_every_array_and_the_version(tmp_path: Path) -> None:
    original = net()
    path = save_network(original, tmp_path / "sub" / "roads.npz")
    loaded = load_network(path)
    assert loaded.version == original.version
    assert (loaded.name, loaded.source, loaded.attribution) == ("三村", "generated", "test")
    for name in _ARRAYS:
        a, b = getattr(original, name), getattr(loaded, name)
        assert a.dtype == b.dtype and np.array_equal(a, b), name
    assert read_header(path)["version"] == original.version
    assert not list(path.parent.glob("*.tmp"))


def test_tampered_file_is_refused(tmp_path: Path) -> None:
    path = save_network(net(), tmp_path / "roads.npz")
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["geom_length_mm"] = arrays["geom_length_mm"] + 1
    with path.open("wb") as fh:
        np.savez_compressed(fh, **arrays)
    with pytest.raises(NetworkFileError, match="does not match"):
        load_network(path)
    assert load_network(path, verify=False).geom_length_mm[0] == net().geom_length_mm[0] + 1


def test_not_a_network_and_missing_file(tmp_path: Path) -> None:
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip")
    with pytest.raises(NetworkFileError):
        load_network(junk)
    other = tmp_path / "other.npz"
    with zipfile.ZipFile(other, "w"):
        pass
    with pytest.raises(NetworkFileError):
        load_network(other)
    with pytest.raises(FileNotFoundError):
        load_network(tmp_path / "absent.npz")
