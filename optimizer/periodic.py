"""Half-monthly cycle planner: on which day of the cycle each village is served.

Every customer on the normal cycle is visited once per cycle (``days`` = 15).
Customers are grouped into *clusters* (a village, a market-town centre, a
county-town district); :func:`plan_cycle` gives each cluster a day
``0 .. days-1`` minimising, in this order of priority,

1. overload: ``kg_over · max_stops_per_day + stops_over · capacity_kg_per_day``
   summed over days (kg and stops each as a fraction of their limit);
2. the number of ``(township, day)`` pairs: each township on as few days as possible;
3. unevenness: Σ (daily kg)², then Σ (daily stops)².

Load already committed each day (``daily_base_load_kg`` / ``daily_base_stops``,
e.g. the 24-hour supermarkets, delivered the day after they order and not
planned here) counts towards the limits; ``Cluster.fixed_day`` pins a cluster.

Algorithm (deterministic, independent of input order): three starts — townships
largest first, each kept together on the day where it fits that adds no visit
day or else the least-loaded, split over the fewest adjacent days only if it
fits in no single day; and largest cluster first onto the least-loaded day by
``kg/C + stops/S`` and by kg alone — each improved by local search (move a
cluster, move a township's clusters of one day, swap two clusters, swap two
such groups) until no move improves; the best result is returned.

Guarantees (``C``, ``S`` the kg and stop limits, ``D`` days; see
``docs/periodic.md``): every cluster gets exactly one day, pinned ones theirs;
no day is overloaded when each day's base plus pinned load fits and either
``K/(D·C) + N/(D·S) + max_i (k_i/C + s_i/S) ≤ 1`` (``K``, ``N`` all kg and
stops, ``k_i``, ``s_i`` one free cluster's) or the stop limit never binds and
``K/D + max_i k_i ≤ C``; without pinned clusters and with a stop limit that
never binds, every township is visited on exactly one day when
``K/D + max_t T_t ≤ C`` (``T_t`` a township's kg).

Units: kg, stops (integers); days are 0-based indices into the cycle.  Pure.
"""

from __future__ import annotations

from collections.abc import Sequence

from optimizer.periodic_model import Cluster, CyclePlan, HorizonRow, Objective, is_whole
from optimizer.rationing import RulesInputError

__all__ = ["Cluster", "CyclePlan", "HorizonRow", "Objective", "horizon_table", "plan_cycle"]

MAX_ROUNDS = 500
"""Safety cap on local-search rounds (each round must strictly improve)."""

_Cost = tuple[int, int, int, int]  # overload, (township, day) pairs, Σ load², Σ stops²
_ZERO: _Cost = (0, 0, 0, 0)


class _Problem:
    """Validated, index-based input (clusters sorted by id, townships by name)."""

    def __init__(
        self,
        clusters: Sequence[Cluster],
        days: int,
        cap: int,
        smax: int,
        base_kg: Sequence[int] | None,
        base_st: Sequence[int] | None,
    ) -> None:
        for name, value in (("days", days), ("capacity_kg_per_day", cap), ("max_stops_per_day", smax)):
            if not is_whole(value) or value < 1:
                raise RulesInputError(name, f"must be a whole number >= 1 (got {value!r})")
        seen: set[str] = set()
        for c in clusters:
            if not isinstance(c, Cluster):
                raise RulesInputError("clusters", f"every cluster must be a Cluster (got {type(c).__name__})")
            if c.id in seen:
                raise RulesInputError("clusters.id", "cluster id appears more than once", c.id)
            if c.fixed_day is not None and c.fixed_day >= days:
                raise RulesInputError(
                    "clusters.fixed_day", f"must be a day 0..{days - 1} (got {c.fixed_day})", c.id
                )
            seen.add(c.id)
        self.base_kg, self.base_st = (
            self._base(n, v, days)
            for n, v in (("daily_base_load_kg", base_kg), ("daily_base_stops", base_st))
        )
        self.days, self.cap, self.smax = days, cap, smax
        self.items = sorted(clusters, key=lambda c: c.id)
        self.towns = sorted({c.township for c in self.items})
        index = {t: n for n, t in enumerate(self.towns)}
        self.town = [index[c.township] for c in self.items]
        self.kg = [c.load_kg for c in self.items]
        self.st = [c.stops for c in self.items]
        self.free = [i for i, c in enumerate(self.items) if c.fixed_day is None]
        self.members: list[list[int]] = [
            [i for i in self.free if self.town[i] == t] for t in range(len(self.towns))
        ]

    @staticmethod
    def _base(name: str, seq: Sequence[int] | None, days: int) -> list[int]:
        values = [0] * days if seq is None else list(seq)
        if len(values) != days:
            raise RulesInputError(name, f"must have one value per day ({days}), got {len(values)}")
        for d, v in enumerate(values):
            if not is_whole(v) or v < 0:
                raise RulesInputError(name, f"must be a whole number >= 0 (got {v!r})", f"day {d}")
        return values


