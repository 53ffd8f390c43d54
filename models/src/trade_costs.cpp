// Trade costs of a month: customs clearance, the exchange rate, and route choice.
// Reads: levers clearance_time_cut, hedging_incentive, service_frequency, transit_time_cut,
//   freight_subsidy; shocks exchange_rate, route_disruption, border_congestion,
//   freight_rate_shock, tariff, demand_shock; last month's consolidation (lcl_share, lcl_fill,
//   lcl_wait_days) and contract shares; the 2024 calibration (route constants, logit scales).
// Writes: clearance days by credit tier and location, departures_week, leg rates and days,
//   route_share, cost_index (the firms' trade-cost factor) and import_mix, and the monthly
//   logistics price index.

#include "model_state.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace tradeeco::models {

using namespace model_impl;

// Trade-cost index by sector x region relative to the 2024 baseline: tariffs, transport
// (logit inclusive value over routes of rate + value of time x days), clearance, exchange rate.
void trade_model::state::update_trade_costs(sim::date today) {
    for (std::size_t s = 0; s < S; ++s)
        cny_per_teu[s] =
            detail::value_cny_per_kg[s] * detail::kg_per_teu * (burning_in ? 1.0 : drivers.price_level(s, today));
    const double vot_scale = params.value_of_time / 0.012;
    const double theta = params.trade_elasticity;
    // Clearance: a city-wide cut (no location targeting) enters every firm's trade cost; a cut
    // targeted at locations only the firms there (firm phase, customs factor).
    const double inspection = params.inspection_delay_days;
    const double clear_cap = params.clearance_cut_cap, transit_cap = params.transit_cut_cap;
    const double subsidy_cap = params.freight_subsidy_cap, logit_scale = params.route_logit_scale;
    const double clear_cut = lever_strength(lever::clearance_time_cut, today,
                                            [](const targeting& t) { return t.locations.empty(); });
    const double base_clear = params.clearance_days * (1.0 - std::min(clear_cap, clear_cut));
    clearance_days_general = base_clear + params.inspection_rate_general * inspection;
    clearance_days_aeo = base_clear + params.inspection_rate_aeo * inspection;
    for (std::size_t l = 0; l < num_locations; ++l) {
        const double cut = std::min(clear_cap, clear_cut + lever_strength(lever::clearance_time_cut, today, [&](const targeting& t) {
                                             return !t.locations.empty() && applies_to(t.locations, location(l));
                                         }));
        const double b = params.clearance_days * (1.0 - cut);
        clearance_days_by_location[l] = {b + params.inspection_rate_general * inspection,
                                         b + params.inspection_rate_aeo * inspection,
                                         b + params.inspection_rate_discredited * inspection};
    }
    // Exchange rate: pass-through raises foreign prices (volume falls with the export price
    // elasticity) and the rest lowers CNY prices on the unhedged part of revenue.
    // The hedging lever reaches the sectors it names and, with sme_only, SMEs only: one factor
    // per sector for SMEs and one for the other firms (fx_factor, used by firm_decisions).
    const double fx = shock_level(shock_kind::exchange_rate, today, [](const targeting&) { return true; });
    const double pass = params.fx_pass_through;
    for (std::size_t s = 0; s < S; ++s)
        for (const bool sme: {false, true}) {
            const double added = lever_strength(lever::hedging_incentive, today, [&](const targeting& t) {
                return applies(t.sectors, sector(s)) && (!t.sme_only || sme);
            });
            const double hedge = std::min(1.0, params.hedge_ratio_2024 + added);
            fx_factor[s][sme] = std::pow(1.0 + pass * fx, -params.fx_export_elasticity) *
                                (1.0 - (1.0 - hedge) * (1.0 - pass) * fx);
        }

    for (std::size_t r = 0; r < num_routes; ++r) {
        const route rr = route(r);
        auto on = [&](const targeting& t) { return applies_to(t.routes, rr); };
        departures_week[r] = route_table[r].departures_per_week + lever_strength(lever::service_frequency, today, on);
    }
    double index_num = 0, index_den = 0;
    const double cfs = params.cfs_fee_cny_per_teu;
    for (std::size_t s = 0; s < S; ++s) {
        const double value_per_teu = cny_per_teu[s];
        const double vot = detail::value_of_time_by_sector[s] * vot_scale;
        for (std::size_t d = 0; d < R; ++d) {
            const region reg = region(d);
            std::array<double, num_routes> g{};
            double best = 1e300;
            for (std::size_t r = 0; r < num_routes; ++r) {
                const auto& rd = route_table[r];
                g[r] = 1e300;
                if (!(rd.regions & detail::bit(reg)) || departures_week[r] <= 0) continue;
                const route rr = route(r);
                auto on = [&](const targeting& t) { return applies_to(t.routes, rr); };
                const bool sea = rd.how == detail::mode::rail_sea || rd.how == detail::mode::river_sea;
                const bool port_specific = reg == region::asean && detail::asean_port_days[r] > 0;
                // A transit-time cut acts on the route's own leg from Chongqing (the train, the
                // barge), not on the onward ocean voyage, as departures_day applies it.
                double days = rd.leg_days * (1.0 - std::min(transit_cap, lever_strength(lever::transit_time_cut, today, on))) +
                              (port_specific ? detail::asean_port_days[r] : sea ? detail::sea_leg[d].days : 0.0);
                double rate = rd.leg_rate_cny_per_teu + (sea ? detail::sea_leg[d].rate_cny_per_teu : 0.0);
                // Route shocks may also name regions: they then act on the legs to those regions
                // only (a Red Sea diversion lengthens the voyage to Europe, not to Japan).
                auto on_leg = [&](const targeting& t) {
                    return applies_to(t.routes, rr) && applies_to(t.regions, reg);
                };
                days += shock_level(shock_kind::route_disruption, today, on_leg) +
                        shock_level(shock_kind::border_congestion, today, on);
                rate *= (1.0 - std::min(subsidy_cap, lever_strength(lever::freight_subsidy, today, on))) *
                        (1.0 + shock_level(shock_kind::freight_rate_shock, today, on_leg));
                const double wait = 3.5 / std::max(0.1, departures_week[r]); // mean wait, days
                leg_rate[d][r] = rate; // what spot FCL shippers pay, after subsidies and shocks
                leg_days[d][r] = days;
                // The sector's contracted cargo pays the contract tariff; its LCL cargo pays for
                // part-filled boxes and the freight station, and waits for its box to close
                // (consolidation state of last month; air freight is not boxed).
                const double paid = contracted_rate(s, r, rate);
                const double lcl = rd.how == detail::mode::air ? 0.0 : lcl_share[s][d];
                // No LCL cargo pays nothing for part-filled boxes, even in a month when the route
                // closed no box (lcl_fill 0: 0 x inf would poison the whole logit with a NaN).
                const double lcl_cost = lcl > 0 ? lcl * (paid * (1.0 / lcl_fill[r] - 1.0) + cfs) : 0.0;
                g[r] = (paid + lcl_cost) / value_per_teu +
                       vot * (days + wait + rd.delay_sd_days + lcl * lcl_wait_days[r]);
                best = std::min(best, g[r]);
            }
            // Logit over routes with constants (calibrate_routes). The scale is set in 2024 so
            // that a route twice as costly as the best one gets ~e^-3 of its weight; it stays
            // fixed afterwards, so that the logsum is a consistent cost measure.
            if (burning_in) cal.logit_scale[s][d] = logit_scale / std::max(best, 1e-4);
            const double lambda = cal.logit_scale[s][d];
            double umax = -1e300;
            for (std::size_t r = 0; r < num_routes; ++r)
                if (g[r] < 1e299) umax = std::max(umax, -lambda * g[r] + cal.route_asc[r]);
            double denom = 0;
            std::array<double, num_routes> w{};
            for (std::size_t r = 0; r < num_routes; ++r) {
                if (g[r] >= 1e299) continue;
                w[r] = std::exp(-lambda * g[r] + cal.route_asc[r] - umax);
                denom += w[r];
            }
            for (std::size_t r = 0; r < num_routes; ++r) route_share[s][d][r] = denom > 0 ? w[r] / denom : 0;
            // Expected generalized cost (logsum, in ad valorem units), measured from 2024: a
            // worse route can only raise it, whatever the constants.
            const double logsum = denom > 0 ? -(umax + std::log(denom)) / lambda : 0.0;
            if (burning_in) cal.logsum_2024[s][d] = logsum;
            double gbar_2024 = 0;
            if (burning_in) {
                for (std::size_t r = 0; r < num_routes; ++r)
                    if (w[r] > 0) gbar_2024 += route_share[s][d][r] * g[r];
                cal.mean_cost_2024[s][d] = gbar_2024;
            }
            const double gbar = std::max(0.0, cal.mean_cost_2024[s][d] + logsum - cal.logsum_2024[s][d]);
            // Logistics price index: the expected generalized cost per CNY shipped (the logsum
            // measure above, so a better route never raises it), weighted by 2024 trade (fixed
            // composition: it measures efficiency, not volume).
            const double weight = cal.sector_target[s] * cal.export_mix[s][d];
            index_num += weight * gbar;
            index_den += weight * cal.mean_cost_2024[s][d];
            const sector sx = sector(s);
            auto st = [&](const targeting& t) { return applies(t.sectors, sx) && applies_to(t.regions, reg); };
            const double tariff = shock_level(shock_kind::tariff, today, st);
            const double demand = 1.0 + shock_level(shock_kind::demand_shock, today, st);
            const double clear = vot * clearance_days_general;
            const double cost = (1.0 + gbar + clear) * (1.0 + tariff);
            if (burning_in) cal.cost_2024[s][d] = cost;
            cost_index[s][d] = std::max(0.0, demand) * std::pow(cost / cal.cost_2024[s][d], -theta);
            // Import sourcing: buyers in Chongqing shift between source regions as the landed
            // cost from each (transport and clearance; the tariff and demand terms above are
            // the destination's) moves from 2024, with the same elasticity (CES, normalised
            // below: sourcing moves, the amount imported does not).
            const double landed = 1.0 + gbar + clear;
            if (burning_in) cal.landed_2024[s][d] = landed;
            import_mix[s][d] = cal.region_share[d] * std::pow(landed / cal.landed_2024[s][d], -theta);
        }
        const double pull = std::accumulate(import_mix[s].begin(), import_mix[s].end(), 0.0);
        for (auto& m: import_mix[s]) m /= pull;
    }
    if (!burning_in && index_den > 0) {
        corridor_year.logistics_index_sum += index_num / index_den;
        ++corridor_year.logistics_index_months;
    }
}

} // namespace tradeeco::models
