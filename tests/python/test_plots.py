"""Plots draw headless (Agg) and write PNG files."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from conftest import synthetic

from tradeeco import analysis, plot

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def is_png(path):
    return path.exists() and path.stat().st_size > 1000 and path.read_bytes()[:8] == PNG_MAGIC


def test_fan_chart_monthly_and_yearly(tmp_path, demo):
    for variable in ("trading_firms_monthly", "trading_firms", "clt_rail_days"):
        ax = plot.fan_chart(demo, variable, show_replicates=True)
        out = tmp_path / f"{variable}.png"
        ax.figure.savefig(out, dpi=60)
        plt.close(ax.figure)
        assert is_png(out)


def test_fan_chart_marks_targets(demo):
    ax = plot.fan_chart(demo, "trading_firms")
    texts = [t.get_text() for t in ax.texts]
    assert any("2027" in t and "5500" in t for t in texts), texts
    assert any("2025" in t and "5000" in t for t in texts), texts
    plt.close(ax.figure)


def test_fan_chart_overlays_scenarios_on_a_given_axes(tmp_path, demo):
    fig, ax = plt.subplots()
    out_ax = plot.fan_chart(
        {"base": demo, "plan": synthetic("plan", shift=300)}, "aeo_firms", ax=ax
    )
    assert out_ax is ax
    labels = [h.get_label() for h in ax.get_legend().legend_handles]
    assert "base median" in labels and "plan median" in labels
    fig.savefig(tmp_path / "overlay.png")
    plt.close(fig)
    assert is_png(tmp_path / "overlay.png")


def test_comparison_plot(tmp_path, demo):
    results = {"base": demo, "plan": synthetic("plan", shift=300)}
    ax = plot.plot_comparison(results, year=2027)
    ax.figure.savefig(tmp_path / "cmp.png")
    plt.close(ax.figure)
    assert is_png(tmp_path / "cmp.png")
    # the same from an attainment table
    ax = plot.plot_comparison(analysis.attainment(results), year=2025)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["aeo_firms", "trading_firms"]
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="2030"):
        plot.plot_comparison(results, year=2030)


def test_axes_show_the_unit_people_write_not_the_udunits_string(demo):
    """Result files carry units="1e8" for CF tools; the y axis says "100m CNY" (unit_label)."""
    ax = plot.fan_chart(demo, "total_trade_cny_100m_monthly")
    assert ax.get_ylabel() == "100m CNY"
    plt.close(ax.figure)
    ax = plot.fan_chart(demo, "trading_firms")
    assert ax.get_ylabel() == "firms"
    plt.close(ax.figure)
    old = demo.copy()  # a file written before unit_label existed: units are shown
    old["trading_firms"].attrs = {"units": "firms"}
    ax = plot.fan_chart(old, "trading_firms")
    assert ax.get_ylabel() == "firms"
    plt.close(ax.figure)
