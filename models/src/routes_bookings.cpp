// Routes, bookings, capacity contracts and departures.
// Reads: the month's trade (`month`, firm_decisions.cpp), route_share, leg rates and days
//   (trade_costs.cpp), contract shares, consolidation fill and waits (forwarders.cpp), levers
//   transit_cargo_attraction, transit_time_cut, capacity_contracts; shocks route_disruption,
//   border_congestion, transit_cargo; the drivers' corridor cargo path.
// Writes: the month's bookings by route (bookings_month), the year's corridor totals
//   (corridor_year: TEU, trains, delays, contracts, take-or-pay, logistics cost), shipment flows,
//   the backlogs, contract_share and contract slots, and train_departures rows.

#include "model_state.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace tradeeco::models {

using namespace model_impl;

// The month's own cargo onto routes by the route shares (TEU by route, of it LCL and contract
// holders' cargo, and by sector); returns its freight and time cost, 100m CNY.
double trade_model::state::book_own_cargo(double& freight, double& teu_all) {
    bookings.teu.fill(0);
    bookings.lcl_teu.fill(0);
    bookings.holder_teu.fill(0);
    for (auto& a: bookings.sector_teu) a.fill(0);
    double cost = 0; // 100m CNY
    freight = 0;
    teu_all = 0;
    const double vot_scale = params.value_of_time / 0.012;
    const double cfs = params.cfs_fee_cny_per_teu;
    for (std::size_t s = 0; s < S; ++s) {
        const double value_per_teu = cny_per_teu[s];
        const double vot = detail::value_of_time_by_sector[s] * vot_scale;
        for (std::size_t d = 0; d < R; ++d) {
            const double value = month.exports[s][d] + month.imports[s][d]; // 100m CNY
            const double teu = value * 1e8 / value_per_teu;
            const double lcl = value > 0 ? month.lcl[s][d] / value : 0.0;
            for (std::size_t r = 0; r < num_routes; ++r) {
                const double sh = route_share[s][d][r];
                if (sh <= 0) continue;
                const double cargo = teu * sh;
                bookings.teu[r] += cargo;
                const auto how = route_table[r].how;
                const double boxed_lcl = how == detail::mode::air ? 0.0 : cargo * lcl;
                bookings.lcl_teu[r] += boxed_lcl;
                if (is_rail_mode(how)) bookings.holder_teu[r] += cargo * contract_share[s][r];
                const double rate = contracted_rate(s, r, leg_rate[d][r]), days = leg_days[d][r];
                // LCL cargo pays for part-filled boxes and the freight station and waits for its
                // box (last month's consolidation, as route choice saw it).
                // (no LCL cargo: nothing to pay or wait for, even when the route closed no box)
                const double lcl_cost =
                    boxed_lcl > 0
                        ? boxed_lcl * (rate * (1.0 / lcl_fill[r] - 1.0) + cfs + vot * lcl_wait_days[r] * value_per_teu)
                        : 0.0;
                cost += (cargo * (rate + vot * days * value_per_teu) + lcl_cost) / 1e8;
                freight += cargo * rate;
                teu_all += cargo;
                bookings.sector_teu[s][r] += cargo;
            }
            lcl_share[s][d] = lcl; // next month's route choice sees it
        }
    }
    return cost;
}

