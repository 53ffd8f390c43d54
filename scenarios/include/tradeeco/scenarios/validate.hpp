#pragma once
/// Checks a model_spec built in code (e.g. from Python) against the same rules load_file()
/// applies to scenario files: names, ranges, the measures and targeting each lever accepts, dates
/// inside the horizon, unique labels. Messages use the same words as the file reader; locations
/// come from each instrument's and shock's `where` (or "policy[i]" / "shock[i]" if it is empty).

#include <tradeeco/models/spec.hpp>

namespace tradeeco::scenarios {

/// Throws sim::scenario_error on the first problem found.
void validate(const models::model_spec& spec);

} // namespace tradeeco::scenarios
