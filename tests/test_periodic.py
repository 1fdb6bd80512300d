"""Tests of optimizer.periodic: hand-made examples with known optima and properties."""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from optimizer.errors import ProblemError
from optimizer.periodic import Cluster, CyclePlan, HorizonRow, horizon_table, plan_cycle
from optimizer.rationing import RulesInputError


def c(ident: str, township: str, kg: int, stops: int = 1, fixed: int | None = None) -> Cluster:
    return Cluster(ident, township, kg, stops, fixed)


def score(
    clusters: list[Cluster],
    day_of: dict[str, int],
    days: int,
    cap: int,
    smax: int,
    base_kg: list[int] | None = None,
    base_st: list[int] | None = None,
) -> tuple[int, int, int, int]:
    """The objective, computed independently of the module: overload, pairs, Σ kg², Σ stops²."""
    load = list(base_kg or [0] * days)
    stops = list(base_st or [0] * days)
    pairs = set()
    for x in clusters:
        d = day_of[x.id]
        load[d] += x.load_kg
        stops[d] += x.stops
        pairs.add((x.township, d))
    over = sum(max(0, k - cap) * smax + max(0, s - smax) * cap for k, s in zip(load, stops, strict=True))
    return over, len(pairs), sum(k * k for k in load), sum(s * s for s in stops)


# --- hand-made examples --------------------------------------------------------


def test_known_optimum_split_township() -> None:
    """X needs three days (60 + 60 > 100); Y (80) fits in one day but beside no X day."""
    clusters = [c("x1", "X", 60), c("x2", "X", 60), c("x3", "X", 60), c("y1", "Y", 40), c("y2", "Y", 40)]
    plan = plan_cycle(clusters, days=4, capacity_kg_per_day=100, max_stops_per_day=50)
    assert plan.objective.township_days == 4 and plan.overloaded_days == ()
    assert sorted(plan.load_kg) == [60, 60, 60, 80]
    assert plan.visits_per_township == {"X": 3, "Y": 1}
    assert plan.day_of["y1"] == plan.day_of["y2"]
    assert plan.objective.overload_kg == plan.objective.overload_stops == 0
    assert plan.objective.load_spread_kg == 20
    assert plan.objective.load_sum_squares == 3 * 3600 + 6400


def test_known_optimum_balance() -> None:
    """Four one-cluster townships on two days: the only balanced split is 50 / 50."""
    clusters = [c("a", "A", 30), c("b", "B", 30), c("c", "C", 20), c("d", "D", 20)]
    plan = plan_cycle(clusters, days=2, capacity_kg_per_day=100, max_stops_per_day=10)
    assert plan.load_kg == (50, 50)
    assert plan.day_of["a"] != plan.day_of["b"]


def test_each_township_on_its_own_day() -> None:
    clusters = [c("a1", "A", 50), c("a2", "A", 40), c("b1", "B", 30), c("b2", "B", 30), c("b3", "B", 20)]
    clusters += [c("c1", "C", 20), c("c2", "C", 10)]
    plan = plan_cycle(clusters, days=3, capacity_kg_per_day=100, max_stops_per_day=10)
    assert plan.visits_per_township == {"A": 1, "B": 1, "C": 1}
    assert sorted(plan.load_kg) == [30, 80, 90]
    assert [plan.clusters_on(d) for d in range(3)].count(()) == 0


def test_stop_limit_splits_a_township() -> None:
    clusters = [c("a1", "A", 100, 6), c("a2", "A", 100, 6)]
    plan = plan_cycle(clusters, days=2, capacity_kg_per_day=1000, max_stops_per_day=10)
    assert plan.overloaded_days == () and plan.stops == (6, 6) and plan.township_days == {"A": (0, 1)}


def test_fixed_day_pulls_its_township() -> None:
    clusters = [c("a1", "A", 10, fixed=2), c("a2", "A", 10), c("a3", "A", 10), c("b1", "B", 10)]
    plan = plan_cycle(clusters, days=4, capacity_kg_per_day=100, max_stops_per_day=10)
    assert plan.day_of["a1"] == plan.day_of["a2"] == plan.day_of["a3"] == 2
    assert plan.day_of["b1"] != 2  # balance: B goes to an empty day


