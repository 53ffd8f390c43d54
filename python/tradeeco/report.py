"""The planner's report: one self-contained HTML page, in Chinese or English, from result files.

:func:`report` compares the scenarios given (the first is the reference, normally the
baseline) and writes one HTML file whose styles, charts and fonts are all inline, so viewing it
needs no network. It shows, in this order: a summary in plain language (which targets each
package meets in 2025 and 2027 and with what probability, the largest effects, the cost, the
main uncertainties); the attainment table (P(met) with its interval, colour-coded with a text
label); fan charts of every target indicator and the monthly trade and corridor series; paired
differences against the reference (with cost-effectiveness where the results carry
``fiscal_cost_cny_100m``, and what drives each verdict where a sensitivity table is given);
each package's levers; and the provenance of every run.

The numbers are those of :mod:`tradeeco.analysis`: P(met) is :func:`analysis.attainment`, the
same as ``tradeeco compare`` prints, and differences are :func:`analysis.paired_difference`.
The HTML comes from the Jinja2 template ``templates/report.html.j2`` (autoescaped) and the
words from ``templates/messages.toml``; charts are matplotlib SVG with text as paths, so they
look the same on any machine. ``--pdf`` prints the page with headless Chromium.

Example:
    >>> import tradeeco
    >>> html = tradeeco.report(
    ...     ["baseline.nc", "plan.nc"], "report.html", lang="en"
    ... )  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import datetime as _dt
import functools
import importlib.resources
import io
import json
import math
import os
import re
import shutil
import subprocess
import tempfile
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib
import numpy as np
import pandas as pd
import xarray as xr

from . import analysis
from . import targets as _targets
from ._results import unit_label

__all__ = ["LANGUAGES", "SERIES", "print_pdf", "render", "report"]

#: Languages of the report; the first is the default.
LANGUAGES: tuple[str, ...] = ("zh", "en")

#: The monthly series drawn besides the target indicators: trade, exports, imports and the
#: corridors' volumes (China-Europe trains a month; Land-Sea Corridor TEU a year).
SERIES: tuple[str, ...] = (
    "total_trade_cny_100m_monthly",
    "exports_cny_100m_monthly",
    "imports_cny_100m_monthly",
    "cr_express_trains_cq_month_monthly",
    "lsc_cq_teu",
)

#: The result-file variable holding a scenario's yearly fiscal spending (100m CNY a year).
COST_VARIABLE = analysis.FISCAL_COST

# Verdict classes of P(met). A convention for reading the table, stated on the page.
_LIKELY, _UNLIKELY = 0.8, 0.2

# Debian's CJK fonts (fonts-wqy-microhei, fonts-wqy-zenhei, fonts-noto-cjk), in preference order.
_CJK_FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)

_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"

# What a table shows for a missing number, and the dash between a range's ends.
_MISSING = _DASH = "\N{EN DASH}"


# --- words and numbers -----------------------------------------------------------------------


@functools.cache
def _messages() -> dict:
    with importlib.resources.files("tradeeco").joinpath("templates/messages.toml").open("rb") as f:
        return tomllib.load(f)


@dataclass(frozen=True)
class _Words:
    """The report's words and number formats in one language."""

    lang: str

    def __call__(self, key: str, **fields) -> str:
        text = _messages()[self.lang][key]
        return text.format(**fields) if fields else text

    # Numbers: decimals by magnitude. Chinese groups by 万 (10^4) as the plan writes
    # "40万套"; English uses thousands separators.
    def num(self, x: float, signed: bool = False, exact: bool = False) -> str:
        """``exact`` drops trailing zeros, for numbers set by hand (targets, strengths)."""
        x = math.nan if x is None else float(x)
        if math.isnan(x):
            return _MISSING
        sign = "+" if signed and x > 0 else ""
        if self.lang == "zh" and abs(x) >= 1e4:
            return sign + _plain(x / 1e4, strip=True) + "万"
        return sign + _plain(x, grouping=self.lang != "zh", strip=exact)

    def unit(self, unit: str) -> str:
        if self.lang == "zh":
            return _messages()["units_zh"].get(unit, unit)
        return {"percent": "%", "percent a year": "% a year"}.get(unit, unit)

    def value(self, x: float, unit: str, signed: bool = False, exact: bool = False) -> str:
        """A number with its unit: 4600亿元, 53%, "4,600 100m CNY", "5% a year"."""
        if self.lang == "zh" and unit.startswith("100m CNY") and x is not None and 0 < abs(x) < 1:
            # Below 1亿元 the plan's readers count in 万元: 0.3亿元 is 3000万元.
            unit = unit.replace("100m CNY", "10k CNY")
            x = x * 1e4
        number, u = self.num(x, signed, exact), self.unit(unit)
        if not u or number == _MISSING:
            return number
        if self.lang == "zh" or u.startswith("%"):
            return number + u
        return f"{number} {u}"

    def pct(self, p: float) -> str:
        """A probability in whole percent, rounded as ``tradeeco compare`` rounds it (two
        decimals), so the two always agree."""
        if p is None or math.isnan(p):
            return _MISSING
        return f"{round(float(p), 2) * 100:.0f}%"

    def level(self, level: float) -> str:
        return f"{level * 100:g}%"

    def indicator(self, name: str, ds: xr.Dataset | None = None) -> str:
        """A variable's name: the plan's wording for targets, else the file's long_name."""
        if name in _target_table().index:
            row = _target_table().loc[name]
            return row["name_zh"] if self.lang == "zh" and row["name_zh"] else row["indicator"]
        if self.lang == "zh" and name in _messages()["series_zh"]:
            return _messages()["series_zh"][name]
        if ds is not None and name in ds:
            return str(ds[name].attrs.get("long_name", name))
        return name

    def scenario(self, label: str, ds: xr.Dataset) -> str:
        """A scenario's display name: the shipped scenarios' Chinese names in zh, with the
        file's label where it differs."""
        name = analysis.scenario_name(ds)
        shown = _messages()["scenarios_zh"].get(name, name) if self.lang == "zh" else name
        return shown if label == name else f"{shown} ({label})"

    def rule(self, rule: str) -> str:
        return self(f"rule_{rule}")

    def join(self, items: Iterable[str]) -> str:
        items = list(items)
        return self("list_sep").join(items) if items else self("none")


