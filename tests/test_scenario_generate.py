"""The generator: deterministic for a seed, and the county looks like the brief's."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter

import pytest

from scenarios.generate import GenParams, _km, generate
from scenarios.loader import DATA_DIR
from scenarios.model import Scenario
from scenarios.orders_gen import EPOCH


@pytest.fixture(scope="module")
def county() -> Scenario:
    return generate()


def test_same_seed_same_county_and_the_bundled_file_is_its_output(county: Scenario) -> None:
    assert generate().to_json() == county.to_json()
    assert generate(seed=8).to_json() != county.to_json()
    bundled = (DATA_DIR / "qingshan" / "scenario.json").read_text(encoding="utf-8")
    assert bundled == county.to_json(), "regenerate scenarios/data/qingshan with `python -m scenarios.build`"


def test_json_round_trip(county: Scenario) -> None:
    assert Scenario.from_json(county.to_json()).to_json() == county.to_json()


def test_townships_and_geography(county: Scenario) -> None:
    towns = county.townships
    assert len(towns) == 11 and sum(t.is_county_town for t in towns) == 1
    ct = next(t for t in towns if t.is_county_town)
    for t in towns:
        if t is not ct:
            assert 8.0 <= _km((t.lat, t.lon), (ct.lat, ct.lon)) <= 35.0
    lats = [t.lat for t in towns]
    lons = [t.lon for t in towns]
    span_ns = (max(lats) - min(lats)) * 111.32
    span_ew = (max(lons) - min(lons)) * 111.32 * math.cos(math.radians(ct.lat))
    assert 25 <= span_ns <= 62 and 25 <= span_ew <= 62


def test_customers_are_realistic(county: Scenario) -> None:
    cs = county.customers
    assert 700 <= len(cs) <= 900
    assert len({c.code for c in cs}) == len(cs)
    per_town = Counter(c.township for c in cs)
    assert set(per_town) == {t.code for t in county.townships}
    assert min(per_town.values()) >= 30
    types = Counter(c.type for c in cs)
    assert types["grocery"] > len(cs) / 2
    assert types["county_supermarket"] >= 5 and types["market_town_supermarket"] >= 10
    assert all(c.service_24h == (c.type in ("county_supermarket", "market_town_supermarket")) for c in cs)
    assert {c.payment_terms for c in cs} == {"cod", "monthly"}
    assert all(c.name and c.contact_name and len(c.phone) == 11 for c in cs)
    # Chinese names: every shop name holds Han characters
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in c.name) for c in cs)


def test_every_store_serves_its_township_spread_over_the_cycle(county: Scenario) -> None:
    """A store serves the customers of its own township (no maximum distance by default), every day:
    their cycle days are spread over the half month, not bunched on one day as the centre's are."""
    stores = [d for d in county.depots if d.kind == "store"]
    assert 6 <= len(stores) <= 10
    for d in stores:
        assert 2 <= d.min_order_cases <= 5 and d.service_radius_m is None
        mine = [c for c in county.customers if c.township == d.township and c.cycle_offset is not None]
        assert len(mine) >= 20, d.code
        days = Counter(c.cycle_offset for c in mine)
        assert len(days) >= 12 and max(days.values()) <= 2 * len(mine) / 15 + 1, (d.code, days)
    store_towns = {d.township for d in stores}
    centre_days = Counter(
        c.cycle_offset
        for c in county.customers
        if c.township not in store_towns and not c.service_24h and c.township != "T00"
    )
    assert len(centre_days) <= 4  # a township without a store: the truck visits it on a few days
    centre = [d for d in county.depots if d.kind == "centre"]
    assert len(centre) == 1 and centre[0].min_order_cases == 5


def test_fleet_and_staff_follow_the_brief(county: Scenario) -> None:
    centre_fleet = [v for v in county.vehicles if v.home_depot == "DC"]
    assert Counter(v.status for v in centre_fleet) == {"active": 2, "planned": 1}
    assert {v.kind for v in centre_fleet} == {"box_truck_5t", "minivan", "e_vehicle"}
    truck = next(v for v in centre_fleet if v.kind == "box_truck_5t")
    assert truck.capacity_kg == 5000 and truck.needs_loader
    ev = next(v for v in centre_fleet if v.kind == "e_vehicle")
    assert ev.allowed_area == "county_town"
    wages = {s.role: s.monthly_wage_fen for s in county.staff}
    assert wages["driver"] == 230_000 and wages["city_delivery"] == 200_000


def test_order_history_follows_cycles_channels_and_24h(county: Scenario) -> None:
    orders = county.orders
    received = [o.received_at.date() for o in orders]
    assert (max(received) - min(received)).days == 29
    assert {o.channel for o in orders} == {"visit", "store_report", "outbound_call", "inbound_call"}
    assert any(o.status == "received" for o in orders) and any(o.status == "settled" for o in orders)
    by_code = {c.code: c for c in county.customers}
    on_cycle = off_cycle = 0
    for o in orders:
        c = by_code[o.customer]
        if c.service_24h or c.cycle_offset is None:
            continue
        day = o.received_at.date()
        if (day - EPOCH).days % 15 == c.cycle_offset:
            on_cycle += 1
        else:
            off_cycle += 1
    assert on_cycle / (on_cycle + off_cycle) > 0.9
    per24 = Counter(o.customer for o in orders if by_code[o.customer].service_24h)
    assert min(per24.values()) >= 3  # 24-hour customers order every few days
    for o in orders:
        assert o.delivery_date >= o.received_at.date() + dt.timedelta(days=1)
        assert all(ln.cases > 0 for ln in o.lines)


def test_larger_counties_for_scale() -> None:
    big = generate(GenParams(seed=3, customers=5000, townships=40, history_days=3))
    assert len(big.townships) == 40 and len(big.customers) == 5000
    assert len({t.name_zh for t in big.townships}) == 40
    assert len({c.code for c in big.customers}) == 5000