class _State:
    """An assignment (pinned clusters placed at construction) with incremental bookkeeping."""

    def __init__(self, p: _Problem) -> None:
        self.p = p
        self.day = [-1] * len(p.items)
        self.load = list(p.base_kg)
        self.stops = list(p.base_st)
        self.cnt = [[0] * p.days for _ in p.towns]  # clusters per (township, day)
        for i, c in enumerate(p.items):
            if c.fixed_day is not None:
                self.put(i, c.fixed_day)

    def put(self, i: int, d: int) -> None:
        if self.day[i] >= 0:
            a = self.day[i]
            self.load[a] -= self.p.kg[i]
            self.stops[a] -= self.p.st[i]
            self.cnt[self.p.town[i]][a] -= 1
        self.day[i] = d
        self.load[d] += self.p.kg[i]
        self.stops[d] += self.p.st[i]
        self.cnt[self.p.town[i]][d] += 1

    def over(self, load: int, stops: int) -> int:
        """Overload of one day, kg and stops each as a fraction of its limit (scaled by C·S)."""
        return max(0, load - self.p.cap) * self.p.smax + max(0, stops - self.p.smax) * self.p.cap

    def cost(self) -> _Cost:
        return (
            sum(self.over(x, s) for x, s in zip(self.load, self.stops, strict=True)),
            sum(1 for row in self.cnt for n in row if n),
            sum(x * x for x in self.load),
            sum(s * s for s in self.stops),
        )

    def shift(self, a: int, b: int, kg: int, stops: int, pairs: int) -> _Cost:
        """Change of :meth:`cost` when ``kg`` and ``stops`` move from day ``a`` to day ``b``."""
        la, sa, lb, sb = self.load[a], self.stops[a], self.load[b], self.stops[b]
        cap, smax = self.p.cap, self.p.smax
        over = (max(0, la - kg - cap) + max(0, lb + kg - cap) - max(0, la - cap) - max(0, lb - cap)) * smax
        over += (
            max(0, sa - stops - smax) + max(0, sb + stops - smax) - max(0, sa - smax) - max(0, sb - smax)
        ) * cap
        return (over, pairs, 2 * kg * (lb - la + kg), 2 * stops * (sb - sa + stops))

    def exchange(self, ga: Sequence[int], b: int, gb: Sequence[int]) -> _Cost:
        """Change of :meth:`cost` if ``ga`` (one township, one day) moved to ``b`` and ``gb`` (one
        township, on ``b``, maybe empty) moved to ``ga``'s day."""
        p, cnt = self.p, self.cnt
        a, ta = self.day[ga[0]], p.town[ga[0]]
        kg = sum(p.kg[i] for i in ga) - sum(p.kg[j] for j in gb)
        stops = sum(p.st[i] for i in ga) - sum(p.st[j] for j in gb)
        pairs = 0
        if not gb or p.town[gb[0]] != ta:
            pairs = (cnt[ta][b] == 0) - (cnt[ta][a] == len(ga))
            if gb:
                tb = p.town[gb[0]]
                pairs += (cnt[tb][a] == 0) - (cnt[tb][b] == len(gb))
        return self.shift(a, b, kg, stops, pairs)

    def group(self, t: int, d: int) -> list[int]:
        return [i for i in self.p.members[t] if self.day[i] == d]

    # --- local search: each pass applies, per item, its best strictly improving move ---

    def _apply_best(self, candidates: Sequence[tuple[Sequence[int], int, Sequence[int]]]) -> bool:
        best, chosen = _ZERO, None
        for ga, b, gb in candidates:
            gain = self.exchange(ga, b, gb)
            if gain < best:
                best, chosen = gain, (ga, b, gb)
        if chosen is None:
            return False
        ga, b, gb = chosen
        a = self.day[ga[0]]
        for i in ga:
            self.put(i, b)
        for j in gb:
            self.put(j, a)
        return True

    def move_clusters(self) -> bool:
        """Move one cluster to another day; then swap two clusters if that did nothing."""
        p, day, improved = self.p, self.day, False
        for i in p.free:
            improved |= self._apply_best([((i,), b, ()) for b in range(p.days) if b != day[i]])
        if improved:
            return True
        cnt, kg, st, town = self.cnt, p.kg, p.st, p.town
        for n, i in enumerate(p.free):  # swaps, inlined: the hot loop
            a, ti, best, other = day[i], town[i], _ZERO, -1
            for j in p.free[n + 1 :]:
                if (b := day[j]) != a:
                    tj = town[j]
                    pairs = (
                        0
                        if ti == tj
                        else (cnt[ti][b] == 0) - (cnt[ti][a] == 1) + (cnt[tj][a] == 0) - (cnt[tj][b] == 1)
                    )
                    if (gain := self.shift(a, b, kg[i] - kg[j], st[i] - st[j], pairs)) < best:
                        best, other = gain, j
            if other >= 0:
                self.put(i, day[other])
                self.put(other, a)
                improved = True
        return improved

    def move_groups(self) -> bool:
        """Move a township's free clusters of one day to another day, or swap two such groups."""
        days, towns = range(self.p.days), range(len(self.p.towns))
        improved = False
        for t1 in towns:
            for a in days:
                if g1 := self.group(t1, a):
                    cands: list[tuple[Sequence[int], int, Sequence[int]]] = [
                        (g1, b, ()) for b in days if b != a
                    ]
                    cands += [
                        (g1, b, g2)
                        for t2 in towns
                        if t2 != t1
                        for b in days
                        if b != a and (g2 := self.group(t2, b))
                    ]
                    improved |= self._apply_best(cands)
        return improved

    def improve(self) -> None:
        """Local search until no move improves (at most :data:`MAX_ROUNDS` rounds)."""
        for _ in range(MAX_ROUNDS):
            if not (self.move_clusters() | self.move_groups()):
                break


