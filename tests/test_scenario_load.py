"""Loading the bundled county: one transaction, counts as in the file, no double load."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models.db import session_scope
from models.errors import Conflict, InputError
from models.orm import Customer, Depot, DepotStock, Order, Township
from models.settings import Settings
from scenarios.loader import DATA_DIR, scenario_dir
from scenarios.model import Scenario
from services.register import scenario_load, summary


def test_bundled_county_loads_with_every_record(settings: Settings) -> None:
    result = scenario_load(settings)
    sc = Scenario.read(DATA_DIR / "qingshan")
    assert result["loaded"]["customers"] == len(sc.customers)
    assert result["loaded"]["orders"] == len(sc.orders)
    with session_scope(settings) as s:
        s_ = summary(s)
        assert s_["townships"] == 11 and s_["customers"] == len(sc.customers)
        assert s_["depots"] == {"centre": 1, "store": sum(d.kind == "store" for d in sc.depots)}
        assert s_["centre_fleet"] == {"today": 2, "planned": 3}
        assert s_["open_orders"] == sum(o.status == "received" for o in sc.orders) > 0
        stock_rows = s.scalar(select(func.count()).select_from(DepotStock))
        assert stock_rows == sum(len(d.stock) for d in sc.depots)
        first = sc.customers[0]
        c = s.scalars(select(Customer).where(Customer.code == first.code)).one()
        assert (c.name, c.phone, c.lat) == (first.name, first.phone, first.lat)


def test_loading_twice_is_refused_and_changes_nothing(settings: Settings) -> None:
    scenario_load(settings)
    with session_scope(settings) as s:
        before = s.scalar(select(func.count()).select_from(Order))
    with pytest.raises(Conflict, match="already holds"):
        scenario_load(settings)
    with session_scope(settings) as s:
        assert s.scalar(select(func.count()).select_from(Order)) == before
        assert s.scalar(select(func.count()).select_from(Township)) == 11


def test_a_failing_load_leaves_nothing_behind(settings: Settings, tmp_path) -> None:
    sc = Scenario.read(DATA_DIR / "qingshan")
    bad = sc.customers[5]
    import dataclasses

    sc.customers[5] = dataclasses.replace(bad, lat=80.0)  # outside China: the CHECK refuses it
    folder = tmp_path / "broken"
    sc.write(folder)
    with pytest.raises(Exception, match="in_china"):
        scenario_load(settings, str(folder))
    with session_scope(settings) as s:
        assert s.scalar(select(func.count()).select_from(Depot)) == 0


def test_unknown_scenario_lists_the_bundled_ones() -> None:
    with pytest.raises(InputError, match="qingshan"):
        scenario_dir("atlantis")
