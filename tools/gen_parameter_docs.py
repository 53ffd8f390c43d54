#!/usr/bin/env python3
"""Writes docs/parameters.md from the model's parameter table and route data.

The parameter rows come from the compiled model (``tradeeco._core.parameter_table()``, i.e.
``models/src/parameters.cpp``), grouped by the ``// --- section ---`` comments of that file. The
route tables are read from ``models/src/routes.hpp`` (the C++ initializers are parsed; the
route, region and sector names come from ``tradeeco._core.taxonomy()``), so the page cannot drift
from the code: ``tests/python/test_parameters_doc.py`` regenerates it and compares.

    python tools/gen_parameter_docs.py            # rewrite docs/parameters.md
    python tools/gen_parameter_docs.py --check    # exit 1 if docs/parameters.md is stale
"""

from __future__ import annotations

import argparse
import ast
import difflib
import operator
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PARAMETERS_CPP = REPO / "models" / "src" / "parameters.cpp"
ROUTES_HPP = REPO / "models" / "src" / "routes.hpp"
OUTPUT = REPO / "docs" / "parameters.md"
GENERATOR = "tools/gen_parameter_docs.py"

# ---------------------------------------------------------------------------------------------
# parameters.cpp: which section each key is in


def parameters_source() -> str:
    """parameters.cpp with the ``#include "parameter_rows_*.inc"`` lines of its table expanded."""
    lines = []
    for line in PARAMETERS_CPP.read_text().splitlines():
        m = re.match(r'\s*#include "(parameter_rows_\w+\.inc)"', line)
        lines.append((PARAMETERS_CPP.parent / m.group(1)).read_text() if m else line)
    return "\n".join(lines)


def parameter_sections(cpp_text: str) -> dict[str, str]:
    """Maps each key of the C++ table to the ``// --- <section> ---`` comment above it."""
    sections: dict[str, str] = {}
    current = "Other"
    for line in cpp_text.splitlines():
        m = re.match(r"\s*//\s*-{3,}\s*(.*?)\s*-{3,}\s*$", line)
        if m:
            current = m.group(1)
            continue
        m = re.match(r'\s*\{"([A-Za-z0-9_.]+)",', line)
        if m:
            sections[m.group(1)] = current
    return sections


# ---------------------------------------------------------------------------------------------
# routes.hpp: a minimal reader of the constexpr initializers

_OPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.BitOr: operator.or_,
    ast.BitAnd: operator.and_,
}


def _eval(expr: str, names: dict[str, int | float]) -> int | float:
    """Evaluates a C++ arithmetic or bit-mask initializer (numbers, + - * / | & ~, names)."""

    def ev(node: ast.AST):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return node.value
        if isinstance(node, ast.Name) and node.id in names:
            return names[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Invert):
            return ~ev(node.operand)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -ev(node.operand)
        raise ValueError(f"routes.hpp: cannot evaluate {expr!r}")

    return ev(ast.parse(expr, mode="eval"))


def _region_names_for_eval(regions: list[str]) -> dict[str, int]:
    names = {f"R_{r}": 1 << i for i, r in enumerate(regions)}
    names["all_regions"] = (1 << len(regions)) - 1
    return names


def _cpp_to_py(expr: str) -> str:
    expr = re.sub(r"bit\(region::(\w+)\)", r"R_\1", expr)
    return re.sub(r"(\d)\.(\D|$)", r"\1.0\2", expr).strip()


