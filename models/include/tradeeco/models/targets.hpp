#pragma once
/// The plan's quantified targets (mission/targets.csv), attached as attributes to the indicators
/// of the same id in result files.

#include <span>
#include <string_view>

namespace tradeeco::models {

struct target_info {
    std::string_view id, measure, indicator, unit;
    double target_2025, target_2027; ///< NaN where the plan sets none
    std::string_view rule;           ///< at_least, at_most, greater_than, less_than
    std::string_view notes;
};

std::span<const target_info> target_table() noexcept;
const target_info* find_target(std::string_view id) noexcept;

} // namespace tradeeco::models