def _plain(x: float, grouping: bool = False, strip: bool = False) -> str:
    """Decimals by magnitude: 5,612 / 53.0 / 2.12 / 0.045; tiny numbers in two significant
    digits; zero as 0."""
    magnitude = abs(x)
    if magnitude == 0:
        return "0"
    if magnitude < 0.001:
        return f"{x:.2g}"
    decimals = 0 if magnitude >= 100 else 1 if magnitude >= 10 else 2 if magnitude >= 0.1 else 3
    text = f"{x:,.{decimals}f}" if grouping else f"{x:.{decimals}f}"
    if strip and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.lstrip("-") if float(text.replace(",", "")) == 0 else text


@functools.cache
def _target_table() -> pd.DataFrame:
    return _targets.table()


# --- inputs ----------------------------------------------------------------------------------


def _as_datasets(results) -> dict[str, xr.Dataset]:
    """``{label: Dataset}`` in memory from paths (labelled by file stem, as ``compare`` labels
    them), Datasets, or a mapping ``{label: path or Dataset}``."""
    if isinstance(results, (str, os.PathLike, xr.Dataset)):
        results = [results]
    if isinstance(results, Mapping):
        out = {
            str(k): v if isinstance(v, xr.Dataset) else analysis.load_results([v])[Path(v).stem]
            for k, v in results.items()
        }
    elif all(isinstance(r, xr.Dataset) for r in results):
        out = analysis.as_mapping(list(results))
    elif not any(isinstance(r, xr.Dataset) for r in results):
        out = analysis.load_results(results)
    else:
        raise TypeError("give result files or Datasets, not a mix (or a mapping with labels)")
    if not out:
        raise ValueError("report needs at least one result file")
    return out


def _read_sensitivity(sensitivity) -> pd.DataFrame | None:
    """A sensitivity table (DataFrame or CSV path) with columns indicator, parameter, index
    (and optionally scenario): the larger the index, the more the parameter drives the
    indicator."""
    if sensitivity is None:
        return None
    where = "sensitivity table"
    if not isinstance(sensitivity, pd.DataFrame):
        where = str(sensitivity)
        sensitivity = pd.read_csv(sensitivity)
    missing = {"indicator", "parameter", "index"} - set(sensitivity.columns)
    if missing:
        raise ValueError(
            f"{where}: expected columns indicator, parameter, index; missing {sorted(missing)}"
        )
    bad = pd.to_numeric(sensitivity["index"], errors="coerce").isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(
            f"{where}: row {row + 2}, key index: expected a number, "
            f"found {sensitivity['index'].iloc[row]!r}"
        )
    out = sensitivity.copy()
    out["index"] = out["index"].astype(float)
    out.attrs["source"] = Path(where).name
    return out


# --- analysis --------------------------------------------------------------------------------


def _parameter_sets(ds: xr.Dataset) -> np.ndarray | None:
    """The calibrated parameter set of each replicate, where the results carry one (a
    ``parameter_set`` variable or coordinate over ``replicate``)."""
    if "parameter_set" in ds.variables and ds["parameter_set"].dims == ("replicate",):
        return np.asarray(ds["parameter_set"].values)
    return None


