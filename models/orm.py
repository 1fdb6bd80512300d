"""SQLAlchemy 2.0 typed mappings of the register and the orders.

Invariants live in the database too: unique codes, foreign keys, CHECK
constraints on quantities, money and times. Money is integer fen, weight
integer kg, distance integer metres, time of day integer seconds since
midnight. Enumerations are strings with CHECK constraints (see ``enums``).

Later features add their own modules of mappings on the same ``Base``
(plans and routes, the ledger, accounts and jobs).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from models import clock
from models.enums import (
    AllowedArea,
    Channel,
    CustomerStatus,
    CustomerType,
    DepotKind,
    OrderStatus,
    PaymentTerms,
    ProductCategory,
    SpeedProfile,
    StaffRole,
    VehicleKind,
    VehicleStatus,
)
from models.types import UtcDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[dict[str, Any]]: JSON}


def _enum(cls: type) -> Enum:
    """A string column restricted to the enum's values by a named CHECK."""
    return Enum(
        cls,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        name=cls.__name__.lower(),
        validate_strings=True,
    )


def _utcnow() -> dt.datetime:
    return clock.now()


# China's bounding box, WGS-84: a coordinate outside it is a typo.
CHINA_LAT = (18.0, 54.0)
CHINA_LON = (73.0, 135.5)
_IN_CHINA = f"lat BETWEEN {CHINA_LAT[0]} AND {CHINA_LAT[1]} AND lon BETWEEN {CHINA_LON[0]} AND {CHINA_LON[1]}"
_DAY = 86400


class County(Base):
    """The county this installation serves (one row)."""

    __tablename__ = "county"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(6), unique=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    scenario: Mapped[str | None] = mapped_column(String(64))
    seed: Mapped[int | None] = mapped_column(Integer)
    today: Mapped[dt.date | None] = mapped_column(Date)
    loaded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_utcnow)

    __table_args__ = (CheckConstraint("length(code) = 6", name="code_len"),)


class Township(Base):
    __tablename__ = "townships"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    is_county_town: Mapped[bool] = mapped_column(Boolean, default=False)

    depots: Mapped[list[Depot]] = relationship(back_populates="township")

    __table_args__ = (
        CheckConstraint(_IN_CHINA, name="in_china"),
        CheckConstraint("number BETWEEN 0 AND 99", name="number_range"),
    )


class Depot(Base):
    """The distribution centre or a township store."""

    __tablename__ = "depots"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[DepotKind] = mapped_column(_enum(DepotKind))
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"))
    address: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    opens_s: Mapped[int] = mapped_column(Integer)
    closes_s: Mapped[int] = mapped_column(Integer)
    min_order_cases: Mapped[int] = mapped_column(Integer)
    service_radius_m: Mapped[int | None] = mapped_column(Integer)
    safety_stock_kg: Mapped[int] = mapped_column(Integer, default=0)

    township: Mapped[Township] = relationship(back_populates="depots")
    stock: Mapped[list[DepotStock]] = relationship(back_populates="depot", cascade="all, delete-orphan")
    vehicles: Mapped[list[Vehicle]] = relationship(back_populates="home_depot")

    __table_args__ = (
        CheckConstraint(_IN_CHINA, name="in_china"),
        CheckConstraint(f"opens_s >= 0 AND closes_s <= {_DAY} AND opens_s < closes_s", name="hours"),
        CheckConstraint(
            "(kind = 'centre' AND min_order_cases >= 1)"
            " OR (kind = 'store' AND min_order_cases BETWEEN 2 AND 5)",
            name="min_order",
        ),
        CheckConstraint("service_radius_m IS NULL OR service_radius_m >= 0", name="radius"),
        CheckConstraint("safety_stock_kg >= 0", name="safety_stock"),
    )


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    category: Mapped[ProductCategory] = mapped_column(_enum(ProductCategory))
    bags_per_case: Mapped[int] = mapped_column(Integer)
    case_weight_kg: Mapped[int] = mapped_column(Integer)
    price_fen: Mapped[int] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (
        CheckConstraint("bags_per_case > 0", name="bags_per_case"),
        CheckConstraint("case_weight_kg > 0", name="case_weight"),
        CheckConstraint("price_fen >= 0", name="price"),
    )


