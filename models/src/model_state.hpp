#pragma once
// The state of one replicate of the trade model, split into named groups: the agent tables and
// their columns (firm_columns, forwarder_columns), the firm x region relationship rows, the 2024
// calibration (calibration_state), the month's aggregates each phase hands to the next
// (month_totals from the firm phase, bookings_month from booking) and the year's corridor totals
// (corridor_totals) that the indicators read. Each mechanism file (see the list in
// docs/architecture.md) defines the member functions of its phase. Private to models/src.

#include <tradeeco/models/base_year.hpp>
#include <tradeeco/models/drivers.hpp>
#include <tradeeco/models/parameters.hpp>
#include <tradeeco/models/trade_model.hpp>
#include <tradeeco/sim/errors.hpp>
#include <tradeeco/sim/message_buffer.hpp>
#include <tradeeco/sim/random.hpp>
#include <tradeeco/sim/schedule.hpp>

#include "model_common.hpp"
#include "model_parameters.hpp"
#include "policy_spending.hpp"
#include "routes.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tradeeco::models {

namespace model_impl {

using detail::route_table;
using agent_id_t = sim::agent_id;

// Firm columns: pointers into the `firms` agent table (set by build_population).
struct firm_columns {
    std::vector<std::uint8_t>* sector = nullptr;
    std::vector<std::uint8_t>* location = nullptr;
    std::vector<std::uint8_t>* ownership = nullptr;
    std::vector<std::uint8_t>* leader = nullptr; // 0 = not a leader, k+1 = leader k
    std::vector<std::uint8_t>* sme = nullptr;
    std::vector<std::uint8_t>* specialised = nullptr;
    std::vector<std::uint8_t>* platform = nullptr;
    std::vector<std::uint8_t>* aeo = nullptr; // 0 general, 1 AEO, 2 discredited
    std::vector<std::uint8_t>* cbec = nullptr;
    std::vector<std::uint8_t>* importer = nullptr; // ordinary importer
    std::vector<std::uint8_t>* indirect = nullptr;
    std::vector<std::int32_t>* supplier_of = nullptr; // leader index or -1
    std::vector<double>* capability = nullptr;
    std::vector<double>* exports_month = nullptr; // 100m CNY, last month
    std::vector<double>* imports_month = nullptr;
    std::vector<double>* trade_year = nullptr;         // 100m CNY, current year so far
    std::vector<std::int32_t>* destinations = nullptr; // regions exported to, last month
    std::vector<std::int64_t>* forwarder = nullptr;    // id of the firm's forwarder, -1 none
    std::vector<double>* lcl_teu_month = nullptr;      // cargo shipped LCL last month, TEU
    // This year so far (reset at year end): values and region bitmasks (bit r = region r).
    std::vector<double>* exports_year = nullptr;
    std::vector<double>* indirect_exports_year = nullptr; // through trade companies
    std::vector<double>* imports_year = nullptr;
    std::vector<std::int32_t>* destinations_mask = nullptr;
    std::vector<std::int32_t>* entered_mask = nullptr;
    std::vector<std::int32_t>* exited_mask = nullptr;
};

// Forwarder columns: pointers into the `forwarders` agent table.
struct forwarder_columns {
    std::vector<double>* scale = nullptr;
    std::vector<double>* margin = nullptr;
    std::vector<std::uint8_t>* one_bill = nullptr;
    std::vector<std::uint8_t>* a_level = nullptr;
    std::vector<double>* volume = nullptr;
    std::vector<std::int32_t>* clients = nullptr;
};

// What the calibration to 2024 sets (population.cpp, burn_in.cpp, and the burn-in months of
// trade_costs.cpp); held fixed once the run starts.
struct calibration_state {
    std::array<std::array<double, R>, S> demand_shift{}; // A_sd, 100m CNY per unit capability
    std::array<double, S> sector_target{};               // 2024 exports by sector, 100m CNY/yr
    std::array<double, R> region_share{};
    std::array<std::array<double, R>, S> export_mix{}; // destinations of each sector's exports
    double ordinary_import_scale = 0;                  // 100m CNY/month per unit capability of importers
    double entry_scale = 1.0;                          // calibrated multiplier of the entry hazard
    double z_ref = 1.0;                                // capability of a typical exporter (75th percentile)
    std::array<double, S> ref_profit_2024{};           // per-sector reference gross profit, for fixed cost
    std::array<std::array<double, R>, S> cost_2024{};  // ad valorem trade cost in 2024
    std::array<std::array<double, R>, S> landed_2024{}; // landed cost of imports in 2024
    // Logit scale, logsum and share-weighted generalized cost of 2024 by sector x region.
    std::array<std::array<double, R>, S> logit_scale{}, logsum_2024{}, mean_cost_2024{};
    std::array<double, num_routes> route_asc{}; // logit constants, calibrated to the timetable
    double transit_utility_gap = 0;             // hub vs alternative for transit shippers, 2024
    std::array<double, num_routes> transit_pool_teu{}; // other provinces' cargo a month
    double hub_volume_2024 = 0;
    double logistics_trade_part_2024 = -1;
    double rmb_nongoods_2024 = -1;
    double certification_rate = -1; // specialised-SME certification, set in the first year
};

// The month's bookings by route, handed from booking (routes_bookings.cpp) to consolidation
// (forwarders.cpp) and departures.
struct bookings_month {
    std::array<double, num_routes> teu{};        // booked this month (own, transit, LCL boxes)
    std::array<double, num_routes> lcl_teu{};    // own LCL cargo
    std::array<double, num_routes> holder_teu{}; // contract holders' cargo
    std::array<std::array<double, num_routes>, S> sector_teu{}; // own cargo by sector; sizes contracts
};

// The year's corridor totals (reset each year end), read by the yearly indicators.
struct corridor_totals {
    std::array<double, num_routes> teu{}, trains{}, transit_teu{}, booked_teu{}, delay_days{};
    std::array<double, num_routes> contract_teu{}, spot_teu{}, bumped_teu_days{};
    std::array<std::array<double, num_routes>, S> sector_teu{};
    double lcl_teu = 0, lcl_boxes = 0, lcl_wait = 0, container_teu = 0;
    double take_or_pay = 0, rail_cargo_teu = 0; // 100m CNY, TEU
    double logistics_cost = 0;                  // 100m CNY
    double logistics_index_sum = 0; // monthly logistics price index (2024 routes = 1), this year
    std::int32_t logistics_index_months = 0;
};

// A client firm's booking with its forwarder this month (a message from the firm to the
// forwarder's row), in TEU.
struct forwarder_booking {
    std::size_t row = 0;
    double teu = 0;
};

// A trading firm's month with its forwarder (forwarders_month's pass over the firms).
struct firm_cargo {
    std::size_t row;     // its forwarder's row
    double lcl_teu;      // its LCL cargo (counts where > 0)
    double booking_teu;  // its booking with the forwarder (where `books`)
    bool books;
};

} // namespace model_impl

