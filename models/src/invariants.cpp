// Invariants that checked builds (TRADEECO_CHECKED, the test build) assert at every month and
// year end; a violation is a model_error naming the identity, the period and both sides, never a
// silent wrong result. Release builds skip the checks.
//
// Reads: the routes' backlogs (backlog_teu, backlog_at_year_start), the year's corridor totals
//        (corridor_year), the firms' monthly and yearly trade columns, the phases' aggregates
//        (month, year), the shipment flows (flow_value, flow_teu) and the recorded series and
//        policy_costs rows (rec).
// Writes: backlog_at_year_start, for the next year.
//
// - TEU are conserved on every route: the year-start backlog plus what was booked equals what
//   departed plus the year-end backlog.
// - No stock goes negative: backlogs, contracted backlogs.
// - Value (100m CNY) is conserved, in the identities the model's booking implies (see
//   docs/reliability.md for the list): what the firms traded equals the recorded exports,
//   imports and total, monthly and yearly; the months add up to the year; trade by origin
//   location and by route adds up to the total; the policies' costs add up to
//   fiscal_cost_cny_100m.
// - No recorded series holds a NaN in the period just ended, except where a value is undefined
//   by definition (a growth rate in the first year, a ratio whose denominator is zero).

#include "model_state.hpp"

#include <cmath>
#include <iomanip>
#include <limits>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace tradeeco::models {

#if TRADEECO_CHECKED
namespace checked_testing {
// Test hook (tests/cpp/test_invariants.cpp): the left side of the value identity with this id
// (or the TEU booked for "teu_route", the values the NaN check reads for "no_nan") is multiplied
// by broken_factor; for "no_negative_backlog", broken_factor TEU are taken from every year-end
// backlog. This proves that each check fires. Empty: nothing is broken.
std::string broken_identity;
double broken_factor = 1.0;
} // namespace checked_testing
#endif

namespace {

#if TRADEECO_CHECKED
// Relative tolerance of the value identities. Both sides add the same non-negative terms in a
// different order (per firm, per parallel block, per region, per month). A sum of non-negative
// terms computed in any order errs by at most h u of the sum, h the longest chain of additions a
// term goes through and u = 2^-53 ~ 1.1e-16 (Higham, Accuracy and Stability of Numerical
// Algorithms, 2nd ed., section 4.2); shares that sum to one only to rounding (route shares,
// import sources) add a few u. The longest chain is the sum over firms, ~1.4e5 at x10 population
// (+ 12 months + 9 regions): each side within ~2e-11, their difference within ~4e-11. So 1e-9
// never fires on rounding (25 times the bound), and still catches a leak of one part in 10^9.
constexpr double value_rel_tol = 1e-9;

// Where and when a check runs, for its message.
struct check_site {
    std::string when; // "month 2025-03" or "year end 2025-12-31"
    std::int32_t replicate;
    std::string_view scenario;

    [[noreturn]] void fail(const std::string& what) const {
        std::ostringstream msg;
        msg << "invariant broken at " << when << " (replicate " << replicate << ", scenario "
            << scenario << "): " << what;
        throw sim::model_error(msg.str());
    }
};

double perturbed(std::string_view id, double v) {
    return id == checked_testing::broken_identity ? v * checked_testing::broken_factor : v;
}

// Value identity `id`: left == right within value_rel_tol (a NaN on either side fails).
void expect_equal(const check_site& at, std::string_view id, std::string_view left_name,
                  double left, std::string_view right_name, double right,
                  std::string_view unit = "100m CNY") {
    left = perturbed(id, left);
    const double scale = std::max({1.0, std::abs(left), std::abs(right)});
    if (std::abs(left - right) <= value_rel_tol * scale) return;
    std::ostringstream what;
    const auto default_precision = what.precision();
    what << std::setprecision(std::numeric_limits<double>::max_digits10) << "value not conserved ("
         << id << "): " << left_name << " = " << left << " but " << right_name << " = " << right
         << " (" << unit << std::setprecision(int(default_precision)) << "; relative difference "
         << std::abs(left - right) / scale << ", tolerance " << value_rel_tol << ")";
    at.fail(what.str());
}

double sum_of(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }

template <class Nested>
double sum_nested(const Nested& a) {
    double total = 0;
    for (const auto& inner: a) {
        if constexpr (std::is_arithmetic_v<std::decay_t<decltype(inner)>>)
            total += inner;
        else
            total += sum_nested(inner);
    }
    return total;
}

// Column `column` of table `table` (both by name): the recorder keeps them by index.
const std::vector<double>& table_column(const sim::replicate_record& rec, std::string_view table,
                                        std::string_view column) {
    const auto& specs = rec.table_specs();
    for (std::size_t t = 0; t < specs.size(); ++t) {
        if (specs[t].name != table) continue;
        for (std::size_t c = 0; c < specs[t].columns.size(); ++c)
            if (specs[t].columns[c].name == column) return rec.table_column(t, c);
    }
    throw std::logic_error("no column " + std::string(column) + " in table " + std::string(table) +
                           " (models/src/invariants.cpp)");
}

// A growth rate (on the previous year) has no value in the first simulated year.
bool is_growth(const sim::series_spec& s) {
    return s.name.ends_with("_growth") || s.unit_label == "percent a year";
}
#endif

} // namespace

