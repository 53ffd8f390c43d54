"""tradeeco.Model: stepping, zero-copy agent columns, recorded series, GIL release."""

from __future__ import annotations

import gc
import threading
import weakref

import numpy as np
import pytest

import tradeeco


@pytest.fixture
def model(baseline):
    return tradeeco.Model(baseline)


def test_stepping(model):
    assert model.days_done == 0 and not model.finished
    assert model.step() == 1
    assert model.advance(30) == 30
    assert model.days_done == 31
    cal = model.calendar()
    assert cal["num_days"] >= 365 and cal["years"][0] == 2024
    with pytest.raises(ValueError):
        model.advance(-1)
    assert "replicate=0" in repr(model)


def test_columns_are_zero_copy_read_only_views_owned_by_the_model(model):
    assert "firms" in model.table_names()
    first = model.columns("firms")
    second = model.columns("firms")
    assert "id" in first and len(first) > 2
    for name, view in first.items():
        assert np.shares_memory(view, second[name]), name
        assert not view.flags.writeable
        assert not view.flags.owndata
        # The base chain ends at the Model itself, which keeps the memory alive.
        base = view
        while isinstance(base, np.ndarray):
            base = base.base
        assert base is model, name
    sizes = {v.size for v in first.values()}
    assert len(sizes) == 1
    ids = first["id"]
    assert np.all(np.diff(ids.astype(np.int64)) > 0)  # stable ids, sorted
    col = next(k for k, v in first.items() if k != "id" and v.dtype.kind == "f")
    with pytest.raises(ValueError):
        first[col][0] = 1.0


def test_view_keeps_the_model_alive(baseline):
    m = tradeeco.Model(baseline)
    view = m.columns("firms")["id"]
    ref = weakref.ref(m)
    del m
    gc.collect()
    assert ref() is not None
    assert view.size > 0 and int(view[0]) >= 0
    del view
    gc.collect()
    assert ref() is None


def test_agents_copies_into_a_dataframe(model):
    model.advance(40)
    df = model.agents("firms")
    views = model.columns("firms")
    assert df.index.name == "id"
    assert np.array_equal(df.index.to_numpy(), views["id"])
    for name in df.columns:
        assert not np.shares_memory(df[name].to_numpy(), views[name])
        assert np.array_equal(df[name].to_numpy(), views[name], equal_nan=True)


def test_unknown_table(model):
    with pytest.raises(KeyError, match="nope"):
        model.columns("nope")


def test_series_are_copies_of_what_was_recorded(model):
    model.advance(62)  # two full months
    series = model.series()
    info = {s["name"]: s for s in model.series_info()}
    assert set(series) == set(info)
    monthly = [n for n, s in info.items() if s["frequency"] == "monthly"]
    assert monthly
    v = series[monthly[0]]
    assert v.flags.owndata or v.base is None or not np.shares_memory(v, model.series()[monthly[0]])
    assert np.isfinite(v[:2]).all()
    assert np.isnan(v[3:]).all()  # not reached yet


def test_to_dataset(model):
    model.advance(400)
    ds = model.to_dataset()
    assert ds.sizes["replicate"] == 1
    assert np.issubdtype(ds["month"].dtype, np.datetime64)
    assert "trading_firms" in ds
    firms = ds["trading_firms"].attrs
    assert (firms["units"], firms["unit_label"]) == ("1", "firms")  # as in result files


def test_same_replicate_same_numbers_as_model_run(baseline):
    a, b = tradeeco.Model(baseline, replicate=1), tradeeco.Model(baseline, replicate=1, threads=2)
    a.advance(120)
    b.advance(120)
    for name, values in a.series().items():
        assert np.array_equal(values, b.series()[name], equal_nan=True), name


def test_advance_releases_the_gil(baseline):
    m = tradeeco.Model(baseline)
    counts = []
    stop = threading.Event()
    count = 0

    def spin():
        nonlocal count
        while not stop.is_set():
            count += 1

    t = threading.Thread(target=spin)
    t.start()
    try:
        before = count
        m.advance(400)
        counts.append(count - before)
    finally:
        stop.set()
        t.join()
    # With the GIL held for the whole advance, the spinning thread could only run in the
    # switch intervals before and after; released, it runs throughout.
    assert counts[0] > 1000


def test_run_to_end_with_progress_and_early_stop(baseline):
    m = tradeeco.Model(baseline.with_(end="2024-03-31"))
    calls = []
    assert m.run(progress=lambda d, t: calls.append((d, t))) is True
    assert m.finished and calls and calls[-1][0] == calls[-1][1]
    m2 = tradeeco.Model(baseline.with_(end="2024-03-31"))
    assert m2.run(progress=lambda d, t: d < 10) is False
    assert not m2.finished
    with pytest.raises(ZeroDivisionError):
        tradeeco.Model(baseline).run(progress=lambda d, t: 1 / 0)
