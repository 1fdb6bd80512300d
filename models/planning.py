"""Mappings of the dispatch day: consolidated orders, plans, routes, stops, stock movements.

A *dispatch order* is one customer's consolidated order for one delivery day:
the lines of its source orders summed per product (the source orders keep a
link to it). A *plan* is a numbered version of a day's routes (draft →
confirmed → superseded); its stops point at dispatch orders (deliveries) or at
a store (replenishment). Stock changes are append-only movements; the balance
in ``depot_stock`` is updated in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.orm import Base, Customer, Depot, Product, Staff, Vehicle, _enum, _utcnow
from models.types import UtcDateTime


class DispatchStatus(StrEnum):
    CONFIRMED = "confirmed"
    HELD = "held"
    PLANNED = "planned"
    UNASSIGNED = "unassigned"
    MERGED = "merged"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


class PlanStatus(StrEnum):
    DRAFT = "draft"
    CONFIRMED = "confirmed"
    SUPERSEDED = "superseded"


class StopKind(StrEnum):
    DELIVERY = "delivery"
    REPLENISHMENT = "replenishment"


class Consolidation(Base):
    """One run of the cut-off consolidation for a delivery day."""

    __tablename__ = "consolidations"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_date: Mapped[dt.date] = mapped_column(Date)
    cut_off_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_utcnow)
    actor: Mapped[str] = mapped_column(String(64), default="system")
    summary: Mapped[dict[str, Any] | None] = mapped_column()


class DispatchOrder(Base):
    """A customer's consolidated order for one delivery day."""

    __tablename__ = "dispatch_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    delivery_date: Mapped[dt.date] = mapped_column(Date)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    consolidation_id: Mapped[int] = mapped_column(ForeignKey("consolidations.id"))
    status: Mapped[DispatchStatus] = mapped_column(_enum(DispatchStatus), default=DispatchStatus.CONFIRMED)
    hold_reason: Mapped[str | None] = mapped_column(Text)
    held_since: Mapped[dt.date | None] = mapped_column(Date)
    release_note: Mapped[str | None] = mapped_column(Text)
    pinned_depot_id: Mapped[int | None] = mapped_column(ForeignKey("depots.id"))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("dispatch_orders.id"))
    first_due_date: Mapped[dt.date | None] = mapped_column(Date)
    backorder_into_id: Mapped[int | None] = mapped_column(ForeignKey("dispatch_orders.id"))
    total_cases: Mapped[int] = mapped_column(Integer, default=0)
    total_kg: Mapped[int] = mapped_column(Integer, default=0)
    value_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    rationed: Mapped[bool] = mapped_column(Boolean, default=False)
    flags: Mapped[list[dict[str, Any]] | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_utcnow)

    customer: Mapped[Customer] = relationship()
    pinned_depot: Mapped[Depot | None] = relationship()

    @property
    def due_since(self) -> dt.date:
        """The first delivery day any of its content was due (carry-overs and merges keep the oldest)."""
        return min(self.first_due_date or self.delivery_date, self.delivery_date)
    lines: Mapped[list[DispatchOrderLine]] = relationship(
        back_populates="dispatch_order", cascade="all, delete-orphan", order_by="DispatchOrderLine.id"
    )

    __table_args__ = (
        UniqueConstraint("customer_id", "delivery_date"),
        CheckConstraint("status <> 'held' OR hold_reason IS NOT NULL", name="held_reason"),
        CheckConstraint("total_cases >= 0 AND total_kg >= 0 AND value_fen >= 0", name="totals"),
        Index("ix_dispatch_orders_day_status", "delivery_date", "status"),
    )


class DispatchOrderLine(Base):
    __tablename__ = "dispatch_order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    dispatch_order_id: Mapped[int] = mapped_column(ForeignKey("dispatch_orders.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    ordered_cases: Mapped[int] = mapped_column(Integer)
    cases: Mapped[int] = mapped_column(Integer)
    price_fen: Mapped[int] = mapped_column(BigInteger)

    dispatch_order: Mapped[DispatchOrder] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()

    __table_args__ = (
        UniqueConstraint("dispatch_order_id", "product_id"),
        CheckConstraint("ordered_cases > 0", name="ordered"),
        CheckConstraint("cases >= 0 AND cases <= ordered_cases", name="cases"),
        CheckConstraint("price_fen >= 0", name="price"),
    )


