"""Stepping one replicate of the model interactively (Mesa-style ``Model.step()``)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import xarray as xr

from ._native import available, core
from ._scenarios import ScenarioLike, with_parameter_overrides

__all__ = ["Model"]

if available():
    _Base = core().Model
else:  # pragma: no cover - only without the compiled module

    class _Base:  # type: ignore[no-redef]
        def __init__(self, *args, **kwargs):
            core()  # raises ImportError with the reason


class Model(_Base):
    """One replicate of the trade model, advanced one day at a time.

    Results depend only on (scenario, replicate): ``Model("baseline", replicate=3)`` gives the
    same numbers as replicate 3 of ``tradeeco.run("baseline")``, whatever ``threads`` is.

    Methods from the compiled core: ``advance(days)`` and ``run(progress=None)`` (both release
    the GIL), ``finished``, ``days_done``, ``calendar()``, ``table_names()``, ``columns(table)``,
    ``series()``, ``series_info()``, ``events()``.

    ``columns(table)`` returns read-only numpy arrays that share memory with the model (their
    ``base`` is this Model): nothing is copied, but they are only valid until the next
    ``advance``/``step``/``run``, which may move the storage. ``agents(table)`` copies into a
    DataFrame that stays valid.

    Example:
        >>> import tradeeco
        >>> m = tradeeco.Model("baseline", seed=7)  # doctest: +SKIP
        >>> m.advance(31)  # doctest: +SKIP
        31
        >>> firms = m.agents("firms")  # a copy  # doctest: +SKIP
        >>> m.to_dataset()["trading_firms"]  # doctest: +SKIP
    """

    def __init__(
        self,
        scenario: ScenarioLike,
        replicate: int = 0,
        threads: int = 1,
        *,
        seed: int | None = None,
        parameters: Mapping[str, float] | None = None,
    ) -> None:
        spec = with_parameter_overrides(scenario, parameters, origin="parameters=")
        if seed is not None:
            spec = spec.with_(seed=seed)
        super().__init__(spec, replicate, threads)

    def step(self) -> int:
        """Advances one day (Mesa's vocabulary). Returns the days advanced (0 at the end)."""
        return self.advance(1)

    def agents(self, table: str) -> pd.DataFrame:
        """A copy of an agent table's columns as a DataFrame indexed by agent id."""
        cols = {name: np.array(view) for name, view in self.columns(table).items()}
        ids = cols.pop("id")
        return pd.DataFrame(cols, index=pd.Index(ids, name="id"))

    def to_dataset(self) -> xr.Dataset:
        """Everything recorded so far as an xarray.Dataset shaped like one replicate of a result
        file: variables over ``month`` (datetimes) or ``year``, with units (``units`` and
        ``unit_label``, as in result files) and long names.
        Periods not reached yet are NaN."""
        cal = self.calendar()
        months = pd.to_datetime([d.isoformat() for d in cal["months"]])
        years = np.asarray(cal["years"], dtype=np.int32)
        values = self.series()
        data = {}
        for info in self.series_info():
            dim = "month" if info["frequency"] == "monthly" else "year"
            attrs = {
                "units": info["unit"],
                "unit_label": info["unit_label"],
                "long_name": info["long_name"],
                **info["attrs"],
            }
            data[info["name"]] = xr.DataArray(values[info["name"]], dims=[dim], attrs=attrs)
        spec = self.spec
        ds = xr.Dataset(data, coords={"month": months, "year": years})
        ds = ds.expand_dims(replicate=[self.replicate])
        ds.attrs.update(
            scenario=spec.name,
            seed=str(spec.seed),
            days_done=self.days_done,
            source="tradeeco.Model",
        )
        return ds
