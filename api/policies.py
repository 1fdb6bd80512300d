"""Per-object access: who may see and change what. Every route asks here.

The rules (see ``docs/api.md`` for the table):

* roles that run the business (admin, dispatcher) see everything; manager and
  finance read most things; customer service owns the customer register and
  takes orders;
* a **driver** sees only the routes (and stops) assigned to them, the vehicles
  they drive and their own staff record; customers' contact data only for
  today's own stops;
* a **store manager** sees their store's orders (customers of the store's
  township, or orders the store reported), stock, vehicles, staff and routes;
  customers of their township without contact data;
* phase 2: a stop is seen with its route; a driver records outcomes of their
  own routes' stops from the delivery day until noon the next day; cash is
  recorded by whoever receives it (the centre's desk, a store manager for
  their staff); finance acts on flags and reads statements with the manager;
  reconciliation and reports are read by the roles that read the business.

An object the caller may not see is *not found* (404), never forbidden, so
that ids do not leak; a collection a role may not list at all is 403. A
caller who may see an object but not change it gets 403.

Each resource has ``may_see_X`` (one object), ``X_filter`` (the SQL
conditions for a list; ``None`` = the role may not list them) and, where
writes exist, ``may_write_X``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import Session

from models import clock
from models.accounts import User, UserRole
from models.orm import Customer, Depot, Order, Staff, Vehicle
from models.planning import DispatchOrder, Plan, PlanRoute, PlanStatus, PlanStop
from models.settings import Settings

R = UserRole
ALL_ROLES = frozenset(UserRole)
RUNS_BUSINESS = frozenset({R.ADMIN, R.DISPATCHER})
READS_BUSINESS = RUNS_BUSINESS | {R.MANAGER, R.FINANCE}

Filter = list[ColumnElement[bool]] | None


@dataclass(frozen=True)
class Principal:
    """The caller: the user and what per-object access keys on."""

    user_id: int
    username: str
    role: UserRole
    staff_id: int | None
    depot_id: int | None
    township_id: int | None

    @classmethod
    def of(cls, user: User) -> Principal:
        staff = user.staff
        depot: Depot | None = staff.depot if staff is not None else None
        return cls(
            user_id=user.id,
            username=user.username,
            role=user.role,
            staff_id=user.staff_id,
            depot_id=depot.id if depot else None,
            township_id=depot.township_id if depot else None,
        )

    @property
    def actor(self) -> str:
        """How the audit trail names this caller."""
        return f"user:{self.username}"

    def is_(self, *roles: UserRole) -> bool:
        return self.role in roles


def local_today(settings: Settings) -> dt.date:
    """Today in the installation's time zone (Asia/Shanghai by default), from the product clock."""
    return clock.today()


def _deny() -> list[ColumnElement[bool]]:
    return [false()]


# ----------------------------------------------------------- open register
def may_see_reference(p: Principal) -> bool:
    """Townships, depots and products: every role reads them."""
    return True


def may_write_reference(p: Principal) -> bool:
    return p.is_(R.ADMIN)


# -------------------------------------------------------------- customers
CUSTOMER_PERSONAL = frozenset({R.ADMIN, R.DISPATCHER, R.CUSTOMER_SERVICE})
CUSTOMER_LIST = CUSTOMER_PERSONAL | {R.FINANCE, R.MANAGER, R.STORE_MANAGER}


def customer_filter(p: Principal) -> Filter:
    if p.role not in CUSTOMER_LIST:
        return None
    if p.is_(R.STORE_MANAGER):
        return [Customer.township_id == p.township_id]
    return []


def todays_customer_ids(session: Session, p: Principal, today: dt.date) -> set[int]:
    """Customers on the caller's own stops of today's (current) plans: a driver's contact list."""
    if p.staff_id is None:
        return set()
    q = (
        select(DispatchOrder.customer_id)
        .join(PlanStop, PlanStop.dispatch_order_id == DispatchOrder.id)
        .join(PlanRoute, PlanStop.route_id == PlanRoute.id)
        .join(Plan, PlanRoute.plan_id == Plan.id)
        .where(
            Plan.delivery_date == today,
            Plan.status != PlanStatus.SUPERSEDED,
            or_(PlanRoute.driver_id == p.staff_id, PlanRoute.loader_id == p.staff_id),
        )
    )
    return set(session.scalars(q))


