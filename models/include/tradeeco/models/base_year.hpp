#pragma once
/// The base year: the year whose figures the starting state is calibrated to. The forecast
/// starts in 2024 from the parameter table's 2024 figures; a hindcast starts in 2019 from a
/// 2018 state. For another base year, models/src/base_year_rows.inc gives the figures that
/// differ from the table's (each from data/chongqing_history.csv, or an ASSUMPTION saying which
/// year's share stands in); the run's parameters are those figures, then the scenario's own
/// overrides. Everything else (the model's code path) is the same.

#include <tradeeco/models/spec.hpp>

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tradeeco::models {

/// The year of the parameter table's calibration levels (total_trade_2024 ...).
inline constexpr std::int32_t parameter_table_base_year = 2024;

/// One base-year figure: a parameter-table key and its value for `year`.
struct base_year_row {
    std::string_view parameter;
    std::int32_t year;
    double value;
    /// How the value follows from data/chongqing_history.csv: `data:<indicator>@<year>` terms
    /// joined by * and / (tests/python/test_hindcast.py recomputes it).
    std::string_view formula;
    /// `data`, `DERIVED` or `ASSUMPTION: <why>`.
    std::string_view note;
};

/// The rows of models/src/base_year_rows.inc.
std::span<const base_year_row> base_year_table() noexcept;

/// The years a scenario may name as scenario.base_year: the parameter table's 2024 and every
/// year with rows in the base-year table.
std::vector<std::int32_t> base_years();

/// The spec's base year: scenario.base_year, or the start year when it is not set.
std::int32_t base_year_of(const model_spec& spec) noexcept;

/// The parameter overrides of one replicate: the base year's figures (none for 2024 or an unset
/// base year), then the parameter set the replicate drew from the spec's posterior, if any, then
/// the scenario's explicit [parameters] (parameters.hpp, replicate_overrides).
std::map<std::string, double> run_parameters(const model_spec& spec, std::int32_t replicate);

} // namespace tradeeco::models
