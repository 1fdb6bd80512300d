"""What a route and a day cost, under the brief's figures (integer fen, pure).

========================================  =========================================
cost                                      rule
========================================  =========================================
crew wages                                monthly wage ÷ working days per month, per
                                          crew member on the route (driver 2,300 yuan,
                                          city delivery worker 2,000 yuan a month)
loading / unloading                       30 yuan per tonne handled, on routes whose
                                          vehicle needs a loader
vehicle                                   cost per km × km driven, plus the vehicle's
                                          fixed cost per day used
store delivery fee                        35 yuan per tonne delivered by a store
========================================  =========================================

Tonnes are kg / 1000; every product of a rate and a quantity is rounded to the
nearest fen once (half up). All rates are configurable (:class:`CostRates`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CostRates:
    """The brief's seed figures; every one configurable."""

    working_days_per_month: int = 26
    loader_fen_per_tonne: int = 3_000
    store_fee_fen_per_tonne: int = 3_500

    def __post_init__(self) -> None:
        if self.working_days_per_month <= 0:
            raise ValueError("working_days_per_month: must be positive")
        if self.loader_fen_per_tonne < 0 or self.store_fee_fen_per_tonne < 0:
            raise ValueError("cost rates must not be negative")

    def fee_per_tonne(self, depot_kind: str, needs_loader: bool) -> int:
        """Handling cost per tonne delivered: the store fee for store vehicles, the loader for
        centre vehicles that carry one, nothing otherwise."""
        if depot_kind == "store":
            return self.store_fee_fen_per_tonne
        return self.loader_fen_per_tonne if needs_loader else 0


@dataclass(frozen=True)
class RouteFacts:
    """What costing needs to know about one route."""

    route: str
    depot_kind: str  # "centre" | "store"
    distance_m: int
    delivered_kg: int
    delivered_cases: int
    stops: int
    cost_per_km_fen: int = 0
    fixed_cost_fen: int = 0
    needs_loader: bool = False
    crew_monthly_wages_fen: Sequence[int] = ()


@dataclass(frozen=True)
class RouteCost:
    """A route's cost, item by item, in fen."""

    route: str
    depot_kind: str
    crew_fen: int
    loader_fen: int
    vehicle_fen: int
    store_fee_fen: int
    delivered_kg: int
    delivered_cases: int
    stops: int
    distance_m: int

    @property
    def total_fen(self) -> int:
        return self.crew_fen + self.loader_fen + self.vehicle_fen + self.store_fee_fen

    def as_dict(self) -> dict[str, int | str]:
        return {
            "route": self.route,
            "depot_kind": self.depot_kind,
            "crew_fen": self.crew_fen,
            "loader_fen": self.loader_fen,
            "vehicle_fen": self.vehicle_fen,
            "store_fee_fen": self.store_fee_fen,
            "total_fen": self.total_fen,
            "delivered_kg": self.delivered_kg,
            "delivered_cases": self.delivered_cases,
            "stops": self.stops,
            "distance_m": self.distance_m,
        }


def per_tonne(fen_per_tonne: int, kg: int) -> int:
    """``fen_per_tonne`` × ``kg`` / 1000, rounded half up to whole fen."""
    return (fen_per_tonne * kg + 500) // 1000


def per_km(fen_per_km: int, metres: int) -> int:
    """``fen_per_km`` × ``metres`` / 1000, rounded half up to whole fen."""
    return (fen_per_km * metres + 500) // 1000


def daily_wage(monthly_fen: int, rates: CostRates) -> int:
    """A monthly wage prorated to one working day, rounded half up."""
    d = rates.working_days_per_month
    return (2 * monthly_fen + d) // (2 * d)


def route_cost(r: RouteFacts, rates: CostRates = CostRates()) -> RouteCost:
    """Cost of one route under ``rates``."""
    return RouteCost(
        route=r.route,
        depot_kind=r.depot_kind,
        crew_fen=sum(daily_wage(w, rates) for w in r.crew_monthly_wages_fen),
        loader_fen=per_tonne(rates.loader_fen_per_tonne, r.delivered_kg) if r.needs_loader else 0,
        vehicle_fen=per_km(r.cost_per_km_fen, r.distance_m) + r.fixed_cost_fen,
        store_fee_fen=per_tonne(rates.store_fee_fen_per_tonne, r.delivered_kg)
        if r.depot_kind == "store"
        else 0,
        delivered_kg=r.delivered_kg,
        delivered_cases=r.delivered_cases,
        stops=r.stops,
        distance_m=r.distance_m,
    )


@dataclass(frozen=True)
class CostSummary:
    """Totals over routes, with cost per tonne, per case and per stop (fen, rounded)."""

    routes: int
    total_fen: int
    delivered_kg: int
    delivered_cases: int
    stops: int
    distance_m: int
    items: dict[str, int] = field(default_factory=dict)

    @property
    def per_tonne_fen(self) -> int | None:
        return (
            None
            if self.delivered_kg == 0
            else (self.total_fen * 1000 + self.delivered_kg // 2) // self.delivered_kg
        )

    @property
    def per_case_fen(self) -> int | None:
        return _ratio(self.total_fen, self.delivered_cases)

    @property
    def per_stop_fen(self) -> int | None:
        return _ratio(self.total_fen, self.stops)

    def as_dict(self) -> dict[str, int | None]:
        return {
            "routes": self.routes,
            "total_fen": self.total_fen,
            "delivered_kg": self.delivered_kg,
            "delivered_cases": self.delivered_cases,
            "stops": self.stops,
            "distance_m": self.distance_m,
            "per_tonne_fen": self.per_tonne_fen,
            "per_case_fen": self.per_case_fen,
            "per_stop_fen": self.per_stop_fen,
            **self.items,
        }


def _ratio(total: int, n: int) -> int | None:
    return None if n == 0 else (total + n // 2) // n


def summarise(costs: Iterable[RouteCost]) -> CostSummary:
    """Add route costs up (e.g. a day, or the centre's or the stores' routes of a day)."""
    cs = list(costs)
    items = {
        "crew_fen": sum(c.crew_fen for c in cs),
        "loader_fen": sum(c.loader_fen for c in cs),
        "vehicle_fen": sum(c.vehicle_fen for c in cs),
        "store_fee_fen": sum(c.store_fee_fen for c in cs),
    }
    return CostSummary(
        routes=len(cs),
        total_fen=sum(c.total_fen for c in cs),
        delivered_kg=sum(c.delivered_kg for c in cs),
        delivered_cases=sum(c.delivered_cases for c in cs),
        stops=sum(c.stops for c in cs),
        distance_m=sum(c.distance_m for c in cs),
        items=items,
    )