class Plan(Base):
    """A numbered version of a day's routes for the centre and every store."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_date: Mapped[dt.date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[PlanStatus] = mapped_column(_enum(PlanStatus), default=PlanStatus.DRAFT)
    fleet: Mapped[str] = mapped_column(String(32), default="today")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_utcnow)
    created_by: Mapped[str] = mapped_column(String(64), default="system")
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"))
    feasible: Mapped[bool] = mapped_column(Boolean, default=False)
    violations: Mapped[list[dict[str, Any]] | None] = mapped_column()
    approximate: Mapped[bool] = mapped_column(Boolean, default=False)
    network_version: Mapped[str | None] = mapped_column(String(64))
    distance_m: Mapped[int] = mapped_column(BigInteger, default=0)
    duration_s: Mapped[int] = mapped_column(BigInteger, default=0)
    cost_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    delivered_kg: Mapped[int] = mapped_column(BigInteger, default=0)
    solver: Mapped[dict[str, Any] | None] = mapped_column()
    problem: Mapped[dict[str, Any] | None] = mapped_column()
    report: Mapped[dict[str, Any] | None] = mapped_column()
    override_reason: Mapped[str | None] = mapped_column(Text)
    override_by: Mapped[str | None] = mapped_column(String(64))

    routes: Mapped[list[PlanRoute]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanRoute.number"
    )
    unassigned: Mapped[list[PlanUnassigned]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanUnassigned.id"
    )

    __table_args__ = (
        UniqueConstraint("delivery_date", "version"),
        CheckConstraint("version >= 1", name="version"),
        CheckConstraint("distance_m >= 0 AND duration_s >= 0 AND cost_fen >= 0", name="totals"),
    )


class PlanRoute(Base):
    __tablename__ = "plan_routes"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicles.id"))
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"))
    driver_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    loader_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    start_s: Mapped[int] = mapped_column(Integer)
    end_s: Mapped[int] = mapped_column(Integer)
    distance_m: Mapped[int] = mapped_column(Integer)
    duration_s: Mapped[int] = mapped_column(Integer)
    load_kg: Mapped[int] = mapped_column(Integer)
    load_cases: Mapped[int] = mapped_column(Integer)
    cost_fen: Mapped[int] = mapped_column(BigInteger)
    costs: Mapped[dict[str, Any] | None] = mapped_column()

    plan: Mapped[Plan] = relationship(back_populates="routes")
    vehicle: Mapped[Vehicle] = relationship()
    depot: Mapped[Depot] = relationship()
    driver: Mapped[Staff | None] = relationship(foreign_keys=[driver_id])
    loader: Mapped[Staff | None] = relationship(foreign_keys=[loader_id])
    stops: Mapped[list[PlanStop]] = relationship(
        back_populates="route", cascade="all, delete-orphan", order_by="PlanStop.seq"
    )

    __table_args__ = (
        UniqueConstraint("plan_id", "number"),
        CheckConstraint(
            "distance_m >= 0 AND duration_s >= 0 AND load_kg >= 0 AND load_cases >= 0 AND cost_fen >= 0",
            name="totals",
        ),
    )


class PlanStop(Base):
    """A stop of a planned route: a delivery (dispatch order) or a store replenishment."""

    __tablename__ = "plan_stops"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    route_id: Mapped[int] = mapped_column(ForeignKey("plan_routes.id", ondelete="CASCADE"))
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[StopKind] = mapped_column(_enum(StopKind))
    dispatch_order_id: Mapped[int | None] = mapped_column(ForeignKey("dispatch_orders.id"))
    target_depot_id: Mapped[int | None] = mapped_column(ForeignKey("depots.id"))
    arrival_s: Mapped[int] = mapped_column(Integer)
    wait_s: Mapped[int] = mapped_column(Integer)
    service_start_s: Mapped[int] = mapped_column(Integer)
    departure_s: Mapped[int] = mapped_column(Integer)
    load_kg_after: Mapped[int] = mapped_column(Integer)
    load_cases_after: Mapped[int] = mapped_column(Integer)
    kg: Mapped[int] = mapped_column(Integer)
    cases: Mapped[int] = mapped_column(Integer)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    served_cost_fen: Mapped[int | None] = mapped_column(BigInteger)
    alternative: Mapped[dict[str, Any] | None] = mapped_column()
    lines: Mapped[list[dict[str, Any]] | None] = mapped_column()

    route: Mapped[PlanRoute] = relationship(back_populates="stops")
    dispatch_order: Mapped[DispatchOrder | None] = relationship()
    target_depot: Mapped[Depot | None] = relationship()

    __table_args__ = (
        UniqueConstraint("route_id", "seq"),
        CheckConstraint(
            "(kind = 'delivery' AND dispatch_order_id IS NOT NULL)"
            " OR (kind = 'replenishment' AND target_depot_id IS NOT NULL)",
            name="target",
        ),
        CheckConstraint("wait_s >= 0 AND kg >= 0 AND cases >= 0", name="amounts"),
        Index("ix_plan_stops_plan", "plan_id"),
    )


class PlanUnassigned(Base):
    """A dispatch order the plan leaves out, with the reason a dispatcher can read."""

    __tablename__ = "plan_unassigned"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    dispatch_order_id: Mapped[int] = mapped_column(ForeignKey("dispatch_orders.id"))
    reason: Mapped[str] = mapped_column(Text)
    code: Mapped[str] = mapped_column(String(64), default="")

    plan: Mapped[Plan] = relationship(back_populates="unassigned")
    dispatch_order: Mapped[DispatchOrder] = relationship()

    __table_args__ = (UniqueConstraint("plan_id", "dispatch_order_id"),)


class DeliveryNote(Base):
    """A printed delivery note: one per planned stop, numbered sequentially per delivery day.

    Printing again reuses the numbers already given; a new plan version's new
    stops get the next numbers of the day. ``receipt_number`` is the cash
    receipt assigned from the driver's receipt book, for cash-on-delivery stops:
    assigned once, never changed. ``printed_at`` / ``print_count`` record the
    first print and how often it was printed (a second print says "reprint").
    """

    __tablename__ = "delivery_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    delivery_date: Mapped[dt.date] = mapped_column(Date)
    seq: Mapped[int] = mapped_column(Integer)
    stop_id: Mapped[int] = mapped_column(ForeignKey("plan_stops.id"), unique=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    receipt_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_utcnow)
    printed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    print_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    stop: Mapped[PlanStop] = relationship()

    __table_args__ = (UniqueConstraint("delivery_date", "seq"), CheckConstraint("seq >= 1", name="seq"))


class StockMovement(Base):
    """An append-only change of a depot's stock: reservation, delivery, transfer, receipt, damage.

    ``damaged``: cases damaged in transit leave saleable stock (on hand −n) into
    the depot's damaged stock (damaged +n); nothing moves them back but the
    exact reversal of a corrected outcome.
    """

    __tablename__ = "stock_movements"

    id: Mapped[int] = mapped_column(primary_key=True)
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    on_hand_delta: Mapped[int] = mapped_column(Integer, default=0)
    reserved_delta: Mapped[int] = mapped_column(Integer, default=0)
    damaged_delta: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reason: Mapped[str] = mapped_column(String(32))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"))
    stop_id: Mapped[int | None] = mapped_column(ForeignKey("plan_stops.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_utcnow)
    actor: Mapped[str] = mapped_column(String(64), default="system")

    __table_args__ = (
        CheckConstraint(
            "reason IN ('reserve', 'release', 'deliver', 'transfer_out', 'transfer_in', 'receipt', 'adjust', "
            "'damaged')",
            name="reason",
        ),
    )


__all__ = [
    "Consolidation",
    "DeliveryNote",
    "DispatchOrder",
    "DispatchOrderLine",
    "DispatchStatus",
    "Plan",
    "PlanRoute",
    "PlanStatus",
    "PlanStop",
    "PlanUnassigned",
    "StockMovement",
    "StopKind",
]