using namespace model_impl;

// checkpoint.cpp: the replicate a saved state belongs to, once `spec` is checked to fit it
// (sim::checkpoint_error otherwise).
std::int32_t check_restorable(const model_spec& spec, const sim::state_archive& saved);

// -------------------------------------------------------------------------------------------
struct trade_model::state {
    state(const model_spec& sp, std::int32_t rep, sim::executor& e):
        spec(sp), par(run_parameters(sp, rep)), replicate(rep), ex(e), clock(sp.start, sp.end),
        rec(clock.num_months(), clock.num_years()) {}

    model_spec spec;
    parameter_set par;          // by key: for the per-sector, -region, -location, -leader families
    model_parameters params{par}; // typed: every scalar parameter, resolved once
    std::int32_t replicate;
    sim::executor& ex;
    sim::calendar clock;
    sim::replicate_record rec;
    sim::schedule steps;
    policy_spending spending{spec, params.fiscal_cost_scale}; // what the policies cost
    // The spec's instruments of each lever, in scenario order (derived from the spec, not
    // state): lever_strength visits these only, adding in the order a scan of all would.
    const std::array<std::vector<std::uint32_t>, num_levers> instruments_of_lever = [this] {
        std::array<std::vector<std::uint32_t>, num_levers> out;
        for (std::size_t k = 0; k < spec.instruments.size(); ++k)
            out[std::size_t(spec.instruments[k].what)].push_back(std::uint32_t(k));
        return out;
    }();
    // data/drivers.csv, this replicate's draw (shared by a block in a nested design)
    driver_paths drivers{shipped_drivers(), par, base_year_of(spec), int(spec.start.year()),
                         int(spec.end.year()), spec.seed, driver_path_of(spec, replicate)};
    // Parameters that come one per sector or per region: key `<prefix>_<name>`.
    std::array<double, S> par_by_sector(std::string_view prefix) const {
        std::array<double, S> out{};
        for (std::size_t s = 0; s < S; ++s) out[s] = par[std::string(prefix) + "_" + std::string(sector_names[s])];
        return out;
    }
    std::array<double, R> par_by_region(std::string_view prefix) const {
        std::array<double, R> out{};
        for (std::size_t r = 0; r < R; ++r) out[r] = par[std::string(prefix) + "_" + std::string(region_names[r])];
        return out;
    }
    // Resolved once: non-leader firms over sectors (count weights), intermediate goods by sector,
    // destinations of car exports, Belt-and-Road partners' share of each region's trade.
    const std::array<double, S> firm_sector_shares = par_by_sector("firm_share");
    const std::array<double, S> intermediate_share = par_by_sector("intermediate_share");
    const std::array<double, R> auto_region_mix = par_by_region("auto_export_mix");
    const std::array<double, R> belt_road_weight = par_by_region("belt_road_weight");
    // Location weights of non-leader firms, by sector group: laptops, components, cars, others
    // (shaped so that bonded zones hold about two-thirds of trade value, data
    // special_zones_share 2019).
    std::array<double, num_locations> par_by_location(std::string_view prefix) const {
        std::array<double, num_locations> out{};
        for (std::size_t l = 0; l < num_locations; ++l)
            out[l] = par[std::string(prefix) + "_" + std::string(location_names[l])];
        return out;
    }
    const std::array<double, num_locations> location_weight_laptops = par_by_location("location_weight_laptops");
    const std::array<double, num_locations> location_weight_components = par_by_location("location_weight_components");
    const std::array<double, num_locations> location_weight_autos = par_by_location("location_weight_autos");
    const std::array<double, num_locations> location_weight_other = par_by_location("location_weight_other");
    const std::array<double, num_locations>& location_probs(sector s) const {
        switch (s) {
        case sector::laptops_electronics: return location_weight_laptops;
        case sector::electronic_components: return location_weight_components;
        case sector::autos_parts: return location_weight_autos;
        default: return location_weight_other;
        }
    }
    // Chain leaders (model_common.hpp), in their order: share of their sector's exports, and
    // imported inputs per CNY exported (processing trade).
    std::array<double, num_leaders> par_by_leader(std::string_view prefix) const {
        std::array<double, num_leaders> out{};
        for (std::size_t k = 0; k < num_leaders; ++k) out[k] = par[std::string(prefix) + "_" + leaders[k].name];
        return out;
    }
    const std::array<double, num_leaders> leader_export_share = par_by_leader("leader_share");
    const std::array<double, num_leaders> leader_import_ratio = par_by_leader("leader_import_ratio");
    // Share of each sector's exports that its chain leaders carry.
    const std::array<double, S> leader_share_of_sector = [this] {
        std::array<double, S> out{};
        for (std::size_t k = 0; k < num_leaders; ++k) out[std::size_t(leaders[k].s)] += leader_export_share[k];
        return out;
    }();
    std::int32_t day = 0;