def _driver_uncertainty(ds: xr.Dataset) -> float | None:
    """The run's ``driver_uncertainty`` (the scenario text's ``[parameters]`` override, else
    the parameter table's value), or None when the results carry no scenario text (not a
    model run)."""
    text = ds.attrs.get("scenario_text")
    if not text:
        return None
    try:
        value = tomllib.loads(str(text)).get("parameters", {}).get("driver_uncertainty")
    except tomllib.TOMLDecodeError:
        return None
    if value is None:
        from . import parameter_table

        table = parameter_table().set_index("key")
        value = table.loc["driver_uncertainty", "value"]
    return float(value)


def _parameter_share(values: np.ndarray, sets: np.ndarray) -> float:
    """Share of the variance of ``values`` between parameter sets (law of total variance:
    Var E[Y | set] / Var Y)."""
    keep = ~np.isnan(values)
    values, sets = values[keep], sets[keep]
    total = values.var()
    if values.size < 2 or total == 0:
        return math.nan
    means = pd.Series(values).groupby(sets).transform("mean").to_numpy()
    return float(means.var() / total)


def _verdict(p: float) -> str:
    if math.isnan(p):
        return "none"
    return "likely" if p >= _LIKELY else "unlikely" if p <= _UNLIKELY else "uncertain"


# --- charts ----------------------------------------------------------------------------------


@functools.cache
def _cjk_font() -> str | None:
    """The family name of an installed CJK font matplotlib can use, or None."""
    from matplotlib import font_manager

    for path in _CJK_FONT_FILES:
        if Path(path).exists():
            font_manager.fontManager.addfont(path)
            return font_manager.FontProperties(fname=path).get_name()
    return None


def _chart_style(lang: str) -> dict:
    families = ["DejaVu Sans"]
    if lang == "zh":
        cjk = _cjk_font()
        if cjk is None:
            raise RuntimeError(
                "the Chinese report needs a CJK font for its charts; install Debian's "
                "fonts-wqy-microhei (tools/install_deps.sh does), or use lang='en'"
            )
        families = [cjk, *families]
    return {
        "font.family": "sans-serif",
        "font.sans-serif": families,
        "svg.fonttype": "path",  # glyphs as paths: the page needs no font to show the charts
        "axes.unicode_minus": False,
        "font.size": 9,
    }