def may_see_customer(p: Principal, c: Customer, *, todays: set[int] | None = None) -> bool:
    if p.is_(R.DRIVER):
        return todays is not None and c.id in todays
    if p.is_(R.STORE_MANAGER):
        return c.township_id == p.township_id
    return p.role in CUSTOMER_LIST


def sees_customer_personal(p: Principal, c: Customer, *, todays: set[int] | None = None) -> bool:
    """Contact name, phone and address: the roles that need them; a driver for today's own stops."""
    if p.is_(R.DRIVER):
        return todays is not None and c.id in todays
    return p.role in CUSTOMER_PERSONAL


def may_write_customer(p: Principal) -> bool:
    return p.role in CUSTOMER_PERSONAL


# ----------------------------------------------------------------- orders
ORDER_READ_ALL = frozenset({R.ADMIN, R.DISPATCHER, R.CUSTOMER_SERVICE, R.FINANCE, R.MANAGER})
ORDER_CREATE = frozenset({R.ADMIN, R.DISPATCHER, R.CUSTOMER_SERVICE, R.STORE_MANAGER})
ORDER_IMPORT = frozenset({R.ADMIN, R.DISPATCHER, R.CUSTOMER_SERVICE})


def order_filter(p: Principal) -> Filter:
    """Conditions over ``Order`` joined with its ``Customer``."""
    if p.role in ORDER_READ_ALL:
        return []
    if p.is_(R.STORE_MANAGER):
        return [or_(Customer.township_id == p.township_id, Order.reported_by_depot_id == p.depot_id)]
    return None


def may_see_order(p: Principal, o: Order) -> bool:
    if p.is_(R.STORE_MANAGER):
        return o.customer.township_id == p.township_id or o.reported_by_depot_id == p.depot_id
    return p.role in ORDER_READ_ALL


def may_order_for(p: Principal, c: Customer) -> bool:
    """Whether the caller may place an order for customer ``c``."""
    if p.is_(R.STORE_MANAGER):
        return c.township_id == p.township_id
    return p.role in ORDER_CREATE


# ----------------------------------------------------------- plans, jobs
PLAN_READ = READS_BUSINESS
PLAN_WRITE = RUNS_BUSINESS
CONSOLIDATION_READ = frozenset({R.ADMIN, R.DISPATCHER, R.MANAGER})
BACKLOG_READ = frozenset({R.ADMIN, R.DISPATCHER, R.MANAGER, R.CUSTOMER_SERVICE})


def may_see_plans(p: Principal) -> bool:
    return p.role in PLAN_READ


# ----------------------------------------------------------------- routes
ROUTE_READ_ALL = READS_BUSINESS | {R.CUSTOMER_SERVICE}


def route_filter(p: Principal) -> Filter:
    if p.role in ROUTE_READ_ALL:
        return []
    if p.is_(R.DRIVER):
        return [or_(PlanRoute.driver_id == p.staff_id, PlanRoute.loader_id == p.staff_id)]
    if p.is_(R.STORE_MANAGER):
        return [PlanRoute.depot_id == p.depot_id]
    return None


def may_see_route(p: Principal, r: PlanRoute) -> bool:
    if p.is_(R.DRIVER):
        return p.staff_id is not None and p.staff_id in (r.driver_id, r.loader_id)
    if p.is_(R.STORE_MANAGER):
        return r.depot_id == p.depot_id
    return p.role in ROUTE_READ_ALL


# ------------------------------------------------------------------ stock
STOCK_READ_ALL = READS_BUSINESS
STOCK_WRITE_ALL = RUNS_BUSINESS


def may_see_stock(p: Principal, depot: Depot) -> bool:
    if p.is_(R.STORE_MANAGER):
        return depot.id == p.depot_id
    return p.role in STOCK_READ_ALL


def may_write_stock(p: Principal, depot: Depot) -> bool:
    if p.is_(R.STORE_MANAGER):
        return depot.id == p.depot_id
    return p.role in STOCK_WRITE_ALL


