// The Chongqing trade model. Overview (docs/model.md has the full description with sources):
//
// Firms draw a heavy-tailed capability. Each month, for each partner region, a non-exporter may
// consider entering: it compares the expected profit of exporting (demand x capability x trade
// cost) with a sunk entry cost lowered by experience, linked prior destinations, local peers,
// platforms and policy; entrants start small (trial) and learn their demand draw; at the end of
// the trial year they stay only if profitable; established exporters exit when they cover less
// than half their fixed cost, or by an exogenous hazard. Chain leaders (laptop ODMs, carmakers,
// motorcycle makers) export at scale and pull local suppliers. Customs inspection depends on the
// credit tier (AEO or general). Shipments are routed over scheduled services by a logit over
// generalized cost, and departures run daily from the booked backlog.
//
// Phases of a day: [month_start] policy levels -> firm decisions -> routing/booking;
// [daily] departures; [month_end] monthly indicators; [year_end] yearly indicators and
// yearly firm processes (AEO, platforms, forwarders).
//
// The mechanisms live in one file each (docs/architecture.md lists them): population.cpp,
// trade_costs.cpp, firm_decisions.cpp, routes_bookings.cpp, forwarders.cpp,
// yearly_processes.cpp, indicators.cpp, burn_in.cpp; model_state.hpp holds the state they share.
// This file wires them into the phases of a day and implements the public API.

#include "model_state.hpp"

#include <tradeeco/sim/executor.hpp>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>

namespace tradeeco::models {

// The year end: the yearly firm processes, then the yearly indicators.
// The order of the processes is the order of their random draws: keep it.
void trade_model::state::year_end(const sim::day_info& d) {
    const sim::date today = d.today;
    const std::uint32_t ystep = std::uint32_t(1000 + month_abs);
    aeo_year(today, ystep);
    platforms_year(today, ystep);
    pairing_year(today, ystep);
    certification_year(ystep);
    graduation_year(ystep);
    cbec_year(today, ystep);
    if (burning_in) return;
    record_year(d);
}

// -------------------------------------------------------------------------------------------
trade_model::trade_model(const model_spec& spec, std::int32_t replicate, sim::executor& ex):
    s_(std::make_unique<state>(spec, replicate, ex)) {
    auto& s = *s_;
    s.build_population();
    s.calibrate_values();
    s.declare_outputs();
    s.burn_in();
    add_phases();
}

// The restoring constructor (checkpoint.cpp checks the state fits the spec and loads it).
trade_model::trade_model(const model_spec& spec, const sim::state_archive& saved,
                         sim::executor& ex):
    s_(std::make_unique<state>(spec, check_restorable(spec, saved), ex)) {
    s_->declare_outputs(); // the record's layout; load() fills in what was recorded
    s_->load(saved);
    add_phases();
}

void trade_model::add_phases() {
    auto& s = *s_;
    s.steps.add_phase("policy_and_costs", sim::cadence::month_start, [&s](const sim::day_info& d) {
        s.spending.accrue_month(d.today);
        s.update_trade_costs(d.today);
    });
    s.steps.add_phase("firm_decisions", sim::cadence::month_start, [&s](const sim::day_info& d) {
        s.firm_month(d.today, d.month_index);
        ++s.month_abs;
    });
    s.steps.add_phase("routing_and_booking", sim::cadence::month_start, [&s](const sim::day_info& d) {
        s.route_month(d.today);
        s.forwarders_month(std::uint32_t(s.month_abs));
    });
    s.steps.add_phase("departures", sim::cadence::daily, [&s](const sim::day_info& d) { s.departures_day(d); });
    s.steps.add_phase("monthly_indicators", sim::cadence::month_end,
                      [&s](const sim::day_info& d) {
                          s.record_month(d);
                          s.check_month_invariants(d);
                      });
    s.steps.add_phase("yearly_processes", sim::cadence::year_end, [&s](const sim::day_info& d) {
        // Next year's contracts, sized on this year's cargo and forwarders' volumes.
        {
            auto monthly = s.corridor_year.sector_teu;
            for (auto& a: monthly)
                for (auto& v: a) v /= 12.0;
            s.sign_contracts(sim::date{std::chrono::sys_days{d.today} + std::chrono::days{1}}, monthly);
        }
        s.forwarders_year(d.today); // entry and exit first: the year-end count includes them
        s.year_end(d);
        s.spending.record_year(s.rec, d.year_index, int(s.clock.year_of(d.year_index)));
        s.write_year_tables(d);
        s.check_year_invariants(d);
        s.bills_this_year = 0;
        std::fill(s.traded_this_year.begin(), s.traded_this_year.end(), 0);
        std::fill(s.exported_this_year.begin(), s.exported_this_year.end(), 0);
        s.reset_year_columns();
        s.year = month_totals{};
        s.corridor_year = corridor_totals{};
        s.cr_trains_at_month_start = 0;
    });
}

trade_model::~trade_model() = default;

std::int32_t trade_model::advance(std::int32_t n) {
    auto& s = *s_;
    std::int32_t done = 0;
    // The schedule runs whole calendars; step day by day through a one-day view of it.
    while (done < n && s.day < s.clock.num_days()) {
        s.steps.run_day(s.clock, s.day);
        ++s.day;
        ++done;
    }
    return done;
}

bool trade_model::run(const std::function<bool(std::int32_t, std::int32_t)>& progress) {
    auto& s = *s_;
    while (s.day < s.clock.num_days()) {
        s.steps.run_day(s.clock, s.day);
        ++s.day;
        if (progress && !progress(s.day, s.clock.num_days())) return false;
    }
    return true;
}

bool trade_model::finished() const noexcept { return s_->day >= s_->clock.num_days(); }
std::int32_t trade_model::days_done() const noexcept { return s_->day; }
const sim::calendar& trade_model::clock() const noexcept { return s_->clock; }

sim::agent_table& trade_model::agents(std::string_view table) {
    if (table == "firms") return s_->firms;
    if (table == "forwarders") return s_->forwarders;
    if (table == "services") return s_->services;
    throw std::out_of_range("no agent table '" + std::string(table) + "' (firms, forwarders, services)");
}
std::vector<std::string> trade_model::agent_table_names() const { return {"firms", "forwarders", "services"}; }
const sim::replicate_record& trade_model::record() const noexcept { return s_->rec; }
sim::replicate_record trade_model::take_record() { return std::move(s_->rec); }

} // namespace tradeeco::models