    // --- agents ---
    sim::agent_table firms, forwarders, services;
    std::size_t n_firms = 0;
    firm_columns firm;
    forwarder_columns fwd;
    std::uint64_t fw_serial = 0; // forwarder entrants so far, keys their random draws
    double bills_this_year = 0;
    sim::message_buffer<forwarder_booking> forwarder_bookings; // firms to forwarders, each month

    // per firm x region
    std::vector<std::uint8_t> status;     // 0 none, 1 trial, 2 established
    std::vector<std::uint16_t> tenure;    // months in the current spell
    std::vector<float> months_since_exit; // experience decays with time out
    std::vector<float> demand_draw;       // persistent firm-destination demand (mean 1)

    // --- calibration and market state ---
    calibration_state cal;
    // Import sources: 2024 partner shares moved by each region's landed cost since 2024.
    std::array<std::array<double, R>, S> import_mix{};
    std::array<std::array<double, R>, S> peers{};      // established exporters last month
    std::array<std::array<double, R>, S> cost_index{}; // trade-cost factor relative to 2024
    std::array<std::array<double, 2>, S> fx_factor{};  // exchange-rate factor by sector, [0] others, [1] SMEs
    std::array<std::array<std::array<double, num_routes>, R>, S> route_share{};
    double clearance_days_general = 0, clearance_days_aeo = 0;
    std::array<std::array<double, 3>, num_locations> clearance_days_by_location{}; // by credit tier
    std::int32_t month_abs = 0; // months since the burn-in started (keys random streams)
    bool burning_in = true;