def _svg(fig, chart_id: str, alt: str):
    """The figure as an inline <svg> element with role="img" and a <title> (its alt text)."""
    from markupsafe import Markup
    from matplotlib import rc_context

    buf = io.StringIO()
    # The salt makes matplotlib's clip-path ids unique per chart and the output reproducible.
    with rc_context({"svg.hashsalt": chart_id}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    ET.register_namespace("", _SVG_NS)
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    root = ET.fromstring(buf.getvalue())
    # Every chart defines its glyphs and clip paths under the same ids; prefix them so that the
    # page's ids stay unique and each chart refers only to its own definitions.
    for el in root.iter():
        if "id" in el.attrib:
            el.set("id", f"{chart_id}-{el.get('id')}")
        href = el.get(_XLINK_HREF)
        if href and href.startswith("#"):
            el.set(_XLINK_HREF, f"#{chart_id}-{href[1:]}")
        for attr in ("clip-path", "mask", "filter", "style"):
            value = el.get(attr)
            if value and "url(#" in value:
                el.set(attr, value.replace("url(#", f"url(#{chart_id}-"))
    root.set("role", "img")
    root.set("aria-labelledby", f"{chart_id}-title")
    root.set("id", chart_id)
    for attr in ("width", "height"):  # the viewBox keeps the shape; CSS sets the width
        root.attrib.pop(attr, None)
    title = ET.Element(f"{{{_SVG_NS}}}title", {"id": f"{chart_id}-title"})
    title.text = alt
    root.insert(0, title)
    return Markup(ET.tostring(root, encoding="unicode"))


def _fan(w: _Words, datasets: dict[str, xr.Dataset], variable: str, chart_id: str) -> dict:
    import matplotlib.pyplot as plt
    from matplotlib import rc_context

    from .plot import fan_chart

    present = {w.scenario(k, ds): ds for k, ds in datasets.items() if variable in ds}
    first = next(iter(present.values()))
    name, unit = w.indicator(variable, first), w.unit(unit_label(first[variable]))
    with rc_context(_chart_style(w.lang)), warnings.catch_warnings():
        # Growth indicators have no value in the first year: an all-NaN slice, drawn as a gap.
        warnings.simplefilter("ignore", RuntimeWarning)
        fig, ax = plt.subplots(figsize=(6.4, 3.0), layout="constrained")
        try:
            fan_chart(
                present,
                variable,
                ax=ax,
                title=name,
                words={"median": w("median"), "target": w("target_word")},
            )
            ax.set_ylabel(unit)
            ax.legend(loc="best", fontsize="x-small")
            svg = _svg(fig, chart_id, _fan_alt(w, present, variable, name, unit))
        finally:
            plt.close(fig)
    caption = "fan_caption" if variable in _target_table().index else "series_caption"
    return {"id": chart_id, "svg": svg, "caption": w(caption, indicator=name, unit=unit)}


def _fan_alt(w: _Words, present: dict, variable: str, name: str, unit: str) -> str:
    """The chart's alt text: what it shows, each scenario's median at the last point drawn
    (the last month of a monthly series) and the latest target."""
    medians = []
    first = last = ""
    for label, ds in present.items():
        da = ds[variable]
        if "month" in da.dims:
            months = pd.to_datetime(da["month"].values)
            first, last = months[0].year, months[-1].year
            when = w("when_month", year=months[-1].year, month=months[-1].month)
            values = da.isel(month=-1).values
        else:
            years = [int(y) for y in da["year"].values]
            first, last = years[0], years[-1]
            when = w("when_year", year=years[-1])
            values = da.isel(year=-1).values
        medians.append(
            w("fan_alt_median", scenario=label, when=when, value=w.num(np.nanmedian(values)))
        )
    target = ""
    if variable in _target_table().index:
        t = _targets.get(variable)
        year = max(y for y in _targets.TARGET_YEARS if not math.isnan(t.value(y)))
        target = w(
            "fan_alt_target", year=year, rule=w.rule(t.rule), value=w.num(t.value(year), exact=True)
        )
    return w(
        "fan_alt",
        indicator=name,
        first=first,
        last=last,
        unit=unit,
        medians="".join(medians),
        target=target,
    )


# --- the page's content ----------------------------------------------------------------------


def _attainment(w, datasets, att, level, sets_present) -> tuple[list, list]:
    """Rows of the attainment table (one per target and year) and the column heads."""
    labels = list(datasets)
    keyed = att.set_index(["indicator", "year", "scenario"])
    order = {t: i for i, t in enumerate(_targets.ids())}
    rows = []
    for (indicator, year), group in sorted(
        att.groupby(["indicator", "year"]), key=lambda kv: (order[kv[0][0]], kv[0][1])
    ):
        first = group.iloc[0]
        cells = []
        for label in labels:
            key = (indicator, year, label)
            if key not in keyed.index:
                cells.append(None)
                continue
            r = keyed.loc[key]
            cells.append(
                {
                    "scenario": label,
                    "p": float(r["p_met"]),
                    "text": w.pct(r["p_met"]),
                    "interval": f"{w.pct(r['p_lo'])}{_DASH}{w.pct(r['p_hi'])}",
                    "verdict": _verdict(float(r["p_met"])),
                    "verdict_text": w(_verdict(float(r["p_met"])))
                    if not math.isnan(r["p_met"])
                    else "",
                    "share": w.pct(r["parameter_share"])
                    if sets_present and not math.isnan(r["parameter_share"])
                    else None,
                }
            )
        rows.append(
            {
                "indicator": indicator,
                "name": w.indicator(indicator),
                "year": int(year),
                "target": w.value(first["target"], first["unit"], exact=True),
                "rule": w.rule(first["rule"]),
                "cells": cells,
            }
        )
    heads = [w.scenario(k, ds) for k, ds in datasets.items()]
    return rows, heads


def _summary(w, datasets, att, diffs, costs, level, sets_present) -> dict:
    labels = list(datasets)
    ref = labels[0]
    ref_name = w.scenario(ref, datasets[ref])
    per_scenario = []
    for label in labels:
        years = []
        for year in sorted(set(att["year"])):
            a = att[(att["scenario"] == label) & (att["year"] == year)]
            classes = {"likely": [], "uncertain": [], "unlikely": []}
            for r in a.itertuples():
                v = _verdict(r.p_met)
                if v in classes:
                    classes[v].append(
                        {
                            "indicator": r.indicator,
                            "name": w.indicator(r.indicator),
                            "p": float(r.p_met),
                            "text": w.pct(r.p_met),
                        }
                    )
            years.append(
                {
                    "year": int(year),
                    "heading": w("target_years_meet", year=int(year)),
                    "classes": [
                        {
                            "key": k,
                            "label": w(k),
                            "entries": v,
                            "count": w("targets_count", n=len(v)),
                        }
                        for k, v in classes.items()
                    ],
                }
            )
        headline = [
            w(
                "headline",
                year=y["year"],
                likely=len(y["classes"][0]["entries"]),
                n=sum(len(c["entries"]) for c in y["classes"]),
            )
            for y in years
        ]
        per_scenario.append(
            {
                "label": label,
                "name": w.scenario(label, datasets[label]),
                "headline": w("clause_sep").join(headline),
                "years": years,
            }
        )

    effects = []
    final_year = int(att["year"].max()) if not att.empty else None
    keyed = att.set_index(["indicator", "year", "scenario"])
    for label, d in diffs.items():
        rows = []
        for r in d[d["year"] == final_year].itertuples():
            p_ref = keyed.loc[(r.variable, r.year, ref), "p_met"]
            p = keyed.loc[(r.variable, r.year, label), "p_met"]
            target = _targets.get(r.variable).value(r.year)
            # Ranked by the change in P(met), then by the change relative to the target.
            dp = abs(p - p_ref) if not (math.isnan(p) or math.isnan(p_ref)) else 0.0
            relative = abs(r.mean) / abs(target) if target and not math.isnan(r.mean) else 0.0
            rows.append((dp, relative, r, p_ref, p))
        rows.sort(key=lambda t: (t[0], t[1]), reverse=True)
        unit = {v: unit_label(datasets[label][v]) for v in d["variable"].unique()}
        lines = [
            w(
                "effect_line",
                indicator=w.indicator(r.variable),
                p_ref=w.pct(p_ref),
                p=w.pct(p),
                diff=w.value(r.mean, unit[r.variable], signed=True),
                level=w.level(level),
                lo=w.num(r.lo, signed=True),
                hi=w.num(r.hi, signed=True),
            )
            for dp, relative, r, p_ref, p in rows[:3]
            if dp > 0 or relative > 0
        ]
        effects.append(
            {
                "name": w.scenario(label, datasets[label]),
                "heading": w("largest_effects", ref=ref_name, year=final_year),
                "lines": lines or [w("no_effects", ref=ref_name, year=final_year)],
            }
        )

    uncertain = []
    for label in labels:
        a = att[(att["scenario"] == label) & (att["year"] == final_year)]
        names = [
            w.indicator(r.indicator) for r in a.itertuples() if _verdict(r.p_met) == "uncertain"
        ]
        if names:
            uncertain.append(
                w(
                    "uncertain_line",
                    scenario=w.scenario(label, datasets[label]),
                    n=len(names),
                    lo=round(_UNLIKELY * 100),
                    hi=round(_LIKELY * 100),
                    names=w.join(names),
                )
            )
    n = sorted({int(ds.sizes.get("replicate", 0)) for ds in datasets.values()})
    uncertain.append(w("replicates_line", n="/".join(map(str, n)), level=w.level(level)))
    if sets_present:
        k = max(len(np.unique(s)) for s in map(_parameter_sets, datasets.values()) if s is not None)
        uncertain.append(w("parameter_sets_line", k=k))
    else:
        uncertain.append(w("no_parameter_sets"))
    scales = [_driver_uncertainty(ds) for ds in datasets.values()]
    if scales and all(x is not None for x in scales):
        uncertain.append(w("drivers_drawn") if min(scales) > 0 else w("drivers_central"))

    return {
        "scenarios": per_scenario,
        "class_rule": w("class_rule", hi=round(_LIKELY * 100), lo=round(_UNLIKELY * 100)),
        "effects": effects,
        "cost": (costs["lines"] if costs else [w("cost_missing")]) + _stated_costs(w, datasets),
        "uncertainties": uncertain,
    }


def _instruments(label: str, ds: xr.Dataset) -> list[dict]:
    """The instruments of the scenario that produced ``ds`` (from its scenario_text)."""
    from ._scenarios import load_scenario_string

    text = str(ds.attrs.get("scenario_text", ""))
    return load_scenario_string(text, f"{label}:scenario_text").instruments if text else []


def _stated_costs(w, datasets) -> list[str]:
    """The yearly fiscal cost each scenario's instruments state (an assumption of the files)."""
    lines = []
    for label, ds in datasets.items():
        instruments = _instruments(label, ds)
        stated = [i.get("fiscal_cost_cny_per_year") for i in instruments]
        stated = [c for c in stated if c is not None]
        if stated:
            lines.append(
                w(
                    "stated_cost_line",
                    scenario=w.scenario(label, ds),
                    n=len(stated),
                    total=w.value(sum(stated) / 1e8, "100m CNY a year"),
                )
            )
    return lines


def _costs(w, datasets) -> dict | None:
    """Total and extra fiscal spending per scenario, where every result carries it."""
    if not all(COST_VARIABLE in ds for ds in datasets.values()):
        return None
    labels = list(datasets)
    ref = labels[0]
    cum = {k: analysis.fiscal_cost(ds, cumulative=True) for k, ds in datasets.items()}
    lines = []
    for label in labels[1:]:
        total = cum[label].isel(year=-1).mean("replicate").item()
        extra = total - cum[ref].isel(year=-1).mean("replicate").item()
        years = cum[label]["year"].values
        lines.append(
            w(
                "cost_line",
                scenario=w.scenario(label, datasets[label]),
                years=f"{int(years[0])}{_DASH}{int(years[-1])}",
                total=w.value(total, "100m CNY"),
                extra=w.value(extra, "100m CNY"),
                ref=w.scenario(ref, datasets[ref]),
            )
        )
    return {"lines": lines, "cumulative": cum}


def _comparison(w, datasets, diffs, costs, sensitivity, level) -> list[dict]:
    labels = list(datasets)
    ref = labels[0]
    out = []
    for label in labels[1:]:
        ds = datasets[label]
        if label not in diffs:
            _, reason = analysis.is_paired(datasets[ref], ds)
            out.append(
                {
                    "name": w.scenario(label, ds),
                    "note": w(
                        "not_paired",
                        scenario=w.scenario(label, ds),
                        ref=w.scenario(ref, datasets[ref]),
                        reason=reason,
                    ),
                    "rows": [],
                }
            )
            continue
        d = diffs[label]
        per_cost = {}
        if costs is not None:
            ce = analysis.cost_effectiveness(
                datasets[ref],
                ds,
                variables=sorted(set(d["variable"])),
                years=sorted(set(d["year"])),
            )
            per_cost = {
                (v, int(y)): x
                for v, y, x in zip(ce["variable"], ce["year"], ce["per_100m"], strict=True)
            }
        rows = []
        for r in d.itertuples():
            unit = unit_label(ds[r.variable])
            row = {
                "indicator": r.variable,
                "name": w.indicator(r.variable),
                "year": int(r.year),
                "unit": w.unit(unit),
                "mean_a": w.num(r.mean_a),
                "mean_b": w.num(r.mean_b),
                "diff": w.num(r.mean, signed=True),
                "interval": _MISSING
                if math.isnan(r.lo)
                else f"{w.num(r.lo, signed=True)} {_DASH} {w.num(r.hi, signed=True)}",
                "per_cost": None,
                "drivers": None,
            }
            if (r.variable, int(r.year)) in per_cost:
                x = per_cost[(r.variable, int(r.year))]
                row["per_cost"] = _MISSING if math.isnan(x) else w.num(x, signed=True)
            if sensitivity is not None:
                s = sensitivity[sensitivity["indicator"] == r.variable]
                if "scenario" in s.columns:
                    s = s[s["scenario"].isin([label, analysis.scenario_name(ds)])]
                top = s.sort_values("index", ascending=False).head(3)
                row["drivers"] = w.join(
                    f"{p} ({w.num(i)})" for p, i in zip(top["parameter"], top["index"], strict=True)
                )
            rows.append(row)
        out.append(
            {
                "name": w.scenario(label, ds),
                "head": w(
                    "diff_col", scenario=w.scenario(label, ds), ref=w.scenario(ref, datasets[ref])
                ),
                "ref_name": w.scenario(ref, datasets[ref]),
                "note": None,
                "rows": rows,
            }
        )
    return out


_LABEL_LINE = re.compile(r'^\s*label\s*=\s*"((?:[^"\\]|\\.)*)"')


def _policy_notes(scenario_text: str) -> dict[str, tuple[str, str]]:
    """``{label: (comment, "file.toml:line")}`` for each ``[[policy]]`` of the scenario's source
    files (named in the resolved text's first line): the comment block above a policy is where
    the scenario files say where its numbers come from. Empty where the files are not at hand
    (a result file read on another machine)."""
    first = scenario_text.split("\n", 1)[0]
    m = re.match(r"#.*resolved from (.*)$", first)
    notes: dict[str, tuple[str, str]] = {}
    if not m:
        return notes
    for path in (Path(p.strip()) for p in m.group(1).split("<-")):
        if not path.is_file():
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            if line.strip() != "[[policy]]":
                continue
            k = i
            while k > 0 and lines[k - 1].lstrip().startswith("#"):
                k -= 1
            comment = " ".join(x.strip().lstrip("#").strip() for x in lines[k:i])
            for j in range(i + 1, len(lines)):
                if lines[j].strip().startswith("["):
                    break  # the next table: this policy has no label line
                label = _LABEL_LINE.match(lines[j])
                if label:
                    text = json.loads(f'"{label.group(1)}"')
                    notes.setdefault(text, (comment, f"{path.name}:{i + 1}"))
                    break
    return notes


def _levers(w, datasets) -> list[dict]:
    titles = _targets.measures()
    title_col = "title_zh" if w.lang == "zh" else "title_en"
    out = []
    for label, ds in datasets.items():
        name = w.scenario(label, ds)
        notes = _policy_notes(str(ds.attrs.get("scenario_text", "")))
        rows = []
        for inst in _instruments(label, ds):
            measure = int(inst["measure"])
            note, where = notes.get(inst["label"], ("", ""))
            rows.append(
                {
                    "measure": measure,
                    "measure_title": titles.loc[measure, title_col]
                    if measure in titles.index
                    else "",
                    "label": inst["label"],
                    "lever": inst["lever"],
                    "strength": w.num(inst["strength"], exact=True),
                    "strength_unit": inst["unit"],
                    "start": str(inst["start"]),
                    "ramp": inst.get("ramp_months", ""),
                    "cost": w.value(
                        inst.get("fiscal_cost_cny_per_year", math.nan) / 1e8, "100m CNY"
                    )
                    if inst.get("fiscal_cost_cny_per_year") is not None
                    else _MISSING,
                    "source": w("clause_sep").join(
                        [w("source_text", measure=measure), *([where] if where else [])]
                    ),
                    "note": note,
                }
            )
        out.append(
            {
                "name": name,
                "rows": rows,
                "note": None if rows else w("no_instruments", scenario=name),
            }
        )
    return out


def _attr(ds: xr.Dataset, key: str):
    value = ds.attrs.get(key)
    if isinstance(value, np.ndarray):
        value = value.ravel()[0] if value.size else None
    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)
    return value