void trade_model::state::check_month_invariants([[maybe_unused]] const sim::day_info& d) {
#if TRADEECO_CHECKED
    if (burning_in) return;
    const std::string today_text = sim::to_string(d.today); // YYYY-MM-DD
    const check_site at{"month " + today_text.substr(0, today_text.rfind('-')), replicate,
                        spec.name};
    const auto m = std::size_t(d.month_index);
    auto recorded = [&](const char* name) { return rec.values(rec.series_index(name))[m]; };
    const double exports = recorded("exports_cny_100m_monthly"),
                 imports = recorded("imports_cny_100m_monthly");
    const double total = recorded("total_trade_cny_100m_monthly");
    expect_equal(at, "firm_exports_month", "the firms' exports in the month",
                 sum_of(*firm.exports_month), "recorded exports_cny_100m_monthly", exports);
    expect_equal(at, "firm_imports_month", "the firms' imports in the month",
                 sum_of(*firm.imports_month), "recorded imports_cny_100m_monthly", imports);
    expect_equal(at, "total_trade_month", "recorded exports + imports", exports + imports,
                 "recorded total_trade_cny_100m_monthly", total);
    expect_equal(at, "location_trade_month", "trade by origin location",
                 sum_nested(month.trade_by_location), "recorded total_trade_cny_100m_monthly",
                 total);
    expect_equal(at, "flows_month", "trade by origin location x sector x partner region",
                 sum_nested(month.flows), "recorded total_trade_cny_100m_monthly", total);
#endif
}