    // --- logistics ---
    std::array<double, num_routes> backlog_teu{};
    std::array<double, num_routes> backlog_at_year_start{}; // for the TEU balance (invariants.cpp)
    // Consolidation: LCL share of each cell's trade (last month), and by route the fill of the
    // forwarders' consolidated boxes and the mean days LCL cargo waited for its box.
    std::array<std::array<double, R>, S> lcl_share{};
    std::array<double, num_routes> lcl_fill{}, lcl_wait_days{};
    // Capacity contracts (rail routes): the share of each sector's cargo under contract this
    // year, the contracted slots a month, and contracted cargo waiting to board.
    std::array<std::array<double, num_routes>, S> contract_share{};
    std::array<double, num_routes> contract_teu_month{}, contract_backlog{};
    // Rate (CNY/TEU) and days to each region by route this month, as route choice saw them.
    std::array<std::array<double, num_routes>, R> leg_rate{}, leg_days{};
    bookings_month bookings;
    std::array<double, num_routes> departures_week{};
    // CNY value of a TEU by sector this month: 2024 values per kg at the drivers' price and
    // exchange-rate level (a price rise adds value, not containers). Set by update_trade_costs
    // at each month's start, before anything reads it (not state).
    std::array<double, S> cny_per_teu{};
    std::array<double, num_routes> transit_teu_month{}; // other provinces' cargo via the hub
    corridor_totals corridor_year;
    double cr_trains_at_month_start = 0;
    std::int32_t departures_table = -1, snapshots_table = -1, flows_table = -1;
    // Shipment flows this year by origin location x route x partner region.
    std::array<std::array<std::array<double, R>, num_routes>, num_locations> flow_value{}, flow_teu{};

    // --- yearly accumulators ---
    month_totals month; // the firm phase's aggregate of this month
    std::vector<month_totals> firm_month_partials; // scratch: the firm phase's block sums (not state)
    // scratch: forwarders_month's reports, a list per block of firms (not state)
    std::vector<std::vector<firm_cargo>> forwarder_cargo_blocks;
    month_totals year;  // summed by record_month
    std::vector<std::uint8_t> traded_this_year;
    std::vector<std::uint8_t> exported_this_year;
    double one_bill_cum = 0;
    std::int32_t platform_members_trading = 0;
    double forwarder_entry_carry = 0; // fractional entries carried to next year
    double freight_per_teu_month = 0; // CNY, average freight of this month's bookings
    double cbec_prev_year = -1, trade_prev_year = -1;

    // ----------------------------------------------------------------------------------
    random_stream rng(std::uint64_t agent, std::uint32_t step, purpose p) const {
        return random_stream({spec.seed, std::uint32_t(replicate), agent, step, std::uint32_t(p)});
    }

    // Strength of a lever for a target at a date: sum over instruments in force, each ramped.
    template <class Match>
    double lever_strength(lever what, sim::date today, Match&& match) const {
        if (burning_in) return 0; // the burn-in is the 2024 state: no policy in force
        double total = 0;
        for (const auto k: instruments_of_lever[std::size_t(what)]) {
            const auto& ins = spec.instruments[k];
            if (std::chrono::sys_days{today} < std::chrono::sys_days{ins.start}) continue;
            if (!match(ins.target)) continue;
            total += ins.strength * ramp_fraction(ins, today);
        }
        return total;
    }
    double lever_any(lever what, sim::date today) const {
        return lever_strength(what, today, [](const targeting&) { return true; });
    }
    // A lever's strength for a firm of each sector x location: the instruments whose targets hold
    // both (the same sum as a call per firm, so the same bits), for processes that ask per firm.
    std::array<std::array<double, num_locations>, S> lever_by_sector_location(lever what, sim::date today) const {
        std::array<std::array<double, num_locations>, S> out{};
        for (std::size_t s = 0; s < S; ++s)
            for (std::size_t l = 0; l < num_locations; ++l)
                out[s][l] = lever_strength(what, today, [&](const targeting& t) {
                    return applies(t.sectors, sector(s)) && applies_to(t.locations, location(l));
                });
        return out;
    }
    template <class Match>
    double shock_level(shock_kind what, sim::date today, Match&& match) const {
        if (burning_in) return 0;
        double total = 0;
        for (const auto& sh: spec.shocks) {
            if (sh.what != what) continue;
            const auto d = std::chrono::sys_days{today};
            if (d < std::chrono::sys_days{sh.start} || std::chrono::sys_days{sh.end} < d) continue;
            if (!match(sh.target)) continue;
            total += sh.magnitude;
        }
        return total;
    }

