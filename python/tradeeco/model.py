"""Stepping one replicate of the model interactively (Mesa-style ``Model.step()``)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ._native import available, core
from ._scenarios import ScenarioLike, as_spec, load_scenario_string, with_parameter_overrides

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
    ``series()``, ``series_info()``, ``events()``, ``at_month_boundary``.

    ``checkpoint(path)`` saves the whole state between months to an HDF5 file;
    ``Model.restore(path)`` continues from it, bit for bit as the saved run would have
    (docs/python.md, "Checkpoints"). ``save_state()`` and ``Model.from_state(state, scenario)``
    do the same in memory.

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

    def checkpoint(self, path: str | os.PathLike) -> Path:
        """Writes the model's whole state to an HDF5 checkpoint file and returns its path.

        Only between months (``at_month_boundary``: advance to the first day of a month first);
        ``ModelError`` otherwise. The file is complete or absent (written under a temporary
        name, sealed and renamed). ``Model.restore(path)`` continues the run bit for bit.
        """
        path = Path(path)
        super().checkpoint(os.fspath(path))
        return path

    @classmethod
    def restore(
        cls,
        path: str | os.PathLike,
        scenario: ScenarioLike | None = None,
        threads: int = 1,
    ) -> Model:
        """A model continued from a checkpoint file written by :meth:`checkpoint`.

        Without ``scenario`` the run goes on with the checkpoint's own scenario (its resolved
        text is in the file). With ``scenario``, the state branches into that scenario: it must
        have the same parameters, seed, population scale, horizon and outputs, and its policies
        and shocks (and the saved run's) must all start after the checkpoint's day.

        Raises:
            CheckpointError: the file is damaged (truncated, a flipped bit), of another format
                version or tradeeco build, or ``scenario`` does not fit it. The message names
                the file, what was expected and what was found.

        Example:
            >>> m = tradeeco.Model("plan", seed=7)  # doctest: +SKIP
            >>> m.advance(m.calendar()["num_days"] // 2)  # doctest: +SKIP
            >>> m.checkpoint("plan.ckpt.h5")  # doctest: +SKIP
            >>> tradeeco.Model.restore("plan.ckpt.h5").run()  # doctest: +SKIP
        """
        path = Path(path)
        if scenario is None:
            info = core().checkpoint_info(os.fspath(path))
            spec = load_scenario_string(info["scenario_text"], name=f"{path} (scenario_text)")
        else:
            spec = as_spec(scenario)
        model = cls.__new__(cls)
        _Base.__init__(model, spec, checkpoint=os.fspath(path), threads=threads)
        return model

    @classmethod
    def from_state(cls, state, scenario: ScenarioLike, threads: int = 1) -> Model:
        """A model continued from a ``ModelState`` (``save_state()``: a checkpoint in memory),
        for ``scenario``: the saved one, or a branch of it as in :meth:`restore`. One state can
        start any number of models (a shared prefix: run the common months once, then each
        scenario). Raises CheckpointError if ``scenario`` does not fit the state.

        Example:
            >>> base = tradeeco.Model("baseline")  # doctest: +SKIP
            >>> base.advance(335)  # to 2024-12-01, before the plan's policies  # doctest: +SKIP
            >>> s = base.save_state()  # doctest: +SKIP
            >>> plan = tradeeco.Model.from_state(s, "plan")  # doctest: +SKIP
        """
        model = cls.__new__(cls)
        _Base.__init__(model, as_spec(scenario), state=state, threads=threads)
        return model

    @staticmethod
    def checkpoint_info(path: str | os.PathLike) -> dict:
        """What a checkpoint file holds, read without restoring it: scenario_name,
        scenario_text, seed, replicate, population_scale, month (the first month not simulated
        yet, ``"YYYY-MM"``, or ``"end"``), days_done, tradeeco_version, git_revision,
        created_at, format_version. Raises CheckpointError for a damaged or foreign file."""
        return core().checkpoint_info(os.fspath(path))

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
