"""tradeeco.report and `tradeeco report`: the planner's HTML page, checked as HTML, against
`tradeeco compare`, and rendered in Debian's headless Chromium (DevTools protocol over a pipe,
so no extra Python package): no console errors, no network requests, the key numbers on
screen, a screenshot; and printed to PDF.

Set TRADEECO_SCREENSHOTS=<folder> to keep the screenshots for a look.
"""

from __future__ import annotations

import base64
import contextlib
import json
import math
import os
import re
import select
import subprocess
import sys
import tempfile
import time
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from conftest import synthetic

from tradeeco import analysis, cli
from tradeeco.report import _Words, chromium, chromium_flags, print_pdf, render, report

REPO = Path(__file__).resolve().parents[2]


# --- reading the page ------------------------------------------------------------------------


class _Page(HTMLParser):
    """What the tests need from a page: every src/href/url(), the probability elements, the
    inline SVGs' accessibility attributes, tables and scripts."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[str] = []
        self.svgs: list[dict] = []
        self.svg_titles: dict[str, str] = {}
        self.probabilities: dict[tuple, list[str]] = {}
        self.tables = self.headers = self.scripts = 0
        self._p: tuple | None = None
        self._text: list[str] = []
        self._title: str | None = None
        self.feed(html)
        self.css_urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("src", "href", "srcset", "action", "poster", "data"):
            if key in a and tag != "svg":
                self.links.append(a[key])
        if "xlink:href" in a and not a["xlink:href"].startswith("#"):
            self.links.append(a["xlink:href"])
        if tag == "svg":
            self.svgs.append(a)
        if tag == "title" and self.svgs:
            self._title = a.get("id")
        self.tables += tag == "table"
        self.headers += tag == "th"
        self.scripts += tag == "script"
        cls = a.get("class", "").split()
        if ("p" in cls or "summary-p" in cls) and "data-indicator" in a:
            self._p = (a["data-indicator"], int(a["data-year"]), a["data-scenario"])
            self._text = []

    def handle_data(self, data):
        if self._p is not None:
            self._text.append(data)
        if self._title is not None:
            self.svg_titles[self._title] = self.svg_titles.get(self._title, "") + data

    def handle_endtag(self, tag):
        if tag == "title":
            self._title = None
        if tag == "span" and self._p is not None:
            match = re.search(r"(\d+)%", "".join(self._text))
            if match:
                self.probabilities.setdefault(self._p, []).append(match.group(1))
            self._p = None


def external(url: str) -> bool:
    return bool(re.match(r"^[a-z][a-z0-9+.-]*:", url, re.I)) and not url.startswith("data:")


# --- numbers and words -----------------------------------------------------------------------


def test_numbers_follow_the_language():
    zh, en = _Words("zh"), _Words("en")
    assert zh.value(4600, "100m CNY") == "4600亿元"
    assert en.value(4600, "100m CNY") == "4,600 100m CNY"
    assert zh.value(400000, "sets a year") == "40万套/年"  # the plan writes 40万套
    assert zh.value(0.3, "100m CNY a year") == "3000万元/年"  # and 万元 below 1亿元
    assert zh.value(55, "percent", exact=True) == "55%" and en.num(0.0) == "0"
    assert en.num(-0.0004) == "-0.0004" and en.num(-0.0001 / 3) == "-3.3e-05"
    assert en.value(400000, "sets a year") == "400,000 sets a year"
    assert zh.value(53.04, "percent") == en.value(53.04, "percent") == "53.0%"
    assert zh.value(5612.4, "firms") == "5612家" and en.value(5612.4, "firms") == "5,612 firms"
    assert en.num(-2.125, signed=True) == "-2.12" and en.num(3.5, signed=True) == "+3.50"
    assert en.num(math.nan) == "\N{EN DASH}"
    # Rounded as `compare` rounds (two decimals), so a half is never shown both ways.
    assert [en.pct(p) for p in (0.125, 0.135, 2 / 3, 1.0)] == ["12%", "14%", "67%", "100%"]
    assert [f"{p:.2f}" for p in (0.125, 0.135)] == ["0.12", "0.14"]


def test_messages_have_the_same_keys_in_both_languages():
    from tradeeco.report import _messages

    messages = _messages()
    assert set(messages["zh"]) == set(messages["en"])
    for key in messages["zh"]:
        fields_zh = set(re.findall(r"{(\w+)[:}]", messages["zh"][key]))
        assert fields_zh == set(re.findall(r"{(\w+)[:}]", messages["en"][key])), key


def test_wilson_interval():
    lo, hi = analysis.p_met_interval([0.0, 0.5, 1.0, np.nan], [20, 20, 20, 0])
    assert lo[0] == 0.0 and hi[2] == 1.0
    assert 0 < hi[0] < 0.2 and 0.8 < lo[2] < 1
    assert lo[1] == pytest.approx(0.2993, abs=1e-4) and hi[1] == pytest.approx(0.7007, abs=1e-4)
    assert math.isnan(lo[3]) and math.isnan(hi[3])


# --- the page from synthetic results (no model) ----------------------------------------------


def _pair(cost: bool = False, sets: bool = False):
    base, plan = synthetic("baseline"), synthetic("plan", shift=300.0)
    if cost:
        for ds, spend in ((base, 0.0), (plan, 5.0)):  # 100m CNY a year from 2025
            values = np.where(ds["year"].values >= 2025, spend, 0.0)
            ds["fiscal_cost_cny_100m"] = (
                ("replicate", "year"),
                np.tile(values, (ds.sizes["replicate"], 1)),
                {"units": "100m CNY", "long_name": "Fiscal spending on policy"},
            )
    if sets:
        for ds in (base, plan):
            ds["parameter_set"] = ("replicate", np.arange(ds.sizes["replicate"]) % 4)
    return {"baseline": base, "plan": plan}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_is_self_contained_and_accessible(lang):
    html = render(_pair(), lang=lang)
    page = _Page(html)
    assert html.startswith("<!DOCTYPE html>")
    assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in html
    assert [u for u in page.links + page.css_urls if external(u)] == []
    assert page.scripts == 0
    assert page.tables >= 2 and page.headers > 20  # attainment and comparison
    assert len(page.svgs) >= 4  # three fan charts of targets, one monthly series
    for svg in page.svgs:
        assert svg["role"] == "img"
        title = page.svg_titles[svg["aria-labelledby"]]
        assert len(title) > 30, title  # the alt text says what the chart shows
    assert "<text" not in html  # chart text is drawn as paths: no font needed to view
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "ids must be unique across the page"
    for ref in re.findall(r'(?:href="#|url\(#)([^")]+)', html):
        assert ref in ids, ref
    assert "@media print" in html


def test_chinese_page_uses_the_plans_words():
    html = render(_pair(), lang="zh")
    plan_words = ("有进出口实绩的企业", "海关高级认证企业（AEO）", "中老泰图定班列铁路全程运行时间")  # noqa: RUF001
    for words in plan_words:
        assert words in html
    assert "基准情景" in html and "≥ 5500家" in html
    assert "Firms with actual import/export" not in html
    # The Chinese text's glyphs are embedded (a subset font); the English page needs none.
    assert "src: url(data:font/woff;base64," in html
    english = render(_pair(), lang="en")
    assert "Firms with actual import/export in the year" in english and "基准" not in english
    assert "@font-face" not in english


def test_cost_shown_only_when_the_results_carry_it():
    without = render(_pair(), lang="en", charts=False)
    assert "record no fiscal spending" in without
    assert "Change per 100m CNY" not in without
    html = render(_pair(cost=True), lang="en", charts=False)
    assert "record no fiscal spending" not in html
    assert "fiscal spending 15.0 100m CNY over 2024\N{EN DASH}2027 (15.0 100m CNY more" in html
    # trading_firms 2027: +300 firms for 15 (100m CNY) of extra spending = +20.0 per 100m CNY.
    comparison = html[html.index('id="comparison"') :]
    row = re.search(
        r"<th scope=\"row\">Firms with actual[^<]*</th>\s*<td[^>]*>2027</td>(.*?)</tr>",
        comparison,
        re.S,
    )
    assert row and "+20.0" in row.group(1), row
    zh = render(_pair(cost=True), lang="zh", charts=False)
    assert "合计15.0亿元" in zh and "每亿元财政支出带来的变化" in zh


def test_parameter_sets_and_sensitivity_shown_only_when_given(tmp_path):
    plain = render(_pair(), lang="en", charts=False)
    assert "Parameter share" not in plain and "parameter uncertainty is not included" in plain
    assert "No sensitivity analysis was given" in plain
    html = render(_pair(sets=True), lang="en", charts=False)
    assert "Parameter share" in html and "4 calibrated parameter sets" in html
    table = tmp_path / "sobol.csv"
    table.write_text(
        "indicator,parameter,index\n"
        "trading_firms,entry.sunk_cost,0.61\n"
        "trading_firms,demand.elasticity,0.22\n"
        "trading_firms,noise,0.01\n"
        "trading_firms,minor,0.001\n"
    )
    html = render(_pair(), lang="en", charts=False, sensitivity=table)
    assert "What drives the verdict" in html and "sobol.csv" in html
    assert "entry.sunk_cost (0.61), demand.elasticity (0.22), noise (0.010)" in html
    assert "minor (" not in html


def test_driver_uncertainty_is_said_as_the_runs_record_it():
    pair = _pair()
    plain = render(pair, lang="en", charts=False)
    # Synthetic results carry no scenario text: nothing is claimed about drivers.
    assert "exogenous drivers" not in plain and "central path" not in plain
    for ds in pair.values():
        ds.attrs["scenario_text"] = '[scenario]\nname = "x"\n'
    drawn = render(pair, lang="en", charts=False)
    assert "draws its own path of the exogenous drivers" in drawn and "central path (" not in drawn
    assert "外生驱动路径" in render(pair, lang="zh", charts=False)
    pair["plan"].attrs["scenario_text"] += "\n[parameters]\ndriver_uncertainty = 0.0\n"
    central = unescape(render(pair, lang="en", charts=False))
    assert "drivers' central path (driver_uncertainty = 0)" in central
    assert "draws its own path" not in central


def test_bad_inputs_say_what_is_wrong(tmp_path):
    bad = tmp_path / "s.csv"
    bad.write_text("indicator,parameter,index\ntrading_firms,a,0.5\ntrading_firms,b,lots\n")
    with pytest.raises(
        ValueError, match=r"s.csv: row 3, key index: expected a number, found 'lots'"
    ):
        render(_pair(), sensitivity=bad)
    bad.write_text("indicator,param,value\n")
    with pytest.raises(ValueError, match=r"missing \['index', 'parameter'\]"):
        render(_pair(), sensitivity=bad)
    with pytest.raises(ValueError, match="lang must be one of zh, en"):
        render(_pair(), lang="fr")
    with pytest.raises(FileNotFoundError, match=r"nothing\.nc"):
        render([tmp_path / "nothing.nc"])
    out = tmp_path / "r.html"
    with pytest.raises(ValueError):
        report(_pair(), out, lang="fr")
    assert list(tmp_path.iterdir()) == [bad]  # nothing half-written


def test_unpaired_results_show_probabilities_but_no_differences():
    base, plan = synthetic("baseline", seed=1), synthetic("plan", seed=2)
    html = render({"baseline": base, "plan": plan}, lang="en", charts=False)
    assert "do not share random numbers (seeds differ (1 vs 2))" in html
    assert len(_Page(html).probabilities) > 0


# --- real result files -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def result_files(core, tmp_path_factory):
    """Three replicates of the baseline and of the plan, paired."""
    import tradeeco

    folder = tmp_path_factory.mktemp("report")
    for name in ("baseline", "plan"):
        tradeeco.run(name, out=folder / f"{name}.nc", replicates=3, progress=False).close()
    return folder / "baseline.nc", folder / "plan.nc"


@pytest.fixture(scope="module")
def pages(result_files, tmp_path_factory):
    folder = tmp_path_factory.mktemp("pages")
    return {lang: Path(folder / f"report_{lang}.html") for lang in ("zh", "en")}, {
        lang: report(list(result_files), folder / f"report_{lang}.html", lang=lang)
        for lang in ("zh", "en")
    }


def _compare_table(files) -> dict[tuple, str]:
    """(indicator, year, label) -> P(met) as `tradeeco compare` prints it."""
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(["compare", *map(str, files)]) == 0
    lines = out.getvalue().splitlines()
    head = next(i for i, ln in enumerate(lines) if ln.startswith("indicator"))
    # Columns by the spans of the dashes under the header (cells may be empty or hold spaces).
    spans = [m.span() for m in re.finditer(r"-+", lines[head + 1])]

    def cells(line: str) -> list[str]:
        return [line[a:b].strip() for a, b in spans]

    labels = {h[2:-1]: k for k, h in enumerate(cells(lines[head])) if h.startswith("P(")}
    table = {}
    for line in lines[head + 2 :]:
        row = cells(line)
        if not row[1].isdigit():
            break  # the table ends at a blank line or its footnotes ('* x is input-defined')
        indicator = row[0].removesuffix(" *")  # '*' marks input-defined indicators
        for label, k in labels.items():
            table[(indicator, int(row[1]), label)] = row[k].split(" [")[0]  # P(met) [interval]
    return table


def test_report_probabilities_equal_compares(result_files, pages):
    _, htmls = pages
    expected = _compare_table(result_files)
    assert len(expected) > 40
    for lang, html in htmls.items():
        shown = _Page(html).probabilities
        table_cells = {k: v[-1] for k, v in shown.items()}
        assert set(table_cells) == set(expected), lang
        for key, p in expected.items():
            percent = str(round(float(p) * 100))
            assert all(v == percent for v in shown[key]), (lang, key, p, shown[key])


def test_levers_and_provenance_of_every_run(result_files, pages):
    import tradeeco

    _, htmls = pages
    plan = tradeeco.load_scenario("plan")
    with tradeeco.open(result_files[1]) as ds:
        revision, version = ds.attrs["git_revision"], ds.attrs["tradeeco_version"]
    for lang, html in htmls.items():
        text = unescape(html)
        for inst in plan.instruments:
            assert inst["label"] in text
        assert revision in text and version in text and "20240101" in text
        assert ("实施“重庆造”全球品牌计划" if lang == "zh" else '"Made in Chongqing"') in text
    # The derivation comment above each policy in the scenario file is its source.
    assert "ASSUMPTION 0.10 (0.05-0.2); export-promotion returns, anchors §4" in unescape(
        htmls["en"]
    )


def test_cli_report_writes_the_file_and_prints_its_path(result_files, tmp_path):
    out = tmp_path / "sub" / "r.html"
    args = ["report", *map(str, result_files), "-o", str(out), "--lang", "en"]
    r = subprocess.run(
        [sys.executable, "-m", "tradeeco.cli", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(out)
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert oct(out.stat().st_mode & 0o077) != "0o0", "the report must be readable by others"
    bad = subprocess.run(
        [sys.executable, "-m", "tradeeco.cli", "report", str(result_files[0]), "-o", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert bad.returncode == 2 and "is a folder" in bad.stderr


# --- in a real browser -----------------------------------------------------------------------


class _Chromium:
    """Headless Chromium driven through the DevTools protocol on a pipe (--remote-debugging-pipe:
    JSON messages separated by NUL, read on fd 3 and written on fd 4)."""

    def __init__(self) -> None:
        import fcntl

        exe = chromium()
        if exe is None:
            pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
        self.profile = tempfile.TemporaryDirectory()
        to_browser_r, to_browser_w = os.pipe()
        from_browser_r, from_browser_w = os.pipe()

        def fds_3_and_4():  # in the child, before exec
            a = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [
                exe,
                *chromium_flags(),
                "--remote-debugging-pipe",
                f"--user-data-dir={self.profile.name}",
                "--window-size=1280,1600",
                "--hide-scrollbars",
                "about:blank",
            ],
            pass_fds=(3, 4),
            preexec_fn=fds_3_and_4,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.write, self.read = to_browser_w, from_browser_r
        self.buffer = b""
        self.last_id = 0
        self.events: list[dict] = []
        page = next(t for t in self.call("Target.getTargets")["targetInfos"] if t["type"] == "page")
        self.session = self.call("Target.attachToTarget", targetId=page["targetId"], flatten=True)[
            "sessionId"
        ]
        for domain in ("Page", "Network", "Runtime", "Log"):
            self.call(f"{domain}.enable", session=self.session)

    def call(self, method: str, session: str | None = None, timeout: float = 120, **params):
        self.last_id += 1
        message = {"id": self.last_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self.write, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            m = self._next(deadline)
            if m.get("id") == self.last_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m["result"]
            self.events.append(m)

    def page(self, method: str, **params):
        return self.call(method, session=self.session, **params)

    def _next(self, deadline: float) -> dict:
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("chromium did not answer in time")
            if select.select([self.read], [], [], left)[0]:
                chunk = os.read(self.read, 1 << 20)
                if not chunk:
                    raise RuntimeError("chromium closed the DevTools pipe")
                self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def load(self, path: Path, timeout: float = 120) -> None:
        """Opens a file and waits for its load event (events since the last load are kept)."""
        self.events.clear()
        self.page("Page.navigate", url=path.resolve().as_uri())
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            self.events.append(self._next(deadline))
        self.page("Runtime.evaluate", expression="1", awaitPromise=True)  # flush late events

    def requests(self) -> list[str]:
        """URLs the page asked for, less data: URLs (inline content, no network)."""
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent"
            and not e["params"]["request"]["url"].startswith("data:")
        ]

    def errors(self) -> list[str]:
        out = []
        for e in self.events:
            method, p = e.get("method"), e.get("params", {})
            if method == "Runtime.consoleAPICalled" and p["type"] in ("error", "assert"):
                out.append(" ".join(str(a.get("value", a.get("description"))) for a in p["args"]))
            elif method == "Runtime.exceptionThrown":
                out.append(p["exceptionDetails"].get("text", "exception"))
            elif method == "Log.entryAdded" and p["entry"]["level"] == "error":
                out.append(p["entry"]["text"])
        return out

    def text(self) -> str:
        return self.page(
            "Runtime.evaluate", expression="document.body.innerText", returnByValue=True
        )["result"]["value"]

    def screenshot(self, path: Path, scroll_to: str | None = None) -> None:
        if scroll_to:
            self.page(
                "Runtime.evaluate",
                expression=f"document.querySelector({json.dumps(scroll_to)}).scrollIntoView()",
            )
        data = self.page("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.call("Browser.close", timeout=20)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.write)
        os.close(self.read)
        self.profile.cleanup()


@pytest.fixture(scope="module")
def browser():
    b = _Chromium()
    yield b
    b.close()


def test_browser_sees_requests_and_errors(browser, tmp_path):
    """The checks below can fail: a page that loads a remote image and logs an error is caught."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><html><head><link rel="icon" href="data:,"></head><body>'
        '<img src="http://192.0.2.1/x.png" alt="x"><script>console.error("boom")</script>'
        "</body></html>"
    )
    browser.load(bad)
    assert "http://192.0.2.1/x.png" in browser.requests()
    assert any("boom" in e for e in browser.errors())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_in_headless_chromium(browser, pages, result_files, lang, tmp_path):
    paths, _ = pages
    browser.load(paths[lang])
    assert browser.errors() == []
    assert browser.requests() == [paths[lang].resolve().as_uri()]  # the page itself, nothing else
    text = browser.text()
    # Key numbers on screen: every P(met) of the plan in 2027 as compare prints it, the
    # replicate count, and the paired effect on trading firms.
    expected = _compare_table(result_files)
    for (indicator, year, label), p in expected.items():
        if label == "plan" and year == 2027:
            name = _Words(lang).indicator(indicator)
            assert re.search(re.escape(name) + r"\s+" + str(round(float(p) * 100)) + "%", text) or (
                f"{round(float(p) * 100)}%" in text
            ), (indicator, p)
    import tradeeco

    with tradeeco.open(result_files[0]) as a, tradeeco.open(result_files[1]) as b:
        d = analysis.paired_difference(a, b, ["trading_firms"], years=[2027]).iloc[0]
    assert _Words(lang).num(d["mean"], signed=True) in text
    if lang == "zh":
        assert "3次重复模拟" in text and "亿元" in text and "有进出口实绩的企业" in text
        # The Chinese title is drawn with the embedded font, not a font of this machine.
        browser.page("DOM.enable")
        browser.page("CSS.enable")
        root = browser.page("DOM.getDocument")["root"]["nodeId"]
        h1 = browser.page("DOM.querySelector", nodeId=root, selector="h1")["nodeId"]
        fonts = browser.page("CSS.getPlatformFontsForNode", nodeId=h1)["fonts"]
        assert [f["isCustomFont"] for f in fonts] == [True], fonts
    else:
        assert "3 replicates" in text and "100m CNY" in text
    shots = Path(os.environ.get("TRADEECO_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    browser.screenshot(shots / f"report_{lang}_top.png")
    browser.screenshot(shots / f"report_{lang}_charts.png", scroll_to="#charts")
    for shot in ("top", "charts"):
        png = (shots / f"report_{lang}_{shot}.png").read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) > 20_000


def test_pdf(pages, tmp_path):
    if chromium() is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    paths, _ = pages
    pdf = print_pdf(paths["zh"], tmp_path / "r.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 50_000
    assert not any(p.suffix == ".tmp" for p in tmp_path.iterdir())
