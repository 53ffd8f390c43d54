#pragma once
// Private to the scenarios layer: the limits a scenario must respect and the checks shared by the
// TOML reader (load.cpp) and the check of programmatically built specs (validate.cpp), so that
// both say the same thing in the same words. Every check throws sim::scenario_error with a message
// `expected X, found Y` at the location it is given.

#include <tradeeco/models/levers.hpp>
#include <tradeeco/models/spec.hpp>
#include <tradeeco/sim/calendar.hpp>
#include <tradeeco/sim/errors.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tradeeco::scenarios::detail {

// A closed interval of allowed numbers, optionally integers only. Infinite ends are open.
struct interval {
    double min = -std::numeric_limits<double>::infinity();
    double max = std::numeric_limits<double>::infinity();
    bool integer = false;
};

// Limits of the scenario format (docs/scenarios.md repeats them; a test checks a few).
inline constexpr int min_year = 2000;
inline constexpr int max_year = 2100;
inline constexpr interval replicates_range{1, 10000, true};
inline constexpr interval year_range{min_year, max_year, true};
inline constexpr interval seed_range{0, std::numeric_limits<double>::infinity(), true};
// Up to 200x Chongqing's 4,762 trading firms: all of China's ~645,000 firms with actual trade in
// 2023 (General Administration of Customs) are 135x, so national studies (scenarios/files/national.toml, 126x) fit.
inline constexpr interval population_scale_range{0.001, 200};
inline constexpr interval measure_range{1, 27, true};
inline constexpr interval ramp_months_range{0, 120, true};
inline constexpr interval fiscal_cost_range{0, std::numeric_limits<double>::infinity()};
inline constexpr std::size_t max_label_length = 200;
inline constexpr int max_extends_depth = 16;
inline constexpr std::uintmax_t max_file_bytes = 8u << 20;

[[noreturn]] void fail(const sim::source_location& where, std::string_view expected,
                       std::string_view found);

sim::source_location at(const sim::source_location& where, std::string key);

// `"text"` with TOML escapes (a TOML basic string).
std::string toml_string(std::string_view text);
// The same, shortened to about 60 characters, for messages.
std::string in_quotes(std::string_view text);
// Shortest text that reads back as the same double ("0.3", "5e+07", "nan").
std::string number_text(double v);
// The same, always readable as a TOML float ("3.0", not "3").
std::string float_text(double v);
// "a number in [0, 1]", "an integer in [1, 27]", "a number >= 0".
std::string describe(const interval& r);
// "a, b, c"
std::string join(std::span<const std::string_view> names);
// The closest candidate by edit distance (with transpositions), if it is close enough to be a
// likely typo; empty otherwise.
std::string_view closest(std::string_view name, std::span<const std::string_view> candidates);

// Throws unless v lies in r; `unit`, if given, is shown after the range; `found`, if given,
// replaces the number's text in the message (to show 5.0 as written).
void check_in(double v, const interval& r, const sim::source_location& where,
              std::string_view unit = {}, std::string_view found = {});
void check_in(std::int64_t v, const interval& r, const sim::source_location& where);
// Throws unless the name is one of `names`; `what` is "a sector", "a lever"...; the message lists
// the allowed names, or suggests the closest.
std::size_t check_name(std::string_view name, std::span<const std::string_view> names,
                       std::string_view what, const sim::source_location& where);

void check_scenario_name(std::string_view name, const sim::source_location& where);
void check_label(std::string_view label, const sim::source_location& where);
void check_year(sim::date d, const sim::source_location& where);
// scenario.base_year: the start year or the year before, with figures to calibrate to
// (models/base_year.hpp).
void check_base_year(int base_year, sim::date start, const sim::source_location& where);
// Horizon: the model steps by whole months, so a run starts on a month's first day and ends on
// its last (a date inside a month would be silently widened to the whole month).
void check_month_start(sim::date d, const sim::source_location& where);
void check_month_end(sim::date d, const sim::source_location& where);
// Horizon: end on or after start. `where` is the end's location.
void check_end_after(sim::date end, sim::date start, std::string_view start_name,
                     const sim::source_location& where);
// A policy or shock date inside the scenario's horizon.
void check_within(sim::date d, sim::date start, sim::date end, const sim::source_location& where);

std::span<const std::string_view> lever_names();
std::span<const std::string_view> shock_names();
void check_measure(models::lever l, std::int64_t measure, const sim::source_location& where);
void check_strength(models::lever l, double strength, const sim::source_location& where);
void check_magnitude(models::shock_kind k, double magnitude, const sim::source_location& where);

// Targeting keys in the order they are documented; `bit` is the models::targeting_keys flag.
struct target_key {
    std::string_view name;
    std::uint8_t bit;
};
std::span<const target_key> target_keys();
// Throws unless `mask` accepts the key; `owner` reads `lever "x"` or `shock "y"`.
void check_target_key(std::uint8_t mask, const target_key& key, std::string_view owner,
                      const sim::source_location& where);

// Throws unless the key is in the parameter table and the value within its range.
void check_parameter_key(std::string_view key, const sim::source_location& where);
void check_parameter_value(std::string_view key, double value, const sim::source_location& where);

} // namespace tradeeco::scenarios::detail
