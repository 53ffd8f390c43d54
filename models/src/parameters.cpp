#include <tradeeco/models/parameters.hpp>
#include <tradeeco/models/spec.hpp>
#include <tradeeco/sim/random.hpp>

#include <cmath>
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

namespace {
// Random-stream purpose of the parameter-set draw; apart from trade_model.cpp's purposes (small
// numbers) and drivers.cpp's (101), so it shares no draws with them.
constexpr std::uint32_t p_parameter_set = 102;
} // namespace

std::int32_t draw_parameter_set(std::span<const double> weights, std::uint64_t seed,
                                std::int32_t replicate) {
    if (weights.empty()) throw std::invalid_argument("parameter sets: no weights");
    double total = 0.0;
    for (const double w: weights) {
        if (!std::isfinite(w) || w < 0.0)
            throw std::invalid_argument("parameter sets: weights must be finite and >= 0");
        total += w;
    }
    if (!(total > 0.0)) throw std::invalid_argument("parameter sets: the weights sum to 0");
    sim::random_stream rng({seed, std::uint32_t(replicate), 0, 0, p_parameter_set});
    const double u = rng.uniform() * total;
    // The first set whose cumulative weight passes u; sets of weight 0 are never drawn.
    double cumulative = 0.0;
    std::int32_t last_positive = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        if (weights[i] <= 0.0) continue;
        cumulative += weights[i];
        last_positive = std::int32_t(i);
        if (u < cumulative) return last_positive;
    }
    return last_positive; // u within rounding of the total
}

std::map<std::string, double> replicate_overrides(const model_spec& spec, std::int32_t replicate) {
    if (spec.posterior.empty()) return spec.parameters;
    const auto& ps = spec.posterior;
    const auto set =
        std::size_t(draw_parameter_set(ps.weights, spec.seed, replicate / ps.replicates_per_set));
    std::map<std::string, double> out;
    const std::size_t width = ps.keys.size();
    for (std::size_t k = 0; k < width; ++k) out[ps.keys[k]] = ps.values[set * width + k];
    for (const auto& [key, value]: spec.parameters) out[key] = value;
    return out;
}

std::uint32_t driver_path_of(const model_spec& spec, std::int32_t replicate) {
    if (spec.posterior.empty()) return std::uint32_t(replicate);
    return std::uint32_t(replicate / spec.posterior.replicates_per_driver_path);
}

} // namespace tradeeco::models
