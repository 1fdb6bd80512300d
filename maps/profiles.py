"""Vehicle speed profiles: road class → km/h, forbidden classes, a top speed.

The product knows three profiles (``truck``, ``van``, ``ev``); the table is a
plain frozen dataclass so that an installation can pass its own.  Speeds are
free-flow averages for planning, not legal limits; an edge's ``maxspeed`` tag
(when present) caps them too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from models.errors import InputError

# Every road class a network may carry, fastest first.  The index of a class in
# this tuple is what a network stores per geometry (``geom_class``).
ROAD_CLASSES: tuple[str, ...] = (
    "motorway",
    "motorway_link",
    "trunk",
    "trunk_link",
    "primary",
    "primary_link",
    "secondary",
    "secondary_link",
    "tertiary",
    "tertiary_link",
    "unclassified",
    "residential",
    "living_street",
    "service",
    "track",
    "road",
)
CLASS_INDEX: Mapping[str, int] = MappingProxyType({c: i for i, c in enumerate(ROAD_CLASSES)})


def _freeze(table: Mapping[str, float]) -> Mapping[str, float]:
    return MappingProxyType(dict(table))


@dataclass(frozen=True)
class SpeedProfile:
    """How fast one kind of vehicle goes on each road class.

    Parameters
    ----------
    name:
        ``truck``, ``van``, ``ev`` or an installation's own.
    speeds_kmh:
        Road class → planning speed in km/h.  A ``*_link`` class missing from
        the table runs at ``link_factor`` times its parent class.  A class
        missing altogether runs at ``default_kmh``.
    forbidden:
        Road classes this vehicle may not use (links of a forbidden class are
        forbidden too).
    top_kmh:
        The vehicle's top speed; caps every class.
    winding_factor:
        Speed multiplier on winding roads (mountain detours, hairpins): an edge
        whose length is more than 1.3 × its end-to-end distance.
    average_kmh:
        Average door-to-door speed used by the straight-line fallback.
    """

    name: str
    speeds_kmh: Mapping[str, float]
    forbidden: frozenset[str] = frozenset()
    top_kmh: float = 120.0
    winding_factor: float = 1.0
    link_factor: float = 0.75
    default_kmh: float = 25.0
    average_kmh: float = 35.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "speeds_kmh", _freeze(self.speeds_kmh))
        object.__setattr__(self, "forbidden", frozenset(self.forbidden))
        bad = [c for c, v in self.speeds_kmh.items() if not v > 0]
        if bad:
            raise InputError.single("speeds_kmh", "speed must be > 0 km/h", value=bad[0])
        for fname in ("top_kmh", "average_kmh", "default_kmh"):
            if not getattr(self, fname) > 0:
                raise InputError.single(fname, "must be > 0", value=getattr(self, fname))
        if not 0 < self.winding_factor <= 1.5 or not 0 < self.link_factor <= 1.5:
            raise InputError.single("winding_factor", "factors must be in (0, 1.5]")

    def allows(self, road_class: str) -> bool:
        """Whether this vehicle may drive on ``road_class``."""
        base = road_class.removesuffix("_link")
        return road_class not in self.forbidden and base not in self.forbidden

    def speed_kmh(self, road_class: str) -> float:
        """Planning speed on ``road_class`` in km/h (before maxspeed and winding)."""
        if road_class in self.speeds_kmh:
            v = self.speeds_kmh[road_class]
        elif road_class.endswith("_link") and road_class[:-5] in self.speeds_kmh:
            v = self.speeds_kmh[road_class[:-5]] * self.link_factor
        else:
            v = self.default_kmh
        return min(v, self.top_kmh)

    def class_speed_array(self) -> np.ndarray:
        """km/h per entry of :data:`ROAD_CLASSES`; 0 where forbidden."""
        return np.array(
            [self.speed_kmh(c) if self.allows(c) else 0.0 for c in ROAD_CLASSES], dtype=np.float64
        )

    def fingerprint(self) -> str:
        """A short hash of everything that changes travel times (cache keys)."""
        blob = json.dumps(
            {
                "name": self.name,
                "speeds": sorted(self.speeds_kmh.items()),
                "forbidden": sorted(self.forbidden),
                "top": self.top_kmh,
                "winding": self.winding_factor,
                "link": self.link_factor,
                "default": self.default_kmh,
            },
            sort_keys=True,
        )
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


# The seed table.  Truck: 5 t box truck, slow on village and mountain roads.
# Van: city minivan.  EV: electric tricycle / e-van, 45 km/h, no trunk roads.
TRUCK = SpeedProfile(
    name="truck",
    speeds_kmh={
        "motorway": 80,
        "trunk": 65,
        "primary": 55,
        "secondary": 45,
        "tertiary": 38,
        "unclassified": 25,
        "residential": 18,
        "living_street": 8,
        "service": 10,
        "track": 10,
        "road": 20,
    },
    top_kmh=90,
    winding_factor=0.75,
    default_kmh=20,
    average_kmh=35,
)
VAN = SpeedProfile(
    name="van",
    speeds_kmh={
        "motorway": 100,
        "trunk": 75,
        "primary": 60,
        "secondary": 50,
        "tertiary": 42,
        "unclassified": 32,
        "residential": 25,
        "living_street": 10,
        "service": 15,
        "track": 15,
        "road": 25,
    },
    top_kmh=110,
    winding_factor=0.9,
    default_kmh=25,
    average_kmh=40,
)
EV = SpeedProfile(
    name="ev",
    speeds_kmh={
        "primary": 45,
        "secondary": 40,
        "tertiary": 35,
        "unclassified": 28,
        "residential": 22,
        "living_street": 10,
        "service": 12,
        "track": 12,
        "road": 20,
    },
    forbidden=frozenset({"motorway", "trunk"}),
    top_kmh=45,
    winding_factor=0.9,
    default_kmh=20,
    average_kmh=25,
)


@dataclass(frozen=True)
class ProfileTable:
    """The profiles an installation knows, by name."""

    profiles: Mapping[str, SpeedProfile] = field(
        default_factory=lambda: {p.name: p for p in (TRUCK, VAN, EV)}
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "profiles", MappingProxyType(dict(self.profiles)))

    def get(self, name: str) -> SpeedProfile:
        """The profile called ``name``; an :class:`InputError` naming the known ones if absent."""
        try:
            return self.profiles[name]
        except KeyError:
            known = ", ".join(sorted(self.profiles))
            raise InputError.single("profile", f"unknown profile (known: {known})", value=name) from None

    @property
    def names(self) -> list[str]:
        return sorted(self.profiles)


DEFAULT_PROFILES = ProfileTable()


def get_profile(profile: str | SpeedProfile, table: ProfileTable | None = None) -> SpeedProfile:
    """Resolve a profile name (or pass a :class:`SpeedProfile` through)."""
    if isinstance(profile, SpeedProfile):
        return profile
    return (table or DEFAULT_PROFILES).get(profile)