def _provenance(w, datasets) -> list[dict]:
    out = []
    for label, ds in datasets.items():
        source = ds.encoding.get("source") or ds.attrs.get("_report_source")
        sets = _parameter_sets(ds)
        if sets is not None:
            parameter_sets = str(len(np.unique(sets)))
        elif _attr(ds, "design_point") is not None:
            parameter_sets = w(
                "design_point",
                point=_attr(ds, "design_point"),
                parameters=_attr(ds, "design_parameters") or "",
            )
        else:
            parameter_sets = w("parameter_sets_default")
        fields = [
            ("file", Path(source).name if source else label),
            ("scenario_name", analysis.scenario_name(ds)),
            ("description", _attr(ds, "scenario_description")),
            ("version", _attr(ds, "tradeeco_version")),
            ("git_revision", _attr(ds, "git_revision")),
            ("seed", _attr(ds, "seed")),
            ("replicates", ds.sizes.get("replicate", _attr(ds, "replicates"))),
            ("first_replicate", _attr(ds, "first_replicate")),
            ("threads", _attr(ds, "threads")),
            ("population_scale", _attr(ds, "population_scale")),
            ("started_at", _attr(ds, "started_at")),
            ("finished_at", _attr(ds, "finished_at")),
            ("parameter_sets", parameter_sets),
        ]
        out.append(
            {
                "name": w.scenario(label, ds),
                "fields": [(w(k), v) for k, v in fields if v is not None and v != ""],
                "text": str(ds.attrs.get("scenario_text", "")),
            }
        )
    return out