def _pack(st: _State, items: Sequence[int], window: range) -> list[int] | None:
    """Worst-fit of ``items`` into the days of ``window`` within the limits, or ``None``."""
    p, load, stops, out = st.p, list(st.load), list(st.stops), []
    for i in items:
        ok = [d for d in window if load[d] + p.kg[i] <= p.cap and stops[d] + p.st[i] <= p.smax]
        if not ok:
            return None
        d = min(ok, key=lambda d: (load[d], stops[d], d))
        load[d] += p.kg[i]
        stops[d] += p.st[i]
        out.append(d)
    return out


def _by_township(p: _Problem) -> _State:
    """Townships largest first, each on the fewest adjacent days that hold it (see module doc)."""
    st = _State(p)
    size = [(sum(p.kg[i] for i in m), sum(p.st[i] for i in m)) for m in p.members]
    for t in sorted(range(len(p.towns)), key=lambda t: (-size[t][0], -size[t][1], p.towns[t])):
        items = sorted(p.members[t], key=lambda i: (-p.kg[i], -p.st[i], p.items[i].id))
        if not items:
            continue
        for k in range(1, p.days + 1):
            packs = []
            for s in range(p.days - k + 1):
                if (days := _pack(st, items, range(s, s + k))) is not None:
                    new_pairs = len({d for d in days if st.cnt[t][d] == 0})
                    added = [st.load[d] for d in range(p.days)]
                    for i, d in zip(items, days, strict=True):
                        added[d] += p.kg[i]
                    packs.append((new_pairs, sum(x * x for x in added), s, days))
            if packs:
                for i, d in zip(items, min(packs)[3], strict=True):
                    st.put(i, d)
                break
        else:  # fits in no window: cluster by cluster where it overloads least
            for i in items:
                extra = [
                    (
                        st.over(st.load[d] + p.kg[i], st.stops[d] + p.st[i])
                        - st.over(st.load[d], st.stops[d]),
                        st.cnt[t][d] == 0,
                        st.load[d],
                        d,
                    )
                    for d in range(p.days)
                ]
                st.put(i, min(extra)[-1])
    return st


def _by_cluster(p: _Problem, kg_weight: int, stops_weight: int) -> _State:
    """Largest cluster first onto the day with the least ``kg_weight·kg/C + stops_weight·stops/S``."""
    st = _State(p)

    def size(kg: int, stops: int) -> int:
        return kg_weight * kg * p.smax + stops_weight * stops * p.cap

    for i in sorted(p.free, key=lambda i: (-size(p.kg[i], p.st[i]), -p.kg[i], -p.st[i], p.items[i].id)):
        t = p.town[i]
        key = [
            (size(st.load[d], st.stops[d]), st.load[d], st.stops[d], st.cnt[t][d] == 0, d)
            for d in range(p.days)
        ]
        st.put(i, min(key)[-1])
    return st