def _initializer(text: str, name: str) -> list[tuple[str, list[str]]]:
    """The top-level ``{...}`` items of the array initializer ``name{{ ... }}``, each with the
    ``//`` comment lines written since the previous item (whole-line and trailing comments)."""
    start = text.index(name)
    start = text.index("{{", start) + 2
    items: list[tuple[str, list[str]]] = []
    comments: list[str] = []
    depth, buf = 0, ""
    for line in text[start:].splitlines():
        code, _, comment = line.partition("//")
        if depth == 0 and comment.strip() and not code.strip():
            comments.append(comment.strip())
            continue
        for ch in code:
            if ch == "}" and depth == 0:  # the closing "}}" of the array
                return items
            if ch == "{":
                depth += 1
                if depth == 1:
                    buf = ""
                    continue
            if ch == "}":
                depth -= 1
                if depth == 0:
                    items.append((buf, comments))
                    comments = []
                    continue
            if depth >= 1:
                buf += ch
        if comment.strip():  # a trailing comment belongs to the item on its line
            if depth == 0 and items:
                items[-1][1].append(comment.strip())
            else:
                comments.append(comment.strip())
        if depth >= 1:
            buf += " "
    raise ValueError(f"routes.hpp: unterminated initializer {name}")


def _split_top(s: str) -> list[str]:
    parts, depth, cur, in_str = [], 0, "", False
    for ch in s:
        if ch == '"':
            in_str = not in_str
        if not in_str and ch in "([{":
            depth += 1
        if not in_str and ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0 and not in_str:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur.strip())
    return parts


def parse_routes(hpp_text: str, routes: list[str], regions: list[str]) -> list[dict]:
    """One dict per route of ``route_table``, in the order of ``routes`` (taxonomy names)."""
    names = _region_names_for_eval(regions)
    items = _initializer(hpp_text, "route_table")
    if len(items) != len(routes):
        raise ValueError(
            f"routes.hpp: {len(items)} routes in route_table, taxonomy has {len(routes)}"
        )
    out = []
    for name, (body, comments) in zip(routes, items, strict=True):
        f = _split_top(body)
        if len(f) != 8:
            raise ValueError(f"routes.hpp: route {name}: expected 8 fields, got {len(f)}")
        mask = int(_eval(_cpp_to_py(f[6]), names))
        out.append(
            {
                "route": name,
                "mode": f[0].split("::")[-1],
                "leg_days": float(_eval(_cpp_to_py(f[1]), names)),
                "leg_rate_cny_per_teu": float(_eval(_cpp_to_py(f[2]), names)),
                "departures_per_week": float(_eval(_cpp_to_py(f[3]), names)),
                "teu_per_departure": float(_eval(_cpp_to_py(f[4]), names)),
                "delay_sd_days": float(_eval(_cpp_to_py(f[5]), names)),
                "regions": [r for i, r in enumerate(regions) if mask >> i & 1],
                "source": f[7].strip().strip('"'),
                "comments": comments,
            }
        )
    return out


def parse_sea_legs(hpp_text: str, regions: list[str]) -> list[dict]:
    """The onward sea leg by region (``sea_leg``): days and CNY per TEU from the gateway port."""
    items = _initializer(hpp_text, "sea_leg")
    if len(items) != len(regions):
        raise ValueError(f"routes.hpp: {len(items)} sea legs, taxonomy has {len(regions)} regions")
    out = []
    for region, (body, comments) in zip(regions, items, strict=True):
        days, rate = (_eval(_cpp_to_py(x), {}) for x in _split_top(body))
        label = comments[-1].split()[0] if comments else region
        if label != region:
            raise ValueError(f"routes.hpp: sea_leg entry commented {label!r}, expected {region!r}")
        note = " ".join(comments[-1].split()[1:]).strip("() ") if comments else ""
        out.append(
            {"region": region, "days": float(days), "rate_cny_per_teu": float(rate), "note": note}
        )
    return out


def parse_keyed_array(hpp_text: str, name: str, keys: list[str]) -> dict[str, float]:
    """A ``std::array<double, N> name{...}`` of one number per key (sector or route)."""
    m = re.search(rf"\b{name}\{{([^}}]*)\}}", hpp_text)
    if not m:
        raise ValueError(f"routes.hpp: no array {name}")
    values = [float(_eval(_cpp_to_py(x), {})) for x in _split_top(m.group(1))]
    if len(values) != len(keys):
        raise ValueError(f"routes.hpp: {name} has {len(values)} values, expected {len(keys)}")
    return dict(zip(keys, values, strict=True))