// Shipments to routes (TEU), plus other provinces' transit cargo through the hub.
void trade_model::state::route_month(sim::date today) {
    double freight = 0, teu_all = 0; // CNY, TEU
    const double cost = book_own_cargo(freight, teu_all);
    if (!burning_in)
        for (std::size_t s = 0; s < S; ++s)
            for (std::size_t r = 0; r < num_routes; ++r) {
                const double cargo = bookings.sector_teu[s][r];
                corridor_year.sector_teu[s][r] += cargo;
                if (route_table[r].how != detail::mode::air) corridor_year.container_teu += cargo;
                if (is_rail_mode(route_table[r].how)) corridor_year.rail_cargo_teu += cargo;
            }
    // Transit cargo: shippers in other western provinces route through Chongqing if the hub's
    // generalized cost beats their alternative (binary logit). The lever cuts the hub cost; more
    // frequent and faster services on the route raise its pull (frequency elasticity 0.5,
    // ASSUMPTION; Yang et al. find frequency matters, anchors §3.3). On the Land-Sea corridor the
    // pool itself grows with the corridor's cargo (its 2024 level is the calibrated one); the
    // China-Europe pool stays at 2024's (no series).
    const double corridor = burning_in ? drivers.corridor_cargo_in_base_year() : drivers.corridor_cargo(today);
    const double freq_elasticity = params.transit_frequency_elasticity;
    const double speed_weight = params.transit_speed_weight, cny_per_utility = params.transit_cny_per_utility;
    for (std::size_t r = 0; r < num_routes; ++r) {
        const auto& rd = route_table[r];
        if (!carries_transit(rd.how)) continue;
        const route rr = route(r);
        auto on = [&](const targeting& t) { return applies_to(t.routes, rr); };
        const double cut = lever_strength(lever::transit_cargo_attraction, today, on);
        const double freq_gain = freq_elasticity * std::log(departures_week[r] / std::max(0.1, rd.departures_per_week));
        const double speed = lever_strength(lever::transit_time_cut, today, on);
        const double u = cal.transit_utility_gap + cut / cny_per_utility + freq_gain + speed_weight * speed;
        const double share = logistic(u);
        const double offered = 1.0 + shock_level(shock_kind::transit_cargo, today, on);
        transit_teu_month[r] = cal.transit_pool_teu[r] * offered * share * (in_land_sea_corridor(r) ? corridor : 1.0);
        bookings.teu[r] += transit_teu_month[r];
        if (!burning_in) corridor_year.transit_teu[r] += transit_teu_month[r];
    }
    if (spec.outputs.shipment_flows && !burning_in)
        for (std::size_t l = 0; l < num_locations; ++l)
            for (std::size_t s = 0; s < S; ++s) {
                const double value_per_teu = cny_per_teu[s];
                for (std::size_t d = 0; d < R; ++d) {
                    const double v = month.flows[l][s][d];
                    if (v <= 0) continue;
                    for (std::size_t r = 0; r < num_routes; ++r) {
                        const double sh = route_share[s][d][r];
                        flow_value[l][r][d] += v * sh;
                        flow_teu[l][r][d] += v * sh * 1e8 / value_per_teu;
                    }
                }
            }
    // (bookings reach the routes' backlogs day by day: departures_day)
    corridor_year.logistics_cost += cost;
    freight_per_teu_month = teu_all > 0 ? freight / teu_all : 0;
}

// Capacity contracts, signed each January for the year (plan measure 2: "volume-capacity mutual
// guarantee, volume-price-capacity bundling"). The holders are the chain leaders and the largest
// tenth of forwarders (by last year's volume, or by this month's before there is a year): each
// books a share of its rail cargo (contract_cover_2024 plus the lever) as slots on the
// timetabled trains, sized on its monthly cargo (`cargo`, TEU by sector x route). Contracted
// cargo boards first and pays the contract tariff; unused slots are paid for (departures_day).
void trade_model::state::sign_contracts(sim::date start,
                                        const std::array<std::array<double, num_routes>, S>& cargo) {
    const std::size_t nfw = forwarders.size();
    std::vector<double> volume(*fwd.volume);
    if (std::accumulate(volume.begin(), volume.end(), 0.0) <= 0) {
        std::fill(volume.begin(), volume.end(), 0.0);
        for (std::size_t i = 0; i < n_firms; ++i)
            if (const auto fid = (*firm.forwarder)[i]; fid >= 0)
                if (const auto row = forwarders.row_of(agent_id_t(fid)); row < nfw)
                    volume[row] += ((*firm.exports_month)[i] + (*firm.imports_month)[i]) /
                                   cny_per_teu[(*firm.sector)[i]];
    }
    std::sort(volume.begin(), volume.end(), std::greater<>());
    const double all = std::accumulate(volume.begin(), volume.end(), 0.0);
    const double top = std::accumulate(volume.begin(), volume.begin() + std::ptrdiff_t((nfw + 9) / 10), 0.0);
    const double top_share = all > 0 ? top / all : 0.0;
    contract_teu_month.fill(0);
    for (std::size_t s = 0; s < S; ++s)
        for (std::size_t r = 0; r < num_routes; ++r) {
            contract_share[s][r] = 0;
            if (!is_rail_mode(route_table[r].how)) continue;
            const sector sx = sector(s);
            const route rr = route(r);
            const double cover = std::min(1.0, params.contract_cover_2024 +
                                                   lever_strength(lever::capacity_contracts, start, [&](const targeting& t) {
                                                       return applies(t.sectors, sx) && applies_to(t.routes, rr);
                                                   }));
            const double leaders_part = leader_share_of_sector[s];
            contract_share[s][r] = cover * (leaders_part + (1.0 - leaders_part) * top_share);
            contract_teu_month[r] += cargo[s][r] * contract_share[s][r];
        }
}

