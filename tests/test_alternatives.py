"""The other depot's cost shown to the dispatcher respects vehicle areas and what the vehicle can still carry.

Issue 13 repro 10: it offered the town-only minivan for a 石门镇 customer.
"""

from __future__ import annotations

from optimizer.costs import CostRates
from optimizer.problem import Depot, Stop, Vehicle
from services.plan_store import _insertion, _Planned
from tests.optimizer_fixtures import line_problem

VAN = {"depot_kind": "centre", "needs_loader": False, "cost_per_km_fen": 80, "fixed_cost_fen": 3000}
TRUCK = {"depot_kind": "centre", "needs_loader": True, "cost_per_km_fen": 180, "fixed_cost_fen": 9000}
CTX = {"vehicles": {"VAN": VAN, "TRUCK": TRUCK}}


def _problem(stop_area: str = "T05"):
    vehicles = [
        Vehicle("VAN", "CENTRE", capacity=(1000, 80), areas=frozenset({"T00"})),
        Vehicle("TRUCK", "CENTRE", capacity=(5000, 400)),
    ]
    stops = [Stop("X", 3, (200, 10), allowed_vehicles=frozenset({"VAN", "TRUCK"}), area=stop_area)]
    return line_problem(stops, vehicles, depots=[Depot("CENTRE", 0)])


def test_a_town_only_vehicle_is_never_offered_outside_town() -> None:
    p = _problem("T05")
    van_route = _Planned("VAN", [0, 1, 0], (100, 5))
    opt = _insertion(p, p.stop("X"), [van_route], [], CTX, CostRates())
    assert opt is None
    opt = _insertion(p, p.stop("X"), [van_route], ["TRUCK"], CTX, CostRates())
    assert opt is not None and opt["vehicle"] == "TRUCK" and opt["how"] == "a trip of its own"


def test_the_same_van_is_offered_in_town() -> None:
    p = _problem("T00")
    opt = _insertion(p, p.stop("X"), [_Planned("VAN", [0, 1, 0], (100, 5))], [], CTX, CostRates())
    assert opt is not None and opt["vehicle"] == "VAN" and opt["how"] == "insert into its planned route"


def test_a_full_vehicle_is_not_offered() -> None:
    p = _problem("T00")
    full = _Planned("VAN", [0, 1, 0], (900, 5))  # 900 + 200 kg > 1,000 kg
    assert _insertion(p, p.stop("X"), [full], [], CTX, CostRates()) is None
    tight = _Planned("VAN", [0, 1, 0], (800, 70))  # exactly 1,000 kg and 80 cases
    assert _insertion(p, p.stop("X"), [tight], [], CTX, CostRates()) is not None
