#pragma once
/// Every behavioural and calibration parameter of the model, with its value, unit and source.
/// docs/parameters.md is generated from this table (tools/gen_parameter_docs.py) and a test
/// checks the two agree. Scenarios may override values by key within [min, max].

#include <map>
#include <span>
#include <string>
#include <string_view>

namespace tradeeco::models {

struct parameter_info {
    std::string_view key;
    double value;
    std::string_view unit;
    double min, max;
    std::string_view description;
    std::string_view source;
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
