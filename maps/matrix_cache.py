"""On-disk cache of distance/time matrices, keyed by network version, profile and points.

One ``.npz`` file per matrix pair under ``<cache_dir>/matrices/``; the file
name starts with the network version, so a changed network never hits an old
entry and :meth:`MatrixCache.prune` can drop the stale ones.  Writes are atomic
(temporary file, then rename); an unreadable entry is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

Point = tuple[str, float, float]


def cache_key(*, network_version: str, profile_fingerprint: str, points: list[Point]) -> str:
    """A stable key (hex) for one point set on one network version and profile.

    Coordinates count to 1e-7 degrees (~1 cm); ids and their order count too.
    """
    h = hashlib.sha256(f"{network_version}|{profile_fingerprint}|{len(points)}".encode())
    for pid, lat, lon in points:
        h.update(f"\n{pid}\t{float(lat):.7f}\t{float(lon):.7f}".encode())
    return h.hexdigest()[:32]


@dataclass(frozen=True)
class CachedMatrices:
    """What a cache entry holds."""

    ids: list[str]
    distance_m: np.ndarray
    duration_s: np.ndarray
    warnings: list[str]


class MatrixCache:
    """Matrices on disk under ``cache_dir/matrices``."""

    def __init__(self, cache_dir: Path | str) -> None:
        self.dir = Path(cache_dir) / "matrices"

    def _path(self, network_version: str, key: str) -> Path:
        return self.dir / f"{network_version}-{key}.npz"

    def load(self, *, network_version: str, key: str) -> CachedMatrices | None:
        """The entry for ``key``, or ``None`` (absent or unreadable)."""
        path = self._path(network_version, key)
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(str(z["meta"]))
                dist = z["distance_m"].astype(np.int64)
                dur = z["duration_s"].astype(np.int64)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError):
            path.unlink(missing_ok=True)
            return None
        n = len(meta["ids"])
        if dist.shape != (n, n) or dur.shape != (n, n):
            path.unlink(missing_ok=True)
            return None
        return CachedMatrices(list(meta["ids"]), dist, dur, list(meta.get("warnings", [])))

    def save(
        self,
        *,
        network_version: str,
        key: str,
        ids: list[str],
        distance_m: np.ndarray,
        duration_s: np.ndarray,
        warnings: list[str] | None = None,
    ) -> Path:
        """Store one entry atomically; returns its path."""
        self.dir.mkdir(parents=True, exist_ok=True)
        path = self._path(network_version, key)
        big = max(int(distance_m.max(initial=0)), int(duration_s.max(initial=0)))
        dtype = np.int32 if big < 2**31 else np.int64
        meta = json.dumps({"ids": list(ids), "warnings": list(warnings or [])}, ensure_ascii=False)
        fd, tmp = tempfile.mkstemp(dir=self.dir, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(
                    fh,
                    distance_m=distance_m.astype(dtype),
                    duration_s=duration_s.astype(dtype),
                    meta=np.array(meta),
                )
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    def prune(self, *, keep_version: str | None = None) -> int:
        """Delete entries of every network version but ``keep_version`` (all if None)."""
        if not self.dir.is_dir():
            return 0
        gone = 0
        for p in self.dir.glob("*.npz"):
            if keep_version is None or not p.name.startswith(f"{keep_version}-"):
                p.unlink(missing_ok=True)
                gone += 1
        return gone
