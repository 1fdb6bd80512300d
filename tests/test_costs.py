"""Costs under the brief's figures, in integer fen."""

from __future__ import annotations

from optimizer.costs import CostRates, RouteFacts, daily_wage, per_km, per_tonne, route_cost, summarise


def test_rounding_is_half_up_to_whole_fen() -> None:
    assert per_tonne(3_500, 1) == 4  # 3.5 fen
    assert per_tonne(3_500, 999) == 3_497  # 3,496.5
    assert per_km(180, 1_234) == 222  # 222.12
    assert daily_wage(230_000, CostRates(working_days_per_month=26)) == 8_846  # 8,846.15


def test_centre_truck_route_cost_matches_a_hand_calculation() -> None:
    r = RouteFacts(
        "R1",
        "centre",
        distance_m=84_500,
        delivered_kg=3_200,
        delivered_cases=160,
        stops=24,
        cost_per_km_fen=180,
        fixed_cost_fen=9_000,
        needs_loader=True,
        crew_monthly_wages_fen=[230_000, 0],
    )
    c = route_cost(r)
    assert c.crew_fen == 8_846
    assert c.loader_fen == 9_600  # 30 yuan × 3.2 t
    assert c.vehicle_fen == 15_210 + 9_000  # 84.5 km × 1.80 yuan + fixed
    assert c.store_fee_fen == 0
    assert c.total_fen == 8_846 + 9_600 + 24_210


def test_store_route_pays_the_store_fee_and_no_loader() -> None:
    c = route_cost(RouteFacts("S1", "store", 6_000, 400, 20, 6, cost_per_km_fen=10, needs_loader=False))
    assert c.store_fee_fen == 1_400 and c.loader_fen == 0 and c.vehicle_fen == 60


def test_summary_per_tonne_case_and_stop() -> None:
    a = route_cost(RouteFacts("R1", "centre", 10_000, 1_000, 50, 10, cost_per_km_fen=100))
    b = route_cost(RouteFacts("S1", "store", 0, 1_000, 50, 10))
    s = summarise([a, b])
    assert s.total_fen == 1_000 + 3_500
    assert s.per_tonne_fen == 2_250 and s.per_case_fen == 45 and s.per_stop_fen == 225
    assert summarise([]).per_tonne_fen is None