// Departures of the day. Rail services are timetabled: each scheduled train carries what is
// booked up to its capacity (contracted slots first), is cancelled if less than half full unless
// it carries contracted slots, and an extra train runs when the backlog exceeds two trains.
// Road, river and air capacity is flexible (trucks, barges and belly space are hired to
// demand): their day's bookings leave as one consolidated departure row.
void trade_model::state::departures_day(const sim::day_info& d) {
    if (burning_in) return;
    const double contract_discount = params.contract_discount;
    const double transit_cap = params.transit_cut_cap, delay_floor = params.delay_floor_share;
    const double min_load = params.min_departure_load, backlog_trains = params.extra_train_backlog_trains;
    for (std::size_t r = 0; r < num_routes; ++r) {
        const auto& rd = route_table[r];
        // The month's bookings are handed over evenly across its days.
        const double booked_today = bookings.teu[r] / double(d.days_in_month);
        backlog_teu[r] += booked_today;
        corridor_year.booked_teu[r] += booked_today;
        const bool flexible = !is_rail_mode(rd.how);
        if (flexible && backlog_teu[r] <= 0) continue;
        const route rr = route(r);
        auto on = [&](const targeting& t) { return applies_to(t.routes, rr); };
        // A disruption that names regions acts on the onward leg, not on the departure here.
        auto on_departure = [&](const targeting& t) { return on(t) && t.regions.empty(); };
        // Today's transit time before each departure's own delay: the leg, cut by policy, plus
        // disruptions and border waits.
        const double scheduled_days =
            rd.leg_days * (1.0 - std::min(transit_cap, lever_strength(lever::transit_time_cut, d.today, on))) +
            shock_level(shock_kind::route_disruption, d.today, on_departure) +
            shock_level(shock_kind::border_congestion, d.today, on);
        auto depart = [&](double load, double capacity, double delay_draw) {
            const double days = scheduled_days + std::max(-delay_floor * rd.leg_days, rd.delay_sd_days * delay_draw);
            corridor_year.teu[r] += load;
            corridor_year.trains[r] += 1;
            corridor_year.delay_days[r] += days;
            if (spec.outputs.train_departures) {
                const double row[] = {double(d.step), double(r), load, capacity, days};
                rec.append_row(std::size_t(departures_table), row);
            }
        };
        if (flexible) {
            const double load = backlog_teu[r];
            backlog_teu[r] = 0;
            auto rng_f = rng(r, std::uint32_t(d.step), p_delay);
            depart(load, load, rng_f.normal());
            continue;
        }
        // Contract holders' cargo up to their slots boards first; the rest is spot cargo.
        // Slots left unused are paid for at the contract tariff (take-or-pay).
        {
            const double slots = contract_teu_month[r] / double(d.days_in_month);
            const double held = std::min(bookings.holder_teu[r] / double(d.days_in_month), slots);
            contract_backlog[r] += held;
            corridor_year.contract_teu[r] += held;
            corridor_year.spot_teu[r] += booked_today - held;
            const double unused = (slots - held) * rd.leg_rate_cny_per_teu * (1.0 - contract_discount) / 1e8;
            corridor_year.take_or_pay += unused;
            corridor_year.logistics_cost += unused;
        }
        const double per_day = departures_week[r] / 7.0;
        const double capacity = rd.teu_per_departure * spec.population_scale;
        // Deterministic timetable: departure k runs on the day its cumulative count crosses k.
        const double before = std::floor(per_day * double(d.step)), after = std::floor(per_day * double(d.step + 1));
        int scheduled = int(after - before);
        // Operators add trains while more than two full trains wait, up to doubling the day's
        // timetable (at least one extra): the bound is fixed before any is added.
        const int max_extra = std::max(1, scheduled);
        for (int extra = 0;
             extra < max_extra && backlog_teu[r] > capacity * (backlog_trains + double(scheduled)); ++extra)
            ++scheduled;
        auto rng_r = rng(r, std::uint32_t(d.step), p_delay);
        bool left_full = false;
        for (int k = 0; k < scheduled; ++k) {
            const double load = std::min(backlog_teu[r], capacity);
            const double delay_draw = rng_r.normal();
            const double contracted = std::min(contract_backlog[r], load);
            // A departure runs at least half full, or when it carries contracted slots (the
            // operator's side of the guarantee).
            if (load < min_load * capacity && contracted <= 0) continue;
            backlog_teu[r] -= load;
            contract_backlog[r] -= contracted;
            left_full = left_full || load >= capacity;
            depart(load, capacity, delay_draw);
        }
        // Spot cargo left behind by a full train waits for the next one.
        if (left_full) corridor_year.bumped_teu_days[r] += std::max(0.0, backlog_teu[r] - contract_backlog[r]);
    }
}

} // namespace tradeeco::models
