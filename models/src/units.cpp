#include <tradeeco/models/units.hpp>
#include <tradeeco/sim/errors.hpp>

#include <algorithm>
#include <array>
#include <utility>

namespace tradeeco::models {

namespace {

// The one place labels meet UDUNITS. A new label in the model's indicator or event tables
// needs a row here (declaring it throws until then); tests/python/test_cf_compliance.py checks
// each right-hand side with cf-units and runs the CF checker over written files.
constexpr std::array<unit_form, 16> forms{{
    {"100m CNY", "1e8"}, // 1e8 yuan: CNY is not a UDUNITS unit
    {"100m CNY a year", "1e8 year-1"},
    {"percent", "percent"},
    {"percent a year", "percent year-1"}, // UDUNITS reads "percent a year" as percent x are x year
    {"days", "days"},
    {"year", "year"}, // a calendar year, as on the year coordinate
    {"1", "1"},
    {"firms", "1"}, // counts: the long name says what is counted
    {"relationships", "1"},
    {"trains", "1"},
    {"vehicles", "1"},
    {"bills", "1"},
    {"TEU", "1"}, // twenty-foot equivalent containers
    {"trains a year", "year-1"},
    {"sets a year", "year-1"},
    {"", ""}, // codes and indices: no unit
}};

constexpr std::string_view time_since = "days since ";

} // namespace

std::span<const unit_form> unit_forms() noexcept { return forms; }

std::string udunits_of(std::string_view label, std::string_view owner) {
    if (label.starts_with(time_since)) return std::string(label);
    const auto* f = std::find_if(forms.begin(), forms.end(),
                                 [&](const unit_form& u) { return u.label == label; });
    if (f == forms.end())
        throw sim::model_error(std::string(owner) + ": unit '" + std::string(label) +
                               "' has no UDUNITS-2 form; add it to models/src/units.cpp");
    return std::string(f->udunits);
}

sim::series_spec with_udunits(sim::series_spec spec) {
    spec.unit_label = std::exchange(spec.unit, udunits_of(spec.unit, "series " + spec.name));
    return spec;
}

sim::table_spec with_udunits(sim::table_spec spec) {
    for (auto& c: spec.columns)
        c.unit_label =
            std::exchange(c.unit, udunits_of(c.unit, "table " + spec.name + " column " + c.name));
    return spec;
}

} // namespace tradeeco::models