def test_base_load_is_respected() -> None:
    clusters = [c(f"v{k}", "A" if k < 3 else "B", 30) for k in range(6)]
    plan = plan_cycle(
        clusters,
        days=3,
        capacity_kg_per_day=100,
        max_stops_per_day=20,
        daily_base_load_kg=[100, 10, 10],
        daily_base_stops=[5, 1, 1],
    )
    assert plan.clusters_on(0) == () and plan.overloaded_days == ()
    assert plan.load_kg == (100, 100, 100) and plan.stops == (5, 4, 4)
    assert plan.township_stops[0] == {} and plan.base_stops == (5, 1, 1)


def test_overload_is_reported_not_raised() -> None:
    plan = plan_cycle(
        [c("big", "A", 150), c("small", "B", 20)], days=2, capacity_kg_per_day=100, max_stops_per_day=10
    )
    d = plan.day_of["big"]
    assert plan.overloaded_days == (d,) and plan.objective.overload_kg == 50
    assert plan.day_of["small"] != d


def test_horizon_table() -> None:
    clusters = [c("a1", "A", 30, 3), c("a2", "A", 20, 2), c("b1", "B", 90, 4), c("c1", "C", 10, 1)]
    plan = plan_cycle(
        clusters,
        days=2,
        capacity_kg_per_day=100,
        max_stops_per_day=8,
        daily_base_load_kg=[5, 5],
        daily_base_stops=[1, 1],
    )
    rows = horizon_table(plan)
    assert [r.day for r in rows] == [0, 1] and all(isinstance(r, HorizonRow) for r in rows)
    by_town = {t: n for r in rows for t, n in r.stops_by_township}
    assert by_town == {"A": 5, "B": 4, "C": 1}
    for r in rows:
        assert r.capacity_kg == 100 and r.max_stops == 8 and r.base_stops == 1
        assert r.utilisation_per_mille == r.load_kg * 1000 // 100
        assert r.stops == 1 + sum(n for _, n in r.stops_by_township)
        assert r.overloaded == (r.load_kg > 100 or r.stops > 8)
    assert sum(r.load_kg for r in rows) == 160
    smaller = horizon_table(plan, 2, 50)
    assert all(r.capacity_kg == 50 and r.utilisation_per_mille == r.load_kg * 20 for r in smaller)
    assert any(r.overloaded for r in smaller)
    with pytest.raises(RulesInputError, match="days"):
        horizon_table(plan, days=3)
    with pytest.raises(RulesInputError, match="capacity_kg_per_day"):
        horizon_table(plan, capacity_kg_per_day=0)


def test_no_clusters() -> None:
    plan = plan_cycle([], days=3, capacity_kg_per_day=100, max_stops_per_day=5, daily_base_load_kg=[1, 2, 3])
    assert plan.day_of == {} and plan.load_kg == (1, 2, 3) and plan.objective.township_days == 0
    assert len(horizon_table(plan)) == 3


# --- errors --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("v1", "A", -1, 1), "clusters.load_kg"),
        (("v1", "A", 1, 1.5), "clusters.stops"),
        (("v1", "A", 1, 1, -2), "clusters.fixed_day"),
        (("v1", "", 1, 1), "clusters.township"),
        (("v1", "A", True, 1), "clusters.load_kg"),
    ],
)
def test_bad_cluster_names_field_and_id(args: tuple[object, ...], field: str) -> None:
    with pytest.raises(RulesInputError) as info:
        Cluster(*args)  # type: ignore[arg-type]
    assert info.value.field == field and info.value.id == "v1" and "v1" in str(info.value)
    assert isinstance(info.value, ValueError) and isinstance(info.value, ProblemError)


def test_bad_plan_inputs() -> None:
    ok = [c("v1", "A", 1)]
    with pytest.raises(RulesInputError, match="fixed_day") as info:
        plan_cycle([c("v9", "A", 1, fixed=15)], capacity_kg_per_day=10, max_stops_per_day=5)
    assert info.value.id == "v9"
    with pytest.raises(RulesInputError, match="more than once"):
        plan_cycle([c("v1", "A", 1), c("v1", "B", 2)], capacity_kg_per_day=10, max_stops_per_day=5)
    with pytest.raises(RulesInputError, match="capacity_kg_per_day"):
        plan_cycle(ok, capacity_kg_per_day=0, max_stops_per_day=5)
    with pytest.raises(RulesInputError, match="days"):
        plan_cycle(ok, days=0, capacity_kg_per_day=10, max_stops_per_day=5)
    with pytest.raises(RulesInputError, match="daily_base_load_kg"):
        plan_cycle(ok, days=3, capacity_kg_per_day=10, max_stops_per_day=5, daily_base_load_kg=[1, 2])
    with pytest.raises(RulesInputError, match="daily_base_stops") as info:
        plan_cycle(ok, days=2, capacity_kg_per_day=10, max_stops_per_day=5, daily_base_stops=[0, -1])
    assert info.value.id == "day 1"


