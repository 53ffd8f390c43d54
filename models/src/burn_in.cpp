// Burn-in and calibration to 2024: demand shifters, entry scale, ordinary imports, the exporter
// count, route constants, transit pools, specialised SMEs and the non-goods RMB part.
// Reads: the 2024 targets in the parameter table and the route timetable (routes.hpp); runs the
//   firm phase (firm_decisions.cpp), trade costs (trade_costs.cpp), bookings and consolidation.
// Writes: calibration_state (cal.demand_shift, cal.entry_scale, cal.ordinary_import_scale, cal.ref_profit_2024,
//   cal.route_asc, cal.transit_utility_gap, cal.transit_pool_teu, cal.rmb_nongoods_2024) and the firms' 2024
//   state; nothing is recorded.

#include "model_state.hpp"

#include <tradeeco/sim/executor.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace tradeeco::models {

using namespace model_impl;

void trade_model::state::burn_in() {
    // Start values: demand shifters from the value targets and the capability mass, then three
    // years at 2024 conditions in which (1) the entry hazard is scaled so that the number of
    // trading firms matches trading_firms_2024 and (2) the demand shifters are scaled so that
    // exports by sector and region match the 2024 values. Nothing is recorded.
    burning_in = true;
    update_trade_costs(spec.start);
    seed_demand_shifters();
    const double target_firms = params.trading_firms_2024 * spec.population_scale;
    seed_initial_exporters(target_firms);
    const double imports_target = params.total_trade_2024 * spec.population_scale * (1.0 - params.export_share_2024);
    for (std::int32_t m = 0; m < burn_in_months; ++m) {
        if (m % 12 == 0) {
            std::fill(traded_this_year.begin(), traded_this_year.end(), 0);
            std::fill(exported_this_year.begin(), exported_this_year.end(), 0);
            year = month_totals{};
        }
        firm_month(spec.start, 0);
        year.add(month);
        ++month_abs;
        if (m % 12 == 11) steer_burn_in_year(m, target_firms, imports_target);
    }
    thin_exporters_to_target(target_firms);
    // One more month after the thinning re-fits the demand shifters to 2024 exports and the
    // ordinary imports to 2024 imports (the thinned firms' sales and imports are gone) and
    // provides the month that routes are calibrated on.
    firm_month(spec.start, 0);
    ++month_abs;
    fit_ordinary_imports(month, 1.0, imports_target);
    for (std::size_t s = 0; s < S; ++s) {
        const double leader_share = leader_share_of_sector[s];
        for (std::size_t d = 0; d < R; ++d) {
            const double lead = cal.sector_target[s] * leader_share * cal.export_mix[s][d] / 12.0;
            const double want = cal.sector_target[s] * cal.export_mix[s][d] / 12.0 - lead;
            const double got = month.exports[s][d] - lead;
            if (got > 0 && want > 0) cal.demand_shift[s][d] *= std::clamp(want / got, 0.5, 2.0);
        }
    }
    calibrate_routes();
    designate_specialised_smes();
    // Cross-border RMB: the non-goods part (services, capital) is what the 2024 total leaves
    // after the goods trade settled in RMB in the last burn-in year (no policy in force).
    cal.rmb_nongoods_2024 = params.cross_border_rmb_2024 * spec.population_scale - year.rmb_goods;
    // Fixed and sunk costs stay tied to the 2024 calibration (cal.ref_profit_2024 unchanged), so the
    // rescaled demand shifters move profits but the entry rule keeps its calibration.
    burning_in = false;
    std::fill(traded_this_year.begin(), traded_this_year.end(), 0);
    std::fill(exported_this_year.begin(), exported_this_year.end(), 0);
    reset_year_columns();
    year = month_totals{};
}

// Demand shifters from the value targets and the capability mass, and each sector's reference
// profit (the entry rule's yardstick, kept at its 2024 value).
void trade_model::state::seed_demand_shifters() {
    std::array<double, S> zsum{};
    for (std::size_t i = leaders.size(); i < n_firms; ++i) zsum[(*firm.sector)[i]] += (*firm.capability)[i];
    const double sigma_ces = params.trade_elasticity + 1.0;
    const double start_share = params.initial_exporting_capability_share;
    for (std::size_t s = 0; s < S; ++s) {
        const double leader_share = leader_share_of_sector[s];
        const double rest = cal.sector_target[s] * std::max(0.0, 1.0 - leader_share) / 12.0;
        for (std::size_t d = 0; d < R; ++d)
            cal.demand_shift[s][d] = rest * cal.export_mix[s][d] / std::max(1e-12, start_share * zsum[s]);
        double mean_a = 0;
        for (std::size_t d = 0; d < R; ++d) mean_a += cal.demand_shift[s][d] / double(R);
        cal.ref_profit_2024[s] = mean_a * cal.z_ref / sigma_ces;
    }
}