# --- rendering -------------------------------------------------------------------------------


@functools.cache
def _environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("tradeeco", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(
    results,
    *,
    lang: str = "zh",
    sensitivity=None,
    level: float = 0.95,
    charts: bool = True,
) -> str:
    """The report as an HTML string (see :func:`report`); ``charts=False`` leaves the charts
    out (a quicker page, for a first look or a test)."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    sensitivity = _read_sensitivity(sensitivity)  # bad input fails before the files are read
    datasets = _as_datasets(results)
    w = _Words(lang)

    att = analysis.attainment(datasets)
    lo, hi = analysis.p_met_interval(att["p_met"], att["n"], level)
    att = att.assign(p_lo=lo, p_hi=hi)
    sets_present = any(_parameter_sets(ds) is not None for ds in datasets.values())
    shares = []
    for r in att.itertuples():
        sets = _parameter_sets(datasets[r.scenario])
        if sets is None:
            shares.append(math.nan)
            continue
        values = analysis.yearly(datasets[r.scenario], r.indicator).sel(year=r.year)
        shares.append(_parameter_share(np.asarray(values.values, float), sets))
    att = att.assign(parameter_share=shares)

    labels = list(datasets)
    ref = datasets[labels[0]]
    indicators = list(dict.fromkeys(att["indicator"]))
    # Differences in the years the plan sets targets for, as the attainment table shows them.
    target_years = set(zip(att["indicator"], att["year"], strict=True))
    diffs = {}
    for label in labels[1:]:
        if analysis.is_paired(ref, datasets[label])[0] and indicators:
            common = [v for v in indicators if v in datasets[label] and v in ref]
            d = analysis.paired_difference(ref, datasets[label], variables=common, level=level)
            keep = [k in target_years for k in zip(d["variable"], d["year"], strict=True)]
            diffs[label] = d[keep].reset_index(drop=True)
    costs = _costs(w, datasets)

    fans, series = [], []
    if charts:
        for i, name in enumerate(indicators):
            fans.append(_fan(w, datasets, name, f"fan-{i}"))
        for i, name in enumerate(v for v in SERIES if all(v in ds for ds in datasets.values())):
            series.append(_fan(w, datasets, name, f"series-{i}"))

    rows, heads = _attainment(w, datasets, att, level, sets_present)
    replicates = sorted({int(ds.sizes.get("replicate", 0)) for ds in datasets.values()})
    context = {
        "lang": lang,
        "t": w,
        "title": w("title"),
        "subtitle": w(
            "subtitle",
            scenarios=w.join(w.scenario(k, ds) for k, ds in datasets.items()),
            replicates="/".join(map(str, replicates)),
        ),
        "level": w.level(level),
        "summary": _summary(w, datasets, att, diffs, costs, level, sets_present),
        "attainment": rows,
        "heads": heads,
        "sets_present": sets_present,
        "fans": fans,
        "series": series,
        "comparison": _comparison(w, datasets, diffs, costs, sensitivity, level),
        "has_cost": costs is not None,
        "has_sensitivity": sensitivity is not None,
        "sensitivity_note": w("drivers_note", source=sensitivity.attrs.get("source", ""), n=3)
        if sensitivity is not None
        else w("sensitivity_missing"),
        "levers": _levers(w, datasets),
        "provenance": _provenance(w, datasets),
        "generated": w(
            "generated",
            time=_dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            version=_version(),
        ),
    }
    template = _environment().get_template("report.html.j2")
    # The page's Chinese text in an embedded font made of just the characters it uses, so it
    # reads the same on a machine without CJK fonts (a rendering once without it finds them).
    context["font_data"] = _font_subset(template.render(context, font_data=None))
    return template.render(context)


# Unicode ranges of the CJK characters and punctuation the embedded font covers (the CSS
# @font-face's unicode-range says the same).
_CJK_RANGES = ((0x2E80, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF))


def _font_subset(html: str) -> str | None:
    """The CJK characters of the page's text as a WOFF font, base64; None if there are none."""
    from html import unescape

    text = re.sub(r"<(svg|style)\b.*?</\1>", "", html, flags=re.S)
    text = unescape(re.sub(r"<[^>]+>", "", text))
    chars = "".join(sorted(c for c in set(text) if any(a <= ord(c) <= b for a, b in _CJK_RANGES)))
    if not chars:
        return None
    if _cjk_font() is None:
        raise RuntimeError(
            "the page has Chinese text and needs a CJK font to embed; install Debian's "
            "fonts-wqy-microhei (tools/install_deps.sh does)"
        )
    from fontTools import subset
    from fontTools.ttLib import TTFont

    path = next(p for p in _CJK_FONT_FILES if Path(p).exists())
    options = subset.Options()
    options.flavor = "woff"  # zlib-compressed; WOFF2 would need brotli
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]  # FontForge's timestamps: nothing to subset
    font = TTFont(path, fontNumber=0)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _version() -> str:
    from . import __version__

    return __version__


