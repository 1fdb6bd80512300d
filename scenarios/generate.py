"""The seeded county generator: a hilly Chinese county that looks real.

``generate(seed=7)`` with the defaults produces the bundled county: a county
town and 10 further townships (11 in all) over about 60 × 60 km, township
centres 8–35 km from the county town, a distribution centre near the county
town, stores in most townships, about 800 customers clustered around villages
and town centres, a salt range plus a few groceries, today's 2-vehicle fleet
and the planned 3-vehicle fleet, staff with the brief's wages, and 30 days of
orders that follow the half-monthly cycles and the 24-hour customers, from all
four channels. The same seed always gives the same county.

Larger counties for scale tests: ``generate(seed, customers=5000, townships=40)``.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from models.codes import make_customer_code
from scenarios import names
from scenarios.model import (
    CountyRec,
    CustomerRec,
    DepotRec,
    ProductRec,
    Scenario,
    StaffRec,
    StockRec,
    TownshipRec,
    VehicleRec,
    VillageRec,
)

KM_PER_DEG_LAT = 111.32
H = 3600

# The bundled county's fixed identity.
COUNTY_CODE = "439901"  # invented: no real county has this division code
COUNTY_NAME = ("青山县", "Qingshan County")
COUNTY_TOWN = (28.462, 112.318)
TODAY = dt.date(2026, 11, 30)


@dataclass(frozen=True)
class GenParams:
    """What to generate. Distances in km; the area scales with sqrt(townships / 11)."""

    seed: int = 7
    customers: int = 800
    townships: int = 11
    history_days: int = 30
    today: dt.date = TODAY
    name: str = "qingshan"

    @property
    def scale(self) -> float:
        return math.sqrt(max(self.townships, 1) / 11)


PRODUCTS = [
    # code, zh, en, category, bags/case, kg/case, price fen/case, share of salt demand
    ProductRec("S001", "加碘精制盐 500g", "Iodised table salt 500 g", "salt", 40, 20, 8000),
    ProductRec("S002", "低钠盐 250g", "Low-sodium salt 250 g", "salt", 40, 10, 9600),
    ProductRec("S003", "海盐 400g", "Sea salt 400 g", "salt", 50, 20, 11000),
    ProductRec("S004", "未加碘盐 500g", "Non-iodised salt 500 g", "salt", 40, 20, 7600),
    ProductRec("S005", "腌制盐 1kg", "Pickling salt 1 kg", "salt", 20, 20, 6000),
    ProductRec("N001", "酱油 500ml", "Soy sauce 500 ml", "non_salt", 12, 7, 8400),
    ProductRec("N002", "陈醋 500ml", "Aged vinegar 500 ml", "non_salt", 12, 7, 7200),
    ProductRec("N003", "味精 454g", "MSG 454 g", "non_salt", 20, 9, 15000),
    ProductRec("N004", "白砂糖 400g", "White sugar 400 g", "non_salt", 25, 10, 9000),
]
SALT_WEIGHTS = {"S001": 60, "S002": 12, "S003": 10, "S004": 8, "S005": 10}


def _offset(lat: float, lon: float, dx_km: float, dy_km: float) -> tuple[float, float]:
    """Move (lat, lon) by dx km east and dy km north (local flat approximation)."""
    return (
        round(lat + dy_km / KM_PER_DEG_LAT, 6),
        round(lon + dx_km / (KM_PER_DEG_LAT * math.cos(math.radians(lat))), 6),
    )


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    dy = (a[0] - b[0]) * KM_PER_DEG_LAT
    dx = (a[1] - b[1]) * KM_PER_DEG_LAT * math.cos(math.radians((a[0] + b[0]) / 2))
    return math.hypot(dx, dy)


def _hm(hours: float) -> int:
    return round(hours * H)


class _Gen:
    def __init__(self, p: GenParams) -> None:
        self.p = p
        self.rng = random.Random(p.seed)
        self.used_names: set[str] = set()
        self.sc = Scenario(
            name=p.name,
            seed=p.seed,
            county=CountyRec(
                COUNTY_CODE, COUNTY_NAME[0], COUNTY_NAME[1], COUNTY_TOWN[0], COUNTY_TOWN[1], p.today
            ),
        )

    # ---- places ----------------------------------------------------------
    def townships(self) -> None:
        p, rng = self.p, self.rng
        fixed = names.COUNTY_TOWNSHIPS if p.townships <= len(names.COUNTY_TOWNSHIPS) else []
        for zh, _ in names.COUNTY_TOWNSHIPS:
            self.used_names.add(zh[:2])
        centres: list[tuple[float, float]] = [COUNTY_TOWN]
        half = 30.0 * p.scale
        lo, hi = 8.0 * p.scale**0.5, 35.0 * p.scale
        min_sep = 7.0
        while len(centres) < p.townships:
            for _ in range(20_000):
                ang = rng.uniform(0, 2 * math.pi)
                r = lo + (hi - lo) * math.sqrt(rng.random())
                dx, dy = r * math.cos(ang), r * math.sin(ang)
                if abs(dx) > half or abs(dy) > half:
                    continue
                cand = _offset(*COUNTY_TOWN, dx, dy)
                if all(_km(cand, c) >= min_sep for c in centres):
                    centres.append(cand)
                    break
            else:
                min_sep *= 0.9
        for i, (lat, lon) in enumerate(centres):
            if i < len(fixed):
                zh, en = fixed[i]
            else:
                stem_zh, stem_en = names.place_name(rng, self.used_names)
                end = rng.choice(names.PLACE_ENDINGS)
                zh, en = stem_zh + end[0], stem_en
            self.sc.townships.append(
                TownshipRec(f"T{i:02d}", i, zh, en, round(lat, 6), round(lon, 6), i == 0)
            )

    def villages(self) -> None:
        rng = self.rng
        for t in self.sc.townships:
            if t.is_county_town:
                continue
            n = rng.randint(3, 7)
            for k in range(n):
                for _ in range(1000):
                    r = rng.uniform(1.5, 6.5) * self.p.scale**0.3
                    ang = rng.uniform(0, 2 * math.pi)
                    cand = _offset(t.lat, t.lon, r * math.cos(ang), r * math.sin(ang))
                    others = [(v.lat, v.lon) for v in self.sc.villages] + [
                        (x.lat, x.lon) for x in self.sc.townships
                    ]
                    if all(_km(cand, o) > 1.2 for o in others):
                        break
                stem_zh, stem_en = names.place_name(rng, self.used_names)
                self.sc.villages.append(
                    VillageRec(
                        f"{t.code}V{k + 1:02d}",
                        t.code,
                        stem_zh + "村",
                        stem_en + " Village",
                        cand[0],
                        cand[1],
                    )
                )

    # ---- depots, products, staff, vehicles ----------------------------------
    def products(self) -> None:
        self.sc.products = list(PRODUCTS)

    def depots(self) -> None:
        rng, sc = self.rng, self.sc
        ct = sc.townships[0]
        lat, lon = _offset(ct.lat, ct.lon, -1.6, -0.9)  # by the trunk road, outside the old town
        sc.depots.append(
            DepotRec(
                "DC",
                "centre",
                "青山县盐业配送中心",
                "Qingshan Salt Distribution Centre",
                ct.code,
                "城关镇工业路8号",
                lat,
                lon,
                _hm(6.5),
                _hm(19),
                5,
                None,
                0,
                tuple(
                    StockRec(
                        pr.code, 4000 if pr.category == "salt" else 600, 800 if pr.category == "salt" else 100
                    )
                    for pr in PRODUCTS
                ),
            )
        )
        rural = [t for t in sc.townships if not t.is_county_town]
        no_store = set(rng.sample(range(len(rural)), k=max(1, round(len(rural) * 0.2))))
        low_store = next(i for i in range(len(rural)) if i not in no_store)
        for i, t in enumerate(rural):
            if i in no_store:
                continue
            slat, slon = _offset(t.lat, t.lon, rng.uniform(-0.25, 0.25), rng.uniform(-0.25, 0.25))
            safety_kg = rng.choice([10_000, 12_000, 15_000, 20_000])
            stock = []
            for pr in PRODUCTS:
                if pr.category == "salt":
                    share = SALT_WEIGHTS[pr.code] / 100
                    safety = max(1, round(safety_kg * share / pr.case_weight_kg * 0.5))
                    cover = rng.uniform(0.5, 0.8) if i == low_store else rng.uniform(1.6, 3.2)
                    on_hand = round(safety * cover)
                else:
                    safety, on_hand = 5, rng.randint(10, 40)
                stock.append(StockRec(pr.code, on_hand, safety))
            sc.depots.append(
                DepotRec(
                    f"S{t.number:02d}",
                    "store",
                    f"{t.name_zh}门店",
                    f"{t.name_en} store",
                    t.code,
                    f"{t.name_zh}街上{rng.randint(1, 120)}号",
                    slat,
                    slon,
                    _hm(7.5),
                    _hm(19.5),
                    rng.randint(2, 5),
                    None,  # a store serves its whole township (no maximum distance)
                    safety_kg,
                    tuple(stock),
                )
            )

    def staff(self) -> None:
        rng, sc = self.rng, self.sc
        n = 0

        def add(role: str, depot: str | None, wage_yuan: int) -> str:
            nonlocal n
            n += 1
            code = f"E{n:03d}"
            sc.staff.append(
                StaffRec(code, names.person_name(rng), role, depot, wage_yuan * 100, names.mobile_phone(rng))
            )
            return code

        self.truck_driver = add("driver", "DC", 2300)
        self.truck_loader = add("loader", "DC", 0)  # paid 30 yuan per tonne handled
        self.city_worker = add("city_delivery", "DC", 2000)
        self.ev_worker = add("city_delivery", "DC", 2000)
        add("dispatcher", "DC", 3200)
        add("customer_service", "DC", 2600)
        add("finance", "DC", 3500)
        add("manager", "DC", 5000)
        self.managers = [add("customer_manager", "DC", 3000) for _ in range(max(3, len(sc.townships) // 3))]
        self.store_staff: dict[str, str] = {}
        for d in sc.depots:
            if d.kind == "store":
                add("store_manager", d.code, 2200)
                self.store_staff[d.code] = add("store_staff", d.code, 0)  # paid 35 yuan per tonne

    def vehicles(self) -> None:
        sc = self.sc
        shift = {"shift_start_s": _hm(7), "shift_end_s": _hm(17)}
        sc.vehicles.append(VehicleRec(
            plate="湘X·A5001", kind="box_truck_5t", status="active", home_depot="DC", capacity_kg=5000,
            capacity_cases=400, allowed_area="any", townships=(), speed_profile="truck", **shift,
            max_route_s=_hm(10), max_route_m=300_000, cost_per_km_fen=180, fixed_cost_fen=9000,
            needs_loader=True, driver=self.truck_driver, loader=self.truck_loader,
        ))  # fmt: skip
        sc.vehicles.append(VehicleRec(
            plate="湘X·B2002", kind="minivan", status="active", home_depot="DC", capacity_kg=1000,
            capacity_cases=80, allowed_area="county_town", townships=(), speed_profile="van", **shift,
            max_route_s=_hm(9), max_route_m=150_000, cost_per_km_fen=80, fixed_cost_fen=3000,
            needs_loader=False, driver=self.city_worker, loader=None,
        ))  # fmt: skip
        sc.vehicles.append(VehicleRec(
            plate="湘X·E3003", kind="e_vehicle", status="planned", home_depot="DC", capacity_kg=600,
            capacity_cases=45, allowed_area="county_town", townships=(), speed_profile="ev", **shift,
            max_route_s=_hm(8), max_route_m=80_000, cost_per_km_fen=15, fixed_cost_fen=1500,
            needs_loader=False, driver=self.ev_worker, loader=None,
        ))  # fmt: skip
        for d in sc.depots:
            if d.kind == "store":
                sc.vehicles.append(VehicleRec(
                    plate=f"湘X·S{d.code[1:]}88", kind="tricycle", status="active", home_depot=d.code,
                    capacity_kg=800, capacity_cases=50, allowed_area="townships", townships=(d.township,),
                    speed_profile="ev", shift_start_s=_hm(8), shift_end_s=_hm(18), max_route_s=_hm(8),
                    max_route_m=60_000, cost_per_km_fen=10, fixed_cost_fen=500, needs_loader=False,
                    driver=self.store_staff[d.code], loader=None,
                ))  # fmt: skip

    # ---- customers ------------------------------------------------------------
    store_townships: set[str]

    def customers(self) -> None:
        p, rng, sc = self.p, self.rng, self.sc
        towns = sc.townships
        weights = [2.6 * (1 + 0.05 * (len(towns) - 11) / 11)] + [rng.uniform(0.7, 1.3) for _ in towns[1:]]
        total_w = sum(weights)
        counts = [int(p.customers * w / total_w) for w in weights]
        counts[0] += p.customers - sum(counts)
        villages_by_t: dict[str, list[VillageRec]] = {}
        for v in sc.villages:
            villages_by_t.setdefault(v.township, []).append(v)
        # Township visiting days: each rural township gets a base day in the half-month cycle.
        rural = [t for t in towns if not t.is_county_town]
        base_day = {t.code: (i * 15) // max(len(rural), 1) for i, t in enumerate(rural)}
        self.store_townships = {d.township for d in sc.depots if d.kind == "store"}
        serials: dict[int, int] = {}
        for t, count in zip(towns, counts, strict=True):
            for k in range(count):
                serials[t.number] = serials.get(t.number, 0) + 1
                code = make_customer_code(COUNTY_CODE, t.number, serials[t.number])
                if t.is_county_town:
                    self._county_town_customer(code, t, k)
                else:
                    self._township_customer(code, t, k, villages_by_t.get(t.code, []), base_day[t.code])

    def _window(self, ctype: str) -> tuple[int, int, int | None, int | None]:
        rng = self.rng
        if ctype in ("restaurant", "institution"):
            return _hm(rng.choice([8, 8.5, 9])), _hm(11.5), _hm(14), _hm(rng.choice([16.5, 17, 17.5]))
        if ctype in ("county_supermarket", "market_town_supermarket"):
            return _hm(rng.choice([7, 7.5, 8])), _hm(rng.choice([11, 12])), _hm(14), _hm(17.5)
        if ctype == "food_processor":
            return _hm(8), _hm(17), None, None
        return _hm(rng.choice([7, 7.5, 8])), _hm(rng.choice([18, 19, 20])), None, None

    def _customer(
        self,
        code: str,
        t: TownshipRec,
        ctype: str,
        name: str,
        village: str,
        lat: float,
        lon: float,
        address: str,
        offset: int | None,
    ) -> None:
        rng = self.rng
        is24 = ctype in ("county_supermarket", "market_town_supermarket")
        monthly = ctype in ("county_supermarket", "market_town_supermarket", "institution", "food_processor")
        terms = "monthly" if (monthly and rng.random() < 0.85) or rng.random() < 0.05 else "cod"
        credit = (
            rng.choice([2_000_000, 3_000_000, 5_000_000])
            if terms == "monthly"
            else rng.choice([100_000, 150_000, 200_000, 300_000])
        )
        w = self._window(ctype)
        mgr = self.managers[t.number % len(self.managers)]
        status = "active" if rng.random() > 0.01 else "suspended"
        self.sc.customers.append(
            CustomerRec(
                code,
                name,
                ctype,
                t.code,
                village,
                lat,
                lon,
                address,
                names.person_name(rng),
                names.mobile_phone(rng),
                15,
                None if is24 else offset,
                is24,
                terms,
                credit,
                mgr,
                w[0],
                w[1],
                w[2],
                w[3],
                status,
            )
        )

    def _county_town_customer(self, code: str, t: TownshipRec, k: int) -> None:
        rng = self.rng
        r = rng.random()
        ctype = (
            "county_supermarket"
            if r < 0.06
            else "grocery"
            if r < 0.62
            else "restaurant"
            if r < 0.85
            else "institution"
            if r < 0.97
            else "food_processor"
        )
        dx, dy = rng.gauss(0, 0.9), rng.gauss(0, 0.7)
        dx, dy = max(-2.5, min(2.5, dx)), max(-2.0, min(2.0, dy))
        lat, lon = _offset(t.lat, t.lon, dx, dy)
        street = rng.choice(names.COUNTY_TOWN_STREETS)
        name = self._shop_name(ctype, t.name_zh, street[:2])
        offset = rng.randrange(15)
        self._customer(
            code,
            t,
            ctype,
            name,
            "",
            lat,
            lon,
            f"{COUNTY_NAME[0]}{t.name_zh}{street}{rng.randint(1, 300)}号",
            offset,
        )

    def _township_customer(
        self, code: str, t: TownshipRec, k: int, villages: list[VillageRec], base: int
    ) -> None:
        rng = self.rng
        in_town = not villages or k == 0 or rng.random() < 0.38
        if in_town:
            r = rng.random()
            ctype = (
                "market_town_supermarket"
                if k == 0 or r < 0.02
                else "grocery"
                if r < 0.68
                else "restaurant"
                if r < 0.88
                else "institution"
                if r < 0.985
                else "food_processor"
            )
            dist = abs(rng.gauss(0, 0.55))
            ang = rng.uniform(0, 2 * math.pi)
            lat, lon = _offset(t.lat, t.lon, dist * math.cos(ang), dist * math.sin(ang))
            village, place, offset = "", t.name_zh, base
            address = f"{COUNTY_NAME[0]}{t.name_zh}街上{rng.randint(1, 200)}号"
        else:
            v = rng.choice(villages)
            r = rng.random()
            ctype = "grocery" if r < 0.84 else "restaurant" if r < 0.94 else "institution"
            dist = abs(rng.gauss(0, 0.35))
            ang = rng.uniform(0, 2 * math.pi)
            lat, lon = _offset(v.lat, v.lon, dist * math.cos(ang), dist * math.sin(ang))
            idx = villages.index(v)
            village, place = v.name_zh, v.name_zh
            offset = (base + (1 if idx % 2 else 0)) % 15
            address = f"{COUNTY_NAME[0]}{t.name_zh}{v.name_zh}{rng.randint(1, 12)}组"
        if t.code in self.store_townships:
            # the township's store serves it every day ("near, quick"): its customers' cycle days are
            # spread over the half month instead of bunched on the centre truck's visiting day
            offset = (base + 7 * k) % 15
        self._customer(
            code, t, ctype, self._shop_name(ctype, place, place), village, lat, lon, address, offset
        )

    def _shop_name(self, ctype: str, place: str, stem: str) -> str:
        rng = self.rng
        if ctype in ("county_supermarket", "market_town_supermarket"):
            return f"{rng.choice(names.SUPERMARKET_BRANDS)}超市({place}店)"
        if ctype == "institution":
            return f"{place}{rng.choice(names.INSTITUTION_KINDS)}"
        if ctype == "food_processor":
            return f"{stem}{rng.choice(names.SURNAMES)}记{rng.choice(names.FOOD_PROCESSOR_KINDS)}"
        if ctype == "restaurant":
            return f"{rng.choice(names.SURNAMES)}记{rng.choice(names.RESTAURANT_STEMS)}"
        owner = rng.choice(names.SURNAMES)
        return f"{stem}{owner}{rng.choice(['家', '记', '氏'])}{rng.choice(names.GROCERY_STEMS)}"


def generate(params: GenParams | None = None, **overrides: object) -> Scenario:
    """Generate a county scenario (deterministic for ``params.seed``)."""
    from scenarios.orders_gen import generate_orders

    p = params or GenParams()
    if overrides:
        p = GenParams(**{**p.__dict__, **overrides})
    if p.townships < 2 or p.customers < p.townships * 5:
        raise ValueError("need at least 2 townships and 5 customers per township")
    g = _Gen(p)
    g.townships()
    g.villages()
    g.products()
    g.depots()
    g.staff()
    g.vehicles()
    g.customers()
    generate_orders(g.sc, seed=p.seed, history_days=p.history_days, today=p.today)
    return g.sc
