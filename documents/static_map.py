"""A static route map for the printed pack: matplotlib over the road network, no tiles, no network access.

Roads are drawn by class as :mod:`maps.render_base` defines them (the same
look as the HTML sheets), the route along its legs, numbered stops, the depot,
township names, a scale bar and a north arrow. Returns PNG bytes sized to the
box it is printed in.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.collections import LineCollection
from matplotlib.font_manager import FontProperties

from documents.fonts import font_path
from documents.model import RouteDoc
from maps.network import RoadNetwork
from maps.render import Place
from maps.render_base import ROAD_TIERS, bbox_of, pad_bbox, road_polylines

M_PER_DEG = 111_320.0


def _fit_box(bbox: tuple[float, float, float, float], aspect: float) -> tuple[float, float, float, float]:
    """Grow ``bbox`` so that its width/height in metres equals ``aspect``."""
    s, w, n, e = bbox
    k = math.cos(math.radians((s + n) / 2))
    width_m, height_m = (e - w) * M_PER_DEG * k, (n - s) * M_PER_DEG
    if width_m / max(height_m, 1.0) < aspect:
        grow = (aspect * height_m - width_m) / (M_PER_DEG * k) / 2
        return s, w - grow, n, e + grow
    grow = (width_m / aspect - height_m) / M_PER_DEG / 2
    return s - grow, w, n + grow, e


def _scale_bar(ax: plt.Axes, bbox: tuple[float, float, float, float], font: FontProperties) -> None:
    s, w, n, e = bbox
    k = math.cos(math.radians((s + n) / 2))
    width_m = (e - w) * M_PER_DEG * k
    target = width_m / 5
    length = max(x for x in (100, 200, 500, 1000, 2000, 5000, 10000, 20000) if x <= max(target, 100))
    x0, y0 = w + (e - w) * 0.03, s + (n - s) * 0.04
    x1 = x0 + length / (M_PER_DEG * k)
    ax.plot([x0, x1], [y0, y0], color="black", lw=2.5, solid_capstyle="butt", zorder=20)
    ax.plot([x0, x1], [y0, y0], color="white", lw=1, solid_capstyle="butt", zorder=21, dashes=(3, 3))
    text = f"{length // 1000} km" if length >= 1000 else f"{length} m"
    ax.text(
        (x0 + x1) / 2,
        y0 + (n - s) * 0.012,
        text,
        ha="center",
        va="bottom",
        fontsize=7,
        fontproperties=font,
        zorder=22,
    )
    ax.annotate(
        "N",
        xy=(e - (e - w) * 0.04, n - (n - s) * 0.04),
        xytext=(e - (e - w) * 0.04, n - (n - s) * 0.13),
        ha="center",
        va="center",
        fontsize=9,
        fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.2},
        zorder=22,
    )


MARKER_MM = 3.6
"""A stop marker's diameter on paper; closer stops are drawn as one numbered callout."""


def seq_label(seqs: Sequence[int]) -> str:
    """Stop numbers as runs: ``[3, 4, 5, 7]`` → ``"3–5, 7"``."""
    out: list[str] = []
    nums = sorted(seqs)
    i = 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        out.append(str(nums[i]) if i == j else f"{nums[i]}–{nums[j]}")
        i = j + 1
    return ", ".join(out)


def overlapping_groups(
    points_mm: Sequence[tuple[float, float]], within_mm: float = MARKER_MM
) -> list[list[int]]:
    """Indices of points grouped so that each joins the first group whose first point is within reach.

    Greedy, in the given (visiting) order: a group's first point anchors it.
    """
    groups: list[list[int]] = []
    for i, (x, y) in enumerate(points_mm):
        for g in groups:
            ax, ay = points_mm[g[0]]
            if math.hypot(x - ax, y - ay) < within_mm:
                g.append(i)
                break
        else:
            groups.append([i])
    return groups


