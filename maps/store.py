"""Save and load a :class:`RoadNetwork` as one compressed ``.npz`` file.

The file holds the network's arrays plus a small JSON header (format, name,
source, attribution, version).  Loading takes milliseconds for a county and
re-checks the content hash, so a damaged or hand-edited file is refused
rather than silently routed on.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from maps.errors import NetworkFileError
from maps.network import _ARRAYS, RoadNetwork

FORMAT = "county-dispatch/road-network/1"


def save_network(network: RoadNetwork, path: Path | str) -> Path:
    """Write ``network`` to ``path`` (atomically; parent folders created). Returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = {
        "format": FORMAT,
        "name": network.name,
        "source": network.source,
        "attribution": network.attribution,
        "version": network.version,
    }
    payload: dict[str, Any] = {name: np.ascontiguousarray(getattr(network, name)) for name in _ARRAYS}
    payload["header"] = np.array(json.dumps(header, ensure_ascii=False))
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez_compressed(fh, **payload)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read_header(path: Path | str) -> dict[str, str]:
    """The JSON header of a stored network (name, source, version…) without its arrays."""
    try:
        with np.load(Path(path), allow_pickle=False) as z:
            header: dict[str, str] = json.loads(str(z["header"]))
    except FileNotFoundError:
        raise
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise NetworkFileError(f"{Path(path).name} is not a stored road network: {exc}") from exc
    if header.get("format") != FORMAT:
        raise NetworkFileError(f"{Path(path).name}: unknown format {header.get('format')!r}")
    return header


def load_network(path: Path | str, *, verify: bool = True) -> RoadNetwork:
    """Load a network written by :func:`save_network`.

    Raises :class:`FileNotFoundError` when absent and :class:`NetworkFileError`
    when the file is not a network or (with ``verify``) its content hash does
    not match the version it claims.
    """
    path = Path(path)
    header = read_header(path)
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {name: z[name] for name in _ARRAYS}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise NetworkFileError(f"{path.name} is damaged: {exc}") from exc
    network = RoadNetwork(
        name=header["name"],
        source=header["source"],
        attribution=header.get("attribution", ""),
        **arrays,
    )
    if verify and network.version != header["version"]:
        raise NetworkFileError(
            f"{path.name}: content hash {network.version} does not match its version {header['version']}"
        )
    return network