void trade_model::state::check_year_invariants([[maybe_unused]] const sim::day_info& d) {
#if TRADEECO_CHECKED
    const check_site at{"year end " + sim::to_string(d.today), replicate, spec.name};
    for (std::size_t r = 0; r < num_routes; ++r) {
        const double start = backlog_at_year_start[r],
                     booked = perturbed("teu_route", corridor_year.booked_teu[r]);
        const double carried = corridor_year.teu[r], end = backlog_teu[r];
        const double scale = std::max(1.0, start + booked);
        if (std::abs(start + booked - carried - end) > 1e-9 * scale) {
            std::ostringstream what;
            what << "TEU not conserved on route " << r << ": start " << start << " + booked "
                 << booked << " != carried " << carried << " + end " << end;
            at.fail(what.str());
        }
        // Floating-point subtraction may leave a backlog a hair below zero, never more.
        const bool break_stock = checked_testing::broken_identity == "no_negative_backlog";
        const double stock = end - (break_stock ? checked_testing::broken_factor : 0.0);
        if (stock < -1e-9 * scale || contract_backlog[r] < -1e-9 * scale) {
            std::ostringstream what;
            what << "negative backlog on route " << r << ": " << stock << " TEU (contracted "
                 << contract_backlog[r] << ")";
            at.fail(what.str());
        }
    }

    // Value: the firms' columns, the year's aggregates and the months against the yearly series.
    const auto y = std::size_t(d.year_index);
    auto yearly = [&](const char* name) { return rec.values(rec.series_index(name))[y]; };
    const double exports = yearly("exports_cny_100m"), imports = yearly("imports_cny_100m");
    const double total = yearly("total_trade_cny_100m");
    expect_equal(at, "firm_exports_year", "the firms' exports in the year",
                 sum_of(*firm.exports_year), "recorded exports_cny_100m", exports);
    expect_equal(at, "firm_imports_year", "the firms' imports in the year",
                 sum_of(*firm.imports_year), "recorded imports_cny_100m", imports);
    expect_equal(at, "firm_trade_year", "the firms' trade in the year", sum_of(*firm.trade_year),
                 "recorded total_trade_cny_100m", total);
    expect_equal(at, "total_trade_year", "recorded exports + imports", exports + imports,
                 "recorded total_trade_cny_100m", total);
    // The months of this calendar year (the first and last year of a run may be partial).
    std::vector<std::size_t> months;
    for (std::int32_t mi = 0; mi < clock.num_months(); ++mi)
        if (clock.first_day_of_month(mi).year() == d.today.year())
            months.push_back(std::size_t(mi));
    auto over_months = [&](const char* name) {
        const auto& v = rec.values(rec.series_index(name));
        double sum = 0;
        for (auto mi: months) sum += v[mi];
        return sum;
    };
    expect_equal(at, "monthly_exports_year", "the year's monthly exports",
                 over_months("exports_cny_100m_monthly"), "recorded exports_cny_100m", exports);
    expect_equal(at, "monthly_imports_year", "the year's monthly imports",
                 over_months("imports_cny_100m_monthly"), "recorded imports_cny_100m", imports);
    expect_equal(at, "monthly_total_year", "the year's monthly total trade",
                 over_months("total_trade_cny_100m_monthly"), "recorded total_trade_cny_100m",
                 total);
    // The zone indicators (ftz, bonded, Liangjiang, high-tech zone) divide trade by location.
    expect_equal(at, "location_trade_year", "trade by origin location",
                 sum_nested(year.trade_by_location), "recorded total_trade_cny_100m", total);
    // Every CNY traded is shipped on some route (sea, air, road and river are routes too).
    if (spec.outputs.shipment_flows) {
        expect_equal(at, "route_value_year", "trade shipped on all routes (shipment_flows)",
                     sum_nested(flow_value), "recorded total_trade_cny_100m", total);
        expect_equal(at, "route_teu_year", "containers of shipment_flows (TEU)",
                     sum_nested(flow_teu), "own cargo booked on the routes (TEU)",
                     sum_nested(corridor_year.sector_teu), "TEU");
    }
    // Public spending: the policies' rows of the year add up to the yearly total.
    {
        const auto& row_year = table_column(rec, "policy_costs", "year");
        const auto& cost = table_column(rec, "policy_costs", "cost_cny_100m");
        const double this_year = double(int(d.today.year()));
        double by_policy = 0;
        for (std::size_t k = 0; k < row_year.size(); ++k)
            if (row_year[k] == this_year) by_policy += cost[k];
        expect_equal(at, "policy_costs_year", "the year's policy_costs rows", by_policy,
                     "recorded fiscal_cost_cny_100m", yearly("fiscal_cost_cny_100m"));
    }

    // No NaN in any series for the period just ended, unless undefined by definition.
    const auto& specs = rec.series_specs();
    for (std::size_t k = 0; k < specs.size(); ++k) {
        const auto& s = specs[k];
        bool undefined_ok = is_growth(s) && y == 0;
        if (s.name == "lcl_fill_rate") undefined_ok = corridor_year.lcl_boxes <= 0;
        if (s.name == "lcl_consolidation_days") undefined_ok = corridor_year.lcl_teu <= 0;
        if (s.name == "trial_survival_pct")
            undefined_ok = year.trial_promotions + year.trial_exits <= 0;
        if (undefined_ok) continue;
        const auto& v = rec.values(k);
        const bool monthly = s.freq == sim::frequency::monthly;
        for (std::size_t i = 0; i < (monthly ? months.size() : 1); ++i) {
            const std::size_t period = monthly ? months[i] : y;
            if (!std::isnan(perturbed("no_nan", v[period]))) continue;
            std::ostringstream what;
            what << "series " << s.name << " is NaN "
                 << (monthly ? "in the month of " +
                                   sim::to_string(clock.first_day_of_month(std::int32_t(period)))
                             : std::string("for the year"));
            at.fail(what.str());
        }
    }
#endif
    backlog_at_year_start = backlog_teu;
}

} // namespace tradeeco::models