def _draw_stops(
    ax: plt.Axes, doc: RouteDoc, bbox: tuple[float, float, float, float], size_mm: tuple[float, float],
    colour: str,
) -> None:
    """Numbered markers; stops too close to tell apart share one callout listing their numbers."""
    s, w, n, e = bbox
    pts = [((st.lon - w) / (e - w) * size_mm[0], (st.lat - s) / (n - s) * size_mm[1]) for st in doc.stops]
    for group in overlapping_groups(pts):
        members = [doc.stops[i] for i in group]
        if len(members) == 1:
            st = members[0]
            ax.scatter([st.lon], [st.lat], s=95, c=colour, edgecolors="white", linewidths=0.9, zorder=10)
            ax.text(st.lon, st.lat, str(st.seq), color="white", fontsize=5.5, fontweight="bold",
                    ha="center", va="center", zorder=11)
            continue
        ax.scatter([m.lon for m in members], [m.lat for m in members], s=28, c=colour,
                   edgecolors="white", linewidths=0.6, zorder=10)
        anchor = members[0]
        ax_mm, ay_mm = pts[group[0]]
        left = ax_mm > 0.7 * size_mm[0]  # keep the callout inside the map
        down = ay_mm > 0.85 * size_mm[1]
        ax.annotate(
            seq_label([m.seq for m in members]),
            xy=(anchor.lon, anchor.lat),
            xytext=(-9 if left else 9, -9 if down else 9),
            textcoords="offset points",
            color="white",
            fontsize=5.5,
            fontweight="bold",
            ha="right" if left else "left",
            va="top" if down else "bottom",
            zorder=11,
            bbox={"boxstyle": "round,pad=0.25", "fc": colour, "ec": "white", "lw": 0.6},
            arrowprops={"arrowstyle": "-", "color": colour, "lw": 0.8},
        )


def static_route_map(
    doc: RouteDoc,
    *,
    network: RoadNetwork | None,
    places: Sequence[Place] = (),
    colour: str = "#1565c0",
    width_mm: float = 186,
    height_mm: float = 150,
    dpi: int = 200,
    attribution: str = "",
) -> bytes:
    """PNG of the route over the roads, ``width_mm`` × ``height_mm`` at ``dpi``."""
    font = FontProperties(fname=str(font_path()))
    pts = (
        [(doc.depot_lat, doc.depot_lon)]
        + [(s.lat, s.lon) for s in doc.stops]
        + [p for leg in doc.legs for p in leg]
    )
    bbox = _fit_box(pad_bbox(bbox_of(pts), frac=0.06, min_m=400), width_mm / height_mm)
    s, w, n, e = bbox
    fig = plt.figure(figsize=(width_mm / 25.4, height_mm / 25.4), dpi=dpi)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_facecolor("#f4f1ea")
    if network is not None:
        for tier in reversed(ROAD_TIERS):
            lines = road_polylines(network, tier.classes, pad_bbox(bbox, frac=0.05, min_m=200))
            segs = [[(lo, la) for la, lo in line] for line in lines]
            if segs:
                ax.add_collection(
                    LineCollection(
                        segs,
                        colors=tier.colour,
                        linewidths=tier.weight * 0.32,
                        linestyles=(0, (3, 2)) if tier.dash else "solid",
                        zorder=2,
                    )
                )
    for leg in doc.legs:
        xs, ys = [p[1] for p in leg], [p[0] for p in leg]
        ax.plot(xs, ys, color="white", lw=3.6, zorder=5, solid_capstyle="round")
        ax.plot(xs, ys, color=colour, lw=2.0, zorder=6, solid_capstyle="round", alpha=0.9)
    for p in places:
        if s <= p.lat <= n and w <= p.lon <= e:
            ax.text(
                p.lon,
                p.lat,
                p.name,
                fontproperties=font,
                fontsize=9,
                color="#3e2723",
                ha="center",
                va="center",
                zorder=8,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7},
            )
    _draw_stops(ax, doc, bbox, (width_mm, height_mm), colour)
    ax.scatter(
        [doc.depot_lon], [doc.depot_lat], s=110, marker="s", c="#212121", edgecolors="white", zorder=12
    )
    ax.text(
        doc.depot_lon,
        doc.depot_lat,
        f"  {doc.depot_code}",
        fontsize=7,
        fontweight="bold",
        va="center",
        ha="left",
        zorder=12,
        fontproperties=font,
    )
    _scale_bar(ax, bbox, font)
    if attribution:
        ax.text(
            e - (e - w) * 0.01,
            s + (n - s) * 0.01,
            attribution,
            fontproperties=font,
            fontsize=5.5,
            color="#555555",
            ha="right",
            va="bottom",
            zorder=22,
        )
    ax.set_xlim(w, e)
    ax.set_ylim(s, n)
    ax.set_aspect(1 / math.cos(math.radians((s + n) / 2)))
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor("#999999")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return buf.getvalue()


__all__ = ["static_route_map"]