def parse_scalar(hpp_text: str, name: str) -> float:
    m = re.search(rf"\b{name}\s*=\s*([^;]+);", hpp_text)
    if not m:
        raise ValueError(f"routes.hpp: no constant {name}")
    return float(_eval(_cpp_to_py(m.group(1)), {}))


def doc_comment(hpp_text: str, name: str) -> str:
    """The ``//`` or ``///`` comment lines just above the declaration of ``name``, joined."""
    lines = hpp_text.splitlines()
    for i, line in enumerate(lines):
        if re.search(rf"\b{name}\s*(\{{|=)", line) and not line.lstrip().startswith("//"):
            out: list[str] = []
            j = i - 1
            while j >= 0 and lines[j].lstrip().startswith("//"):
                out.insert(0, lines[j].lstrip().lstrip("/").strip())
                j -= 1
            return " ".join(out)
    raise ValueError(f"routes.hpp: no declaration of {name}")


def route_data(taxonomy: dict[str, list[str]], hpp_text: str | None = None) -> dict:
    """Everything in routes.hpp, parsed: routes, sea legs, value density, value of time."""
    text = hpp_text if hpp_text is not None else ROUTES_HPP.read_text()
    sectors = taxonomy["sectors"]
    return {
        "routes": parse_routes(text, taxonomy["routes"], taxonomy["regions"]),
        "sea_legs": parse_sea_legs(text, taxonomy["regions"]),
        "value_cny_per_kg": parse_keyed_array(text, "value_cny_per_kg", sectors),
        "value_of_time": parse_keyed_array(text, "value_of_time_by_sector", sectors),
        # Sea days from Qinzhou to the port a rail-sea route names (0: use the region's sea leg).
        "asean_port_days": parse_keyed_array(text, "asean_port_days", taxonomy["routes"]),
        "kg_per_teu": parse_scalar(text, "kg_per_teu"),
        "notes": {
            n: doc_comment(text, n)
            for n in ("route_table", "sea_leg", "value_cny_per_kg", "value_of_time_by_sector")
        },
    }


# ---------------------------------------------------------------------------------------------
# rendering


def fmt(x: float) -> str:
    """Numbers as people write them: 7,154.2; 4,762; 0.0057; 5,860,000."""
    x = float(x)
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    if abs(x) >= 1000:
        return f"{x:,.1f}"
    return f"{x:.6g}"


def cell(s: str) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ").strip()


def unit_cell(unit: str) -> str:
    return cell(unit) if unit.strip() else "dimensionless"


def source_kind(source: str) -> str:
    s = source.strip()
    for prefix, kind in (
        ("data:", "data"),
        ("DERIVED", "derived"),
        ("anchors", "anchors"),
        ("ASSUMPTION", "assumption"),
        ("calibrated", "calibrated"),
        ("plan", "plan"),
    ):
        if s.startswith(prefix):
            return kind
    return "other"


_KIND_TEXT = {
    "data": "a published Chongqing figure (`data:<indicator> <year>` is a row of `data/chongqing_history.csv`, which keeps the original source)",
    "derived": "computed from published figures, with the arithmetic in the source column",
    "anchors": "a published research estimate (economics anchors, section given)",
    "calibrated": "set at start so that the model reproduces a 2024 level; the value is the starting guess",
    "plan": "the draft plan's text",
    "assumption": "no source pins it down; the [min, max] range is what a sensitivity study should sweep",
    "other": "see the source column",
}


_PRIOR_FORM = {
    "normal": "mean the value, sd (max - min) / 4, truncated",
    "lognormal": "median the value, log-sd ln(max / min) / 4, truncated",
    "triangular": "mode the value",
    "uniform": "flat",
}
_PRIOR_RULE = {
    "normal": "a published figure (data), or a research estimate (anchors) whose range spans "
    "less than a factor 3 | the figure or estimate is the best guess and errors either way are "
    "alike",
    "lognormal": "a research estimate whose range spans a factor 3 or more | the uncertainty is "
    "about the order of magnitude: errors are multiplicative",
    "triangular": "a value derived from published figures (DERIVED) or from the plan's text | the "
    "arithmetic pins a most likely value; the inputs' other years or readings bound it",
    "uniform": "an ASSUMPTION, or a rate the calibration sets (calibrated) | nothing favours one "
    "value in the range over another",
}