// Initial exporters: the firms whose best destination's profit ratio is highest, as many as
// ~80% of the trading-firm target less the import-only traders (a stock at a point in time
// is smaller than the count of firms trading at some time in a year); each exports where
// its ratio clears the same threshold. The burn-in then brings flows into balance.
void trade_model::state::seed_initial_exporters(double target_firms) {
    const double sigma_ces = params.trade_elasticity + 1.0;
    const double fixed_share = params.fixed_cost_share;
    // (Per firm, in parallel; kappa is the n_start-th largest by selection, as a full sort
    // would give it.)
    // A firm's profit in a market over its fixed cost there, at the starting demand shifters.
    auto profit_ratio = [&](std::size_t i, std::size_t s, std::size_t d) {
        return cal.demand_shift[s][d] * (*firm.capability)[i] * demand_draw[i * R + d] / sigma_ces /
               (fixed_share * cal.ref_profit_2024[s]);
    };
    std::vector<double> best(n_firms, 0.0);
    std::size_t import_only = 0;
    for (std::size_t i = leaders.size(); i < n_firms; ++i) import_only += (*firm.importer)[i] == 2;
    ex.for_each(n_firms - leaders.size(), [&](std::size_t j) {
        const std::size_t i = leaders.size() + j;
        const auto s = (*firm.sector)[i];
        for (std::size_t d = 0; d < R; ++d) best[i] = std::max(best[i], profit_ratio(i, s, d));
    });
    std::vector<double> sorted(best.begin() + std::ptrdiff_t(leaders.size()), best.end());
    const auto n_start = std::size_t(std::clamp(params.initial_exporter_share * target_firms - double(import_only), 1.0, double(sorted.size())));
    std::nth_element(sorted.begin(), sorted.begin() + std::ptrdiff_t(n_start - 1), sorted.end(), std::greater<>());
    const double kappa = sorted[n_start - 1];
    ex.for_each(n_firms - leaders.size(), [&](std::size_t j) {
        const std::size_t i = leaders.size() + j;
        const auto s = (*firm.sector)[i];
        for (std::size_t d = 0; d < R; ++d) {
            if (profit_ratio(i, s, d) >= kappa) {
                status[i * R + d] = 2;
                tenure[i * R + d] = 24;
            }
        }
    });
}

// Ordinary imports fill what processing imports leave: the scale that would have made the
// ordinary imports of `t` (scale x the importers' capability, summed over the months each
// imported) the remainder of `months` months of the target. Counted by month, not as a
// year's importers x 12, since exporters of a month or two (trials, one-off orders) import
// only in the months they export.
void trade_model::state::fit_ordinary_imports(const month_totals& t, double months, double imports_target) {
    double proc = 0;
    for (std::size_t s = 0; s < S; ++s)
        for (std::size_t d = 0; d < R; ++d) proc += t.imports[s][d];
    proc -= cal.ordinary_import_scale * t.ordinary_import_base;
    cal.ordinary_import_scale =
        std::max(0.0, imports_target * months / 12.0 - proc) / std::max(1e-12, t.ordinary_import_base);
}

