"""The half-monthly cycle planner's inputs and results (see :mod:`optimizer.periodic`).

Units: kg, stops (integers); days are 0-based indices into the cycle.  Pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from optimizer.rationing import RulesInputError


def is_whole(value: object) -> bool:
    """An int that is not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Cluster:
    """Customers served together: a village, a market-town centre, a town district.

    ``load_kg`` and ``stops`` are the expected totals per visit (``>= 0``);
    ``fixed_day`` pins the cluster to a day of the cycle (0-based, checked
    against ``days`` by :func:`plan_cycle`), ``None`` lets the planner choose.
    """

    id: str
    township: str
    load_kg: int
    stops: int
    fixed_day: int | None = None

    def __post_init__(self) -> None:
        for name in ("id", "township"):
            if not isinstance(value := getattr(self, name), str) or not value:
                ident = None if name == "id" else self.id
                raise RulesInputError(
                    f"clusters.{name}", f"must be a non-empty string (got {value!r})", ident
                )
        for name in ("load_kg", "stops", "fixed_day"):
            value = getattr(self, name)
            if not (value is None and name == "fixed_day") and (not is_whole(value) or value < 0):
                raise RulesInputError(
                    f"clusters.{name}", f"must be a whole number >= 0 (got {value!r})", self.id
                )


@dataclass(frozen=True)
class Objective:
    """The plan's score.

    ``overload_kg`` / ``overload_stops``: Σ over days of kg / stops above the
    limit; ``township_days``: number of (township, day) pairs with a cluster;
    ``load_sum_squares`` / ``stops_sum_squares``: Σ over days of (daily kg)² /
    (daily stops)², the balance measures minimised; ``load_spread_kg``: largest
    minus smallest daily kg (for display).
    """

    overload_kg: int
    overload_stops: int
    township_days: int
    load_sum_squares: int
    stops_sum_squares: int
    load_spread_kg: int


@dataclass(frozen=True)
class CyclePlan:
    """The day of every cluster and what it means per day.

    ``day_of``: cluster id → day (0-based).  Per day (tuples of ``days``
    values): ``load_kg`` and ``stops`` (base plus planned clusters),
    ``base_load_kg`` and ``base_stops`` (as given), ``township_stops``
    (township → planned stops, for townships with a cluster that day).
    ``township_days``: township → its sorted visit days.  ``overloaded_days``:
    days above the kg or stop limit (empty when the plan fits).  Treat the
    dicts as read-only.
    """

    days: int
    capacity_kg_per_day: int
    max_stops_per_day: int
    day_of: dict[str, int] = field(hash=False)
    load_kg: tuple[int, ...]
    stops: tuple[int, ...]
    base_load_kg: tuple[int, ...]
    base_stops: tuple[int, ...]
    township_stops: tuple[dict[str, int], ...] = field(hash=False)
    township_days: dict[str, tuple[int, ...]] = field(hash=False)
    overloaded_days: tuple[int, ...]
    objective: Objective

    @property
    def visits_per_township(self) -> dict[str, int]:
        """Township → number of distinct days it is visited."""
        return {t: len(d) for t, d in self.township_days.items()}

    def clusters_on(self, day: int) -> tuple[str, ...]:
        """Ids of the clusters served on ``day``, sorted."""
        return tuple(sorted(c for c, d in self.day_of.items() if d == day))


@dataclass(frozen=True)
class HorizonRow:
    """One day of the horizon table (CLI / report)."""

    day: int
    load_kg: int
    capacity_kg: int
    utilisation_per_mille: int
    """``floor(1000 · load / capacity)``; above 1000 means overloaded."""
    stops: int
    max_stops: int
    base_stops: int
    stops_by_township: tuple[tuple[str, int], ...]
    overloaded: bool
