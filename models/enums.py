"""Closed vocabularies of the domain, with their Chinese and English labels.

Stored as strings with a CHECK constraint (not native enums), so a new value
is one migration on both SQLite and PostgreSQL.
"""

from __future__ import annotations

from enum import StrEnum


class Labelled(StrEnum):
    """A string enum whose members carry a Chinese and an English label."""

    @property
    def zh(self) -> str:
        return _LABELS[self][0]

    @property
    def en(self) -> str:
        return _LABELS[self][1]

    @classmethod
    def parse(cls, text: str) -> Labelled:
        """Accept the code, the Chinese label or the English label (case-insensitive)."""
        t = text.strip()
        for m in cls:
            if t.lower() in (m.value, m.en.lower()) or t == m.zh:
                return m
        raise ValueError(f"unknown {cls.__name__}: {text!r}; expected one of {[m.value for m in cls]}")


class DepotKind(Labelled):
    CENTRE = "centre"
    STORE = "store"


class CustomerType(Labelled):
    COUNTY_SUPERMARKET = "county_supermarket"
    MARKET_TOWN_SUPERMARKET = "market_town_supermarket"
    GROCERY = "grocery"
    RESTAURANT = "restaurant"
    INSTITUTION = "institution"
    FOOD_PROCESSOR = "food_processor"


class PaymentTerms(Labelled):
    CASH_ON_DELIVERY = "cod"
    MONTHLY = "monthly"


class CustomerStatus(Labelled):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CLOSED = "closed"


class ProductCategory(Labelled):
    SALT = "salt"
    NON_SALT = "non_salt"


class VehicleKind(Labelled):
    BOX_TRUCK_5T = "box_truck_5t"
    MINIVAN = "minivan"
    E_VEHICLE = "e_vehicle"
    TRICYCLE = "tricycle"


class VehicleStatus(Labelled):
    """``active``: in today's fleet; ``planned``: in the planned fleet only."""

    ACTIVE = "active"
    PLANNED = "planned"
    RETIRED = "retired"


class AllowedArea(Labelled):
    ANY = "any"
    COUNTY_TOWN = "county_town"
    TOWNSHIPS = "townships"


class SpeedProfile(Labelled):
    TRUCK = "truck"
    VAN = "van"
    EV = "ev"


class StaffRole(Labelled):
    DRIVER = "driver"
    LOADER = "loader"
    CITY_DELIVERY = "city_delivery"
    STORE_STAFF = "store_staff"
    STORE_MANAGER = "store_manager"
    CUSTOMER_MANAGER = "customer_manager"
    DISPATCHER = "dispatcher"
    CUSTOMER_SERVICE = "customer_service"
    FINANCE = "finance"
    MANAGER = "manager"


class Channel(Labelled):
    VISIT = "visit"
    STORE_REPORT = "store_report"
    OUTBOUND_CALL = "outbound_call"
    INBOUND_CALL = "inbound_call"


class OrderStatus(Labelled):
    RECEIVED = "received"
    CONSOLIDATED = "consolidated"
    CONFIRMED = "confirmed"
    ASSIGNED = "assigned"
    PLANNED = "planned"
    DELIVERED = "delivered"
    SHORT = "short"
    REFUSED = "refused"
    SETTLED = "settled"
    HELD = "held"
    MERGED = "merged"
    CANCELLED = "cancelled"