// The end of burn-in year `m` / 12: steer (1) the entry hazard towards the firm count, (2) the
// non-leaders' demand shifters towards the 2024 values by sector x region, (3) ordinary imports.
void trade_model::state::steer_burn_in_year(std::int32_t m, double target_firms, double imports_target) {
    // (1) firm count
    double trading = 0;
    for (auto t: traded_this_year) trading += t;
    // Aim at where the count is heading, not at this year's count: with entries E and
    // exits X of export relationships, the stock of firms with relationships moves
    // towards (E / X) times its level; one-off exporters (about one order each) are a flow
    // the entry hazard does not steer, so they are added as they are.
    const double one_offs = std::min(trading, year.one_off_orders);
    const double heading = (trading - one_offs) * year.new_entries / std::max(1.0, year.exits) + one_offs;
    const double ratio = target_firms / std::max(1.0, heading);
    if (std::getenv("TRADEECO_DEBUG_CALIBRATION"))
        std::fprintf(stderr, "burn-in month %d: trading %.0f heading %.0f target %.0f cal.entry_scale %.4g entries %.0f exits %.0f\n",
                     m, trading, heading, target_firms, cal.entry_scale, year.new_entries, year.exits);
    // The first two years only let the initial stock settle (adjusting on them
    // overshoots: entries dip while the initial exporters hold their markets).
    if (m >= 35) cal.entry_scale *= std::clamp(ratio, 0.5, 2.0);
    // (2) values by sector x region for non-leaders
    for (std::size_t s = 0; s < S; ++s) {
        const double leader_share = leader_share_of_sector[s];
        for (std::size_t d = 0; d < R; ++d) {
            const double want = cal.sector_target[s] * cal.export_mix[s][d];
            const double lead = cal.sector_target[s] * leader_share * cal.export_mix[s][d];
            const double got = year.exports[s][d] - lead;
            if (got > 0) cal.demand_shift[s][d] *= std::clamp((want - lead) / got, 0.2, 5.0);
        }
    }
    // (3) ordinary imports
    fit_ordinary_imports(year, 12.0, imports_target);
}

// Last step: thin the exporters to the 2024 count. The entry hazard steers the count only
// slowly (the stock of relationships lags it by years), so the burn-in ends a few percent
// off; a random share of the non-leader traders of the last burn-in year stop exporting
// (their relationships end, without experience) and the entry hazard is scaled alike.
void trade_model::state::thin_exporters_to_target(double target_firms) {
    double trading = 0;
    for (auto t: traded_this_year) trading += t;
    // Aim 5% low: the count keeps growing about that much into 2024 as new exporters churn
    // in (data: +8%/yr 2021-24 at the city level).
    // One-off exporters are a flow the thinning and the entry hazard leave alone: the
    // ratio applies to the firms with relationships.
    const double one_offs = std::min(trading, year.one_off_orders);
    const double ratio =
        std::max(0.0, params.exporter_count_aim * target_firms - one_offs) / std::max(1.0, trading - one_offs);
    cal.entry_scale *= ratio;
    if (ratio < 1)
        for (std::size_t i = leaders.size(); i < n_firms; ++i) {
            if (!traded_this_year[i] || (*firm.importer)[i] == 2) continue;
            auto r = rng(firms.ids()[i], 0, p_thin);
            if (!r.bernoulli(1.0 - ratio)) continue;
            traded_this_year[i] = 0;
            for (std::size_t d = 0; d < R; ++d) {
                status[i * R + d] = 0;
                tenure[i * R + d] = 0;
                months_since_exit[i * R + d] = 1e3f;
            }
        }
}

// Specialised-and-sophisticated SMEs (manufacturing SMEs), designated once the 2024 state
// exists: the plan's ~100 exporters of 2024, less the year's certifications (counted at the
// end of 2024), among the SMEs with an established export relationship (past the trial:
// MIIT's criteria ask for two years or more in the niche market, so a designated firm is
// not a trial or one-off exporter), and half as many among the non-exporting SMEs above the
// median capability (potential; ASSUMPTION: some of these start exporting within the year).
void trade_model::state::designate_specialised_smes() {
    auto established = [&](std::size_t i) {
        return std::any_of(status.begin() + std::ptrdiff_t(i * R), status.begin() + std::ptrdiff_t(i * R + R),
                           [](std::uint8_t st) { return st == 2; });
    };
    std::vector<double> caps;
    std::size_t exporting = 0, potential = 0;
    auto eligible = [&](std::size_t i) {
        return (*firm.sme)[i] && (*firm.sector)[i] != std::uint8_t(sector::agri_food);
    };
    for (std::size_t i = leaders.size(); i < n_firms; ++i)
        if (eligible(i)) caps.push_back((*firm.capability)[i]);
    std::sort(caps.begin(), caps.end());
    const double median = caps.empty() ? 0 : caps[caps.size() / 2];
    for (std::size_t i = leaders.size(); i < n_firms; ++i) {
        if (!eligible(i)) continue;
        if (established(i)) ++exporting;
        else if (!exported_this_year[i] && (*firm.capability)[i] >= median) ++potential;
    }
    const double want = (params.specialised_sme_exporters_2024 - params.specialised_certified_per_year) * spec.population_scale;
    const double p_exp = std::min(1.0, want / std::max<double>(1, double(exporting)));
    const double p_pot = std::min(1.0, params.specialised_potential_ratio * want / std::max<double>(1, double(potential)));
    for (std::size_t i = leaders.size(); i < n_firms; ++i) {
        if (!eligible(i)) continue;
        auto r = rng(firms.ids()[i], 0, p_specialised);
        const bool pick = established(i) ? r.bernoulli(p_exp)
                                         : !exported_this_year[i] && (*firm.capability)[i] >= median && r.bernoulli(p_pot);
        (*firm.specialised)[i] = pick ? 1 : 0;
    }
}