# --------------------------------------------------------------- vehicles
VEHICLE_READ_ALL = READS_BUSINESS
VEHICLE_WRITE = RUNS_BUSINESS


def vehicle_filter(p: Principal) -> Filter:
    if p.role in VEHICLE_READ_ALL:
        return []
    if p.is_(R.STORE_MANAGER):
        return [Vehicle.home_depot_id == p.depot_id]
    if p.is_(R.DRIVER):
        return [or_(Vehicle.driver_id == p.staff_id, Vehicle.loader_id == p.staff_id)]
    return None


def may_see_vehicle(p: Principal, v: Vehicle) -> bool:
    if p.is_(R.STORE_MANAGER):
        return v.home_depot_id == p.depot_id
    if p.is_(R.DRIVER):
        return p.staff_id is not None and p.staff_id in (v.driver_id, v.loader_id)
    return p.role in VEHICLE_READ_ALL


# ------------------------------------------------------------------ staff
STAFF_READ_ALL = READS_BUSINESS
STAFF_PERSONAL = RUNS_BUSINESS


def staff_filter(p: Principal) -> Filter:
    if p.role in STAFF_READ_ALL:
        return []
    if p.is_(R.STORE_MANAGER):
        return [Staff.depot_id == p.depot_id]
    if p.is_(R.DRIVER):
        return [Staff.id == p.staff_id]
    return None


def may_see_staff(p: Principal, s: Staff) -> bool:
    if p.is_(R.STORE_MANAGER):
        return s.depot_id == p.depot_id
    if p.is_(R.DRIVER):
        return s.id == p.staff_id
    return p.role in STAFF_READ_ALL


def sees_staff_personal(p: Principal, s: Staff) -> bool:
    """A staff member's phone: the dispatching roles and the person themself."""
    return p.role in STAFF_PERSONAL or s.id == p.staff_id


# ------------------------------------------------------------------ users
def may_manage_users(p: Principal) -> bool:
    return p.is_(R.ADMIN)


# ---------------------------------------------------- stops and outcomes
# Dispatcher and admin enter any stop's outcome at any time (a clerk keying in paper notes); a store
# manager their store's routes; a driver their own routes, from the delivery day's start until
# DRIVER_WRITE_UNTIL the next morning, on a plan version that is not superseded.
OUTCOME_WRITE_ALL = RUNS_BUSINESS
OUTCOME_CORRECT = RUNS_BUSINESS | {R.FINANCE}
DRIVER_WRITE_UNTIL = dt.time(12, 0)


def may_see_stop(p: Principal, r: PlanRoute) -> bool:
    """A stop is seen by whoever sees its route."""
    return may_see_route(p, r)


def sees_stop_personal(p: Principal, r: PlanRoute, today: dt.date) -> bool:
    """A stop's customer contact name and phone: the register's roles; the route's crew on its day."""
    if p.role in CUSTOMER_PERSONAL:
        return True
    plan = r.plan
    return (
        p.is_(R.DRIVER)
        and may_see_route(p, r)
        and plan.delivery_date == today
        and plan.status != PlanStatus.SUPERSEDED
    )


def driver_write_window(settings: Settings, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """When a driver may record outcomes of a route of ``day``: [its 00:00, the next day's noon), local."""
    tz = clock.zone()
    start = dt.datetime.combine(day, dt.time(0), tz)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), DRIVER_WRITE_UNTIL, tz)


def outcome_write_refusal(p: Principal, r: PlanRoute, settings: Settings) -> str | None:
    """Why the caller may not record an outcome on a stop of route ``r`` (``None``: they may).

    Ask :func:`may_see_stop` first (an unseen stop is 404, this is 403).
    """
    if p.role in OUTCOME_WRITE_ALL or p.is_(R.STORE_MANAGER):
        return None
    if not p.is_(R.DRIVER):
        return f"a {p.role.value} may not record stop outcomes"
    if r.plan.status == PlanStatus.SUPERSEDED:
        return f"route {r.code} belongs to a superseded plan version; ask the dispatcher"
    start, end = driver_write_window(settings, r.plan.delivery_date)
    now = clock.local_now()
    if not start <= now < end:
        return (
            f"a driver records the outcomes of route {r.code} from {start:%Y-%m-%d %H:%M} "
            f"until {end:%Y-%m-%d %H:%M}; ask the dispatcher"
        )
    return None


