#include <tradeeco/models/base_year.hpp>
#include <tradeeco/models/parameters.hpp>

#include <algorithm>

namespace tradeeco::models {

namespace {
constexpr base_year_row table[] = {
#include "base_year_rows.inc"
};
} // namespace

std::span<const base_year_row> base_year_table() noexcept { return table; }

std::vector<std::int32_t> base_years() {
    std::vector<std::int32_t> out{parameter_table_base_year};
    for (const auto& r: table)
        if (std::find(out.begin(), out.end(), r.year) == out.end()) out.push_back(r.year);
    std::sort(out.begin(), out.end());
    return out;
}

std::int32_t base_year_of(const model_spec& spec) noexcept {
    return spec.base_year != 0 ? spec.base_year : std::int32_t(int(spec.start.year()));
}

std::map<std::string, double> run_parameters(const model_spec& spec, std::int32_t replicate) {
    std::map<std::string, double> out;
    if (spec.base_year != 0 && spec.base_year != parameter_table_base_year)
        for (const auto& r: table)
            if (r.year == spec.base_year) out[std::string(r.parameter)] = r.value;
    // The replicate's drawn parameter set, with the scenario's explicit values winning.
    for (const auto& [k, v]: replicate_overrides(spec, replicate)) out[k] = v;
    return out;
}

} // namespace tradeeco::models
