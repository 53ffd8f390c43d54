#pragma once
// Policy spending: what each instrument of the scenario costs the public purse, month by month.
//
// Reads: the scenario's instruments (start, ramp, fiscal_cost_cny_per_year). Writes: the yearly
// series `fiscal_cost_cny_100m` (all policies) and the event table `policy_costs` (one row per
// policy and year). Spending follows the same ramp as the policy's strength (ramp_fraction), so a
// policy costs what it delivers: nothing before its start, its full yearly cost once ramped up.
// Reads parameter fiscal_cost_scale.

#include <tradeeco/models/spec.hpp>
#include <tradeeco/sim/recorder.hpp>
#include <tradeeco/sim/state_archive.hpp>

#include <cstdint>
#include <vector>

namespace tradeeco::models {

/// Share of an instrument's full strength in force on `today`: 0 before its start, then a linear
/// ramp over ramp_months (of 30.4375 days), then 1.
double ramp_fraction(const instrument& ins, sim::date today) noexcept;

class policy_spending {
public:
    /// `cost_scale`: parameter fiscal_cost_scale, the uncertainty of the stated costs.
    policy_spending(const model_spec& spec, double cost_scale):
        spec_(&spec), cost_scale_(cost_scale), year_(spec.instruments.size(), 0.0) {}

    void declare(sim::recorder& rec);
    /// Adds the spending of the month that starts on `month_start` (each day at its ramp).
    void accrue_month(sim::date month_start);
    /// Records the year's spending (index `year_index`, calendar year `year`) and starts a new year.
    void record_year(sim::recorder& rec, std::int32_t year_index, int year);

    /// The year's spending so far, for checkpoints (the instruments come from the spec).
    void save(sim::state_archive& a) const { a.put("spending.year_cny", year_); }
    void load(const sim::state_archive& a) {
        auto v = a.get<double>("spending.year_cny");
        // A branch may add instruments; none of them has spent anything before the branch point.
        v.resize(spec_->instruments.size(), 0.0);
        year_ = std::move(v);
    }

private:
    const model_spec* spec_;
    double cost_scale_;
    std::vector<double> year_; // CNY spent this year, per instrument
    std::size_t series_ = 0, table_ = 0;
};

} // namespace tradeeco::models
