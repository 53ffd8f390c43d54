#!/usr/bin/env python3
"""How close the baseline's 2024 is to the 2024 data, and how plausible its corridors are.

Writes docs/calibration.md: for every indicator with a 2024 level (published, or derived in
models/src/parameters.cpp from published shares), the model's 2024 mean and 90% band across
replicates, the gap and whether it is within tolerance (total trade 3%, others 10%); then a
plausibility table for the corridors (CR Express trains, Land-Sea Corridor TEU, transit days per
route, rail vs sea and air costs, modal shares). Nothing is tuned here: the report says where the
model is off.

    python analysis/calibration.py                       # runs the baseline (20 replicates)
    python analysis/calibration.py --replicates 5 --out /tmp/c.md
    python analysis/calibration.py --results baseline.nc # an existing result file

A run made here switches on the `train_departures` and `shipment_flows` tables (recording them
does not change the simulation); with ``--results`` the corridor rows that need them say so when
the file lacks them.
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import importlib.util
import math
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
OUTPUT = REPO / "docs" / "calibration.md"
HISTORY = REPO / "data" / "chongqing_history.csv"
TOLERANCE_TOTAL_PCT = 3.0
TOLERANCE_OTHER_PCT = 10.0
CNY_PER_USD = 7.2  # as routes.hpp


def gap_pct(model: float, data: float) -> float:
    """Model minus data, in percent of the data."""
    return 100.0 * (model - data) / data


def gap_text(g: float, tolerance_pct: float) -> str:
    """The gap with one decimal, or more when one decimal would hide which side of the
    tolerance it is on."""
    text = f"{g:+.1f}%"
    if abs(abs(round(g, 1)) - tolerance_pct) < 0.051:
        text = f"{g:+.2f}%"
    return text


def within(model: float, data: float, tolerance_pct: float) -> bool:
    return bool(np.isfinite(model) and abs(gap_pct(model, data)) <= tolerance_pct)


def history() -> dict[tuple[str, str], float]:
    """(indicator, year) -> value of data/chongqing_history.csv."""
    out = {}
    with HISTORY.open(newline="") as f:
        for row in csv.DictReader(f):
            try:
                out[(row["indicator"], row["year"])] = float(row["value"])
            except ValueError:
                continue
    return out


def parameters() -> dict[str, float]:
    import tradeeco

    table = tradeeco.parameter_table()
    return dict(zip(table["key"], table["value"], strict=True))


@dataclass(frozen=True)
class Level:
    series: str
    value: float
    basis: str
    tolerance_pct: float


def levels_2024(h: dict, p: dict) -> list[Level]:
    """The 2024 levels the baseline should reproduce, from the data and parameters.cpp."""
    total = h[("total_trade_cny_100m", "2024")]
    exports = p["export_share_2024"] * total
    vehicles = p["auto_exports_2024"] * 1e8 / p["vehicle_unit_value"]
    o = TOLERANCE_OTHER_PCT
    return [
        Level("total_trade_cny_100m", total, "data 2024", TOLERANCE_TOTAL_PCT),
        Level(
            "exports_cny_100m",
            exports,
            f"DERIVED: {p['export_share_2024']} x total (2022 ratio)",
            o,
        ),
        Level("imports_cny_100m", total - exports, "DERIVED: total - exports", o),
        Level("trading_firms", p["trading_firms_2024"], "DERIVED: plan 5,000 (2025) / 1.05", o),
        Level(
            "laptop_exports_cny_100m",
            p["laptop_export_share"] * exports,
            f"DERIVED: {p['laptop_export_share']} x exports (2021 share)",
            o,
        ),
        Level("auto_exports_cny_100m", h[("auto_exports_cny_100m", "2024")], "data 2024", o),
        Level(
            "vehicle_exports_units_cq",
            vehicles,
            "DERIVED: auto exports / `vehicle_unit_value` (2023 unit value)",
            o,
        ),
        Level(
            "vehicle_export_national_share",
            100 * vehicles / h[("vehicle_exports_units_national", "2024")],
            "DERIVED: vehicles above / national 5.86 m (data 2024)",
            o,
        ),
        Level(
            "trade_asean_cny_100m",
            p["share_asean"] * total,
            f"DERIVED: {p['share_asean']} x total (2021 share)",
            o,
        ),
        Level(
            "trade_eu_cny_100m",
            p["share_eu"] * total,
            f"DERIVED: {p['share_eu']} x total (2021 share)",
            o,
        ),
        Level(
            "trade_us_cny_100m",
            p["share_us"] * total,
            f"DERIVED: {p['share_us']} x total (2021 share)",
            o,
        ),
        Level(
            "aeo_firms",
            p["aeo_firms_2024"] + 5,
            "DERIVED: 100 in Nov 2023 (data) + ~5 a year, at the end of 2024",
            o,
        ),
        Level("cross_border_rmb", h[("cross_border_rmb_cny_100m", "2024")], "data 2024", o),
        Level(
            "specialized_sme_exporters", p["specialised_sme_exporters_2024"], "plan: about 100", o
        ),
        Level(
            "bonded_zone_share",
            h[("special_zones_share_pct_jan_sep", "2019")],
            "data Jan-Sep 2019, held for 2024",
            o,
        ),
        Level(
            "lsc_transit_rate",
            h[("lsc_cq_outside_city_share_pct", "2021")],
            "DERIVED 2021 (48k of 112k TEU), held for 2024",
            o,
        ),
        Level("platform_coverage", 100 * p["platform_coverage_2024"], "ASSUMPTION (no data)", o),
    ]


# ---------------------------------------------------------------------------------------------
# data access


def calibration_spec(replicates: int, population_scale: float | None = None):
    import tradeeco

    base = tradeeco.scenario_path("baseline")
    text = (
        "[scenario]\n"
        'name = "baseline_calibration"\n'
        'description = "The baseline with departures and flows recorded (analysis/calibration.py)."\n'
        f'extends = "{base.as_posix()}"\n'
        "[outputs]\n"
        "train_departures = true\n"
        "shipment_flows = true\n"
    )
    spec = tradeeco.load_scenario_string(text, "calibration.toml", str(base.parent))
    return spec.with_(replicates=replicates, population_scale=population_scale)


def _events(path: Path, table: str) -> pd.DataFrame | None:
    import tradeeco

    try:
        with tradeeco.open_events(path, table) as ev:
            return ev.to_dataframe().reset_index(drop=True)
    except (OSError, KeyError, ValueError):
        return None


def load(path: Path):
    import tradeeco

    with tradeeco.open(path) as ds:
        ds = ds.load()
    return ds, _events(path, "train_departures"), _events(path, "shipment_flows")


def stats(values) -> tuple[float, float, float]:
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return math.nan, math.nan, math.nan
    return float(v.mean()), float(np.quantile(v, 0.05)), float(np.quantile(v, 0.95))


def _num(x: float, digits: int | None = None) -> str:
    if not np.isfinite(x):
        return "n/a"
    if digits is None:
        digits = 0 if abs(x) >= 100 else (1 if abs(x) >= 10 else 2)
    return f"{x:,.{digits}f}"


# ---------------------------------------------------------------------------------------------
# corridors

TRANSIT = [
    # route, destination region of the sea leg (or None), where, published text, lo, hi, source
    (
        "cr_express_duisburg",
        None,
        "Duisburg",
        "'just over ten days' (2024); ~12 (2020); 16-18 (forwarder quote)",
        10,
        18,
        "data transit_days_cq_europe_rail; anchors §3.3",
    ),
    ("cr_express_central_asia", None, "Tashkent", "12 days (2025 report)", 10, 14, "anchors §3.4"),
    (
        "lsc_rail_sea_singapore",
        "asean",
        "Singapore",
        "2 days rail + 6 days sea (2018)",
        7,
        10,
        "data transit_days_cq_qinzhou_rail, transit_days_qinzhou_singapore_sea",
    ),
    (
        "lsc_rail_sea_jakarta",
        "asean",
        "Jakarta",
        "20 days by the corridor (2021)",
        17,
        23,
        "anchors §3.4",
    ),
    (
        "yangtze_river_sea",
        "asean",
        "Singapore",
        "~23 days via the Yangtze (2023)",
        20,
        26,
        "anchors §3.4",
    ),
    (
        "yangtze_river_sea",
        "eu",
        "Europe",
        "40+ days (2020); 'nearly two months' (2017)",
        40,
        60,
        "data transit_days_cq_europe_rail note; transit_days_cq_duisburg_river_sea",
    ),
    (
        "clt_rail",
        None,
        "Vientiane / Thailand",
        "~5 days to Vientiane (2022); Thailand not published",
        5,
        8,
        "data transit_days_cq_vientiane_rail",
    ),
    (
        "road_laos",
        None,
        "Laos",
        "~10 days by road",
        8,
        12,
        "data transit_days_cq_vientiane_rail note",
    ),
    ("air", None, "Europe", "5-8 days door to door (forwarder quote)", 5, 8, "anchors §3.3"),
]


def route_data():
    """routes.hpp, parsed by the parameter-doc generator (one parser for both)."""
    import tradeeco

    spec = importlib.util.spec_from_file_location(
        "gen_parameter_docs", REPO / "tools" / "gen_parameter_docs.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    tax = tradeeco._core.taxonomy()
    data = mod.route_data(tax)
    data["by_name"] = {r["route"]: r for r in data["routes"]}
    data["sea_by_region"] = {s["region"]: s for s in data["sea_legs"]}
    data["taxonomy"] = tax
    return data


def corridor_section(ds, departures, flows, h, rd, add) -> list[str]:
    """Adds the corridor tables; returns the list of findings for the summary."""
    findings = []
    years = ds["year"].values
    y0 = int(years[0])
    routes = rd["taxonomy"]["routes"]
    regions = rd["taxonomy"]["regions"]

    add("## Corridors: volumes")
    add("")
    add("| indicator | published | model 2024 mean | 90% band | gap | verdict |")
    add("| --- | --- | ---: | --- | ---: | --- |")

    def row(series, published_text, value, lo=None, hi=None):
        if series not in ds:
            add(f"| `{series}` | {published_text} | not in file | | | |")
            return
        m, q5, q95 = stats(ds[series].sel(year=y0).values)
        if lo is None:
            g = gap_pct(m, value)
            ok = abs(g) <= TOLERANCE_OTHER_PCT
            verdict = "within 10%" if ok else "**off**"
            gap = f"{g:+.1f}%"
        else:
            ok = lo <= m <= hi
            verdict = "plausible" if ok else "**off**"
            gap = f"{gap_pct(m, hi if m > hi else lo):+.1f}% vs range" if not ok else ""
        if not ok:
            findings.append(f"`{series}` 2024: model {_num(m)} against {published_text}")
        add(
            f"| `{series}` | {published_text} | {_num(m)} | {_num(q5)} to {_num(q95)} | {gap} | {verdict} |"
        )

    trains = h[("cr_express_trains_cq_crct", "2024")]
    row("cr_express_trains_cq_crct", f"{trains:,.0f} trains (CRCT city count, data 2024)", trains)
    joint = h[("cr_express_trains_cq_cd", "2024")]
    row("cr_express_trains", f"> {joint:,.0f} trains, Chengdu + Chongqing brand (data 2024)", joint)
    if ("lsc_cq_teu", "2024") in h:  # all modes, one series with 2021-2023 (data README)
        lsc24 = h[("lsc_cq_teu", "2024")]
        row("lsc_cq_teu", f"> {lsc24:,.0f} TEU, all modes (data 2024)", lsc24)
    else:
        lsc23 = h[("lsc_cq_teu_jan_sep", "2023")] * 12 / 9
        lo, hi = lsc23, lsc23 * 1.32
        row(
            "lsc_cq_teu",
            f"2024 not published; 2022 > 148,000, 2023 ~{lsc23:,.0f} (Jan-Sep x 12/9); "
            f"2024 range {lo:,.0f}-{hi:,.0f} (flat to +32%, the 2022 growth)",
            lsc23,
            lo,
            hi,
        )
    add("")

    if departures is not None and len(departures):
        d = departures.copy()
        if np.issubdtype(d["step"].dtype, np.datetime64):  # xarray decoded "days since <start>"
            d["year"] = d["step"].dt.year
        else:
            d["year"] = y0 + (d["step"] // 365.25).astype(int)
        d = d[d["year"] == y0]
        n_rep = ds.sizes["replicate"]
        add(f"### Departures from Chongqing in {y0} (mean over replicates, `train_departures`)")
        add("")
        add(
            "Rail and rail-sea services run a timetable (one more departure when the backlog "
            "exceeds two); the other modes have no timetable in the model and ship what is booked, "
            "so their capacity is unlimited and their rows are shipments, not departures."
        )
        add("")
        add(
            "| route | mode | timetable a year | departures run | mean load (TEU) | load factor "
            "| TEU carried | tonnes (TEU x kg per TEU) |"
        )
        add("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for r, name in enumerate(routes):
            g = d[d["route"] == r]
            mode_ = rd["by_name"][name]["mode"]
            timetabled = mode_ in ("rail", "rail_sea")
            sched = rd["by_name"][name]["departures_per_week"] * 52.18
            n = len(g) / n_rep
            load = g["load_teu"].mean() if len(g) else math.nan
            lf = (g["load_teu"] / g["capacity_teu"]).mean() if len(g) else math.nan
            teu = g["load_teu"].sum() / n_rep
            add(
                f"| `{name}` | {mode_.replace('_', '-')} | {_num(sched) if timetabled else 'none'} "
                f"| {_num(n) if timetabled else f'{_num(n)} shipments'} "
                f"| {_num(load, 1)} | {_num(100 * lf, 0) + '%' if timetabled else 'n/a'} "
                f"| {_num(teu)} | {_num(teu * rd['kg_per_teu'] / 1000)} |"
            )
        add("")
        road = [i for i, n in enumerate(routes) if rd["by_name"][n]["mode"] == "road"]
        road_teu = d.loc[d["route"].isin(road), "load_teu"].sum() / n_rep
        if road_teu > 0:
            add(
                f"Cross-border road carries {road_teu:,.0f} TEU in {y0} and counts in `lsc_cq_teu` "
                "(rail-sea, China-Laos rail and cross-border road)."
            )
            add("")
        cr = [routes.index(n) for n in routes if n.startswith("cr_express")]
        cr_run = d["route"].isin(cr).sum() / n_rep
        cr_sched = sum(rd["by_name"][routes[i]]["departures_per_week"] for i in cr) * 52.18
        add(
            f"CR Express: {cr_run:,.0f} departures run against {cr_sched:,.0f} in the timetable "
            "(a departure is cancelled when under half full and one is added when the backlog "
            "exceeds two trains, so the count follows the cargo the route choice sends to rail)."
        )
        add("")
        cr_teu = d.loc[d["route"].isin(cr), "load_teu"].sum() / n_rep
        teu_cd = h[("cr_express_teu_cq_cd", "2023")]
        share = trains / (trains + h[("cr_express_trains_chengdu_crct", "2024")])
        air_t = (
            d.loc[d["route"] == routes.index("air"), "load_teu"].sum()
            / n_rep
            * rd["kg_per_teu"]
            / 1000
        )
        ckg = h[("ckg_airport_cargo_t", "2023")]
        add("| check | model | published | verdict |")
        add("| --- | ---: | --- | --- |")
        ok = cr_teu <= teu_cd * share * 1.1
        add(
            f"| CR Express TEU from Chongqing, {y0} | {cr_teu:,.0f} | ~{teu_cd * share:,.0f}: "
            f"Chengdu + Chongqing > {teu_cd:,.0f} TEU (2023) x Chongqing's {100 * share:.0f}% of "
            f"their 2024 trains (DERIVED) | {'plausible' if ok else '**off**'} |"
        )
        if not ok:
            findings.append(f"CR Express TEU {cr_teu:,.0f} against ~{teu_cd * share:,.0f}")
        ok = air_t <= ckg
        add(
            f"| air cargo, tonnes, {y0} | {air_t:,.0f} | Jiangbei airport handled {ckg:,.0f} t in "
            f"2023, domestic included (data, low confidence): an upper bound "
            f"| {'plausible' if ok else '**off**'} |"
        )
        if not ok:
            findings.append(f"air cargo {air_t:,.0f} t above the airport's total {ckg:,.0f} t")
        add("")

    # transit days
    add("## Transit days by route")
    add("")
    add(
        "Model days: the route's leg (routes.hpp) plus the onward sea leg for rail-sea and "
        "river-sea routes; 'realized leg' is the mean over the year's departures, with delays "
        "(`train_departures`). Waiting for a departure (3.5 / departures a week, in the route "
        "choice) is not included."
    )
    add("")
    add("| route | to | model days | realized leg (mean) | published | range | source | verdict |")
    add("| --- | --- | ---: | ---: | --- | --- | --- | --- |")
    for name, sea, where, text, lo, hi, src in TRANSIT:
        r = rd["by_name"][name]
        # As the model's route choice: a rail-sea route naming an ASEAN port sails there.
        port = rd["asean_port_days"][name] if sea == "asean" else 0.0
        days = r["leg_days"] + (port or (rd["sea_by_region"][sea]["days"] if sea else 0.0))
        realized = "n/a"
        if departures is not None and len(departures):
            g = departures[departures["route"] == routes.index(name)]["transit_days"]
            realized = _num(float(g.mean()), 1) if len(g) else "n/a"
        ok = lo <= days <= hi
        if not ok:
            findings.append(f"{name} to {where}: {days:g} days in the model, published {text}")
        add(
            f"| `{name}` | {where} | {days:g} | {realized} | {text} | {lo}-{hi} | {src} "
            f"| {'plausible' if ok else '**off**'} |"
        )
    eu = rd["sea_by_region"]["eu"]["days"]
    ok = 28 <= eu <= 36
    add(
        f"| sea leg (gateway to EU) | Europe | {eu:g} | | 28-36 days (forwarder quote) | 28-36 "
        f"| anchors §3.3 | {'plausible' if ok else '**off**'} |"
    )
    add("")

    # costs
    rail = rd["by_name"]["cr_express_duisburg"]["leg_rate_cny_per_teu"]
    sea_eu = rd["sea_by_region"]["eu"]["rate_cny_per_teu"]
    barge = rd["by_name"]["yangtze_river_sea"]["leg_rate_cny_per_teu"]
    rail_sea = rd["by_name"]["lsc_rail_sea_singapore"]["leg_rate_cny_per_teu"]
    air = rd["by_name"]["air"]["leg_rate_cny_per_teu"]
    kg = rd["kg_per_teu"]
    ratio = rail / sea_eu
    add("## Rail, sea and air costs to Europe (routes.hpp rates, CNY per TEU)")
    add("")
    add("| comparison | model | published | verdict |")
    add("| --- | ---: | --- | --- |")
    ok = 2.2 <= ratio <= 2.7
    add(
        f"| CR Express / sea from the coast, per box | {rail:,.0f} / {sea_eu:,.0f} = {ratio:.2f} "
        f"| rail USD 6,000-8,500 vs sea USD 2,200-3,800 per FEU: ~2.2-2.7x at mid quotes "
        f"(1.6-3.9x at the extremes; forwarder, anchors §3.3) | {'plausible' if ok else '**off**'} |"
    )
    if not ok:
        findings.append(f"rail/sea cost ratio {ratio:.2f} outside 2.2-2.7")
    add(
        f"| CR Express / Yangtze barge + sea, from Chongqing | {rail:,.0f} / {barge + sea_eu:,.0f} "
        f"= {rail / (barge + sea_eu):.2f} | no published door-to-door ratio from Chongqing | "
        "(the inland leg narrows the gap) |"
    )
    add(
        f"| CR Express / rail-sea via Qinzhou + sea | {rail:,.0f} / {rail_sea + sea_eu:,.0f} "
        f"= {rail / (rail_sea + sea_eu):.2f} | none | |"
    )
    air_share = rail / air
    q_lo = 6000 / 20000 / 9.0
    q_hi = 8500 / 20000 / 5.5
    ok = q_lo <= air_share <= 0.2
    add(
        f"| rail / air, per {kg / 1000:g} t | {rail:,.0f} / {air:,.0f} = {100 * air_share:.1f}% "
        f"| 'about 20% of air' (yidaiyilu, basis unstated); quotes imply {100 * q_lo:.0f}-"
        f"{100 * q_hi:.0f}% per kg (rail USD 6,000-8,500 per 20 t FEU vs air USD 5.5-9/kg) "
        f"| {'plausible' if ok else '**off**'} (agrees with the quotes, not with 20%) |"
    )
    add("")

    if flows is not None and len(flows):
        f = flows[(flows["year"] == y0) & (flows["region"] == regions.index("eu"))]
        mode = {r["route"]: r["mode"] for r in rd["routes"]}
        f = f.assign(mode=[mode[routes[int(i)]] for i in f["route"]])
        by = f.groupby("mode")["value_cny_100m"].sum()
        total = by.sum()
        add(f"## Modal shares of Chongqing-EU trade by value, {y0} (`shipment_flows`)")
        add("")
        add("| mode | model share | EU-China 2019 (imports / exports) |")
        add("| --- | ---: | --- |")
        pub = {"rail": "3% / 2%", "air": "22% / 38%"}
        for m_ in ("rail", "air", "river_sea", "rail_sea", "road"):
            if m_ in by:
                add(
                    f"| {m_.replace('_', '-')} | {100 * by[m_] / total:.1f}% | {pub.get(m_, 'sea: the rest')} |"
                )
        add("")
        rail_value = by.get("rail", 0.0) / ds.sizes["replicate"]  # 100m CNY, a replicate
        add(
            "No modal split of Chongqing's own trade is published. The national shares are a "
            "floor for rail from inland Chongqing, not a target (anchors §3.3, Cargo Facts); "
            "Chongqing's CR Express carried RMB 33.0 bn in Jan-Sep 2019 (anchors §6) and more "
            "than RMB 90 bn in 2020 (data `cr_express_value_cq_cny_100m`), including other "
            f"provinces' cargo and Central Asia. The model's rail trade with the EU is "
            f"RMB {rail_value / 10:,.1f} bn in {y0}. "
            "Sea (river-sea and rail-sea) carries "
            f"{100 * (by.get('river_sea', 0) + by.get('rail_sea', 0)) / total:.1f}% of the value."
        )
        add("")
    return findings


def drift_section(ds, add) -> None:
    """How the baseline moves after 2024 with no policy: not calibrated, but every policy effect
    is measured against it."""
    years = [int(y) for y in ds["year"].values]
    if len(years) < 2:
        return
    first, last = years[0], years[-1]
    add(f"## Baseline drift {first}-{last} (no policy)")
    add("")
    add(
        "Not a calibration target: the baseline holds policy at its 2024 state, and foreign demand "
        "follows the drivers known at the end of 2024 (`data/drivers.csv`: GDP by region, PC "
        "shipments, vehicle exports), each replicate drawing its own path from the forecasts' "
        "historical errors. Growth here is what policy effects are measured against."
    )
    add("")
    add(f"| series | {first} mean | {last} mean | growth a year | 90% band of growth a year |")
    add("| --- | ---: | ---: | ---: | --- |")
    n = last - first
    for name in (
        "total_trade_cny_100m",
        "exports_cny_100m",
        "trading_firms",
        "exporting_firms",
        "aeo_firms",
        "cr_express_trains_cq_crct",
        "lsc_cq_teu",
    ):
        if name not in ds:
            continue
        a = ds[name].sel(year=first).values
        b = ds[name].sel(year=last).values
        g = 100 * ((b / a) ** (1 / n) - 1)
        m, q5, q95 = stats(g)
        add(
            f"| `{name}` | {_num(float(np.mean(a)))} | {_num(float(np.mean(b)))} | {m:+.1f}% "
            f"| {q5:+.1f}% to {q95:+.1f}% |"
        )
    add("")


# ---------------------------------------------------------------------------------------------
# report


def render(ds, departures, flows, meta) -> str:
    h = history()
    p = parameters()
    y0 = int(ds["year"].values[0])
    lines: list[str] = []
    add = lines.append
    add("# Calibration: the baseline's 2024 against the 2024 data")
    add("")
    add(
        "Generated by `analysis/calibration.py`; do not edit by hand. The 2024 levels are the "
        "published figures (`data/chongqing_history.csv`) or the levels derived from published "
        "shares in `models/src/parameters.cpp` (docs/parameters.md). The model starts 2024 after a "
        "60-month burn-in that scales the entry hazard towards the 2024 trading-firm count and the "
        "demand shifters towards 2024 exports by sector and region (docs/model.md); the other "
        "levels are outcomes. Tolerances: total trade 3%, the others 10%."
    )
    add("")
    add(f"- Command: `{meta['command']}`")
    add(f"- Date: {meta['date']}; tradeeco {meta['version']} (git {meta['git']})")
    add(
        f"- Scenario `{meta['scenario']}`: {meta['replicates']} replicates, seed {meta['seed']}, "
        f"population scale {meta['population_scale']}"
    )
    add("")

    levels = levels_2024(h, p)
    rows = []
    for lv in levels:
        if lv.series not in ds:
            rows.append((lv, None))
            continue
        rows.append((lv, stats(ds[lv.series].sel(year=y0).values)))
    n_in = sum(1 for lv, s in rows if s is not None and within(s[0], lv.value, lv.tolerance_pct))
    n = sum(1 for _, s in rows if s is not None)

    body: list[str] = []
    findings: list[str] = []
    corridor_findings = corridor_section(ds, departures, flows, h, route_data(), body.append)

    add(f"**{n_in} of {n} calibrated 2024 levels within tolerance.**")
    add("")
    add(f"## {y0} levels")
    add("")
    add("| indicator | 2024 level | basis | model mean | 90% band | gap | tolerance | verdict |")
    add("| --- | ---: | --- | ---: | --- | ---: | ---: | --- |")
    for lv, s in rows:
        if s is None:
            add(f"| `{lv.series}` | {_num(lv.value)} | {lv.basis} | not in file | | | | |")
            continue
        m, q5, q95 = s
        g = gap_pct(m, lv.value)
        ok = within(m, lv.value, lv.tolerance_pct)
        in_band = q5 <= lv.value <= q95
        if not ok:
            findings.append(
                f"`{lv.series}` 2024: {gap_text(g, lv.tolerance_pct)} ({_num(m)} vs {_num(lv.value)}, {lv.basis})"
            )
        verdict = "within" if ok else "**off**"
        if in_band:
            verdict += "; data inside the band"
        add(
            f"| `{lv.series}` | {_num(lv.value)} | {lv.basis} | {_num(m)} | {_num(q5)} to {_num(q95)} "
            f"| {gap_text(g, lv.tolerance_pct)} | {lv.tolerance_pct:g}% | {verdict} |"
        )
    add("")
    lines.extend(body)
    drift_section(ds, add)
    add("## Where the model is off")
    add("")
    if not findings and not corridor_findings:
        add("Nothing outside its tolerance.")
    for f_ in findings + corridor_findings:
        add(f"- {f_}")
    add("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--results", type=Path, help="an existing result file of the baseline")
    ap.add_argument("--replicates", type=int, default=20)
    ap.add_argument("--population-scale", type=float, default=None)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--keep", type=Path, help="keep the run's result file here")
    ap.add_argument("--out", type=Path, default=OUTPUT)
    args = ap.parse_args(argv)

    import tradeeco

    with tempfile.TemporaryDirectory() as tmp:
        path = args.results
        if path is None:
            path = args.keep or Path(tmp) / "calibration.nc"
            spec = calibration_spec(args.replicates, args.population_scale)
            tradeeco.run(spec, out=path, threads=args.threads, progress=sys.stderr.isatty()).close()
        ds, departures, flows = load(path)
    attrs = ds.attrs
    meta = {
        "command": " ".join(
            ["python analysis/calibration.py", *(argv if argv is not None else sys.argv[1:])]
        ),
        "date": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d"),
        "version": attrs.get("tradeeco_version", tradeeco.__version__),
        "git": attrs.get("git_revision", "?"),
        "scenario": attrs.get("scenario_name", "?"),
        "replicates": ds.sizes["replicate"],
        "seed": int(float(attrs["seed"])) if "seed" in attrs else "?",
        "population_scale": attrs.get("population_scale", "?"),
    }
    if float(meta["population_scale"] if meta["population_scale"] != "?" else 1) != 1.0:
        print("note: population scale is not 1: levels scale with it", file=sys.stderr)
    page = render(ds, departures, flows, meta)
    # The calibration of the free parameters (tools/gen_calibration_docs.py) and what follows it
    # are written by other tools: keep them.
    marker = "<!-- calibrate:begin -->"
    old = args.out.read_text() if args.out.is_file() else ""
    if marker in old:
        page = page.rstrip("\n") + "\n\n" + marker + old.split(marker, 1)[1]
    args.out.write_text(page)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