// Route constants and transit cargo for 2024. The 2024 timetable is data (2,059 China-Europe
// trains from Chongqing; corridor departures in routes.hpp); departures ran rail_load_factor_2024
// full, and lsc_outside_share_2021 of the hub's corridor cargo came from outside the city. So
// each rail or rail-sea route's own (Chongqing) cargo is (1 - outside) x load x capacity,
// reached by its logit constant (iterated: shares renormalise), and other provinces' cargo
// fills the rest.
void trade_model::state::calibrate_routes() {
    const double load = params.rail_load_factor_2024, outside = params.lsc_outside_share_2021;
    // Own containers a month by route: cargo by the route shares, LCL cargo in the forwarders'
    // consolidated boxes (which also sets the fill and waits route choice sees next).
    // Forwarding relations and contracts exist in 2024.
    assign_forwarders(std::uint32_t(month_abs));
    const auto lcl_by_forwarder = forwarder_lcl(); // the calibration month's, fixed below
    std::array<double, num_routes> own_boxes{};
    auto book = [&] {
        double freight = 0, teu = 0;
        book_own_cargo(freight, teu);
        consolidate_lcl(lcl_by_forwarder);
        own_boxes = bookings.teu;
    };
    auto own_teu = [&](std::size_t r) { return own_boxes[r]; };
    update_trade_costs(spec.start);
    book();
    sign_contracts(spec.start, bookings.sector_teu);
    auto is_rail = [](std::size_t r) { return is_rail_mode(route_table[r].how); };
    auto target = [&](std::size_t r) {
        const auto& rd = route_table[r];
        if (is_rail(r)) return (1 - outside) * load * rd.departures_per_week * rd.teu_per_departure * 52.0 / 12.0;
        // (all targets are for the full population; the caller scales them)
        if (route(r) == route::air) return detail::air_own_teu_month;
        if (route(r) == route::road_vietnam) return detail::road_vietnam_own_teu_month;
        if (route(r) == route::road_laos) return detail::road_laos_own_teu_month;
        return -1.0; // the Yangtze river-sea route takes the rest
    };
    for (int iteration = 0; iteration < 30; ++iteration) {
        update_trade_costs(spec.start);
        book();
        for (std::size_t r = 0; r < num_routes; ++r) {
            const double want = target(r) * spec.population_scale;
            if (want < 0) continue;
            const double own = own_teu(r);
            if (own > 0) cal.route_asc[r] += std::clamp(std::log(want / own), -2.0, 2.0);
        }
    }
    update_trade_costs(spec.start);
    book();
    sign_contracts(spec.start, bookings.sector_teu);
    if (std::getenv("TRADEECO_DEBUG_CALIBRATION"))
        for (std::size_t r = 0; r < num_routes; ++r)
            std::fprintf(stderr, "route %s: own %.0f TEU/month (LCL %.0f, fill %.2f, wait %.1f d; contracted %.0f), target %.0f, constant %.2f\n",
                         std::string(route_names[r]).c_str(), own_teu(r), bookings.lcl_teu[r], lcl_fill[r],
                         lcl_wait_days[r], contract_teu_month[r], target(r) * spec.population_scale, cal.route_asc[r]);
    cal.transit_utility_gap = std::log(outside / (1 - outside));
    for (std::size_t r = 0; r < num_routes; ++r)
        if (carries_transit(route_table[r].how))
            cal.transit_pool_teu[r] = own_teu(r) * (outside / (1 - outside)) / outside;
}

} // namespace tradeeco::models
