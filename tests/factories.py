"""Small valid registers for tests that need a few rows, not the whole county."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from models.codes import make_customer_code
from models.orm import (
    County,
    Customer,
    Depot,
    DepotStock,
    Order,
    OrderLine,
    Product,
    Staff,
    Township,
    Vehicle,
)

CST = dt.timezone(dt.timedelta(hours=8))


def make_register(session: Session) -> dict[str, Any]:
    """A county town, one township with a store, two products, two vehicles, two customers."""
    county = County(code="439901", name_zh="青山县", name_en="Qingshan County", today=dt.date(2026, 11, 30))
    town = Township(
        code="T00",
        number=0,
        name_zh="城关镇",
        name_en="Chengguan",
        lat=28.46,
        lon=112.32,
        is_county_town=True,
    )
    rural = Township(code="T01", number=1, name_zh="青石镇", name_en="Qingshi", lat=28.60, lon=112.45)
    session.add_all([county, town, rural])
    session.flush()
    centre = Depot(
        code="DC",
        kind="centre",
        name_zh="配送中心",
        name_en="Centre",
        township_id=town.id,
        lat=28.45,
        lon=112.30,
        opens_s=6 * 3600,
        closes_s=19 * 3600,
        min_order_cases=5,
    )
    store = Depot(
        code="S01",
        kind="store",
        name_zh="青石镇门店",
        name_en="Qingshi store",
        township_id=rural.id,
        lat=28.601,
        lon=112.451,
        opens_s=7 * 3600,
        closes_s=19 * 3600,
        min_order_cases=3,
        service_radius_m=1000,
        safety_stock_kg=10_000,
    )
    salt = Product(
        code="S001",
        name_zh="加碘精制盐 500g",
        name_en="Iodised salt",
        category="salt",
        bags_per_case=40,
        case_weight_kg=20,
        price_fen=8000,
    )
    sauce = Product(
        code="N001",
        name_zh="酱油",
        name_en="Soy sauce",
        category="non_salt",
        bags_per_case=12,
        case_weight_kg=7,
        price_fen=8400,
    )
    session.add_all([centre, store, salt, sauce])
    session.flush()
    session.add_all(
        [
            DepotStock(depot_id=centre.id, product_id=salt.id, on_hand_cases=500, safety_cases=100),
            DepotStock(depot_id=store.id, product_id=salt.id, on_hand_cases=60, safety_cases=20),
        ]
    )
    driver = Staff(
        code="E001",
        name="王师傅",
        role="driver",
        depot_id=centre.id,
        monthly_wage_fen=230_000,
        phone="13800000001",
    )
    manager = Staff(
        code="E002", name="李经理", role="customer_manager", depot_id=centre.id, monthly_wage_fen=300_000
    )
    session.add_all([driver, manager])
    session.flush()
    truck = Vehicle(
        plate="湘X·A5001",
        kind="box_truck_5t",
        home_depot_id=centre.id,
        capacity_kg=5000,
        capacity_cases=250,
        speed_profile="truck",
        shift_start_s=7 * 3600,
        shift_end_s=17 * 3600,
        max_route_s=10 * 3600,
        cost_per_km_fen=180,
        needs_loader=True,
        driver_id=driver.id,
    )
    van = Vehicle(
        plate="湘X·B2002",
        kind="minivan",
        home_depot_id=centre.id,
        capacity_kg=1000,
        capacity_cases=60,
        allowed_area="county_town",
        speed_profile="van",
        shift_start_s=7 * 3600,
        shift_end_s=17 * 3600,
        max_route_s=9 * 3600,
    )
    session.add_all([truck, van])
    c1 = Customer(
        code=make_customer_code("439901", 0, 1),
        name="人民路王家便利店",
        type="grocery",
        township_id=town.id,
        lat=28.461,
        lon=112.321,
        address="人民路1号",
        contact_name="王小红",
        phone="13912345678",
        payment_terms="cod",
        credit_limit_fen=200_000,
        manager_id=manager.id,
    )
    c2 = Customer(
        code=make_customer_code("439901", 1, 1),
        name="步步高超市(青石店)",
        type="market_town_supermarket",
        township_id=rural.id,
        lat=28.602,
        lon=112.452,
        service_24h=True,
        payment_terms="monthly",
        credit_limit_fen=3_000_000,
        recv_open_s=7 * 3600,
        recv_close_s=12 * 3600,
        recv2_open_s=14 * 3600,
        recv2_close_s=17 * 3600,
    )
    session.add_all([c1, c2])
    session.flush()
    order = Order(
        number="DO202611300001",
        customer_id=c1.id,
        channel="visit",
        received_at=dt.datetime(2026, 11, 30, 10, 0, tzinfo=CST),
        delivery_date=dt.date(2026, 12, 1),
        external_ref="VIS-1",
    )
    order.lines.append(OrderLine(product_id=salt.id, cases=6, price_fen=8000))
    session.add(order)
    session.flush()
    return {
        "county": county,
        "town": town,
        "rural": rural,
        "centre": centre,
        "store": store,
        "salt": salt,
        "sauce": sauce,
        "driver": driver,
        "manager": manager,
        "truck": truck,
        "van": van,
        "c1": c1,
        "c2": c2,
        "order": order,
    }


ORDER_CSV_HEADER = [
    "customer_code",
    "channel",
    "received_at",
    "delivery_date",
    "product_code",
    "cases",
    "external_ref",
]


def write_orders_csv(
    path: Any, rows: list[tuple[str, str, str, str, int]], *, ref: str = "T", channel: str = "visit"
) -> Any:
    """An order import file: rows of (customer, received 'YYYY-MM-DD HH:MM' local, day, product, cases)."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(ORDER_CSV_HEADER)
        for i, (cust, at, day, product, cases) in enumerate(rows):
            w.writerow([cust, channel, at, day, product, cases, f"{ref}-{i}"])
    return path