def may_correct_outcome(p: Principal) -> bool:
    return p.role in OUTCOME_CORRECT


# ------------------------------------------------------ cash: handovers, remittances, payments
# Cash is recorded by whoever receives it and counts it: the service centre's desk (dispatcher,
# finance, admin) for every driver; a store manager for their own store's staff. A driver does not
# record their own handover (their word alone would move cash in the ledger); they read it.
CASH_DESK = RUNS_BUSINESS | {R.FINANCE}
STORE_REPORT_ALL = RUNS_BUSINESS
PAYMENT_WRITE = frozenset({R.ADMIN, R.FINANCE})


def may_record_handovers(p: Principal) -> bool:
    return p.role in CASH_DESK or p.is_(R.STORE_MANAGER)


def may_receive_handover(p: Principal, staff: Staff, to: Depot | None) -> bool:
    """Whether the caller may record ``staff``'s handover to ``to`` (``None``: the default place)."""
    if p.is_(R.STORE_MANAGER):
        return staff.depot_id == p.depot_id and (to is None or to.id == p.depot_id)
    return p.role in CASH_DESK


def handover_filter(p: Principal) -> Filter:
    """Conditions over ``Handover`` joined with the handing-over ``Staff``."""
    from ledger.orm import Handover

    if p.role in READS_BUSINESS:
        return []
    if p.is_(R.STORE_MANAGER):
        return [or_(Handover.to_depot_id == p.depot_id, Staff.depot_id == p.depot_id)]
    if p.is_(R.DRIVER):
        return [Handover.staff_id == p.staff_id] if p.staff_id is not None else _deny()
    return None


def may_see_store_day(p: Principal, store: Depot) -> bool:
    """A store's day report: the store's manager and the roles that read the business."""
    if p.is_(R.STORE_MANAGER):
        return store.id == p.depot_id
    return p.role in READS_BUSINESS


def may_report_store_day(p: Principal, store: Depot) -> bool:
    if p.is_(R.STORE_MANAGER):
        return store.id == p.depot_id
    return p.role in STORE_REPORT_ALL


def may_record_remittance(p: Principal) -> bool:
    return p.role in CASH_DESK


def may_record_payment(p: Principal) -> bool:
    return p.role in PAYMENT_WRITE


# ------------------------------------------ reconciliation, flags, statements, reports
FINANCE_READ = READS_BUSINESS
FLAG_WRITE = frozenset({R.ADMIN, R.FINANCE})
STATEMENT_READ = frozenset({R.ADMIN, R.FINANCE, R.MANAGER})
REPORT_READ = READS_BUSINESS
OVERVIEW_READ = frozenset({R.ADMIN, R.DISPATCHER, R.MANAGER})


def may_read_reconciliation(p: Principal) -> bool:
    return p.role in FINANCE_READ


def may_see_flags(p: Principal) -> bool:
    return p.role in FINANCE_READ


def may_set_flag_status(p: Principal) -> bool:
    return p.role in FLAG_WRITE


def may_read_statements(p: Principal) -> bool:
    """Monthly statements and receivables ageing (ask :func:`may_see_customer` first: 404 before 403)."""
    return p.role in STATEMENT_READ


def may_read_reports(p: Principal) -> bool:
    return p.role in REPORT_READ


def may_read_stock_cover(p: Principal) -> bool:
    """Days of cover: the report readers, and a store manager for their own store."""
    return may_read_reports(p) or (p.is_(R.STORE_MANAGER) and p.depot_id is not None)


def stock_cover_depot(p: Principal) -> int | None:
    """The one depot a caller's stock-cover report is limited to (``None``: every depot)."""
    return p.depot_id if p.is_(R.STORE_MANAGER) else None


def may_see_overview(p: Principal) -> bool:
    """The dispatcher's overview map of a plan (a reader of plans without it gets 403, others 404)."""
    return p.role in OVERVIEW_READ


def where(filter_: Filter) -> list[Any]:
    """The conditions of ``filter_`` (a refusal becomes an always-false condition)."""
    return _deny() if filter_ is None else list(filter_)
