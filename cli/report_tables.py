"""Human output of `dispatch report costs|utilisation`: tables in yuan, tonnes, km and hours.

The JSON (``--json``) keeps integer fen, kg, metres and seconds; these tables
convert once, for reading. Labels are Chinese first, English after.
"""

from __future__ import annotations

from typing import Any

from cli.common import table
from cli.ledger_args import yuan

BASIS = {"planned": "计划 planned", "delivered": "实送 delivered", "mixed": "部分 mixed"}
COST_HEADER = [
    "日期 date",
    "站点 depot",
    "线路 route",
    "车辆 vehicle",
    "依据 basis",
    "客户吨 cust t",
    "客户箱 cases",
    "调拨吨 transfer t",
    "成本 cost",
    "成本/吨 cost/t",
]
COST_NOTES = [
    "成本/吨 = 成本 ÷ 客户吨；调拨（中心→门店）另列，不计入 / cost/t = cost ÷ customer tonnes; "
    "centre-to-store transfers are shown apart and not counted in it.",
    "依据 basis: 实送 delivered = 按签收结果 from recorded outcomes; "
    "计划 planned = 尚无结果 no outcomes yet; 部分 mixed = 两者都有 some of each.",
]


def tonnes(kg: int) -> str:
    """kg as tonnes with three decimals, e.g. ``4.210`` (integer arithmetic)."""
    sign = "-" if kg < 0 else ""
    whole, rest = divmod(abs(kg), 1000)
    return f"{sign}{whole:,}.{rest:03d}"


def _money(fen: int | None) -> str:
    return "-" if fen is None else yuan(fen)


def _cost_cells(x: dict[str, Any]) -> list[str]:
    return [
        BASIS.get(x["basis"], x["basis"]),
        tonnes(x["delivered_kg"]),
        f"{x['delivered_cases']:,}",
        tonnes(x["transfer_kg"]) if x["transfer_kg"] or x["transfer_stops"] else "-",
        _money(x["total_fen"]),
        _money(x["per_tonne_fen"]),
    ]


def cost_lines(r: dict[str, Any]) -> list[str]:
    """The cost report as lines: per day, its routes by depot (a subtotal for a depot with more than one);
    then, over the range, each depot, the centre, the stores and the total."""
    head = f"成本报告 cost report  {r['date_from']} – {r['date_to']}"
    if not r["plans"]:
        return [head, "无计划 no plans in this range"]
    routes: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for x in r["routes"]:
        routes.setdefault((str(x["date"]), x["depot"]), []).append(x)
    rows: list[list[str]] = []
    for day in r["days"]:
        date = str(day["date"])
        for d in day["depots"]:
            own = routes.get((date, d["depot"]), [])
            for x in own:
                rows.append([date, d["depot"], x["route"], x["vehicle"], *_cost_cells(x)])
            if len(own) > 1:
                rows.append([date, d["depot"], "小计 subtotal", "", *_cost_cells(d)])
        rows.append([date, "", "当日合计 day total", "", *_cost_cells(day)])
        rows.append([])
    for d in r["depots"]:
        rows.append(["全期 all days", d["depot"], "", "", *_cost_cells(d)])
    rows.append(["全期 all days", "中心 centre", "", "", *_cost_cells(r["centre"])])
    rows.append(["全期 all days", "门店 stores", "", "", *_cost_cells(r["stores"])])
    rows.append(["全期 all days", "合计 total", "", "", *_cost_cells(r["total"])])
    days = f"{len(r['plans'])} 天有计划 days planned"
    return [f"{head}  ({days})", "", *table(COST_HEADER, rows, right=range(5, 10)), "", *COST_NOTES]


UTIL_HEADER = [
    "车辆 vehicle",
    "类型 kind",
    "站点 depot",
    "状态 status",
    "出车天 days",
    "线路 routes",
    "公里 km",
    "载重吨 load t",
    "载重率 load %",
    "箱率 cases %",
    "工时 h",
    "班次率 shift %",
]


def _pct(p: float | None) -> str:
    return "-" if p is None else f"{p:.1f}%"


def _km(m: int) -> str:
    return f"{m / 1000:,.1f}"


def _hours(s: int) -> str:
    return f"{s / 3600:.1f}"


def utilisation_lines(r: dict[str, Any]) -> list[str]:
    """The vehicle-use report as lines: one row per vehicle, then the fleet."""
    head = (
        f"车辆使用 vehicle use  {r['date_from']} – {r['date_to']}  "
        f"({r['days_planned']} / {r['days']} 天有计划 days planned)"
    )
    rows = [
        [
            v["vehicle"],
            str(v["kind"]),
            v["home_depot"],
            str(v["status"]),
            str(v["days_used"]),
            str(v["routes"]),
            _km(v["distance_m"]),
            tonnes(v["load_kg"]),
            _pct(v["load_pct"]),
            _pct(v["cases_pct"]),
            _hours(v["duration_s"]),
            _pct(v["shift_pct"]),
        ]
        for v in r["vehicles"]
    ]
    f = r["fleet"]
    rows.append([])
    rows.append(
        [
            "车队 fleet",
            f"{f['used']}/{f['vehicles']} 用 used",
            "",
            "",
            "",
            str(f["routes"]),
            _km(f["distance_m"]),
            tonnes(f["load_kg"]),
            _pct(f["load_pct"]),
            "",
            _hours(f["duration_s"]),
            _pct(f["shift_pct"]),
        ]
    )
    return [head, "", *table(UTIL_HEADER, rows, right=range(4, 12))]
