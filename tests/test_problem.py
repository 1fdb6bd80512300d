"""The pure routing model: construction, validation errors naming field and user id, eligibility."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from optimizer.eligibility import depots_accepting, eligible_vehicles, vehicles_of_depots
from optimizer.errors import ProblemError
from optimizer.problem import DAY, Depot, Location, Matrix, RoutingProblem, Stop, TimeWindow, Vehicle
from tests.optimizer_fixtures import line_matrix, line_problem


def test_lists_are_frozen_and_matrices_read_only():
    p = line_problem()
    assert isinstance(p.stops, tuple) and isinstance(p.vehicles[0].capacity, tuple)
    m = p.matrices["truck"].distance
    assert m.dtype == np.int64 and not m.flags.writeable
    with pytest.raises(ValueError):
        m[0, 1] = 5
    assert p.vehicles[0].end == "CENTRE" and p.vehicles[0].shift == TimeWindow(0, DAY)


def test_lookups_and_service_time():
    p = line_problem(stops=[Stop("C1", 1, (100, 12), service_fixed=300, service_per_case=20)])
    s = p.stop("C1")
    assert p.service_time(s) == 300 + 12 * 20
    assert p.cases(s) == 12 and p.cases_dim == 1
    assert p.windows(s, p.vehicle("TRUCK1")) == (TimeWindow(0, DAY),)
    assert p.travel(p.vehicle("TRUCK1"), 0, 3) == (3000, 300)
    assert p.depot("CENTRE").location == 0
    with pytest.raises(KeyError):
        p.stop("nope")


def test_windows_and_shift_accept_pairs():
    s = Stop("C1", 1, (1, 1), time_windows=[(100, 200)])
    v = Vehicle("T", "CENTRE", capacity=(1, 1), shift=(10, 20))
    assert s.time_windows == (TimeWindow(100, 200),) and v.shift == TimeWindow(10, 20)


def err(**kw):
    with pytest.raises(ProblemError) as info:
        line_problem(**kw)
    return info.value


def test_duplicate_stop_id_is_named():
    e = err(stops=[Stop("C0012", 1, (1, 1)), Stop("C0012", 2, (1, 1))])
    assert e.field == "stops.id" and e.id == "C0012" and "C0012" in str(e)


def test_vehicle_with_unknown_depot():
    e = err(vehicles=[Vehicle("苏C12345", "NOWHERE", capacity=(1, 1))])
    assert (e.field, e.id) == ("vehicles.start_depot", "苏C12345") and "NOWHERE" in str(e)


@pytest.mark.parametrize(
    "vehicle,field",
    [
        (Vehicle("V1", "CENTRE", capacity=(1,)), "vehicles.capacity"),
        (Vehicle("V1", "CENTRE", capacity=(1, -1)), "vehicles.capacity"),
        (Vehicle("V1", "CENTRE", capacity=(1, 1), shift=TimeWindow(10, 5)), "vehicles.shift"),
        (Vehicle("V1", "CENTRE", capacity=(1, 1), max_duration=-5), "vehicles.max_duration"),
        (Vehicle("V1", "CENTRE", capacity=(1, 1), max_distance=-5), "vehicles.max_distance"),
        (Vehicle("V1", "CENTRE", capacity=(1, 1), cost_per_km=-1), "vehicles.cost_per_km"),
        (Vehicle("V1", "CENTRE", capacity=(1, 1), fixed_cost=1.5), "vehicles.fixed_cost"),
        (Vehicle("V1", "CENTRE", capacity=(1, 1), profile="ev"), "vehicles.profile"),
        (Vehicle("V1", "CENTRE", capacity=(True, 1)), "vehicles.capacity"),
    ],
)
def test_vehicle_fields(vehicle, field):
    e = err(vehicles=[vehicle])
    assert (e.field, e.id) == (field, "V1")


@pytest.mark.parametrize(
    "stop,field",
    [
        (Stop("C7", 99, (1, 1)), "stops.location"),
        (Stop("C7", 1, (1, 1, 1)), "stops.demand"),
        (Stop("C7", 1, (-1, 1)), "stops.demand"),
        (Stop("C7", 1, (1, 1), service_fixed=-1), "stops.service_fixed"),
        (Stop("C7", 1, (1, 1), time_windows=[TimeWindow(50, 10)]), "stops.time_windows[0]"),
        (Stop("C7", 1, (1, 1), time_windows=[TimeWindow(0, 100), TimeWindow(50, 200)]),
         "stops.time_windows[1]"),
        (Stop("C7", 1, (1, 1), penalty=-3), "stops.penalty"),
        (Stop("C7", 1, (1, 1), priority=101), "stops.priority"),
        (Stop("C7", 1, (1, 1), allowed_vehicles={"GHOST"}), "stops.allowed_vehicles"),
        (Stop("C7", 1, (1, 1), required="yes"), "stops.required"),  # type: ignore[arg-type]
    ],
)
def test_stop_fields(stop, field):
    e = err(stops=[stop])
    assert (e.field, e.id) == (field, "C7")
    assert "index" not in str(e)


def test_matrix_errors_name_the_profile():
    e = err(matrices={"truck": line_matrix(4)})
    assert (e.field, e.id) == ("matrices.distance", "truck") and "6 locations" in str(e)
    with pytest.raises(ProblemError) as info:
        line_problem(matrices={"van": {"distance": [[0, 1.5], [1, 0]], "duration": [[0, 1], [1, 0]]}})
    assert info.value.id == "van"
    with pytest.raises(ProblemError) as info:
        line_problem(matrices={"truck": {"distance": -np.ones((6, 6)), "duration": np.ones((6, 6))}})
    assert info.value.field == "matrices.distance"


def test_problem_wide_fields():
    assert err(depots=[Depot("CENTRE", 0), Depot("CENTRE", 1)]).field == "depots.id"
    assert err(dimensions=("kg",)).field == "vehicles.capacity"
    with pytest.raises(ProblemError) as info:
        RoutingProblem(locations=[Location("A")], depots=[Depot("D", 0)], vehicles=[], stops=[],
                       matrices={})
    assert info.value.field == "matrices"
    with pytest.raises(ProblemError) as info:
        RoutingProblem(locations=[Location("A"), Location("A")], depots=[Depot("D", 0)], vehicles=[],
                       stops=[], matrices={"truck": Matrix(np.zeros((2, 2)), np.zeros((2, 2)))})
    assert (info.value.field, info.value.id) == ("locations.id", "A")
    with pytest.raises(ProblemError) as info:
        RoutingProblem(locations=[Location("A", lat=95.0)], depots=[Depot("D", 0)], vehicles=[],
                       stops=[], matrices={"truck": Matrix(np.zeros((1, 1)), np.zeros((1, 1)))})
    assert info.value.field == "locations.lat"


def test_replace_validates_again():
    p = line_problem()
    with pytest.raises(ProblemError):
        replace(p, stops=(*p.stops, Stop("C1", 1, (1, 1))))


def test_errors_join_the_product_error_family():
    from models.errors import DispatchError, InputError

    e = err(stops=[Stop("C7", 99, (1, 1))])
    assert isinstance(e, InputError) and isinstance(e, DispatchError)
    assert str(e).startswith("stops.location of C7:")


# ------------------------------------------------------------------ eligibility
def _fleet():
    depots = [Depot("CENTRE", 0, min_order_cases=5), Depot("S01", 3, min_order_cases=2)]
    vehicles = [
        Vehicle("TRUCK1", "CENTRE", capacity=(5000, 400)),
        Vehicle("EV1", "CENTRE", capacity=(500, 50), areas={"town"}),
        Vehicle("VAN9", "S01", capacity=(800, 60)),
    ]
    return depots, vehicles


def test_eligible_depots_to_allowed_vehicles():
    depots, vehicles = _fleet()
    p = line_problem(vehicles=vehicles, depots=depots)
    assert vehicles_of_depots(p, ["S01"]) == {"VAN9"}
    assert vehicles_of_depots(p, ["CENTRE", "S01"]) == {"TRUCK1", "EV1", "VAN9"}
    with pytest.raises(KeyError):
        vehicles_of_depots(p, ["NOPE"])
    assert depots_accepting(p, 3) == {"S01"} and depots_accepting(p, 5) == {"CENTRE", "S01"}


def test_minimum_order_area_and_allowed_rules():
    depots, vehicles = _fleet()
    stops = [
        Stop("BIG", 1, (100, 10), area="town"),
        Stop("SMALL", 2, (30, 3), area="town"),
        Stop("RURAL", 4, (100, 10), area="XZ"),
        Stop("PINNED", 5, (100, 10), allowed_vehicles={"EV1"}, area="XZ"),
    ]
    p = line_problem(vehicles=vehicles, depots=depots, stops=stops)
    ids = {s.id: [v.id for v in eligible_vehicles(p, s)] for s in p.stops}
    assert ids == {"BIG": ["TRUCK1", "EV1", "VAN9"], "SMALL": ["VAN9"], "RURAL": ["TRUCK1", "VAN9"],
                   "PINNED": []}
