#pragma once
/// Every behavioural and calibration parameter of the model, with its value, unit and source.
/// docs/parameters.md is generated from this table (tools/gen_parameter_docs.py) and a test
/// checks the two agree. Scenarios may override values by key within [min, max].

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>

namespace tradeeco::models {

/// The prior of a parameter for uncertainty studies, all over [min, max]: uniform; triangular
/// with its mode at the value; normal with mean the value and sd (max - min) / 4, truncated;
/// lognormal with median the value and log-sd ln(max / min) / 4, truncated. docs/parameters.md
/// gives the rule that chose each row's prior from its source.
enum class prior_kind : std::uint8_t { uniform, triangular, normal, lognormal };
std::string_view prior_name(prior_kind p) noexcept;

struct parameter_info {
    std::string_view key;
    double value;
    std::string_view unit;
    double min, max;
    std::string_view description;
    std::string_view source;
    prior_kind prior;
    /// true: the value is pinned by the calibration to 2024 data (a 2024 level, or a rate set so
    /// that the model reproduces one); false: a free behavioural parameter.
    bool pinned;
    /// The mechanism files (models/src/<name>.cpp or .hpp, comma-separated) that read it; a test
    /// scans models/src and fails when this drifts.
    std::string_view used_by;
};

std::span<const parameter_info> parameter_table() noexcept;
/// The entry for a key, or nullptr.
const parameter_info* find_parameter(std::string_view key) noexcept;

/// Parameter values for one run: the table's defaults with the scenario's overrides applied.
class parameter_set {
public:
    /// Throws std::out_of_range for an unknown key (scenarios validate keys before this).
    explicit parameter_set(const std::map<std::string, double>& overrides = {});
    double operator[](std::string_view key) const;

private:
    std::map<std::string, double, std::less<>> values_;
};

struct model_spec;

/// The parameter set replicate `replicate` of a run with seed `seed` draws, by `weights` (one per
/// set, >= 0, not all 0; they need not sum to 1). A pure function of (weights, seed,
/// replicate): neither the scenario, nor the thread count, nor the shard a replicate runs in
/// changes it, so paired scenarios pair on (parameter set, seed). Throws std::invalid_argument
/// for empty, negative, non-finite or all-zero weights.
std::int32_t draw_parameter_set(std::span<const double> weights, std::uint64_t seed,
                                std::int32_t replicate);

/// The overrides replicate `replicate` runs with: the drawn posterior set's values (if
/// spec.posterior is not empty), then spec.parameters on top.
std::map<std::string, double> replicate_overrides(const model_spec& spec, std::int32_t replicate);

/// The key of the driver path replicate `replicate` draws (drivers.hpp): the replicate itself,
/// or its block of spec.posterior.replicates_per_driver_path replicates in a nested design.
std::uint32_t driver_path_of(const model_spec& spec, std::int32_t replicate);

} // namespace tradeeco::models
