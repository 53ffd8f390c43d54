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

} // namespace tradeeco::models