_LABELS: dict[StrEnum, tuple[str, str]] = {
    DepotKind.CENTRE: ("配送中心", "Distribution centre"),
    DepotKind.STORE: ("乡镇门店", "Township store"),
    CustomerType.COUNTY_SUPERMARKET: ("县城超市", "County-town supermarket"),
    CustomerType.MARKET_TOWN_SUPERMARKET: ("集镇大超市", "Market-town big supermarket"),
    CustomerType.GROCERY: ("便利店", "Grocery shop"),
    CustomerType.RESTAURANT: ("餐馆食堂", "Restaurant / canteen"),
    CustomerType.INSTITUTION: ("机关学校", "Institution"),
    CustomerType.FOOD_PROCESSOR: ("食品加工", "Food processor"),
    PaymentTerms.CASH_ON_DELIVERY: ("货到付款", "Cash on delivery"),
    PaymentTerms.MONTHLY: ("月结", "Monthly settlement"),
    CustomerStatus.ACTIVE: ("正常", "Active"),
    CustomerStatus.SUSPENDED: ("暂停", "Suspended"),
    CustomerStatus.CLOSED: ("注销", "Closed"),
    ProductCategory.SALT: ("食盐", "Salt"),
    ProductCategory.NON_SALT: ("非盐商品", "Non-salt"),
    VehicleKind.BOX_TRUCK_5T: ("5吨厢式货车", "5 t box truck"),
    VehicleKind.MINIVAN: ("城区面包车", "City minivan"),
    VehicleKind.E_VEHICLE: ("电动车", "Electric vehicle"),
    VehicleKind.TRICYCLE: ("电动三轮车", "Electric tricycle"),
    VehicleStatus.ACTIVE: ("在用", "Active"),
    VehicleStatus.PLANNED: ("计划购置", "Planned"),
    VehicleStatus.RETIRED: ("停用", "Retired"),
    AllowedArea.ANY: ("全县", "Whole county"),
    AllowedArea.COUNTY_TOWN: ("仅县城", "County town only"),
    AllowedArea.TOWNSHIPS: ("指定乡镇", "Listed townships"),
    SpeedProfile.TRUCK: ("货车", "Truck"),
    SpeedProfile.VAN: ("面包车", "Van"),
    SpeedProfile.EV: ("电动车", "Electric vehicle"),
    StaffRole.DRIVER: ("司机", "Driver"),
    StaffRole.LOADER: ("装卸工", "Loader"),
    StaffRole.CITY_DELIVERY: ("城区配送员", "City delivery worker"),
    StaffRole.STORE_STAFF: ("门店配送员", "Store delivery staff"),
    StaffRole.STORE_MANAGER: ("门店经理", "Store manager"),
    StaffRole.CUSTOMER_MANAGER: ("客户经理", "Customer manager"),
    StaffRole.DISPATCHER: ("调度员", "Dispatcher"),
    StaffRole.CUSTOMER_SERVICE: ("客服", "Customer service"),
    StaffRole.FINANCE: ("财务", "Finance"),
    StaffRole.MANAGER: ("经理", "Manager"),
    Channel.VISIT: ("客户经理拜访", "Customer-manager visit"),
    Channel.STORE_REPORT: ("门店报单", "Store report"),
    Channel.OUTBOUND_CALL: ("客服外呼", "Service-centre outbound call"),
    Channel.INBOUND_CALL: ("客户来电", "Customer inbound call"),
    OrderStatus.RECEIVED: ("已接收", "Received"),
    OrderStatus.CONSOLIDATED: ("已汇总", "Consolidated"),
    OrderStatus.CONFIRMED: ("已确认", "Confirmed"),
    OrderStatus.ASSIGNED: ("已分配", "Assigned"),
    OrderStatus.PLANNED: ("已排线", "Planned"),
    OrderStatus.DELIVERED: ("已送达", "Delivered"),
    OrderStatus.SHORT: ("少送", "Short delivered"),
    OrderStatus.REFUSED: ("拒收", "Refused"),
    OrderStatus.SETTLED: ("已结算", "Settled"),
    OrderStatus.HELD: ("暂缓", "Held"),
    OrderStatus.MERGED: ("已合并", "Merged"),
    OrderStatus.CANCELLED: ("已取消", "Cancelled"),
}

# The order lifecycle: which status may follow which. ``held`` can be released
# back to ``confirmed`` or merged into the customer's next order.
ORDER_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.RECEIVED: frozenset({OrderStatus.CONSOLIDATED, OrderStatus.CANCELLED, OrderStatus.MERGED}),
    OrderStatus.CONSOLIDATED: frozenset(
        {OrderStatus.CONFIRMED, OrderStatus.HELD, OrderStatus.MERGED, OrderStatus.CANCELLED}
    ),
    OrderStatus.CONFIRMED: frozenset({OrderStatus.ASSIGNED, OrderStatus.HELD, OrderStatus.CANCELLED}),
    OrderStatus.ASSIGNED: frozenset(
        {OrderStatus.PLANNED, OrderStatus.HELD, OrderStatus.CONFIRMED, OrderStatus.CANCELLED}
    ),
    OrderStatus.PLANNED: frozenset(
        {
            OrderStatus.DELIVERED,
            OrderStatus.SHORT,
            OrderStatus.REFUSED,
            OrderStatus.CONFIRMED,
            OrderStatus.CANCELLED,
        }
    ),
    OrderStatus.DELIVERED: frozenset({OrderStatus.SETTLED, OrderStatus.SHORT, OrderStatus.REFUSED}),
    OrderStatus.SHORT: frozenset({OrderStatus.SETTLED, OrderStatus.DELIVERED, OrderStatus.REFUSED}),
    OrderStatus.REFUSED: frozenset({OrderStatus.SETTLED, OrderStatus.DELIVERED, OrderStatus.SHORT}),
    OrderStatus.SETTLED: frozenset(),
    OrderStatus.HELD: frozenset({OrderStatus.CONFIRMED, OrderStatus.MERGED, OrderStatus.CANCELLED}),
    OrderStatus.MERGED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}

OPEN_ORDER_STATUSES: frozenset[OrderStatus] = frozenset(
    {
        OrderStatus.RECEIVED,
        OrderStatus.CONSOLIDATED,
        OrderStatus.CONFIRMED,
        OrderStatus.ASSIGNED,
        OrderStatus.PLANNED,
        OrderStatus.HELD,
    }
)


def can_transition(old: OrderStatus, new: OrderStatus) -> bool:
    """Whether the order lifecycle allows ``old`` → ``new``."""
    return new in ORDER_TRANSITIONS[old]
