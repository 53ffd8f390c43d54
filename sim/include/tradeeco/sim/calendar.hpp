#pragma once
/// Calendar clock: one step per day from a start date to an end date (both inclusive), with the
/// month, quarter and year boundaries that models act on.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace tradeeco::sim {

using date = std::chrono::year_month_day;

/// Builds a date, throwing scenario_error-free std::invalid_argument if it does not exist.
date make_date(int year, unsigned month, unsigned day);
/// ISO 8601 text, "2024-02-29".
std::string to_string(date d);
/// The current UTC time as ISO 8601, "2026-11-29T20:15:00Z" (provenance attributes).
std::string utc_now();

/// What a model needs to know about one simulated day.
struct day_info {
    std::int32_t step = 0;        ///< 0-based day index since the start date
    date today{};
    std::int32_t month_index = 0; ///< 0-based month since the start month
    std::int32_t year_index = 0;  ///< 0-based year since the start year
    std::int32_t day_of_month = 1;
    std::int32_t days_in_month = 31;
    bool month_start = false;     ///< first simulated day of a calendar month
    bool month_end = false;       ///< last simulated day of a calendar month (or of the run)
    bool quarter_end = false;
    bool year_end = false;        ///< last simulated day of a calendar year (or of the run)
};

class calendar {
public:
    /// Throws std::invalid_argument if end is before start.
    calendar(date start, date end);

    date start() const noexcept { return start_; }
    date end() const noexcept { return end_; }
    std::int32_t num_days() const noexcept { return num_days_; }
    std::int32_t num_months() const noexcept { return num_months_; }
    std::int32_t num_years() const noexcept { return num_years_; }

    day_info day(std::int32_t step) const;

    /// Calendar year of year index i, and (year, month) of month index i.
    int year_of(std::int32_t year_index) const;
    date first_day_of_month(std::int32_t month_index) const;
    /// Days since the start date of the first day of each month: a CF time coordinate
    /// ("days since <start>").
    std::vector<std::int32_t> month_offsets_days() const;
    /// Step of a date, or -1 if the date is outside the run.
    std::int32_t step_of(date d) const;

private:
    date start_, end_;
    std::int32_t num_days_, num_months_, num_years_;
};

} // namespace tradeeco::sim