def used_by_cell(used_by: str) -> str:
    return ", ".join(f"`{f.strip()}`" for f in used_by.split(",") if f.strip())


def _region_list(regions: list[str], all_regions: list[str]) -> str:
    if len(regions) == len(all_regions):
        return "all"
    missing = [r for r in all_regions if r not in regions]
    if len(regions) > len(all_regions) / 2 and missing:
        return "all but " + ", ".join(missing)
    return ", ".join(regions)


def render(params: list[dict], sections: dict[str, str], routes: dict, taxonomy: dict) -> str:
    lines: list[str] = []
    add = lines.append
    add("# Parameters")
    add("")
    add(
        f"Generated by `{GENERATOR}` from `tradeeco._core.parameter_table()` "
        "(`models/src/parameters.cpp`) and `models/src/routes.hpp`; do not edit by hand. "
        "`python tools/gen_parameter_docs.py --check` (and `tests/python/test_parameters_doc.py`) "
        "fail when this page and the code disagree."
    )
    add("")
    add(
        "A scenario may override any parameter by key within its [min, max] "
        "(`[parameters]` table, docs/scenarios.md). Route data are not scenario parameters: "
        "they are the 2024 starting state, changed only through policy levers and shocks."
    )
    add("")

    kinds: dict[str, int] = {}
    for p in params:
        k = source_kind(p["source"])
        kinds[k] = kinds.get(k, 0) + 1
    add(f"## Sources at a glance ({len(params)} parameters)")
    add("")
    add("| kind | parameters | meaning |")
    add("| --- | ---: | --- |")
    for k in ("data", "derived", "anchors", "calibrated", "plan", "assumption", "other"):
        if kinds.get(k):
            add(f"| {k} | {kinds[k]} | {_KIND_TEXT[k]} |")
    add("")

    pinned = sum(1 for p in params if p["pinned"])
    priors: dict[str, int] = {}
    for p in params:
        priors[p["prior"]] = priors.get(p["prior"], 0) + 1
    add("## Priors, and what the calibration pins")
    add("")
    add(
        "Every parameter has a prior over its [min, max] for uncertainty studies (sensitivity, "
        "calibration, ensembles). The prior is chosen from the kind of source, by this rule:"
    )
    add("")
    add("| prior | over [min, max] | chosen for | why |")
    add("| --- | --- | --- | --- |")
    for name in ("normal", "lognormal", "triangular", "uniform"):
        add(f"| {name} ({priors.get(name, 0)}) | {_PRIOR_FORM[name]} | {_PRIOR_RULE[name]} |")
    add("")
    add(
        "A value at an end of its range gets a triangular prior with its mode there, whatever its "
        "source. The rule is applied row by row in `models/src/parameters.cpp` (the `prior_kind` "
        "of each row), so a row with better information can say so there."
    )
    add("")
    add(
        f"The **2024** column says whether the calibration to 2024 data pins the value "
        f"(`pinned`, {pinned} parameters: a 2024 level from the data or derived from it, or a rate "
        f"set so that the model reproduces one) or it is a `free` behavioural parameter "
        f"({len(params) - pinned}). **Used by** lists the model files (`models/src`) that read "
        "the parameter; `tests/cpp/test_parameter_table.cpp` scans the sources and fails when "
        "this drifts."
    )
    add("")

    order: list[str] = []
    for p in params:
        sec = sections.get(p["key"], "Other")
        if sec not in order:
            order.append(sec)
    for sec in order:
        add(f"## {sec[0].upper() + sec[1:]}")
        add("")
        add("| key | value | unit | min | max | prior | 2024 | used by | description | source |")
        add("| --- | ---: | --- | ---: | ---: | --- | --- | --- | --- | --- |")
        for p in params:
            if sections.get(p["key"], "Other") != sec:
                continue
            add(
                f"| `{p['key']}` | {fmt(p['value'])} | {unit_cell(p['unit'])} | {fmt(p['min'])} "
                f"| {fmt(p['max'])} | {p['prior']} | {'pinned' if p['pinned'] else 'free'} "
                f"| {used_by_cell(p['used_by'])} | {cell(p['description'])} | {cell(p['source'])} |"
            )
        add("")

    regions = taxonomy["regions"]
    add("## Routes (`models/src/routes.hpp`)")
    add("")
    add(
        "The 2024 timetable and tariffs of the services from the Chongqing hub, one row per route "
        "in the order of the route names of docs/scenarios.md. `leg` is Chongqing to the route's "
        "gateway or destination; rail-sea and river-sea routes add the onward sea leg below. "
        "Sources are the C++ comments, quoted after the table. " + routes["notes"]["route_table"]
    )
    add("")
    add(
        "| route | mode | leg days | leg CNY/TEU | departures/week | TEU/departure | delay sd (days) | regions served | source |"
    )
    add("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |")
    for r in routes["routes"]:
        add(
            f"| `{r['route']}` | {r['mode'].replace('_', '-')} | {fmt(r['leg_days'])} "
            f"| {fmt(r['leg_rate_cny_per_teu'])} | {r['departures_per_week']:.2f} "
            f"| {fmt(r['teu_per_departure'])} | {fmt(r['delay_sd_days'])} "
            f"| {_region_list(r['regions'], regions)} | {cell(r['source'])} |"
        )
    add("")
    add("Notes in `routes.hpp`, by the route they precede:")
    add("")
    for r in routes["routes"]:
        if r["comments"]:
            add(f"- `{r['route']}`: " + " ".join(cell(c) for c in r["comments"]))
    add("")
    add("### Onward sea leg from the gateway port (Qinzhou or Shanghai)")
    add("")
    add(routes["notes"]["sea_leg"])
    add("")
    add("| region | days | CNY/TEU | note |")
    add("| --- | ---: | ---: | --- |")
    for s in routes["sea_legs"]:
        add(
            f"| {s['region']} | {fmt(s['days'])} | {fmt(s['rate_cny_per_teu'])} | {cell(s['note'])} |"
        )
    add("")
    add("### By sector: value density and value of time")
    add("")
    add(
        f"A TEU carries {fmt(routes['kg_per_teu'])} kg. "
        + routes["notes"]["value_cny_per_kg"]
        + " "
        + routes["notes"]["value_of_time_by_sector"]
    )
    add("")
    add("| sector | CNY per kg | value of a day (share of value) |")
    add("| --- | ---: | ---: |")
    for s in taxonomy["sectors"]:
        add(f"| {s} | {fmt(routes['value_cny_per_kg'][s])} | {fmt(routes['value_of_time'][s])} |")
    add("")
    return "\n".join(lines)


def generate() -> str:
    from tradeeco import _core

    taxonomy = _core.taxonomy()
    sections = parameter_sections(parameters_source())
    return render(_core.parameter_table(), sections, route_data(taxonomy), taxonomy)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")
    ap.add_argument(
        "--out", type=Path, default=OUTPUT, help="file to write (default docs/parameters.md)"
    )
    args = ap.parse_args(argv)
    text = generate()
    if args.check:
        current = args.out.read_text() if args.out.exists() else ""
        if current != text:
            diff = difflib.unified_diff(
                current.splitlines(),
                text.splitlines(),
                str(args.out),
                "generated",
                lineterm="",
                n=1,
            )
            print("\n".join(list(diff)[:60]), file=sys.stderr)
            print(f"{args.out} is out of date: run python {GENERATOR}", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date")
        return 0
    args.out.write_text(text)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
