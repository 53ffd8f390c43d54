#pragma once
/// Units of the model's outputs, in the two forms a result file carries (analysis/README.md,
/// "Units"): `units`, a UDUNITS-2 string that CF-1.8 tools parse (cf-units, cf-xarray, Panoply,
/// CDO), and `unit_label`, the unit as people write it, which tradeeco's tables and plots show.
/// Counts are "1" (what is counted is in the long name); CNY has no UDUNITS unit, so "100m CNY"
/// is the dimensionless scale "1e8" (value x 1e8 = yuan).

#include <tradeeco/sim/recorder.hpp>

#include <span>
#include <string>
#include <string_view>

namespace tradeeco::models {

struct unit_form {
    std::string_view label;   ///< as the model declares it, e.g. "100m CNY"
    std::string_view udunits; ///< as CF-1.8 needs it, e.g. "1e8"
};

/// Every label the model may declare, with its UDUNITS-2 form. Labels "days since <date>" are
/// UDUNITS already and are not listed.
std::span<const unit_form> unit_forms() noexcept;

/// The UDUNITS-2 form of a unit label. Throws sim::model_error naming `owner` (e.g. "series
/// trading_firms") if the label is not in unit_forms().
std::string udunits_of(std::string_view label, std::string_view owner);

/// `spec` as the model declares it, with the label in `unit`, made ready for a result file:
/// the label moves to `unit_label` and `unit` becomes its UDUNITS-2 form.
sim::series_spec with_udunits(sim::series_spec spec);
sim::table_spec with_udunits(sim::table_spec spec);

} // namespace tradeeco::models