    // population.cpp
    void build_population();
    void add_firm_columns();
    void draw_firms();
    void draw_capability_classes(std::vector<double>& zs);
    void seed_export_pairs();
    void draw_memberships(std::vector<double>& zs);
    void build_services();
    void build_forwarders();
    void calibrate_values();
    // trade_costs.cpp
    void update_trade_costs(sim::date today);
    // firm_decisions.cpp
    void firm_month(sim::date today, std::int32_t month_index);
    // routes_bookings.cpp
    double book_own_cargo(double& freight, double& teu_all);
    void route_month(sim::date today);
    void sign_contracts(sim::date start, const std::array<std::array<double, num_routes>, S>& cargo);
    void departures_day(const sim::day_info& d);
    // Tariff per TEU a sector's cargo pays on a route, its contracted part at the discount.
    double contracted_rate(std::size_t s, std::size_t r, double rate) const {
        return rate * (1.0 - params.contract_discount * contract_share[s][r]);
    }
    // forwarders.cpp
    void stage_forwarder(std::uint32_t step);
    bool books_with_forwarder(std::size_t i) const;
    std::size_t forwarder_for(std::size_t i, std::uint32_t step, std::size_t row);
    void assign_forwarders(std::uint32_t step);
    std::vector<double> forwarder_lcl() const;
    void consolidate_lcl(const std::vector<double>& lcl_by_forwarder);
    void forwarders_month(std::uint32_t step);
    void forwarders_year(sim::date today);
    // yearly_processes.cpp
    void aeo_year(sim::date today, std::uint32_t ystep);
    void platforms_year(sim::date today, std::uint32_t ystep);
    void pairing_year(sim::date today, std::uint32_t ystep);
    void certification_year(std::uint32_t ystep);
    void graduation_year(std::uint32_t ystep);
    void cbec_year(sim::date today, std::uint32_t ystep);
    // indicators.cpp
    void declare_outputs();
    void record_month(const sim::day_info& d);
    void record_year(const sim::day_info& d);
    void check_year_invariants(const sim::day_info& d); // invariants.cpp (checked builds)
    void check_month_invariants(const sim::day_info& d); // invariants.cpp (checked builds)
    void write_year_tables(const sim::day_info& d);
    // burn_in.cpp
    void burn_in();
    void seed_demand_shifters();
    void seed_initial_exporters(double target_firms);
    void fit_ordinary_imports(const month_totals& t, double months, double imports_target);
    void steer_burn_in_year(std::int32_t m, double target_firms, double imports_target);
    void thin_exporters_to_target(double target_firms);
    void designate_specialised_smes();
    void calibrate_routes();
    // checkpoint.cpp: the whole state into an archive and back (the spec-derived members are
    // rebuilt by the constructor)
    void save(sim::state_archive& a) const;
    void load(const sim::state_archive& a);
    // trade_model.cpp
    void year_end(const sim::day_info& d);
    void reset_year_columns() {
        std::fill(firm.trade_year->begin(), firm.trade_year->end(), 0.0);
        std::fill(firm.exports_year->begin(), firm.exports_year->end(), 0.0);
        std::fill(firm.indirect_exports_year->begin(), firm.indirect_exports_year->end(), 0.0);
        std::fill(firm.imports_year->begin(), firm.imports_year->end(), 0.0);
        std::fill(firm.destinations_mask->begin(), firm.destinations_mask->end(), 0);
        std::fill(firm.entered_mask->begin(), firm.entered_mask->end(), 0);
        std::fill(firm.exited_mask->begin(), firm.exited_mask->end(), 0);
        for (auto& a: flow_value)
            for (auto& b: a) b.fill(0);
        for (auto& a: flow_teu)
            for (auto& b: a) b.fill(0);
    }
};

} // namespace tradeeco::models
