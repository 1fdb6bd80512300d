"""Private shape helpers for the county road generator (local metres, numpy)."""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial import Delaunay

XY = np.ndarray  # shape (2,) or (k, 2), metres east/north of the county town


def sinuosity(line: np.ndarray) -> float:
    """Polyline length over end-to-end distance (1 for a straight line)."""
    chord = float(np.hypot(*(line[-1] - line[0])))
    length = float(np.hypot(*np.diff(line, axis=0).T).sum())
    return length / chord if chord > 0 else 1.0


def wiggle(
    p0: XY, p1: XY, *, tortuosity: float, rng: np.random.Generator, step_m: float = 120.0
) -> np.ndarray:
    """A road from ``p0`` to ``p1`` that meanders to length ≈ ``tortuosity`` × straight line.

    The sideways offset is a random sum of half-sine harmonics (big valley
    bends plus tighter mountain curves), scaled by bisection until the
    polyline's sinuosity matches.  Returns (k, 2) points including both ends.
    """
    p0, p1 = np.asarray(p0, dtype=float), np.asarray(p1, dtype=float)
    chord = p1 - p0
    dist = float(np.hypot(*chord))
    k = max(int(dist / step_m), 2)
    s = np.linspace(0.0, 1.0, k + 1)
    if dist < 1.0 or tortuosity <= 1.0005:
        return np.vstack([p0, p1])
    n_harm = int(np.clip(dist / 1500, 3, 24))
    f = np.arange(1, n_harm + 1)
    amp = rng.normal(size=n_harm) / f**1.1
    phase_mix = rng.uniform(0.3, 1.0, size=n_harm)
    h = (amp * phase_mix * np.sin(np.pi * np.outer(s, f))).sum(axis=1)
    h -= s * h[-1] + (1 - s) * h[0]
    h /= max(float(np.abs(h).max()), 1e-9)
    perp = np.array([-chord[1], chord[0]]) / dist

    def line(scale: float) -> np.ndarray:
        return p0 + s[:, None] * chord + (scale * dist * h)[:, None] * perp

    lo, hi = 0.0, 0.05
    while sinuosity(line(hi)) < tortuosity and hi < 50:
        hi *= 2
    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if sinuosity(line(mid)) < tortuosity else (lo, mid)
    return line((lo + hi) / 2)


def mesh(
    center: XY,
    *,
    radius_m: float,
    spacing_m: float,
    rng: np.random.Generator,
    angle: float,
    jitter: float = 0.18,
    drop: float = 0.25,
) -> tuple[np.ndarray, list[tuple[int, int]], int]:
    """A jittered lattice of lanes around ``center`` (points, edges, index of the centre).

    Lattice points within ``radius_m`` are kept; the one nearest the centre is
    moved onto it; neighbours are joined; ``drop`` of the edges that are not
    needed for connectivity (a BFS tree from the centre) are removed.
    """
    n = int(radius_m // spacing_m)
    ij = np.array([(i, j) for i in range(-n, n + 1) for j in range(-n, n + 1)])
    local = ij * spacing_m
    keep = np.hypot(local[:, 0], local[:, 1]) <= radius_m
    ij, local = ij[keep], local[keep].astype(float)
    local += rng.uniform(-jitter, jitter, size=local.shape) * spacing_m
    c = int(np.argmin(np.abs(ij).sum(axis=1)))
    local[c] = 0.0
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    pts = np.asarray(center, dtype=float) + local @ rot.T
    index = {(int(a), int(b)): k for k, (a, b) in enumerate(ij)}
    edges = [
        (k, index[(a + da, b + db)])
        for (a, b), k in index.items()
        for da, db in ((1, 0), (0, 1))
        if (a + da, b + db) in index
    ]
    # BFS tree from the centre keeps the mesh connected; drop some other edges.
    adj: dict[int, list[int]] = {}
    for u, v in edges:
        adj.setdefault(u, []).append(v)
        adj.setdefault(v, []).append(u)
    tree: set[tuple[int, int]] = set()
    seen, frontier = {c}, [c]
    while frontier:
        nxt = []
        for u in frontier:
            for v in sorted(adj.get(u, [])):
                if v not in seen:
                    seen.add(v)
                    tree.add((min(u, v), max(u, v)))
                    nxt.append(v)
        frontier = nxt
    kept = [e for e in edges if (min(e), max(e)) in tree or rng.random() >= drop]
    return pts, kept, c


def spanning_tree(xy: np.ndarray) -> list[tuple[int, int]]:
    """Edges of the Euclidean minimum spanning tree over the points ``xy``."""
    if len(xy) < 2:
        return []
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)) + 1e-3
    mst = minimum_spanning_tree(csr_matrix(np.triu(d, 1))).tocoo()
    return sorted((int(min(a, b)), int(max(a, b))) for a, b in zip(mst.row, mst.col, strict=True))


def gabriel_pairs(xy: np.ndarray) -> list[tuple[int, int]]:
    """Pairs (i, j) whose diametral circle holds no other point (a sparse planar graph)."""
    n = len(xy)
    if n < 2:
        return []
    if n == 2:
        return [(0, 1)]
    cand: set[tuple[int, int]] = set()
    try:
        for simplex in Delaunay(xy).simplices:
            for a in range(3):
                i, j = int(simplex[a]), int(simplex[(a + 1) % 3])
                cand.add((min(i, j), max(i, j)))
    except Exception:  # collinear points: fall back to all pairs
        cand = {(i, j) for i in range(n) for j in range(i + 1, n)}
    out = []
    for i, j in sorted(cand):
        mid, r2 = (xy[i] + xy[j]) / 2, ((xy[i] - xy[j]) ** 2).sum() / 4
        d2 = ((xy - mid) ** 2).sum(axis=1)
        d2[[i, j]] = np.inf
        if (d2 >= r2).all():
            out.append((i, j))
    return out
