#include <tradeeco/models/parameters.hpp>

#include <stdexcept>
#include <string>

namespace tradeeco::models {

namespace {
// Sources: "data:<indicator>" rows are in data/chongqing_history.csv (copied from the shared
// data set, with their own sources); "anchors §x" is docs/evidence.md (economics anchors);
// "plan" is the draft plan (mission/plan_en.md). "ASSUMPTION" marks a value no source pins
// down; its range is the [min, max] a sensitivity study should sweep. The rows are in the
// parameter_rows_*.inc files (one table, split so that no file is long), in sections marked
// "// --- <section> ---" that docs/parameters.md follows.
constexpr parameter_info table[] = {
#include "parameter_rows_base.inc"
#include "parameter_rows_firms.inc"
#include "parameter_rows_logistics.inc"
#include "parameter_rows_leaders_locations.inc"
};
} // namespace

std::span<const parameter_info> parameter_table() noexcept { return table; }

std::string_view prior_name(prior_kind p) noexcept {
    switch (p) {
    case prior_kind::uniform: return "uniform";
    case prior_kind::triangular: return "triangular";
    case prior_kind::normal: return "normal";
    case prior_kind::lognormal: return "lognormal";
    }
    return "uniform";
}

const parameter_info* find_parameter(std::string_view key) noexcept {
    for (const auto& p: table)
        if (p.key == key) return &p;
    return nullptr;
}

parameter_set::parameter_set(const std::map<std::string, double>& overrides) {
    for (const auto& p: table) values_.emplace(std::string(p.key), p.value);
    for (const auto& [key, value]: overrides) {
        auto it = values_.find(key);
        if (it == values_.end()) throw std::out_of_range("unknown parameter " + key);
        it->second = value;
    }
}

double parameter_set::operator[](std::string_view key) const {
    auto it = values_.find(key);
    if (it == values_.end()) throw std::out_of_range("unknown parameter " + std::string(key));
    return it->second;
}

} // namespace tradeeco::models