class DepotStock(Base):
    """Stock of one product at one depot, in cases."""

    __tablename__ = "depot_stock"

    id: Mapped[int] = mapped_column(primary_key=True)
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    on_hand_cases: Mapped[int] = mapped_column(Integer, default=0)
    reserved_cases: Mapped[int] = mapped_column(Integer, default=0)
    safety_cases: Mapped[int] = mapped_column(Integer, default=0)
    # cases damaged in transit, back at this depot: out of saleable stock for good (migration 0006)
    damaged_cases: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    depot: Mapped[Depot] = relationship(back_populates="stock")
    product: Mapped[Product] = relationship()

    __table_args__ = (
        UniqueConstraint("depot_id", "product_id"),
        CheckConstraint("on_hand_cases >= 0", name="on_hand"),
        CheckConstraint("reserved_cases >= 0", name="reserved"),
        CheckConstraint("safety_cases >= 0", name="safety"),
        CheckConstraint("damaged_cases >= 0", name="damaged"),
    )


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[StaffRole] = mapped_column(_enum(StaffRole))
    depot_id: Mapped[int | None] = mapped_column(ForeignKey("depots.id"))
    monthly_wage_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    phone: Mapped[str | None] = mapped_column(String(32))  # personal data
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    depot: Mapped[Depot | None] = relationship()

    __table_args__ = (CheckConstraint("monthly_wage_fen >= 0", name="wage"),)


class Customer(Base):
    """A retail customer; ``contact_name``, ``phone`` and ``address`` are personal data."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(13), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    type: Mapped[CustomerType] = mapped_column(_enum(CustomerType))
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"))
    village: Mapped[str] = mapped_column(String(64), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    address: Mapped[str] = mapped_column(String(200), default="")
    contact_name: Mapped[str] = mapped_column(String(64), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    cycle_days: Mapped[int] = mapped_column(Integer, default=15)
    cycle_offset: Mapped[int | None] = mapped_column(Integer)
    service_24h: Mapped[bool] = mapped_column(Boolean, default=False)
    payment_terms: Mapped[PaymentTerms] = mapped_column(_enum(PaymentTerms))
    credit_limit_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    recv_open_s: Mapped[int] = mapped_column(Integer, default=8 * 3600)
    recv_close_s: Mapped[int] = mapped_column(Integer, default=18 * 3600)
    recv2_open_s: Mapped[int | None] = mapped_column(Integer)
    recv2_close_s: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[CustomerStatus] = mapped_column(_enum(CustomerStatus), default=CustomerStatus.ACTIVE)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_utcnow)

    township: Mapped[Township] = relationship()
    manager: Mapped[Staff | None] = relationship()

    __table_args__ = (
        CheckConstraint("length(code) = 13", name="code_len"),
        CheckConstraint(_IN_CHINA, name="in_china"),
        CheckConstraint("cycle_days BETWEEN 1 AND 366", name="cycle"),
        CheckConstraint(
            "cycle_offset IS NULL OR (cycle_offset >= 0 AND cycle_offset < cycle_days)", name="offset"
        ),
        CheckConstraint("credit_limit_fen >= 0", name="credit"),
        CheckConstraint(
            f"recv_open_s >= 0 AND recv_close_s <= {_DAY} AND recv_open_s < recv_close_s", name="window1"
        ),
        CheckConstraint(
            "(recv2_open_s IS NULL AND recv2_close_s IS NULL) OR "
            f"(recv2_open_s >= recv_close_s AND recv2_close_s <= {_DAY} AND recv2_open_s < recv2_close_s)",
            name="window2",
        ),
        Index("ix_customers_township", "township_id"),
    )

    def windows(self) -> list[tuple[int, int]]:
        """Receiving windows as (open, close) seconds since midnight."""
        out = [(self.recv_open_s, self.recv_close_s)]
        if self.recv2_open_s is not None and self.recv2_close_s is not None:
            out.append((self.recv2_open_s, self.recv2_close_s))
        return out


class Vehicle(Base):
    __tablename__ = "vehicles"

    id: Mapped[int] = mapped_column(primary_key=True)
    plate: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[VehicleKind] = mapped_column(_enum(VehicleKind))
    status: Mapped[VehicleStatus] = mapped_column(_enum(VehicleStatus), default=VehicleStatus.ACTIVE)
    home_depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"))
    capacity_kg: Mapped[int] = mapped_column(Integer)
    capacity_cases: Mapped[int] = mapped_column(Integer)
    allowed_area: Mapped[AllowedArea] = mapped_column(_enum(AllowedArea), default=AllowedArea.ANY)
    speed_profile: Mapped[SpeedProfile] = mapped_column(_enum(SpeedProfile))
    shift_start_s: Mapped[int] = mapped_column(Integer)
    shift_end_s: Mapped[int] = mapped_column(Integer)
    max_route_s: Mapped[int] = mapped_column(Integer)
    max_route_m: Mapped[int | None] = mapped_column(Integer)
    cost_per_km_fen: Mapped[int] = mapped_column(Integer, default=0)
    fixed_cost_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    needs_loader: Mapped[bool] = mapped_column(Boolean, default=False)
    driver_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    loader_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))

    home_depot: Mapped[Depot] = relationship(back_populates="vehicles")
    driver: Mapped[Staff | None] = relationship(foreign_keys=[driver_id])
    loader: Mapped[Staff | None] = relationship(foreign_keys=[loader_id])
    townships: Mapped[list[Township]] = relationship(secondary="vehicle_townships")

    __table_args__ = (
        CheckConstraint("capacity_kg > 0", name="capacity_kg"),
        CheckConstraint("capacity_cases > 0", name="capacity_cases"),
        CheckConstraint(
            f"shift_start_s >= 0 AND shift_end_s <= {2 * _DAY} AND shift_start_s < shift_end_s", name="shift"
        ),
        CheckConstraint("max_route_s > 0", name="max_route_s"),
        CheckConstraint("max_route_m IS NULL OR max_route_m > 0", name="max_route_m"),
        CheckConstraint("cost_per_km_fen >= 0", name="cost_per_km"),
        CheckConstraint("fixed_cost_fen >= 0", name="fixed_cost"),
    )


class VehicleTownship(Base):
    """Townships a vehicle may serve when its area is ``townships``."""

    __tablename__ = "vehicle_townships"

    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicles.id", ondelete="CASCADE"), primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), primary_key=True)


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    delivery_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[OrderStatus] = mapped_column(_enum(OrderStatus), default=OrderStatus.RECEIVED)
    hold_reason: Mapped[str | None] = mapped_column(Text)
    external_ref: Mapped[str | None] = mapped_column(String(64))
    reported_by_depot_id: Mapped[int | None] = mapped_column(ForeignKey("depots.id"))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    dispatch_order_id: Mapped[int | None] = mapped_column(
        ForeignKey("dispatch_orders.id", use_alter=True, name="fk_orders_dispatch_order_id_dispatch_orders")
    )
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_utcnow)

    customer: Mapped[Customer] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )
    events: Mapped[list[OrderEvent]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderEvent.id"
    )

    __table_args__ = (
        UniqueConstraint("channel", "external_ref"),
        CheckConstraint("status <> 'held' OR hold_reason IS NOT NULL", name="held_reason"),
        Index("ix_orders_delivery_date_status", "delivery_date", "status"),
        Index("ix_orders_customer", "customer_id"),
    )

    @property
    def total_cases(self) -> int:
        return sum(line.cases for line in self.lines)


class OrderLine(Base):
    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    cases: Mapped[int] = mapped_column(Integer)
    price_fen: Mapped[int] = mapped_column(BigInteger)

    order: Mapped[Order] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()

    __table_args__ = (
        UniqueConstraint("order_id", "product_id"),
        CheckConstraint("cases > 0", name="cases"),
        CheckConstraint("price_fen >= 0", name="price"),
    )


class OrderEvent(Base):
    """The audit trail of an order: every status change and decision, append-only."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_utcnow)
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(64), default="system")
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    order: Mapped[Order] = relationship(back_populates="events")