def report(
    results,
    out: str | os.PathLike | None = None,
    *,
    lang: str = "zh",
    sensitivity=None,
    level: float = 0.95,
    pdf: str | os.PathLike | None = None,
) -> str:
    """Writes the planner's report: one self-contained HTML page comparing scenarios.

    Args:
        results: result files (paths) or Datasets, the reference (normally the baseline)
            first; or ``{label: path or Dataset}``. Files are labelled by their stem, as
            ``tradeeco compare`` labels them.
        out: the HTML file to write (written whole or not at all); None to only return it.
        lang: ``"zh"`` (the default) or ``"en"``.
        sensitivity: a table (DataFrame or CSV file) with columns indicator, parameter, index
            (optionally scenario) from a sensitivity analysis; the report then shows the
            parameters that drive each verdict.
        level: the level of the intervals (default 0.95).
        pdf: also print the page to this PDF file with headless Chromium.

    Returns:
        The HTML text.

    Raises:
        FileNotFoundError: a result file does not exist.
        ValueError: bad arguments or a malformed sensitivity table.
        RuntimeError: the Chinese report needs a CJK font, or Chromium failed to print.
    """
    html = render(results, lang=lang, sensitivity=sensitivity, level=level)
    if out is not None:
        _write_atomically(Path(out), html)
    if pdf is not None:
        if out is None:
            with tempfile.TemporaryDirectory() as tmp:
                page = Path(tmp) / "report.html"
                page.write_text(html, encoding="utf-8")
                print_pdf(page, pdf)
        else:
            print_pdf(out, pdf)
    return html


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's 0600 would hide the report from others
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def chromium() -> str | None:
    """The headless Chromium executable (Debian's ``chromium``), or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_flags() -> list[str]:
    """Flags for a headless Chromium that touches nothing but the page."""
    flags = ["--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check"]
    flags += ["--disable-extensions", "--disable-background-networking", "--disable-sync"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    return flags


def print_pdf(html: str | os.PathLike, pdf: str | os.PathLike, timeout: float = 120) -> Path:
    """Prints an HTML file to PDF with headless Chromium; the PDF appears whole or not at all."""
    exe = chromium()
    if exe is None:
        raise RuntimeError("printing to PDF needs Chromium: apt-get install chromium")
    html, pdf = Path(html).resolve(), Path(pdf)
    if not html.is_file():
        raise FileNotFoundError(f"{html}: no such HTML file")
    pdf.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        tmp = Path(profile) / "out.pdf"
        cmd = [
            exe,
            *chromium_flags(),
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={tmp}",
            html.as_uri(),
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0 or not tmp.is_file() or tmp.stat().st_size == 0:
            raise RuntimeError(
                f"chromium could not print {html} (exit {done.returncode}): "
                f"{done.stderr.strip()[-500:]}"
            )
        shutil.move(tmp, pdf)
    return pdf
