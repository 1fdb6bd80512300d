"""Emergency rationing when stock sits in different places: only stock that can reach an order counts.

A township store's stock can reach only the customers of its own township; the
centre's stock can reach every township. :func:`ration_reachable` shares one
product's stock among the claims under that constraint with the same rule as
:func:`optimizer.rationing.ration` (weighted max-min fairness, whole cases
handed out one at a time to the claim at the lowest level ``allocated / weight``),
with two additions the brief's "根据库存情况均衡发货，防止区域性脱销" asks for:

* **each case comes from the claim's own store first**, the centre only when the
  store has none left: a store's stock helps nobody else, the centre's is
  shared, so using the store first never takes a case from another township;
* **townships before second cases**: among claims at the same level, a claim
  whose township has nothing yet goes first, so as long as there are at least
  as many reachable cases as townships that ordered, **no township that
  ordered is left with nothing** while another is supplied.

A claim whose store is empty and whose share of the centre is exhausted stops
rising (it can get nothing more); the others go on. The result says, per
township, how many cases came from the store and how many from the centre.

Units: cases (integers). Pure: plain data in, plain data out.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from optimizer.rationing import (
    RULE_LOWEST_LEVEL,
    Claim,
    Rationing,
    RulesInputError,
    _is_int,
    township_fills,
)

RULE_REACHABLE = (
    "只计算当天能送到订货客户的库存：门店库存只供本乡镇客户，配送中心库存供全县；"
    "每箱先从客户所在乡镇门店出，门店没有了才从配送中心出；水位相同时先给还没有分到货的乡镇，"
    "因此可送达的箱数不少于订货乡镇数时，每个订货的乡镇都分到货。\n"
    "Only stock that can reach the ordering customers that day counts: a store's stock serves its own "
    "township, the centre's the whole county; each case comes from the customer's township store first, "
    "from the centre only when the store has none left; at equal levels a township that has nothing yet "
    "goes first, so when there are at least as many reachable cases as townships that ordered, every "
    "township that ordered gets a share.\n" + RULE_LOWEST_LEVEL
)


@dataclass(frozen=True)
class Sourced:
    """Where one township's cases come from."""

    township: str
    from_store: int
    from_centre: int


@dataclass(frozen=True)
class ReachableRationing:
    """:class:`Rationing` plus the sourcing per township and the stock that could reach the claims."""

    rationing: Rationing
    sourced: tuple[Sourced, ...]
    centre_supply: int
    local_supply: Mapping[str, int]
    claims: tuple[Claim, ...] = ()

    @property
    def allocation(self) -> dict[str, int]:
        return self.rationing.allocation


def _check(claims: Sequence[Claim], shared: int, local: Mapping[str, int]) -> None:
    if not _is_int(shared) or shared < 0:
        raise RulesInputError("shared", f"must be a whole number of cases >= 0 (got {shared!r})")
    for t, n in local.items():
        if not _is_int(n) or n < 0:
            raise RulesInputError("local", f"must be a whole number of cases >= 0 (got {n!r})", t)
    seen: set[str] = set()
    for c in claims:
        if not isinstance(c, Claim):
            raise RulesInputError("claims", f"every claim must be a Claim (got {type(c).__name__})")
        if c.id in seen:
            raise RulesInputError("claims.id", "order number appears more than once", c.id)
        seen.add(c.id)


def ration_reachable(
    claims: Sequence[Claim], *, shared: int, local: Mapping[str, int] | None = None
) -> ReachableRationing:
    """Share one product among ``claims``: ``shared`` cases (the centre) reach every claim,
    ``local[township]`` cases (that township's store) reach only that township's claims.

    Guarantees: ``0 <= allocation[id] <= ordered_cases``; a township never gets
    more from its store than ``local[township]``; the centre gives at most
    ``shared`` in all; nothing that could still reach an unfilled claim is left
    over; and when the reachable cases are at least the number of townships
    that ordered, every such township gets at least one case.

    Raises
    ------
    RulesInputError
        Negative or non-integer supplies, a claim that is not a :class:`Claim`,
        a repeated order number.
    """
    local = dict(local or {})
    _check(claims, shared, local)
    items = sorted(claims, key=lambda c: c.id)
    store_left = {t: local.get(t, 0) for t in {c.township for c in items}}
    centre_left = shared
    alloc = {c.id: 0 for c in items}
    town_got: dict[str, int] = {t: 0 for t in store_left}
    from_store: dict[str, int] = {t: 0 for t in store_left}
    from_centre: dict[str, int] = {t: 0 for t in store_left}

    def key(c: Claim) -> tuple[Fraction, int, Fraction, str]:
        a = alloc[c.id]
        return (Fraction(a, c.weight), 1 if town_got[c.township] else 0, Fraction(a, c.ordered_cases), c.id)

    heap = [(key(c), i) for i, c in enumerate(items) if c.ordered_cases > 0]
    heapq.heapify(heap)
    while heap:
        k, i = heapq.heappop(heap)
        c = items[i]
        now = key(c)
        if now != k:  # its township got a case since: queue it again at its true place
            heapq.heappush(heap, (now, i))
            continue
        if store_left[c.township] > 0:
            store_left[c.township] -= 1
            from_store[c.township] += 1
        elif centre_left > 0:
            centre_left -= 1
            from_centre[c.township] += 1
        else:
            continue  # nothing can reach this claim any more
        alloc[c.id] += 1
        town_got[c.township] += 1
        if alloc[c.id] < c.ordered_cases:
            heapq.heappush(heap, (key(c), i))
    demand = sum(c.ordered_cases for c in items)
    reachable = shared + sum(
        min(local.get(t, 0), sum(c.ordered_cases for c in items if c.township == t)) for t in store_left
    )
    short = [c for c in items if alloc[c.id] < c.ordered_cases]
    level = min((Fraction(alloc[c.id], c.weight) for c in short), default=None)
    rationing = Rationing(
        supply_cases=min(reachable, demand) if short else reachable,
        demand_cases=demand,
        allocation=alloc,
        townships=township_fills(items, alloc),
        level=None if level is None else float(level),
        rationed=bool(short),
        rounding="lowest_level",
        rule=RULE_REACHABLE,
    )
    sourced = tuple(Sourced(t, from_store[t], from_centre[t]) for t in sorted(store_left))
    return ReachableRationing(rationing, sourced, shared, local, tuple(items))


__all__ = ["RULE_REACHABLE", "ReachableRationing", "Sourced", "ration_reachable"]
