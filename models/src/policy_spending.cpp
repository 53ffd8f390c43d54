#include "policy_spending.hpp"

#include <tradeeco/models/units.hpp>

#include <algorithm>
#include <chrono>
#include <numeric>

namespace tradeeco::models {

namespace {
constexpr double days_per_month = 30.4375; // 365.25 / 12: the ramp's month
constexpr double cny_per_100m = 1e8;
} // namespace

namespace {
// ramp_fraction on day numbers (the calendar conversions done by the caller).
double ramp_fraction_on(const instrument& ins, std::chrono::sys_days d,
                        std::chrono::sys_days start) noexcept {
    if (d < start) return 0.0;
    if (ins.ramp_months <= 0) return 1.0;
    const double months = double((d - start).count()) / days_per_month;
    return std::min(1.0, months / ins.ramp_months);
}
} // namespace

double ramp_fraction(const instrument& ins, sim::date today) noexcept {
    return ramp_fraction_on(ins, std::chrono::sys_days{today}, std::chrono::sys_days{ins.start});
}

void policy_spending::declare(sim::recorder& rec) {
    series_ = rec.declare_series(with_udunits({"fiscal_cost_cny_100m", "100m CNY",
                                               "Public spending on the scenario's policies in the year",
                                               sim::frequency::yearly, {}}));
    using sim::column_type;
    table_ = rec.declare_table(with_udunits(
        {"policy_costs", "Public spending per policy and year (policies in scenario order)",
         {{"year", "year", "Calendar year", column_type::i64},
          {"policy", "", "Policy index, in the scenario's [[policy]] order", column_type::i64},
          {"measure", "", "Plan measure number (1-27)", column_type::i64},
          {"cost_cny_100m", "100m CNY", "Spending in the year", column_type::f64}}}));
}

void policy_spending::accrue_month(sim::date month_start) {
    const auto first = std::chrono::sys_days{month_start};
    const sim::date next{(std::chrono::year_month{month_start.year(), month_start.month()} +
                          std::chrono::months{1}) /
                         std::chrono::day{1}};
    const int days = int((std::chrono::sys_days{next} - first).count());
    // A day's spending is the yearly cost over the days of its year, so a full year sums exactly.
    const int days_in_year = month_start.year().is_leap() ? 366 : 365;
    for (std::size_t k = 0; k < spec_->instruments.size(); ++k) {
        const auto& ins = spec_->instruments[k];
        const auto start = std::chrono::sys_days{ins.start}; // once, not per day
        double in_force = 0;
        for (int i = 0; i < days; ++i)
            in_force += ramp_fraction_on(ins, first + std::chrono::days{i}, start);
        year_[k] += cost_scale_ * ins.fiscal_cost_cny_per_year * in_force / days_in_year;
    }
}

void policy_spending::record_year(sim::recorder& rec, std::int32_t year_index, int year) {
    for (std::size_t k = 0; k < year_.size(); ++k) {
        const double row[] = {double(year), double(k), double(spec_->instruments[k].measure),
                              year_[k] / cny_per_100m};
        rec.append_row(table_, row);
    }
    rec.record(series_, year_index, std::accumulate(year_.begin(), year_.end(), 0.0) / cny_per_100m);
    std::fill(year_.begin(), year_.end(), 0.0);
}

} // namespace tradeeco::models