# --- properties ----------------------------------------------------------------

TOWNS = tuple("ABCDEFGHIJK")


@st.composite
def instances(draw: st.DrawFn, max_clusters: int = 24) -> tuple[list[Cluster], dict[str, object]]:
    days = draw(st.integers(1, 15))
    cap = draw(st.integers(50, 600))
    smax = draw(st.integers(3, 40))
    n = draw(st.integers(0, max_clusters))
    clusters = [
        Cluster(
            f"V{k:02d}",
            draw(st.sampled_from(TOWNS[:6])),
            draw(st.integers(0, cap // 2)),
            draw(st.integers(0, 6)),
            draw(st.one_of(st.none(), st.none(), st.none(), st.integers(0, days - 1))),
        )
        for k in range(n)
    ]
    base = draw(st.booleans())
    opts: dict[str, object] = {"days": days, "capacity_kg_per_day": cap, "max_stops_per_day": smax}
    if base:
        opts["daily_base_load_kg"] = draw(st.lists(st.integers(0, cap // 3), min_size=days, max_size=days))
        opts["daily_base_stops"] = draw(st.lists(st.integers(0, 3), min_size=days, max_size=days))
    return clusters, opts


def check_consistent(clusters: list[Cluster], plan: CyclePlan, opts: dict[str, object]) -> None:
    days = plan.days
    assert set(plan.day_of) == {x.id for x in clusters}
    base_kg = list(opts.get("daily_base_load_kg") or [0] * days)  # type: ignore[call-overload]
    base_st = list(opts.get("daily_base_stops") or [0] * days)  # type: ignore[call-overload]
    load, stops = list(base_kg), list(base_st)
    town_stops: list[dict[str, int]] = [defaultdict(int) for _ in range(days)]
    for x in clusters:
        d = plan.day_of[x.id]
        assert 0 <= d < days
        if x.fixed_day is not None:
            assert d == x.fixed_day
        load[d] += x.load_kg
        stops[d] += x.stops
        town_stops[d][x.township] += x.stops
    assert plan.load_kg == tuple(load) and plan.stops == tuple(stops)
    assert [dict(t) for t in town_stops] == [dict(t) for t in plan.township_stops]
    for t, ds in plan.township_days.items():
        assert ds == tuple(sorted({plan.day_of[x.id] for x in clusters if x.township == t}))
    cap, smax = plan.capacity_kg_per_day, plan.max_stops_per_day
    assert plan.overloaded_days == tuple(d for d in range(days) if load[d] > cap or stops[d] > smax)
    over, pairs, sq, sqs = score(clusters, plan.day_of, days, cap, smax, base_kg, base_st)
    o = plan.objective
    assert (o.township_days, o.load_sum_squares, o.stops_sum_squares) == (pairs, sq, sqs)
    assert o.overload_kg == sum(max(0, k - cap) for k in load)
    assert o.overload_stops == sum(max(0, s - smax) for s in stops)
    assert o.overload_kg * smax + o.overload_stops * cap == over


@settings(max_examples=60, deadline=None)
@given(instances())
def test_every_cluster_once_fixed_respected_and_locally_optimal(
    inst: tuple[list[Cluster], dict[str, object]],
) -> None:
    clusters, opts = inst
    plan = plan_cycle(clusters, **opts)  # type: ignore[arg-type]
    check_consistent(clusters, plan, opts)
    args = (
        plan.days,
        plan.capacity_kg_per_day,
        plan.max_stops_per_day,
        list(plan.base_load_kg),
        list(plan.base_stops),
    )
    now = score(clusters, plan.day_of, *args)
    free = [x for x in clusters if x.fixed_day is None]
    for n, x in enumerate(free):  # no move of one free cluster, no swap of two, improves the objective
        for d in range(plan.days):
            assert score(clusters, {**plan.day_of, x.id: d}, *args) >= now
        for y in free[n + 1 :]:
            swapped = {**plan.day_of, x.id: plan.day_of[y.id], y.id: plan.day_of[x.id]}
            assert score(clusters, swapped, *args) >= now


@settings(max_examples=40, deadline=None)
@given(instances(), st.data())
def test_deterministic_and_independent_of_input_order(
    inst: tuple[list[Cluster], dict[str, object]], data: st.DataObject
) -> None:
    clusters, opts = inst
    plan = plan_cycle(clusters, **opts)  # type: ignore[arg-type]
    assert plan == plan_cycle(data.draw(st.permutations(clusters)), **opts)  # type: ignore[arg-type]


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 15), st.integers(4, 40), st.data())
def test_no_overload_when_kg_fits_with_a_cluster_to_spare(
    days: int, quarter: int, data: st.DataObject
) -> None:
    """Guarantee: stop limit never binds, base + pinned fit, and K/D + max k_i <= C."""
    cap = 4 * quarter
    n = data.draw(st.integers(0, 3 * days))  # n clusters of <= C/4: K <= 3/4 D C
    clusters = [
        Cluster(f"V{k:02d}", data.draw(st.sampled_from(TOWNS)), data.draw(st.integers(0, quarter)), 1)
        for k in range(n)
    ]
    total = sum(x.load_kg for x in clusters)
    kmax = max((x.load_kg for x in clusters), default=0)
    assert total + days * kmax <= days * cap
    plan = plan_cycle(clusters, days=days, capacity_kg_per_day=cap, max_stops_per_day=n + 1)
    assert plan.overloaded_days == ()


@settings(max_examples=40, deadline=None)
@given(instances(max_clusters=30))
def test_no_overload_under_the_two_dimensional_condition(
    inst: tuple[list[Cluster], dict[str, object]],
) -> None:
    """Guarantee: base + pinned fit each day and K/(DC) + N/(DS) + max(k/C + s/S) <= 1."""
    clusters, opts = inst
    days, cap, smax = (int(opts[k]) for k in ("days", "capacity_kg_per_day", "max_stops_per_day"))  # type: ignore[call-overload]
    # shrink the clusters so that the condition has a chance
    clusters = [Cluster(x.id, x.township, x.load_kg // 4, x.stops // 3, x.fixed_day) for x in clusters]
    base_kg = list(opts.get("daily_base_load_kg") or [0] * days)  # type: ignore[call-overload]
    base_st = list(opts.get("daily_base_stops") or [0] * days)  # type: ignore[call-overload]
    fixed_kg, fixed_st = list(base_kg), list(base_st)
    for x in clusters:
        if x.fixed_day is not None:
            fixed_kg[x.fixed_day] += x.load_kg
            fixed_st[x.fixed_day] += x.stops
    assume(all(k <= cap for k in fixed_kg) and all(s <= smax for s in fixed_st))
    big_k = sum(base_kg) + sum(x.load_kg for x in clusters)
    big_n = sum(base_st) + sum(x.stops for x in clusters)
    biggest = max((x.load_kg * smax + x.stops * cap for x in clusters if x.fixed_day is None), default=0)
    assume(big_k * smax + big_n * cap + days * biggest <= days * cap * smax)
    opts = {**opts}
    plan = plan_cycle(clusters, **opts)  # type: ignore[arg-type]
    assert plan.overloaded_days == ()


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 15), st.integers(15, 200), st.data())
def test_township_that_fits_is_visited_on_one_day(days: int, fifteenth: int, data: st.DataObject) -> None:
    """Guarantee: no pins, stop limit never binds and K/D + max T_t <= C (townships <= C/3, <= 2D of them)."""
    cap = 15 * fifteenth
    n_towns = data.draw(st.integers(1, min(2 * days, len(TOWNS))))
    clusters = []
    for t in TOWNS[:n_towns]:
        for k in range(data.draw(st.integers(1, 5))):
            clusters.append(
                Cluster(f"{t}{k}", t, data.draw(st.integers(0, fifteenth)), data.draw(st.integers(0, 3)))
            )
    plan = plan_cycle(clusters, days=days, capacity_kg_per_day=cap, max_stops_per_day=1000)
    assert plan.visits_per_township == dict.fromkeys(TOWNS[:n_towns], 1)
    assert plan.objective.township_days == n_towns and plan.overloaded_days == ()