def plan_cycle(
    clusters: Sequence[Cluster],
    *,
    days: int = 15,
    capacity_kg_per_day: int,
    max_stops_per_day: int,
    daily_base_load_kg: Sequence[int] | None = None,
    daily_base_stops: Sequence[int] | None = None,
) -> CyclePlan:
    """Give every cluster a day of the cycle (see the module docstring for the rules).

    Parameters
    ----------
    clusters
        The clusters to plan (ids unique).  The result does not depend on their order.
    days
        Cycle length in days (15 for half-monthly).
    capacity_kg_per_day
        Usable kg the centre fleet can deliver per day (e.g. 5,000 + 1,000).
    max_stops_per_day
        Stops the centre fleet can make per day.
    daily_base_load_kg, daily_base_stops
        Load already committed on each day (``days`` values each), e.g. the
        24-hour customers; default none.

    Returns
    -------
    CyclePlan
        Overload is reported in ``overloaded_days``, never raised.

    Raises
    ------
    RulesInputError
        Non-positive ``days``/limits, a repeated cluster id, a ``fixed_day``
        outside the cycle, or base sequences of the wrong length or negative.
    """
    p = _Problem(clusters, days, capacity_kg_per_day, max_stops_per_day, daily_base_load_kg, daily_base_stops)
    starts = [_by_township(p), _by_cluster(p, 1, 1), _by_cluster(p, 1, 0)]
    for start in starts:
        start.improve()
    return _result(p, min(starts, key=_State.cost))  # the first of equals: deterministic


def _result(p: _Problem, st: _State) -> CyclePlan:
    town_stops: list[dict[str, int]] = [{} for _ in range(p.days)]
    visited: dict[str, set[int]] = {t: set() for t in p.towns}
    for i, c in enumerate(p.items):
        d = st.day[i]
        town_stops[d][c.township] = town_stops[d].get(c.township, 0) + c.stops
        visited[c.township].add(d)
    over_kg = sum(max(0, x - p.cap) for x in st.load)
    over_st = sum(max(0, s - p.smax) for s in st.stops)
    _, pairs, sq, sqs = st.cost()
    return CyclePlan(
        days=p.days,
        capacity_kg_per_day=p.cap,
        max_stops_per_day=p.smax,
        day_of={c.id: st.day[i] for i, c in enumerate(p.items)},
        load_kg=tuple(st.load),
        stops=tuple(st.stops),
        base_load_kg=tuple(p.base_kg),
        base_stops=tuple(p.base_st),
        township_stops=tuple({t: ts[t] for t in sorted(ts)} for ts in town_stops),
        township_days={t: tuple(sorted(visited[t])) for t in p.towns},
        overloaded_days=tuple(d for d in range(p.days) if st.load[d] > p.cap or st.stops[d] > p.smax),
        objective=Objective(over_kg, over_st, pairs, sq, sqs, max(st.load) - min(st.load)),
    )


def horizon_table(
    plan: CyclePlan, days: int | None = None, capacity_kg_per_day: int | None = None
) -> list[HorizonRow]:
    """One :class:`HorizonRow` per day: load against capacity, stops, stops per township.

    Parameters
    ----------
    plan
        The plan from :func:`plan_cycle`.
    days
        Must equal ``plan.days`` if given (kept for callers that pass it).
    capacity_kg_per_day
        Capacity to compare against (kg); defaults to the plan's (a different
        value shows the plan against another fleet).

    Raises
    ------
    RulesInputError
        ``days`` differs from the plan's, or the capacity is not a positive integer.
    """
    if days is not None and days != plan.days:
        raise RulesInputError("days", f"must equal the plan's {plan.days} days (got {days!r})")
    cap = plan.capacity_kg_per_day if capacity_kg_per_day is None else capacity_kg_per_day
    if not is_whole(cap) or cap < 1:
        raise RulesInputError("capacity_kg_per_day", f"must be a whole number >= 1 (got {cap!r})")
    return [
        HorizonRow(
            day=d,
            load_kg=plan.load_kg[d],
            capacity_kg=cap,
            utilisation_per_mille=plan.load_kg[d] * 1000 // cap,
            stops=plan.stops[d],
            max_stops=plan.max_stops_per_day,
            base_stops=plan.base_stops[d],
            stops_by_township=tuple(plan.township_stops[d].items()),
            overloaded=plan.load_kg[d] > cap or plan.stops[d] > plan.max_stops_per_day,
        )
        for d in range(plan.days)
    ]
