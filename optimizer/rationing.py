"""Emergency rationing: share scarce stock fairly among the orders that want it.

The rule (``docs/rationing.md`` has the maths and a worked example).  When the
orders for a product ask for more cases than can be supplied, every order is
filled up to the same *level* per unit of its customer's normal volume
(weighted max-min fairness, "water-filling"): order ``i`` with ``o_i`` cases
and weight ``w_i`` (normal volume, e.g. average cases per delivery, ``>= 1``)
has the share ``x_i = min(o_i, λ·w_i)``, where the level ``λ`` makes
``Σ x_i = supply``.  An order wanting less than its share gets all it ordered
and the rest is shared among the others; nobody gets more than ordered; if the
stock covers every order, everyone gets their order.  Weighting by normal
volume shares the shortage in proportion to what each shop normally sells, so
a shop that panic-orders ten times its normal volume cannot take its
neighbours' stock.

Whole cases, ``rounding="lowest_level"`` (default): cases go one at a time to
the unfilled order with the lowest ``allocated_i / w_i`` (ties: lowest fill
rate ``allocated_i / o_i``, then lowest order number).  This is the exact
integer water-filling: for every short order ``i`` and every order ``j``,
``allocated_i / w_i >= (allocated_j - 1) / w_j``; nobody gets more than
``ceil(x_i)``; and when there are at least as many cases as orders, every order
gets at least one case, so no township runs dry while another is fully served.
Exact rational arithmetic, ``O(n log n)``: the level is solved first and only
the last ``<= n`` cases are handed out one by one.

``rounding="largest_remainder"``: ``floor(x_i)`` each, leftovers to the largest
fractional parts (same ties).  Every order stays within one case of ``x_i``,
but a small customer can get nothing while a big one is fully served.

Units: cases (integers).  Pure: plain data in, plain data out.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

from optimizer.errors import ProblemError

Rounding = Literal["lowest_level", "largest_remainder"]

_CN = (
    "应急配给规则（按常规用量加权的最大最小公平，“注水法”）：某商品的订货总量超过可供库存时，"
    "每张订单按客户的常规用量（历史平均每次配送箱数）同比例供应到同一水位；"
    "订货量低于该水位的订单全额满足，其余量再分给其他订单。"
    "任何订单不超过其订货量，合计不超过库存；库存足够时全部按订货量供应。"
)
_EN = (
    "Emergency rationing rule (weighted max-min fairness, 'water-filling'): when the orders for a "
    "product exceed the stock, every order is filled up to the same level per unit of the customer's "
    "normal volume (average cases per delivery); an order that needs less than that level gets all it "
    "ordered and what it leaves is shared among the others. No order gets more than it ordered and the "
    "total never exceeds the stock; when the stock covers all orders, everyone gets what they ordered. "
)

RULE_LOWEST_LEVEL = (
    _CN + "整箱逐箱分配：每一箱分给当前水位（已配箱数 ÷ 常规用量）最低的未满订单，"
    "水位相同时先给满足率最低的订单，再按订单号顺序；"
    "因此库存不少于订单数时，每张订单至少得到一箱，不会出现某个乡镇断货而另一乡镇全额供应。\n"
    + _EN
    + "Whole cases are handed out one at a time, each to the unfilled order with the lowest level "
    "(cases allocated ÷ normal volume); ties go to the lowest fill rate, then the lowest order number. "
    "So when there are at least as many cases as orders, every order gets at least one case and no "
    "township runs dry while another is fully served."
)
"""The rule text for ``rounding="lowest_level"`` (Chinese, then English)."""

RULE_LARGEST_REMAINDER = (
    _CN + "整箱取整：先取每张订单份额的整数部分，剩余的箱数按小数部分从大到小逐箱补足，"
    "相同时先给满足率最低的订单，再按订单号顺序。\n"
    + _EN
    + "Whole cases: each order first gets the whole part of its share, then the cases left over "
    "go one each to the largest fractional parts; ties go to the lowest fill rate, then the lowest "
    "order number."
)
"""The rule text for ``rounding="largest_remainder"`` (Chinese, then English)."""

_RULES: dict[str, str] = {"lowest_level": RULE_LOWEST_LEVEL, "largest_remainder": RULE_LARGEST_REMAINDER}


class RulesInputError(ProblemError, ValueError):
    """Invalid input to a dispatch-day rule (rationing, cycle planning).

    A :class:`~optimizer.errors.ProblemError` (so the CLI and the API report it
    like any input error) and a :class:`ValueError`.  ``field`` names the
    field, ``id`` the order number / cluster id (or ``None``).
    """


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _need_text(value: object, name: str, ident: str | None) -> None:
    if not isinstance(value, str) or not value:
        raise RulesInputError(name, f"must be a non-empty string (got {value!r})", ident)


@dataclass(frozen=True)
class Claim:
    """One order's claim on a scarce product.

    Parameters
    ----------
    id
        Order number (unique within one product).
    customer
        Unified customer code.
    township
        Township of the customer (fill rates are reported per township).
    ordered_cases
        Cases ordered of this product, ``>= 0``.
    weight
        The customer's normal volume (e.g. average cases per delivery over
        history, rounded to an integer), ``>= 1``.  Shares are proportional to it.

    Raises
    ------
    RulesInputError
        For an empty id/customer/township, a negative or non-integer
        ``ordered_cases`` or a ``weight`` below 1.
    """

    id: str
    customer: str
    township: str
    ordered_cases: int
    weight: int

    def __post_init__(self) -> None:
        _need_text(self.id, "claims.id", None)
        _need_text(self.customer, "claims.customer", self.id)
        _need_text(self.township, "claims.township", self.id)
        if not _is_int(self.ordered_cases) or self.ordered_cases < 0:
            raise RulesInputError(
                "claims.ordered_cases",
                f"must be a whole number of cases >= 0 (got {self.ordered_cases!r})",
                self.id,
            )
        if not _is_int(self.weight) or self.weight < 1:
            raise RulesInputError(
                "claims.weight", f"must be a whole number >= 1 (got {self.weight!r})", self.id
            )


@dataclass(frozen=True)
class TownshipFill:
    """How well one township's orders were filled.

    ``fill_per_mille`` is ``floor(1000 * allocated / ordered)`` (1000 only when
    every case was supplied); ``fill_rate`` is the same as a float in ``[0, 1]``
    for display.  A township whose orders ask for 0 cases counts as filled (1000).
    """

    township: str
    claims: int
    ordered_cases: int
    allocated_cases: int
    fill_per_mille: int
    fill_rate: float

    @property
    def short_cases(self) -> int:
        """Cases ordered but not supplied."""
        return self.ordered_cases - self.allocated_cases


@dataclass(frozen=True)
class Rationing:
    """The result of rationing one product.

    Attributes
    ----------
    supply_cases, demand_cases
        Stock available and total cases ordered.
    allocation
        Order number → cases allocated (every claim appears, possibly with 0).
        Treat as read-only.
    townships
        One :class:`TownshipFill` per township, sorted by township name.
    level
        The continuous water level λ (cases per unit of normal volume) when
        rationed, ``None`` when the stock covers every order.
    rationed
        ``True`` when ``supply_cases < demand_cases``.
    rounding
        The rounding rule used (``"lowest_level"`` or ``"largest_remainder"``).
    rule
        The rule in words, Chinese then English, for the dispatcher's report.
    """

    supply_cases: int
    demand_cases: int
    allocation: dict[str, int] = field(hash=False)
    townships: tuple[TownshipFill, ...]
    level: float | None
    rationed: bool
    rounding: str
    rule: str

    @property
    def allocated_cases(self) -> int:
        """Total cases allocated: ``min(supply_cases, demand_cases)``."""
        return sum(self.allocation.values())

    @property
    def leftover_cases(self) -> int:
        """Stock not needed by any order."""
        return self.supply_cases - self.allocated_cases

    @property
    def short_cases(self) -> int:
        """Cases ordered but not supplied."""
        return self.demand_cases - self.allocated_cases

    def township(self, name: str) -> TownshipFill:
        """The fill of township ``name``; ``KeyError`` if it has no claim."""
        for t in self.townships:
            if t.township == name:
                return t
        raise KeyError(name)


def _water_level(caps: Sequence[int], weights: Sequence[int], supply: int) -> Fraction:
    """The level λ with ``Σ min(caps_i, λ·weights_i) = supply``; needs ``0 <= supply < Σ caps``."""
    order = sorted(range(len(caps)), key=lambda i: Fraction(caps[i], weights[i]))
    rest, wsum = supply, sum(weights)
    for i in order:
        if caps[i] * wsum <= rest * weights[i]:  # caps_i / w_i <= rest / wsum: filled to its cap
            rest -= caps[i]
            wsum -= weights[i]
        else:
            break
    return Fraction(rest, wsum)


def _lowest_level(ordered: list[int], weights: list[int], ids: list[str], supply: int) -> list[int]:
    """Integer water-filling: each case to the unfilled claim with the lowest ``a/w``."""
    n = len(ordered)
    wanting = [i for i in range(n) if ordered[i] > 0]
    alloc = [0] * n
    if supply >= len(wanting):
        # Start from every case whose key (k-1)/w lies below τ0, where τ0 solves
        # Σ min(o_i, τ0·w_i + 1) = supply: at most `supply` such cases, and at most
        # len(wanting) are left for the one-by-one phase.
        tau0 = _water_level(
            [ordered[i] - 1 for i in wanting], [weights[i] for i in wanting], supply - len(wanting)
        )
        for i in wanting:
            alloc[i] = min(ordered[i], math.ceil(tau0 * weights[i]))
    heap = [
        (Fraction(alloc[i], weights[i]), Fraction(alloc[i], ordered[i]), ids[i], i)
        for i in wanting
        if alloc[i] < ordered[i]
    ]
    heapq.heapify(heap)
    rest = supply - sum(alloc)
    while rest > 0:
        _, _, ident, i = heapq.heappop(heap)
        alloc[i] += 1
        rest -= 1
        if alloc[i] < ordered[i]:
            heapq.heappush(heap, (Fraction(alloc[i], weights[i]), Fraction(alloc[i], ordered[i]), ident, i))
    return alloc


def _largest_remainder(
    ordered: list[int], weights: list[int], ids: list[str], level: Fraction, supply: int
) -> list[int]:
    """Floor of the continuous shares, leftovers to the largest fractional parts."""
    share = [min(Fraction(o), level * w) for o, w in zip(ordered, weights, strict=True)]
    alloc = [math.floor(x) for x in share]
    left = supply - sum(alloc)
    ranked = sorted(
        (i for i in range(len(ordered)) if share[i] > alloc[i]),
        key=lambda i: (alloc[i] - share[i], Fraction(alloc[i], ordered[i]), ids[i]),
    )
    for i in ranked[:left]:
        alloc[i] += 1
    return alloc


def township_fills(claims: Sequence[Claim], alloc: Mapping[str, int]) -> tuple[TownshipFill, ...]:
    """Fill per township (sorted by name) of an allocation of cases to claims."""
    totals: dict[str, list[int]] = {}
    for c in claims:
        t = totals.setdefault(c.township, [0, 0, 0])
        t[0] += 1
        t[1] += c.ordered_cases
        t[2] += alloc[c.id]
    out = []
    for name in sorted(totals):
        count, ordered, got = totals[name]
        per_mille = 1000 if ordered == 0 else got * 1000 // ordered
        rate = 1.0 if ordered == 0 else got / ordered
        out.append(TownshipFill(name, count, ordered, got, per_mille, rate))
    return tuple(out)


def ration(claims: Sequence[Claim], supply_cases: int, *, rounding: Rounding = "lowest_level") -> Rationing:
    """Share ``supply_cases`` of one product among ``claims`` (weighted max-min fair).

    Parameters
    ----------
    claims
        The orders for the product (order numbers unique).  The result does
        not depend on their order.
    supply_cases
        Cases that can be supplied (stock minus what must be kept back), ``>= 0``.
    rounding
        ``"lowest_level"`` (default; exact integer water-filling, see the
        module docstring) or ``"largest_remainder"``.

    Returns
    -------
    Rationing
        Cases per order, fill per township, the level and the rule text.
        Guarantees: ``0 <= allocation[id] <= ordered_cases``; the total is
        ``min(supply_cases, demand)``; when the stock covers the demand every
        order gets what it ordered.

    Raises
    ------
    RulesInputError
        ``supply_cases`` negative or not an integer, a claim that is not a
        :class:`Claim`, a repeated order number, or an unknown ``rounding``.
    """
    return _ration(claims, supply_cases, rounding, "claims")


def _ration(claims: Sequence[Claim], supply: int, rounding: str, where: str) -> Rationing:
    if rounding not in _RULES:
        raise RulesInputError("rounding", f"must be one of {sorted(_RULES)} (got {rounding!r})")
    if not _is_int(supply) or supply < 0:
        raise RulesInputError("supply_cases", f"must be a whole number of cases >= 0 (got {supply!r})")
    seen: set[str] = set()
    for c in claims:
        if not isinstance(c, Claim):
            raise RulesInputError(where, f"every claim must be a Claim (got {type(c).__name__})")
        if c.id in seen:
            raise RulesInputError(f"{where}.id", "order number appears more than once", c.id)
        seen.add(c.id)
    items = sorted(claims, key=lambda c: c.id)
    ids = [c.id for c in items]
    ordered = [c.ordered_cases for c in items]
    weights = [c.weight for c in items]
    demand = sum(ordered)
    level: Fraction | None = None
    if supply >= demand:
        alloc = list(ordered)
    elif rounding == "lowest_level":
        level = _water_level(ordered, weights, supply)
        alloc = _lowest_level(ordered, weights, ids, supply)
    else:
        level = _water_level(ordered, weights, supply)
        alloc = _largest_remainder(ordered, weights, ids, level, supply)
    allocation = dict(zip(ids, alloc, strict=True))
    return Rationing(
        supply_cases=supply,
        demand_cases=demand,
        allocation=allocation,
        townships=township_fills(items, allocation),
        level=None if level is None else float(level),
        rationed=supply < demand,
        rounding=rounding,
        rule=_RULES[rounding],
    )


def ration_products(
    claims_by_product: Mapping[str, Sequence[Claim]],
    supply_by_product: Mapping[str, int],
    *,
    rounding: Rounding = "lowest_level",
) -> dict[str, Rationing]:
    """Ration several products at once, each independently with :func:`ration`.

    Parameters
    ----------
    claims_by_product
        Product code → the claims on it (the same order number may claim
        several products).
    supply_by_product
        Product code → cases that can be supplied.  Every product with claims
        needs an entry; extra entries are ignored.

    Returns
    -------
    dict
        Product code → :class:`Rationing`, in product-code order.

    Raises
    ------
    RulesInputError
        A product with claims but no supply (``field="supply_by_product"``,
        ``id`` = the product), or any error of :func:`ration`, its field
        prefixed with ``claims_by_product[<product>]``.
    """
    out: dict[str, Rationing] = {}
    for product in sorted(claims_by_product):
        if product not in supply_by_product:
            raise RulesInputError("supply_by_product", "no supply given for a product with claims", product)
        supply = supply_by_product[product]
        if not _is_int(supply) or supply < 0:
            raise RulesInputError(
                "supply_by_product", f"must be a whole number of cases >= 0 (got {supply!r})", product
            )
        out[product] = _ration(
            claims_by_product[product],
            supply,
            rounding,
            f"claims_by_product[{product}]",
        )
    return out