class RoadNetwork(Base):
    """A stored road graph; exactly one is active at a time."""

    __tablename__ = "road_networks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))
    path: Mapped[str] = mapped_column(String(500))
    is_active: Mapped[bool] = mapped_column(Boolean, default=False)
    imported_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_utcnow)
    stats: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (
        UniqueConstraint("version"),
        CheckConstraint("source IN ('osm', 'generated')", name="source"),
        Index(
            "uq_road_networks_one_active",
            "is_active",
            unique=True,
            sqlite_where=text("is_active"),
            postgresql_where=text("is_active"),
        ),
    )


def _coerce_enum_attributes() -> None:
    """Make ``obj.status = "held"`` store ``OrderStatus.HELD``, as a load from the database would.

    Without this an object built in Python holds plain strings until it is reloaded,
    and code that reads ``.value`` or ``.zh`` would see a different type.
    """
    from sqlalchemy import event
    from sqlalchemy.orm import configure_mappers

    configure_mappers()
    for mapper in Base.registry.mappers:
        for prop in mapper.column_attrs:
            col_type = prop.columns[0].type
            enum_cls = getattr(col_type, "enum_class", None)
            if enum_cls is None:
                continue

            def coerce(target: Any, value: Any, old: Any, initiator: Any, _cls: Any = enum_cls) -> Any:
                if isinstance(value, str) and not isinstance(value, _cls):
                    try:
                        return _cls(value)
                    except ValueError:
                        return value  # the CHECK constraint will refuse it, naming the column
                return value

            event.listen(getattr(mapper.class_, prop.key), "set", coerce, retval=True)


def now_utc() -> dt.datetime:
    """Timezone-aware now, for columns set by the service layer."""
    return _utcnow()


__all__ = [
    "Base",
    "County",
    "Customer",
    "Depot",
    "DepotStock",
    "Order",
    "OrderEvent",
    "OrderLine",
    "Product",
    "RoadNetwork",
    "Staff",
    "Township",
    "Vehicle",
    "VehicleTownship",
]
