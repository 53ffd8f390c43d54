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

#include <tradeeco/models/drivers.hpp>
#include <tradeeco/models/parameters.hpp>
#include <tradeeco/models/trade_model.hpp>
#include <tradeeco/models/units.hpp>
#include <tradeeco/sim/errors.hpp>
#include <tradeeco/sim/event_queue.hpp>
#include <tradeeco/sim/executor.hpp>
#include <tradeeco/sim/random.hpp>
#include <tradeeco/sim/schedule.hpp>

#include "policy_spending.hpp"
#include "routes.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <string_view>
#include <utility>
#include <cstdio>
#include <cstdlib>

namespace tradeeco::models {

using detail::route_table;
using sim::random_stream;
using agent_id_t = sim::agent_id;

namespace {

// One constant per kind of random decision, so that no two decisions share draws.
enum purpose : std::uint32_t {
    p_sector = 1, p_capability, p_location, p_ownership, p_sme, p_entry, p_demand, p_exit,
    p_aeo, p_indirect, p_thin, p_platform, p_pairing, p_rmb, p_delay, p_cbec, p_import, p_specialised, p_forwarder,
    p_forwarder_entry,
};

constexpr std::int32_t burn_in_months = 60;
constexpr std::size_t R = num_regions;
constexpr std::size_t S = num_sectors;

// Distribution of non-leader firms over sectors (count shares): ASSUMPTION, documented in
// docs/model.md; value shares are calibrated separately through the demand shifters.
constexpr std::array<double, S> firm_sector_shares{0.05, 0.08, 0.12, 0.20, 0.08, 0.04, 0.08, 0.35};

// Regions whose markets are "linked" (bordering or on the same corridor) for sequential
// expansion (Defever, Heid & Larch): eu-central_asia_russia, eu-middle_east, eu-africa,
// asean-japan_korea, asean-rest_of_world, us-latin_america, middle_east-africa,
// middle_east-central_asia_russia.
constexpr std::array<std::uint16_t, R> linked_regions = [] {
    std::array<std::uint16_t, R> m{};
    auto link = [&](region a, region b) {
        m[std::size_t(a)] = std::uint16_t(m[std::size_t(a)] | detail::bit(b));
        m[std::size_t(b)] = std::uint16_t(m[std::size_t(b)] | detail::bit(a));
    };
    link(region::eu, region::central_asia_russia);
    link(region::eu, region::middle_east);
    link(region::eu, region::africa);
    link(region::asean, region::japan_korea);
    link(region::asean, region::rest_of_world);
    link(region::us, region::latin_america);
    link(region::middle_east, region::africa);
    link(region::middle_east, region::central_asia_russia);
    return m;
}();

// Destinations of China's vehicle exports (ASSUMPTION from the 2024 national pattern: Russia and
// Central Asia, the Middle East and Latin America lead; the US takes almost none).
constexpr std::array<double, R> auto_region_mix{0.08, 0.12, 0.30, 0.0, 0.0, 0.18, 0.05, 0.20, 0.07};

// Share of each region's trade with Belt-and-Road partner countries (ASSUMPTION from the 2023
// partner list: every ASEAN, Central Asian, Gulf state and most African states are partners;
// about half of the EU's trade weight; none of the US, Japan or Korea).
constexpr std::array<double, R> belt_road_weight{0.4, 1.0, 1.0, 0.0, 0.0, 0.5, 0.9, 1.0, 0.3};

// Share of a sector's exports that are intermediate goods (ASSUMPTION by product type).
constexpr std::array<double, S> intermediate_share{0.05, 1.0, 0.3, 0.4, 0.8, 0.3, 0.2, 0.2};

struct leader_def {
    sector s;
    location l;
    ownership o;
    double share_of_sector; ///< share of the sector's exports
    double import_ratio;    ///< imported inputs per CNY exported (processing trade)
};
// Chain leaders. Laptop ODMs in the Xiyong bonded zone carry the laptop share of exports
// (parameter laptop_export_share); carmakers in Liangjiang carry auto exports (auto_exports_2024);
// three motorcycle makers part of their sector. Splits among firms are ASSUMPTIONS.
constexpr std::array<leader_def, 12> leaders{{
    {sector::laptops_electronics, location::xiyong_bonded, ownership::foreign_invested, 0.22, 1},
    {sector::laptops_electronics, location::xiyong_bonded, ownership::foreign_invested, 0.18, 1},
    {sector::laptops_electronics, location::xiyong_bonded, ownership::foreign_invested, 0.16, 1},
    {sector::laptops_electronics, location::xiyong_bonded, ownership::foreign_invested, 0.14, 1},
    {sector::laptops_electronics, location::xiyong_bonded, ownership::foreign_invested, 0.10, 1},
    {sector::laptops_electronics, location::xiyong_bonded, ownership::foreign_invested, 0.08, 1},
    {sector::autos_parts, location::liangjiang_other, ownership::state_owned, 0.50, 0.1},
    {sector::autos_parts, location::liangjiang_other, ownership::private_domestic, 0.25, 0.1},
    {sector::autos_parts, location::liangjiang_other, ownership::foreign_invested, 0.10, 0.2},
    {sector::motorcycles_machinery, location::liangjiang_other, ownership::private_domestic, 0.12, 0.1},
    {sector::motorcycles_machinery, location::elsewhere, ownership::private_domestic, 0.10, 0.1},
    {sector::motorcycles_machinery, location::elsewhere, ownership::private_domestic, 0.06, 0.1},
}};
// Specialised-SME certifications a year at 2024 eligibility (ASSUMPTION; the plan counts on +100
// by 2027 with its support).
constexpr double specialised_certified_per_year = 20.0;
// Share of each sector's exports that its chain leaders carry.
constexpr std::array<double, S> leader_share_of_sector = [] {
    std::array<double, S> out{};
    for (const auto& l: leaders) out[std::size_t(l.s)] += l.share_of_sector;
    return out;
}();

double logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }

bool is_rail_mode(detail::mode m) { return m == detail::mode::rail || m == detail::mode::rail_sea; }
// Corridor modes that other provinces' cargo uses through the hub (rail, rail-sea, cross-border
// road: the three modes of the 2021 outside-the-city share).
bool carries_transit(detail::mode m) { return is_rail_mode(m) || m == detail::mode::road; }

// Location probabilities for non-leader firms by sector (ASSUMPTION; tuned only in shape so that
// bonded zones hold about two-thirds of trade value, data special_zones_share 2019).
std::array<double, num_locations> location_probs(sector s) {
    using L = std::array<double, num_locations>;
    switch (s) {
    case sector::laptops_electronics: return L{0.15, 0.40, 0.05, 0.0, 0.0, 0.05, 0.05, 0.1, 0.1, 0.1};
    case sector::electronic_components: return L{0.3, 0.3, 0.05, 0.0, 0.0, 0.05, 0.0, 0.1, 0.1, 0.1};
    case sector::autos_parts: return L{0.1, 0.0, 0.05, 0.05, 0.0, 0.1, 0.05, 0.35, 0.05, 0.25};
    default: return L{0.1, 0.08, 0.05, 0.05, 0.04, 0.05, 0.06, 0.17, 0.12, 0.28};
    }
}

template <std::size_t N>
std::size_t draw_index(random_stream& rng, const std::array<double, N>& p) {
    double u = rng.uniform() * std::accumulate(p.begin(), p.end(), 0.0);
    for (std::size_t i = 0; i < N; ++i) {
        if (u < p[i]) return i;
        u -= p[i];
    }
    return N - 1;
}

bool applies(const std::vector<sector>& v, sector x) {
    return v.empty() || std::find(v.begin(), v.end(), x) != v.end();
}
template <class T>
bool applies_to(const std::vector<T>& v, T x) {
    return v.empty() || std::find(v.begin(), v.end(), x) != v.end();
}

// Accumulated over a month by the firm phase (one per block, summed in block order).
struct month_totals {
    std::array<std::array<double, R>, S> exports{};  // 100m CNY
    std::array<std::array<double, R>, S> imports{};
    std::array<double, num_locations> trade_by_location{};
    std::array<std::array<double, R>, S> established{}; // exporters by sector x region (peers)
    std::array<std::array<double, R>, S> lcl{};         // trade shipped less than container load
    double rmb_goods = 0, intermediate = 0, indirect_exports = 0, cbec_exports = 0;
    double aeo_trade = 0, new_entries = 0, exits = 0, trial_exits = 0, trial_promotions = 0, laptop_exports = 0,
           kd_exports = 0;
    // Trade by origin location, sector and partner region (for shipment flows).
    std::array<std::array<std::array<double, R>, S>, num_locations> flows{};
    void add(const month_totals& o) {
        for (std::size_t l = 0; l < num_locations; ++l)
            for (std::size_t s = 0; s < S; ++s)
                for (std::size_t r = 0; r < R; ++r) flows[l][s][r] += o.flows[l][s][r];
        for (std::size_t s = 0; s < S; ++s)
            for (std::size_t r = 0; r < R; ++r) {
                exports[s][r] += o.exports[s][r];
                imports[s][r] += o.imports[s][r];
                established[s][r] += o.established[s][r];
                lcl[s][r] += o.lcl[s][r];
            }
        for (std::size_t l = 0; l < num_locations; ++l) trade_by_location[l] += o.trade_by_location[l];
        rmb_goods += o.rmb_goods;
        intermediate += o.intermediate;
        indirect_exports += o.indirect_exports;
        cbec_exports += o.cbec_exports;
        aeo_trade += o.aeo_trade;
        new_entries += o.new_entries;
        trial_exits += o.trial_exits;
        exits += o.exits;
        trial_promotions += o.trial_promotions;
        laptop_exports += o.laptop_exports;
        kd_exports += o.kd_exports;
    }
};

} // namespace

// -------------------------------------------------------------------------------------------
struct trade_model::state {
    state(const model_spec& sp, std::int32_t rep, sim::executor& e):
        spec(sp), par(sp.parameters), replicate(rep), ex(e), clock(sp.start, sp.end),
        rec(clock.num_months(), clock.num_years()) {}

    model_spec spec;
    parameter_set par;
    std::int32_t replicate;
    sim::executor& ex;
    sim::calendar clock;
    sim::replicate_record rec;
    sim::schedule steps;
    policy_spending spending{spec, par["fiscal_cost_scale"]}; // what the policies cost
    driver_paths drivers{shipped_drivers(), par, int(spec.start.year()), int(spec.end.year()), spec.seed,
                         std::uint32_t(replicate)}; // data/drivers.csv, this replicate's draw
    std::int32_t day = 0;

    // --- agents ---
    sim::agent_table firms, forwarders, services;
    std::size_t n_firms = 0;
    // firm columns (references into `firms`)
    std::vector<std::uint8_t>* f_sector = nullptr;
    std::vector<std::uint8_t>* f_location = nullptr;
    std::vector<std::uint8_t>* f_ownership = nullptr;
    std::vector<std::uint8_t>* f_leader = nullptr;      // 0 = not a leader, k+1 = leader k
    std::vector<std::uint8_t>* f_sme = nullptr;
    std::vector<std::uint8_t>* f_specialised = nullptr;
    std::vector<std::uint8_t>* f_platform = nullptr;
    std::vector<std::uint8_t>* f_aeo = nullptr;          // 0 general, 1 AEO, 2 discredited
    std::vector<std::uint8_t>* f_cbec = nullptr;
    std::vector<std::uint8_t>* f_importer = nullptr;     // ordinary importer
    std::vector<std::uint8_t>* f_indirect = nullptr;
    std::vector<std::int32_t>* f_supplier_of = nullptr;  // leader index or -1
    std::vector<double>* f_capability = nullptr;
    std::vector<double>* f_exports_month = nullptr;      // 100m CNY, last month
    std::vector<double>* f_imports_month = nullptr;
    std::vector<double>* f_trade_year = nullptr;         // 100m CNY, current year so far
    std::vector<std::int32_t>* f_destinations = nullptr; // regions exported to, last month
    std::vector<std::int64_t>* f_forwarder = nullptr;    // id of the firm's forwarder, -1 none
    std::vector<double>* f_lcl_teu_month = nullptr;      // cargo shipped LCL last month, TEU
    // forwarder columns
    std::vector<double>* fw_scale = nullptr;
    std::vector<double>* fw_margin = nullptr;
    std::vector<std::uint8_t>* fw_one_bill = nullptr;
    std::vector<std::uint8_t>* fw_a_level = nullptr;
    std::vector<double>* fw_volume = nullptr;
    std::vector<std::int32_t>* fw_clients = nullptr;
    std::uint64_t fw_serial = 0; // entrants so far, keys their random draws

    // Stages a forwarder birth; its draws are keyed by its entry serial number.
    void stage_forwarder(std::uint32_t step) {
        const std::size_t slot = forwarders.stage_birth();
        auto r = rng(fw_serial++, step, p_forwarder_entry);
        forwarders.staged<double>("scale")[slot] = std::exp(1.2 * r.normal());
        forwarders.staged<double>("margin_share")[slot] = 0.06 + 0.10 * r.uniform();
    }
    void forwarders_month(std::uint32_t step);
    void assign_forwarders(std::uint32_t step);
    std::vector<double> forwarder_lcl() const;
    void consolidate_lcl(const std::vector<double>& lcl_by_forwarder);
    void sign_contracts(sim::date start, const std::array<std::array<double, num_routes>, S>& cargo);
    void forwarders_year(sim::date today);
    double bills_this_year = 0;
    // This year so far (reset at year end): values and region bitmasks (bit r = region r).
    std::vector<double>* f_exports_year = nullptr;
    std::vector<double>* f_imports_year = nullptr;
    std::vector<std::int32_t>* f_destinations_mask = nullptr;
    std::vector<std::int32_t>* f_entered_mask = nullptr;
    std::vector<std::int32_t>* f_exited_mask = nullptr;

    // per firm x region
    std::vector<std::uint8_t> status;   // 0 none, 1 trial, 2 established
    std::vector<std::uint16_t> tenure;  // months in the current spell
    std::vector<float> months_since_exit; // experience decays with time out
    std::vector<float> demand_draw;     // persistent firm-destination demand (mean 1)

    // --- calibration and market state ---
    std::array<std::array<double, R>, S> demand_shift{}; // A_sd, 100m CNY per unit capability
    std::array<double, S> sector_target{};               // 2024 exports by sector, 100m CNY/yr
    std::array<double, R> region_share{};
    std::array<std::array<double, R>, S> export_mix{}; // destinations of each sector's exports
    // Import sources: 2024 partner shares moved by each region's landed cost since 2024.
    std::array<std::array<double, R>, S> import_mix{}, landed_2024{};
    double ordinary_import_scale = 0;   // 100m CNY/month per unit capability of importers
    double entry_scale = 1.0;           // calibrated multiplier of the entry hazard
    double z_ref = 1.0;                 // capability of a typical exporter (75th percentile)
    std::array<double, S> ref_profit_2024{}; // per-sector reference gross profit, for fixed cost
    std::array<std::array<double, R>, S> peers{}; // established exporters last month
    std::array<std::array<double, R>, S> cost_index{}; // trade-cost factor relative to 2024
    std::array<std::array<double, R>, S> cost_2024{};  // ad valorem trade cost in 2024
    std::array<std::array<std::array<double, num_routes>, R>, S> route_share{};
    double clearance_days_general = 0, clearance_days_aeo = 0;
    std::array<std::array<double, 3>, num_locations> clearance_days_by_location{}; // by credit tier
    std::int32_t month_abs = 0; // months since the burn-in started (keys random streams)
    bool burning_in = true;

    // --- logistics ---
    std::array<double, num_routes> backlog_teu{};
    std::array<double, num_routes> route_asc{};
    // Logit scale, logsum and share-weighted generalized cost of 2024 by sector x region.
    std::array<std::array<double, R>, S> logit_scale{}, logsum_2024{}, mean_cost_2024{};
    // Consolidation: LCL share of each cell's trade (last month), and by route the fill of the
    // forwarders' consolidated boxes and the mean days LCL cargo waited for its box.
    std::array<std::array<double, R>, S> lcl_share{};
    std::array<double, num_routes> lcl_fill{}, lcl_wait_days{}, month_lcl_teu{};
    // Capacity contracts (rail routes): the share of each sector's cargo under contract this
    // year, the contracted slots a month, and what holders booked this month.
    std::array<std::array<double, num_routes>, S> contract_share{};
    std::array<double, num_routes> contract_teu_month{}, month_holder_teu{}, contract_backlog{};
    std::array<std::array<double, num_routes>, S> month_sector_teu{}, year_sector_teu{}; // own cargo; sizes contracts
    // Rate (CNY/TEU) and days to each region by route this month, as route choice saw them.
    std::array<std::array<double, num_routes>, R> leg_rate{}, leg_days{};   // logit constants, calibrated to the timetable
    std::array<double, num_routes> month_teu{};     // booked this month
    std::array<double, num_routes> departures_week{};
    std::array<double, num_routes> transit_teu_month{}; // other provinces' cargo via the hub
    std::array<double, num_routes> transit_pool_teu{};  // calibrated monthly pool
    std::array<double, num_routes> year_teu{}, year_trains{}, year_transit_teu{}, year_booked_teu{};
    std::array<double, num_routes> year_delay_days{};
    std::array<double, num_routes> year_contract_teu{}, year_spot_teu{}, year_bumped_teu_days{};
    double year_lcl_teu = 0, year_lcl_boxes = 0, year_lcl_wait = 0, year_container_teu = 0;
    double year_take_or_pay = 0, year_rail_cargo_teu = 0; // 100m CNY, TEU
    std::array<double, num_routes> base_teu_2024{};
    double hub_volume_2024 = 0;
    double year_logistics_cost = 0; // CNY 100m
    double transit_utility_gap = 0; // calibrated: hub vs alternative, 2024
    double logistics_trade_part_2024 = -1;
    double logistics_index_sum = 0; // monthly logistics price index (2024 routes = 1), this year
    std::int32_t logistics_index_months = 0;
    double cr_trains_at_month_start = 0;
    std::int32_t departures_table = -1, snapshots_table = -1, flows_table = -1;
    // Shipment flows this year by origin location x route x partner region.
    std::array<std::array<std::array<double, R>, num_routes>, num_locations> flow_value{}, flow_teu{};

    // --- yearly accumulators ---
    month_totals month;
    month_totals year;
    std::vector<std::uint8_t> traded_this_year;
    std::vector<std::uint8_t> exported_this_year;
    double one_bill_cum = 0;
    std::int32_t platform_members_trading = 0;
    double certification_rate = -1; // specialised-SME certification, set in the first year
    double forwarder_entry_carry = 0; // fractional entries carried to next year
    double freight_per_teu_month = 0; // CNY, average freight of this month's bookings
    double rail_doc_fin_year = 0, cbec_prev_year = -1, trade_prev_year = -1;
    double rmb_nongoods_2024 = -1;
    double kd_sets_year = 0, vehicles_year = 0;
    std::array<double, R> region_trade_year{};

    // series ids
    std::vector<std::size_t> ids_month, ids_year;

    // ----------------------------------------------------------------------------------
    random_stream rng(std::uint64_t agent, std::uint32_t step, purpose p) const {
        return random_stream({spec.seed, std::uint32_t(replicate), agent, step, std::uint32_t(p)});
    }

    // Strength of a lever for a target at a date: sum over instruments in force, each ramped.
    template <class Match>
    double lever_strength(lever what, sim::date today, Match&& match) const {
        if (burning_in) return 0; // the burn-in is the 2024 state: no policy in force
        double total = 0;
        for (const auto& ins: spec.instruments) {
            if (ins.what != what) continue;
            if (std::chrono::sys_days{today} < std::chrono::sys_days{ins.start}) continue;
            if (!match(ins.target)) continue;
            total += ins.strength * ramp_fraction(ins, today);
        }
        return total;
    }
    double lever_any(lever what, sim::date today) const {
        return lever_strength(what, today, [](const targeting&) { return true; });
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

    void build_population();
    void calibrate_values();
    void update_trade_costs(sim::date today);
    void firm_month(sim::date today, std::int32_t month_index);
    double book_own_cargo(double& freight, double& teu_all);
    void route_month(sim::date today);
    void departures_day(const sim::day_info& d);
    void record_month(const sim::day_info& d);
    void year_end(const sim::day_info& d);
    void declare_outputs();
    void burn_in();
    void calibrate_routes();
    void write_year_tables(const sim::day_info& d);
    // Tariff per TEU a sector's cargo pays on a route, its contracted part at the discount.
    double contracted_rate(std::size_t s, std::size_t r, double rate) const {
        return rate * (1.0 - par["contract_discount"] * contract_share[s][r]);
    }
    void reset_year_columns() {
        std::fill(f_trade_year->begin(), f_trade_year->end(), 0.0);
        std::fill(f_exports_year->begin(), f_exports_year->end(), 0.0);
        std::fill(f_imports_year->begin(), f_imports_year->end(), 0.0);
        std::fill(f_destinations_mask->begin(), f_destinations_mask->end(), 0);
        std::fill(f_entered_mask->begin(), f_entered_mask->end(), 0);
        std::fill(f_exited_mask->begin(), f_exited_mask->end(), 0);
        for (auto& a: flow_value)
            for (auto& b: a) b.fill(0);
        for (auto& a: flow_teu)
            for (auto& b: a) b.fill(0);
    }
};

// -------------------------------------------------------------------------------------------
void trade_model::state::build_population() {
    const double scale = spec.population_scale;
    const double n_trading = par["trading_firms_2024"] * scale;
    n_firms = std::size_t(std::llround(n_trading * (1.0 + par["potential_pool_ratio"])));
    n_firms = std::max(n_firms, leaders.size() + 10);
    for (std::size_t i = 0; i < n_firms; ++i) firms.stage_birth();

    f_sector = &firms.add_column<std::uint8_t>("sector");
    f_location = &firms.add_column<std::uint8_t>("location");
    f_ownership = &firms.add_column<std::uint8_t>("ownership");
    f_leader = &firms.add_column<std::uint8_t>("chain_leader");
    f_sme = &firms.add_column<std::uint8_t>("sme");
    f_specialised = &firms.add_column<std::uint8_t>("specialised_sme");
    f_platform = &firms.add_column<std::uint8_t>("platform_member");
    f_aeo = &firms.add_column<std::uint8_t>("credit_tier");
    f_cbec = &firms.add_column<std::uint8_t>("cbec_channel");
    f_importer = &firms.add_column<std::uint8_t>("ordinary_importer");
    f_indirect = &firms.add_column<std::uint8_t>("indirect_exporter");
    f_supplier_of = &firms.add_column<std::int32_t>("supplier_of", -1);
    f_capability = &firms.add_column<double>("capability");
    f_exports_month = &firms.add_column<double>("exports_month_cny_100m");
    f_imports_month = &firms.add_column<double>("imports_month_cny_100m");
    f_trade_year = &firms.add_column<double>("trade_year_cny_100m");
    f_destinations = &firms.add_column<std::int32_t>("destinations");
    f_exports_year = &firms.add_column<double>("exports_year_cny_100m");
    f_imports_year = &firms.add_column<double>("imports_year_cny_100m");
    f_destinations_mask = &firms.add_column<std::int32_t>("destinations_mask_year");
    f_entered_mask = &firms.add_column<std::int32_t>("entered_mask_year");
    f_exited_mask = &firms.add_column<std::int32_t>("exited_mask_year");
    firms.compact();

    auto& sec = *f_sector;
    auto& loc = *f_location;
    auto& own = *f_ownership;
    auto& cap = *f_capability;
    const double sigma = par["capability_sigma"], alpha = par["capability_tail_exponent"];
    // Lognormal body; above the 90th percentile a Pareto tail with the Chinese exporters'
    // exponent (Peng & Xia), capped at capability_cap x the threshold so that no single firm
    // outside the chain leaders dominates city totals.
    const double z90 = std::exp(sigma * 1.2815515655446004);
    for (std::size_t i = 0; i < n_firms; ++i) {
        const auto id = firms.ids()[i];
        if (i < leaders.size()) {
            const auto& L = leaders[i];
            sec[i] = std::uint8_t(L.s);
            loc[i] = std::uint8_t(L.l);
            own[i] = std::uint8_t(L.o);
            (*f_leader)[i] = std::uint8_t(i + 1);
            cap[i] = 0; // leaders' sales are set from their shares, not from capability
            continue;
        }
        auto r = rng(id, 0, p_capability);
        const double zn = r.normal();
        double z = std::exp(sigma * zn);
        if (z > z90) z = std::min(z90 * std::pow(r.uniform(), -1.0 / alpha), z90 * par["capability_cap"]);
        cap[i] = z;
        auto rs = rng(id, 0, p_sector);
        sec[i] = std::uint8_t(draw_index(rs, firm_sector_shares));
        auto rl = rng(id, 0, p_location);
        loc[i] = std::uint8_t(draw_index(rl, location_probs(sector(sec[i]))));
        auto ro = rng(id, 0, p_ownership);
        // Ownership: private firms 43.7% of trade in 2021 (data private_firm_trade_share_pct);
        // by count most firms are private (ASSUMPTION 70/20/10).
        own[i] = std::uint8_t(draw_index(ro, std::array<double, 3>{0.2, 0.7, 0.1}));
        // Ordinary importers: class 2 imports all year (import-only traders, a share of trading
        // firms), class 1 imports while it exports (half of exporters, ASSUMPTION).
        auto ri = rng(id, 0, p_import);
        const double p_always = par["import_only_share"] * par["trading_firms_2024"] /
                                (par["trading_firms_2024"] * (1.0 + par["potential_pool_ratio"]));
        const double u = ri.uniform();
        (*f_importer)[i] = u < p_always ? 2 : (u < p_always + 0.5 ? 1 : 0);
    }
    // Capability quantiles: z_ref (75th percentile) scales fixed and sunk costs. Less capable
    // firms (below the indirect quantile) export through trade-service firms with probability
    // indirect_share (Ahn, Khandelwal & Wei: the least productive use intermediaries).
    std::vector<double> zs(cap.begin() + std::ptrdiff_t(leaders.size()), cap.end());
    std::sort(zs.begin(), zs.end());
    z_ref = zs[std::size_t(0.75 * double(zs.size() - 1))];
    const double z_ind = zs[std::size_t(par["indirect_threshold_quantile"] * double(zs.size() - 1))];
    for (std::size_t i = leaders.size(); i < n_firms; ++i) {
        auto r = rng(firms.ids()[i], 0, p_indirect);
        (*f_indirect)[i] = cap[i] < z_ind && r.bernoulli(par["indirect_share"]) ? 1 : 0;
    }
    // SMEs are the smaller firms: capability (with noise, 0.3 log points, ASSUMPTION) below the
    // sme_share quantile.
    const double z_sme = zs[std::size_t(par["sme_share"] * double(zs.size() - 1))];
    for (std::size_t i = leaders.size(); i < n_firms; ++i) {
        const auto id = firms.ids()[i];
        auto rm = rng(id, 0, p_sme);
        (*f_sme)[i] = cap[i] * std::exp(0.3 * rm.normal()) < z_sme ? 1 : 0;
        // A tenth of SMEs in e-commerce-suited sectors sell through the channel in 2024
        // (ASSUMPTION; no consistent series, data README).
        if ((*f_sme)[i] && (sec[i] == std::uint8_t(sector::consumer_goods_hardware) || sec[i] == std::uint8_t(sector::agri_food) ||
            sec[i] == std::uint8_t(sector::motorcycles_machinery))) {
            auto rc = rng(id, 0, p_cbec);
            (*f_cbec)[i] = rc.bernoulli(0.1) ? 1 : 0;
        }
    }
    const std::size_t nr = n_firms * R;
    status.assign(nr, 0);
    tenure.assign(nr, 0);
    months_since_exit.assign(nr, 1e3f);
    demand_draw.resize(nr);
    const double ds = par["demand_draw_sigma"];
    for (std::size_t i = 0; i < n_firms; ++i) {
        auto r = rng(firms.ids()[i], 0, p_demand);
        for (std::size_t d = 0; d < R; ++d)
            demand_draw[i * R + d] = float(std::exp(ds * r.normal() - 0.5 * ds * ds));
    }
    traded_this_year.assign(n_firms, 0);
    exported_this_year.assign(n_firms, 0);

    // Platform members and AEO firms at the start.
    auto& plat = *f_platform;
    for (std::size_t i = 0; i < n_firms; ++i) {
        auto r = rng(firms.ids()[i], 0, p_platform);
        plat[i] = r.bernoulli(par["platform_coverage_2024"]) ? 1 : 0;
    }
    // AEO: large traders (AEO firms are ~1% of traders but ~36% of trade nationally, anchors
    // §3.2): the chain leaders, and the rest drawn at random among the top capability decile.
    {
        const auto n_aeo = double(std::llround(par["aeo_firms_2024"] * scale));
        const double z90_all = zs[std::size_t(0.9 * double(zs.size() - 1))];
        const double top = 0.1 * double(zs.size());
        const double p = std::clamp((n_aeo - double(leaders.size())) / std::max(1.0, top), 0.0, 1.0);
        for (std::size_t i = 0; i < n_firms; ++i) {
            auto r = rng(firms.ids()[i], 0, p_aeo);
            if (i < leaders.size() || (cap[i] >= z90_all && r.bernoulli(p))) (*f_aeo)[i] = 1;
        }
    }

    // Services: one row per route (the timetable); departures are events, not agents.
    for (std::size_t r = 0; r < num_routes; ++r) services.stage_birth();
    auto& rt = services.add_column<std::uint8_t>("route");
    services.add_column<double>("departures_per_week");
    services.add_column<double>("teu_per_departure");
    services.add_column<double>("backlog_teu");
    services.compact();
    for (std::size_t r = 0; r < num_routes; ++r) {
        rt[r] = std::uint8_t(r);
        services.column<double>("departures_per_week")[r] = route_table[r].departures_per_week;
        // A scaled population runs the same timetable with proportionally smaller trains.
        services.column<double>("teu_per_departure")[r] = route_table[r].teu_per_departure * scale;
    }
    // Forwarders: ~700 registered in 2024 (issue #4 text; plan: 800 by 2027, +100). Scale is
    // lognormal (sigma 1.2, ASSUMPTION); margins 6-16% of freight (ASSUMPTION); the 60 largest
    // hold A-level status at the start (of the city's ~110 A-level logistics firms, the rest are
    // warehousing and trucking firms outside the model, held constant).
    fw_scale = &forwarders.add_column<double>("scale");
    fw_margin = &forwarders.add_column<double>("margin_share");
    fw_one_bill = &forwarders.add_column<std::uint8_t>("one_bill");
    fw_a_level = &forwarders.add_column<std::uint8_t>("a_level");
    fw_volume = &forwarders.add_column<double>("volume_teu_year");
    fw_clients = &forwarders.add_column<std::int32_t>("clients");
    f_forwarder = &firms.add_column<std::int64_t>("forwarder_id", -1);
    f_lcl_teu_month = &firms.add_column<double>("lcl_teu_month");
    lcl_fill.fill(1.0);
    const auto n_fw = std::size_t(std::llround(700 * scale));
    for (std::size_t k = 0; k < n_fw; ++k) stage_forwarder(0);
    forwarders.compact();
    {
        std::vector<std::pair<double, std::size_t>> by_scale;
        for (std::size_t k = 0; k < forwarders.size(); ++k) by_scale.push_back({(*fw_scale)[k], k});
        std::sort(by_scale.begin(), by_scale.end(), std::greater<>());
        const auto n_a = std::min(by_scale.size(), std::size_t(std::llround(60 * scale)));
        for (std::size_t k = 0; k < n_a; ++k) (*fw_a_level)[by_scale[k].second] = 1;
    }
}

// Sector and region targets for 2024 values.
void trade_model::state::calibrate_values() {
    const double total = par["total_trade_2024"] * spec.population_scale;
    const double exports = total * par["export_share_2024"];
    sector_target[std::size_t(sector::laptops_electronics)] = exports * (par["laptop_export_share"] + 0.04);
    sector_target[std::size_t(sector::electronic_components)] = exports * par["share_components"];
    sector_target[std::size_t(sector::autos_parts)] = par["auto_exports_2024"] * spec.population_scale;
    sector_target[std::size_t(sector::motorcycles_machinery)] = exports * par["share_motorcycles_machinery"];
    sector_target[std::size_t(sector::chemicals_materials)] = exports * par["share_chemicals"];
    sector_target[std::size_t(sector::biomedicine)] = exports * par["share_biomedicine"];
    sector_target[std::size_t(sector::agri_food)] = exports * par["share_agri_food"];
    double assigned = 0;
    for (std::size_t s = 0; s < S; ++s) assigned += sector_target[s];
    sector_target[std::size_t(sector::consumer_goods_hardware)] = std::max(0.05 * exports, exports - assigned);
    region_share = {par["share_eu"], par["share_asean"], par["share_central_asia_russia"],
                    par["share_us"], par["share_japan_korea"], par["share_latin_america"],
                    par["share_africa"], par["share_middle_east"], 0.0};
    double known = 0;
    for (double x: region_share) known += x;
    region_share[std::size_t(region::rest_of_world)] = std::max(0.0, 1.0 - known);
    // Export destinations by sector. Cars go mostly to Belt-and-Road markets (China's 2024
    // vehicle exports: Russia and Central Asia, the Middle East, Latin America, ASEAN; almost
    // none to the US: auto_region_mix, ASSUMPTION from the national pattern); the other sectors
    // share what is left so that each region's total keeps its share of trade.
    const double auto_x = sector_target[std::size_t(sector::autos_parts)];
    double rest_total = 0;
    for (std::size_t s = 0; s < S; ++s) rest_total += s == std::size_t(sector::autos_parts) ? 0.0 : sector_target[s];
    std::array<double, R> other{};
    double other_sum = 0;
    for (std::size_t d = 0; d < R; ++d) {
        other[d] = std::max(0.0, region_share[d] * (rest_total + auto_x) - auto_region_mix[d] * auto_x);
        other_sum += other[d];
    }
    for (std::size_t s = 0; s < S; ++s)
        for (std::size_t d = 0; d < R; ++d)
            export_mix[s][d] = s == std::size_t(sector::autos_parts) ? auto_region_mix[d] : other[d] / other_sum;
}

// Trade-cost index by sector x region relative to the 2024 baseline: tariffs, transport
// (logit inclusive value over routes of rate + value of time x days), clearance, exchange rate.
void trade_model::state::update_trade_costs(sim::date today) {
    const double vot_scale = par["value_of_time"] / 0.012;
    const double theta = par["trade_elasticity"];
    // Clearance: a city-wide cut (no location targeting) enters every firm's trade cost; a cut
    // targeted at locations only the firms there (firm phase, customs factor).
    const double inspection = par["inspection_delay_days"];
    const double clear_cut = lever_strength(lever::clearance_time_cut, today,
                                            [](const targeting& t) { return t.locations.empty(); });
    const double base_clear = par["clearance_days"] * (1.0 - std::min(0.9, clear_cut));
    clearance_days_general = base_clear + par["inspection_rate_general"] * inspection;
    clearance_days_aeo = base_clear + par["inspection_rate_aeo"] * inspection;
    for (std::size_t l = 0; l < num_locations; ++l) {
        const double cut = std::min(0.9, clear_cut + lever_strength(lever::clearance_time_cut, today, [&](const targeting& t) {
                                             return !t.locations.empty() && applies_to(t.locations, location(l));
                                         }));
        const double b = par["clearance_days"] * (1.0 - cut);
        clearance_days_by_location[l] = {b + par["inspection_rate_general"] * inspection,
                                         b + par["inspection_rate_aeo"] * inspection,
                                         b + par["inspection_rate_discredited"] * inspection};
    }
    // Exchange rate: pass-through raises foreign prices (volume falls with the export price
    // elasticity) and the rest lowers CNY prices on the unhedged part of revenue.
    const double fx = shock_level(shock_kind::exchange_rate, today, [](const targeting&) { return true; });
    const double pass = par["fx_pass_through"];
    const double hedge = std::min(1.0, par["hedge_ratio_2024"] + lever_any(lever::hedging_incentive, today));
    const double fx_factor = std::pow(1.0 + pass * fx, -par["fx_export_elasticity"]) *
                             (1.0 - (1.0 - hedge) * (1.0 - pass) * fx);

    for (std::size_t r = 0; r < num_routes; ++r) {
        const route rr = route(r);
        auto on = [&](const targeting& t) { return applies_to(t.routes, rr); };
        departures_week[r] = route_table[r].departures_per_week + lever_strength(lever::service_frequency, today, on);
    }
    double index_num = 0, index_den = 0;
    const double cfs = par["cfs_fee_cny_per_teu"];
    for (std::size_t s = 0; s < S; ++s) {
        const double value_per_teu = detail::value_cny_per_kg[s] * detail::kg_per_teu;
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
                double days = rd.leg_days * (1.0 - std::min(0.8, lever_strength(lever::transit_time_cut, today, on))) +
                              (port_specific ? detail::asean_port_days[r] : sea ? detail::sea_leg[d].days : 0.0);
                double rate = rd.leg_rate_cny_per_teu + (sea ? detail::sea_leg[d].rate_cny_per_teu : 0.0);
                // Route shocks may also name regions: they then act on the legs to those regions
                // only (a Red Sea diversion lengthens the voyage to Europe, not to Japan).
                auto on_leg = [&](const targeting& t) {
                    return applies_to(t.routes, rr) && applies_to(t.regions, reg);
                };
                days += shock_level(shock_kind::route_disruption, today, on_leg) +
                        shock_level(shock_kind::border_congestion, today, on);
                rate *= (1.0 - std::min(0.8, lever_strength(lever::freight_subsidy, today, on))) *
                        (1.0 + shock_level(shock_kind::freight_rate_shock, today, on_leg));
                const double wait = 3.5 / std::max(0.1, departures_week[r]); // mean wait, days
                leg_rate[d][r] = rate; // what spot FCL shippers pay, after subsidies and shocks
                leg_days[d][r] = days;
                // The sector's contracted cargo pays the contract tariff; its LCL cargo pays for
                // part-filled boxes and the freight station, and waits for its box to close
                // (consolidation state of last month; air freight is not boxed).
                const double paid = contracted_rate(s, r, rate);
                const double lcl = rd.how == detail::mode::air ? 0.0 : lcl_share[s][d];
                g[r] = (paid + lcl * (paid * (1.0 / lcl_fill[r] - 1.0) + cfs)) / value_per_teu +
                       vot * (days + wait + rd.delay_sd_days + lcl * lcl_wait_days[r]);
                best = std::min(best, g[r]);
            }
            // Logit over routes with constants (calibrate_routes). The scale is set in 2024 so
            // that a route twice as costly as the best one gets ~e^-3 of its weight; it stays
            // fixed afterwards, so that the logsum is a consistent cost measure.
            if (burning_in) logit_scale[s][d] = 3.0 / std::max(best, 1e-4);
            const double lambda = logit_scale[s][d];
            double umax = -1e300;
            for (std::size_t r = 0; r < num_routes; ++r)
                if (g[r] < 1e299) umax = std::max(umax, -lambda * g[r] + route_asc[r]);
            double denom = 0;
            std::array<double, num_routes> w{};
            for (std::size_t r = 0; r < num_routes; ++r) {
                if (g[r] >= 1e299) continue;
                w[r] = std::exp(-lambda * g[r] + route_asc[r] - umax);
                denom += w[r];
            }
            for (std::size_t r = 0; r < num_routes; ++r) route_share[s][d][r] = denom > 0 ? w[r] / denom : 0;
            // Expected generalized cost (logsum, in ad valorem units), measured from 2024: a
            // worse route can only raise it, whatever the constants.
            const double logsum = denom > 0 ? -(umax + std::log(denom)) / lambda : 0.0;
            if (burning_in) logsum_2024[s][d] = logsum;
            double gbar_2024 = 0;
            if (burning_in) {
                for (std::size_t r = 0; r < num_routes; ++r)
                    if (w[r] > 0) gbar_2024 += route_share[s][d][r] * g[r];
                mean_cost_2024[s][d] = gbar_2024;
            }
            const double gbar = std::max(0.0, mean_cost_2024[s][d] + logsum - logsum_2024[s][d]);
            // Logistics price index: the expected generalized cost per CNY shipped (the logsum
            // measure above, so a better route never raises it), weighted by 2024 trade (fixed
            // composition: it measures efficiency, not volume).
            const double weight = sector_target[s] * export_mix[s][d];
            index_num += weight * gbar;
            index_den += weight * mean_cost_2024[s][d];
            const sector sx = sector(s);
            auto st = [&](const targeting& t) { return applies(t.sectors, sx) && applies_to(t.regions, reg); };
            const double tariff = shock_level(shock_kind::tariff, today, st);
            const double demand = 1.0 + shock_level(shock_kind::demand_shock, today, st);
            const double clear = vot * clearance_days_general;
            const double cost = (1.0 + gbar + clear) * (1.0 + tariff);
            if (burning_in) cost_2024[s][d] = cost;
            cost_index[s][d] = std::max(0.0, demand) * fx_factor * std::pow(cost / cost_2024[s][d], -theta);
            // Import sourcing: buyers in Chongqing shift between source regions as the landed
            // cost from each (transport and clearance; the tariff and demand terms above are
            // the destination's) moves from 2024, with the same elasticity (CES, normalised
            // below: sourcing moves, the amount imported does not).
            const double landed = 1.0 + gbar + clear;
            if (burning_in) landed_2024[s][d] = landed;
            import_mix[s][d] = region_share[d] * std::pow(landed / landed_2024[s][d], -theta);
        }
        const double pull = std::accumulate(import_mix[s].begin(), import_mix[s].end(), 0.0);
        for (auto& m: import_mix[s]) m /= pull;
    }
    if (!burning_in && index_den > 0) {
        logistics_index_sum += index_num / index_den;
        ++logistics_index_months;
    }
}

// -------------------------------------------------------------------------------------------
// The firm phase: every firm, every region; parallel over firms, each writing only its rows.
void trade_model::state::firm_month(sim::date today, std::int32_t /*month_index*/) {
    const double sigma_ces = par["trade_elasticity"] + 1.0; // markup sigma/(sigma-1)
    // Foreign demand by sector x region from the drivers (1 = the start year's level).
    const auto growth = burning_in ? driver_paths::flat() : drivers.demand(today);
    const double import_growth = burning_in ? 1.0 : drivers.china(today);
    const double trial = par["trial_scale"], fixed_share = par["fixed_cost_share"];
    const double entry_noise = par["entry_noise"];
    const double sunk_months = par["sunk_cost_months"], exit_h = par["exit_hazard"];
    const double exp_boost = par["experience_boost"], nb_boost = par["neighbour_boost"];
    const double peer_max = par["peer_spillover"], plat_cut = par["platform_cost_cut"];
    const double entry_h = par["entry_hazard"] * entry_scale;
    const double proc_ratio = par["processing_import_ratio"];
    const double rmb_base = par["rmb_goods_share"];
    const double vot_scale = par["value_of_time"] / 0.012;
    const double ds = par["demand_draw_sigma"];
    const auto trial_months = std::uint16_t(std::lround(par["trial_months"]));
    const std::uint32_t step = std::uint32_t(month_abs);
    // A firm's monthly flow to a region ships as shipments_per_month shipments; below this many
    // TEU a month each is smaller than lcl_shipment_teu and goes LCL through a forwarder.
    const double lcl_cut = par["lcl_shipment_teu"] * par["shipments_per_month"];

    // Policy levels this month, by sector x region (and flags for SME / location targeting are
    // applied per firm below through a small lookup).
    struct lever_levels {
        std::array<std::array<double, R>, S> subsidy_all{}, subsidy_sme{}, intel{}, insurance_all{},
            insurance_sme{}, rmb{};
    } lv;
    for (std::size_t s = 0; s < S; ++s)
        for (std::size_t d = 0; d < R; ++d) {
            const sector sx = sector(s);
            const region rg = region(d);
            auto all = [&](const targeting& t) {
                return !t.sme_only && applies(t.sectors, sx) && applies_to(t.regions, rg) && t.locations.empty();
            };
            auto sme = [&](const targeting& t) {
                return t.sme_only && applies(t.sectors, sx) && applies_to(t.regions, rg) && t.locations.empty();
            };
            lv.subsidy_all[s][d] = lever_strength(lever::entry_cost_subsidy, today, all);
            lv.subsidy_sme[s][d] = lever_strength(lever::entry_cost_subsidy, today, sme);
            lv.intel[s][d] = std::min(1.0, lever_strength(lever::market_intelligence, today, all));
            lv.insurance_all[s][d] = lever_strength(lever::export_credit_insurance, today, all);
            lv.insurance_sme[s][d] = lever_strength(lever::export_credit_insurance, today, sme);
            lv.rmb[s][d] = lever_strength(lever::rmb_settlement_promotion, today,
                                          [&](const targeting& t) { return applies(t.sectors, sx) && applies_to(t.regions, rg); });
        }
    const double kd_extra = lever_strength(lever::kd_kit_hub, today, [](const targeting& t) {
        return applies(t.sectors, sector::autos_parts);
    });
    // Location-targeted entry subsidies (e.g. a bonded-zone programme).
    std::array<double, num_locations> subsidy_loc{};
    for (std::size_t l = 0; l < num_locations; ++l)
        subsidy_loc[l] = lever_strength(lever::entry_cost_subsidy, today, [&](const targeting& t) {
            return !t.locations.empty() && applies_to(t.locations, location(l));
        });

    // Leaders: sales scale from shares; they export to every region.
    const double months_per_year = 12.0;
    const std::size_t nb = sim::executor::num_blocks(n_firms, 1024);
    std::vector<month_totals> partial(nb);
    auto& cap = *f_capability;
    ex.for_each_block(n_firms, 1024, [&](std::size_t begin, std::size_t end) {
        month_totals& acc = partial[begin / 1024];
        for (std::size_t i = begin; i < end; ++i) {
            const auto s = std::size_t((*f_sector)[i]);
            const auto loc = std::size_t((*f_location)[i]);
            const bool is_sme = (*f_sme)[i] != 0;
            const bool aeo = (*f_aeo)[i] == 1;
            const bool member = (*f_platform)[i] != 0;
            const auto id = firms.ids()[i];
            double exp_total = 0, imp_total = 0;
            std::int32_t n_dest = 0, dest_mask = 0, entered = 0, exited = 0;
            double kd_here = 0, kd_total = 0; // KD kit exports booked in the bonded zone
            double lcl_teu = 0, processing_imports = 0;
            const double teu_per_100m = 1e8 / (detail::value_cny_per_kg[s] * detail::kg_per_teu);
            auto ship = [&](std::size_t d, double v) { // chain leaders ship full containers
                if (const double teu = v * teu_per_100m; teu < lcl_cut) {
                    acc.lcl[s][d] += v;
                    lcl_teu += teu;
                }
            };
            // Imports (100m CNY this month) from the source regions of import_mix; `inputs` is
            // the share of them that are intermediate goods.
            auto import_from = [&](double im, double inputs, bool may_go_lcl) {
                if (im <= 0) return;
                for (std::size_t d = 0; d < R; ++d) {
                    const double v = im * import_mix[s][d];
                    if (v <= 0) continue;
                    acc.imports[s][d] += v;
                    acc.flows[loc][s][d] += v;
                    acc.rmb_goods += v * std::min(1.0, rmb_base + lv.rmb[s][d]);
                    acc.intermediate += inputs * v;
                    if (may_go_lcl) ship(d, v);
                }
                imp_total += im;
            };
            // Customs: AEO firms face fewer inspections, so a lower time cost (and, through it,
            // a higher effective demand: Carballo et al.; Djankov et al. ~1% per day).
            const double vot = detail::value_of_time_by_sector[s] * vot_scale;
            const double clear_gap = vot * (clearance_days_by_location[loc][(*f_aeo)[i]] - clearance_days_general);
            const double customs_factor = std::pow(1.0 + clear_gap, -par["trade_elasticity"]);
            if (const auto leader = (*f_leader)[i]; leader > 0) {
                const auto& L = leaders[leader - 1];
                for (std::size_t d = 0; d < R; ++d) {
                    double v = sector_target[s] * L.share_of_sector * export_mix[s][d] /
                               months_per_year * growth[s][d] * cost_index[s][d] * customs_factor;
                    if (L.s == sector::autos_parts) {
                        // KD hubs add kit exports on top of vehicles (kits reach markets with
                        // local-assembly rules); a kit is worth ~0.6 of a vehicle (ASSUMPTION).
                        const double kd = v * 0.6 * kd_extra;
                        acc.kd_exports += kd;
                        // KD hubs sit in the bonded zones (plan measure 2: Xiyong,
                        // Lianglu-Cuntan, Yongchuan); kits are booked there.
                        acc.trade_by_location[std::size_t(location::lianglu_cuntan_bonded)] += kd;
                        acc.flows[std::size_t(location::lianglu_cuntan_bonded)][s][d] += kd;
                        kd_here += kd;
                        kd_total += kd;
                        v += kd;
                    }
                    acc.exports[s][d] += v;
                    if (L.s == sector::laptops_electronics) acc.laptop_exports += v;
                    processing_imports += v * L.import_ratio * proc_ratio;
                    acc.flows[loc][s][d] += v - kd_here;
                    kd_here = 0;
                    exp_total += v;
                    acc.rmb_goods += v * std::min(1.0, rmb_base + lv.rmb[s][d]);
                    acc.intermediate += v * intermediate_share[s];
                }
                import_from(processing_imports, 1.0, false); // leaders ship full containers
                n_dest = std::int32_t(R);
                dest_mask = (1 << R) - 1;
            } else {
                const double z = cap[i];
                // Supplier links raise capability (Alfaro-Urena et al.), phased in over 4 years.
                const double zi = z * ((*f_supplier_of)[i] >= 0 ? 1.0 + par["supplier_size_gain"] : 1.0);
                // One stream per firm and month decides which destinations are considered; a
                // stream per firm-destination is drawn only where something is decided (most
                // pairs are idle), which keeps the month cheap without changing any draw.
                auto rng_consider = rng(id, step, p_entry);
                for (std::size_t d = 0; d < R; ++d) {
                    const std::size_t k = i * R + d;
                    const double u_consider = rng_consider.uniform();
                    if (status[k] == 0 && u_consider >= entry_h) {
                        months_since_exit[k] += 1.0f;
                        continue;
                    }
                    auto rng_d = rng(id * R + d, step, p_exit);
                    const double u_enter = rng_d.uniform(), u_exit = rng_d.uniform();
                    const double a = demand_shift[s][d] * growth[s][d] * cost_index[s][d] * customs_factor;
                    const double potential = a * zi; // full-scale monthly sales at mean demand
                    const double ref_profit = ref_profit_2024[s] > 0 ? ref_profit_2024[s] : 1e-9;
                    const double fixed = fixed_share * ref_profit * (member ? 1.0 - plat_cut : 1.0);
                    std::uint8_t& st = status[k];
                    if (st == 0) {
                        months_since_exit[k] += 1.0f;
                        if (potential <= 0) continue; // no demand for the sector there (e.g. cars in Japan)
                        // Expected profit with the demand draw unknown; market intelligence reveals
                        // part of it before entry.
                        const double m = lv.intel[s][d];
                        const double belief = std::exp(m * std::log(double(demand_draw[k])) +
                                                       0.5 * (1 - m * m) * ds * ds - 0.5 * ds * ds);
                        const double profit = potential * belief / sigma_ces - fixed;
                        // Sunk cost: months of a typical exporter's profit, lowered by experience,
                        // linked prior destinations, local peers, platform membership, policy.
                        double sunk = sunk_months * ref_profit;
                        const double since = months_since_exit[k];
                        if (since < 12) sunk *= 1.0 - exp_boost * (1.0 - since / 12.0);
                        std::int32_t linked = 0;
                        for (std::size_t d2 = 0; d2 < R; ++d2)
                            if ((linked_regions[d] >> d2) & 1u) linked += status[i * R + d2] == 2;
                        sunk *= std::pow(1.0 - nb_boost, linked);
                        const double p = peers[s][d];
                        sunk *= 1.0 - peer_max * p / (p + 20.0);
                        if (member) sunk *= 1.0 - plat_cut;
                        double sub = lv.subsidy_all[s][d] + subsidy_loc[loc] + (is_sme ? lv.subsidy_sme[s][d] : 0.0);
                        // Finance: constrained SMEs see a higher effective entry cost; insurance
                        // relieves it (van der Veer: insured exports multiplier 2.3).
                        const double ins = std::min(1.0, lv.insurance_all[s][d] + (is_sme ? lv.insurance_sme[s][d] : 0.0));
                        if (is_sme) sunk *= 1.0 + 0.3 * (1.0 - ins);
                        sunk *= 1.0 - std::min(0.95, sub);
                        const double horizon = std::min(36.0, 1.0 / exit_h);
                        const double value = profit * horizon - sunk;
                        // Logistic noise in the entry rule, entry_noise of the sunk cost wide.
                        if (u_enter < logistic(value / (entry_noise * sunk_months * ref_profit))) {
                            st = 1;
                            tenure[k] = 0;
                            acc.new_entries += 1;
                            entered |= 1 << d;
                        } else
                            continue;
                    }
                    // Exporting (trial or established).
                    ++tenure[k];
                    const double realized = potential * double(demand_draw[k]);
                    const double sales = st == 1 ? trial * realized : realized;
                    bool stay = u_exit >= exit_h;
                    if (st == 1 && tenure[k] >= trial_months) {
                        // End of the trial year: stay if full-scale profit covers fixed cost.
                        if (realized / sigma_ces - fixed > 0) {
                            st = 2;
                            acc.trial_promotions += 1;
                        } else {
                            stay = false;
                            acc.trial_exits += 1;
                        }
                    } else if (st == 2 && realized / sigma_ces < 0.5 * fixed)
                        stay = false; // hysteresis: stay while covering half the fixed cost
                    if (!stay) {
                        acc.exits += 1;
                        exited |= 1 << d;
                        st = 0;
                        tenure[k] = 0;
                        months_since_exit[k] = 0;
                        continue;
                    }
                    acc.exports[s][d] += sales;
                    acc.flows[loc][s][d] += sales;
                    ship(d, sales);
                    exp_total += sales;
                    ++n_dest;
                    dest_mask |= 1 << d;
                    if (st == 2) acc.established[s][d] += 1;
                    const double rmb = std::min(1.0, rmb_base + lv.rmb[s][d]);
                    acc.rmb_goods += sales * rmb;
                    acc.intermediate += sales * intermediate_share[s];
                    // Processing-trade imports of firms in bonded zones (inputs, sourced below).
                    if (location_flags(location(loc)).bonded_zone &&
                        (s == std::size_t(sector::laptops_electronics) || s == std::size_t(sector::electronic_components)))
                        processing_imports += sales * proc_ratio;
                }
                import_from(processing_imports, 1.0, true);
                // Ordinary imports: importer firms, proportional to capability (ASSUMPTION: 60%
                // of them are inputs).
                if ((*f_importer)[i] == 2 || ((*f_importer)[i] == 1 && exp_total > 0))
                    import_from(ordinary_import_scale * zi * import_growth, 0.6, true);
                if ((*f_indirect)[i]) acc.indirect_exports += exp_total;
                if ((*f_cbec)[i]) acc.cbec_exports += 0.3 * exp_total;
            }
            (*f_exports_month)[i] = exp_total;
            (*f_imports_month)[i] = imp_total;
            (*f_lcl_teu_month)[i] = lcl_teu;
            (*f_destinations)[i] = n_dest;
            (*f_exports_year)[i] += exp_total;
            (*f_imports_year)[i] += imp_total;
            (*f_destinations_mask)[i] |= dest_mask;
            (*f_entered_mask)[i] |= entered;
            (*f_exited_mask)[i] |= exited;
            (*f_trade_year)[i] += exp_total + imp_total;
            acc.trade_by_location[loc] += exp_total + imp_total - kd_total;
            if (aeo) acc.aeo_trade += exp_total + imp_total;
            // Indirect exporters do not declare at customs themselves: trade-service firms do.
            if (exp_total + imp_total > 0 && !((*f_indirect)[i] && imp_total == 0)) traded_this_year[i] = 1;
            if (exp_total > 0) exported_this_year[i] = 1;
        }
    });
    month = month_totals{};
    for (const auto& p: partial) month.add(p);
    peers = month.established;
}

// The month's own cargo onto routes by the route shares (TEU by route, of it LCL and contract
// holders' cargo, and by sector); returns its freight and time cost, 100m CNY.
double trade_model::state::book_own_cargo(double& freight, double& teu_all) {
    month_teu.fill(0);
    month_lcl_teu.fill(0);
    month_holder_teu.fill(0);
    for (auto& a: month_sector_teu) a.fill(0);
    double cost = 0; // 100m CNY
    freight = 0;
    teu_all = 0;
    const double vot_scale = par["value_of_time"] / 0.012;
    const double cfs = par["cfs_fee_cny_per_teu"];
    for (std::size_t s = 0; s < S; ++s) {
        const double value_per_teu = detail::value_cny_per_kg[s] * detail::kg_per_teu;
        const double vot = detail::value_of_time_by_sector[s] * vot_scale;
        for (std::size_t d = 0; d < R; ++d) {
            const double value = month.exports[s][d] + month.imports[s][d]; // 100m CNY
            const double teu = value * 1e8 / value_per_teu;
            const double lcl = value > 0 ? month.lcl[s][d] / value : 0.0;
            for (std::size_t r = 0; r < num_routes; ++r) {
                const double sh = route_share[s][d][r];
                if (sh <= 0) continue;
                const double cargo = teu * sh;
                month_teu[r] += cargo;
                const auto how = route_table[r].how;
                const double boxed_lcl = how == detail::mode::air ? 0.0 : cargo * lcl;
                month_lcl_teu[r] += boxed_lcl;
                if (is_rail_mode(how)) month_holder_teu[r] += cargo * contract_share[s][r];
                const double rate = contracted_rate(s, r, leg_rate[d][r]), days = leg_days[d][r];
                // LCL cargo pays for part-filled boxes and the freight station and waits for its
                // box (last month's consolidation, as route choice saw it).
                cost += (cargo * (rate + vot * days * value_per_teu) +
                         boxed_lcl * (rate * (1.0 / lcl_fill[r] - 1.0) + cfs + vot * lcl_wait_days[r] * value_per_teu)) /
                        1e8;
                freight += cargo * rate;
                teu_all += cargo;
                month_sector_teu[s][r] += cargo;
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
                const double cargo = month_sector_teu[s][r];
                year_sector_teu[s][r] += cargo;
                if (route_table[r].how != detail::mode::air) year_container_teu += cargo;
                if (is_rail_mode(route_table[r].how)) year_rail_cargo_teu += cargo;
            }
    // Transit cargo: shippers in other western provinces route through Chongqing if the hub's
    // generalized cost beats their alternative (binary logit). The lever cuts the hub cost; more
    // frequent and faster services on the route raise its pull (frequency elasticity 0.5,
    // ASSUMPTION; Yang et al. find frequency matters, anchors §3.3).
    for (std::size_t r = 0; r < num_routes; ++r) {
        const auto& rd = route_table[r];
        if (!carries_transit(rd.how)) continue;
        const route rr = route(r);
        auto on = [&](const targeting& t) { return applies_to(t.routes, rr); };
        const double cut = lever_strength(lever::transit_cargo_attraction, today, on);
        const double freq_gain = 0.5 * std::log(departures_week[r] / std::max(0.1, rd.departures_per_week));
        const double speed = lever_strength(lever::transit_time_cut, today, on);
        const double u = transit_utility_gap + cut / 1000.0 + freq_gain + 2.0 * speed;
        const double share = logistic(u);
        transit_teu_month[r] = transit_pool_teu[r] * share;
        month_teu[r] += transit_teu_month[r];
        if (!burning_in) year_transit_teu[r] += transit_teu_month[r];
    }
    if (spec.outputs.shipment_flows && !burning_in)
        for (std::size_t l = 0; l < num_locations; ++l)
            for (std::size_t s = 0; s < S; ++s) {
                const double value_per_teu = detail::value_cny_per_kg[s] * detail::kg_per_teu;
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
    year_logistics_cost += cost;
    freight_per_teu_month = teu_all > 0 ? freight / teu_all : 0;
}

// Each trading firm books through its forwarder; a firm without one (or whose forwarder left)
// picks among a random sample of eight by a logit on margin, scale, A-level status and one-bill
// service (Gumbel draws; weights ASSUMPTIONS); the relation then persists (past relations).
// Chain leaders book with the corridor operators directly (their own logistics arms and
// capacity contracts), indirect exporters through their trade-service firm.
void trade_model::state::assign_forwarders(std::uint32_t step) {
    const std::size_t nfw = forwarders.size();
    if (nfw == 0) return;
    for (std::size_t i = 0; i < n_firms; ++i) {
        const double value = (*f_exports_month)[i] + (*f_imports_month)[i];
        if (value <= 0 || (*f_indirect)[i] || (*f_leader)[i]) continue;
        auto& fid = (*f_forwarder)[i];
        std::size_t row = fid >= 0 ? forwarders.row_of(agent_id_t(fid)) : nfw;
        if (row == nfw) {
            auto r = rng(firms.ids()[i], step, p_forwarder);
            double best = -1e300;
            for (int k = 0; k < 8; ++k) {
                const std::size_t cand = std::size_t(r.below(nfw));
                const double u = -(*fw_margin)[cand] / 0.03 + 0.5 * std::log((*fw_scale)[cand]) +
                                 0.3 * (*fw_a_level)[cand] + 0.2 * (*fw_one_bill)[cand] -
                                 std::log(-std::log(r.uniform()));
                if (u > best) {
                    best = u;
                    row = cand;
                }
            }
            fid = std::int64_t(forwarders.ids()[row]);
        }
    }
}

// Each forwarder's clients' LCL cargo this month, TEU, by forwarder row.
std::vector<double> trade_model::state::forwarder_lcl() const {
    const std::size_t nfw = forwarders.size();
    std::vector<double> lcl(nfw, 0.0);
    for (std::size_t i = 0; i < n_firms; ++i) {
        const double v = (*f_lcl_teu_month)[i];
        const auto fid = (*f_forwarder)[i];
        if (v <= 0 || fid < 0) continue;
        if (const auto row = forwarders.row_of(agent_id_t(fid)); row < nfw) lcl[row] += v;
    }
    return lcl;
}

// Forwarders consolidate their clients' LCL cargo route by route under a hybrid policy: a box
// leaves when full or when its first cargo has waited consolidation_max_days T (Cetinkaya &
// Bookbinder 2003). Cargo arriving at a TEU a day fills a box to min(1, a T) and waits
// min(1/a, T)/2 on average. A forwarder's LCL cargo on a route is its share of all forwarded
// LCL cargo times the route's LCL cargo (its clients' route mix taken as the average). One that
// fills a box within T consolidates its own; the others co-load theirs into one shared
// consolidation (as small forwarders hand LCL to a co-loader), so a route's fill and wait depend
// on its LCL volume and how it is spread over forwarders. Departures carry boxes: part-filled
// ones take capacity. Air cargo is not boxed.
void trade_model::state::consolidate_lcl(const std::vector<double>& lcl) {
    const std::size_t nfw = lcl.size();
    const double total = std::accumulate(lcl.begin(), lcl.end(), 0.0);
    if (total <= 0) return;
    const double max_days = par["consolidation_max_days"], days = 30.4375;
    for (std::size_t r = 0; r < num_routes; ++r) {
        const double cargo = month_lcl_teu[r];
        if (cargo <= 0) continue;
        double boxes = 0, wait = 0, pooled = 0;
        auto consolidate = [&](double v) { // one consolidation of v TEU a month
            const double a = v / days;
            boxes += v / std::min(1.0, a * max_days);
            wait += v * 0.5 * std::min(1.0 / a, max_days);
        };
        for (std::size_t k = 0; k < nfw; ++k) {
            if (lcl[k] <= 0) continue;
            const double v = cargo * lcl[k] / total;
            if (v / days * max_days >= 1.0) consolidate(v);
            else pooled += v;
        }
        if (pooled > 0) consolidate(pooled);
        lcl_fill[r] = cargo / boxes;
        lcl_wait_days[r] = wait / cargo;
        month_teu[r] += boxes - cargo;
        if (!burning_in) {
            year_lcl_teu += cargo;
            year_lcl_boxes += boxes;
            year_lcl_wait += wait;
        }
    }
}

// A month of forwarding: relations, consolidation, then volumes, margins (which add to the
// trade-logistics cost) and one-bill documents.
void trade_model::state::forwarders_month(std::uint32_t step) {
    const std::size_t nfw = forwarders.size();
    if (nfw == 0 || burning_in) return;
    assign_forwarders(step);
    consolidate_lcl(forwarder_lcl());
    double margin_cost = 0, lsc_share = 0, booked = 0;
    for (std::size_t r = 0; r < num_routes; ++r) {
        booked += month_teu[r];
        if (route_table[r].how == detail::mode::rail_sea || route(r) == route::clt_rail) lsc_share += month_teu[r];
    }
    lsc_share = booked > 0 ? lsc_share / booked : 0;
    for (std::size_t i = 0; i < n_firms; ++i) {
        const double value = (*f_exports_month)[i] + (*f_imports_month)[i];
        const auto fid = (*f_forwarder)[i];
        if (value <= 0 || (*f_indirect)[i] || fid < 0) continue;
        const std::size_t row = forwarders.row_of(agent_id_t(fid));
        if (row >= nfw) continue;
        const double teu = value * 1e8 / (detail::value_cny_per_kg[(*f_sector)[i]] * detail::kg_per_teu);
        (*fw_volume)[row] += teu;
        margin_cost += teu * freight_per_teu_month * (*fw_margin)[row] / 1e8;
        if ((*fw_one_bill)[row]) bills_this_year += teu * lsc_share / 10.0; // a bill per 10 TEU (ASSUMPTION)
    }
    year_logistics_cost += margin_cost;
}

// Yearly: client counts, A-level assessment, one-bill adoption, exit of idle forwarders and
// entry (baseline replaces exits, ASSUMPTION; the lever adds entrants).
void trade_model::state::forwarders_year(sim::date today) {
    if (burning_in) return;
    const std::size_t nfw = forwarders.size();
    std::fill(fw_clients->begin(), fw_clients->end(), 0);
    for (std::size_t i = 0; i < n_firms; ++i)
        if (const auto fid = (*f_forwarder)[i]; fid >= 0)
            if (const auto row = forwarders.row_of(agent_id_t(fid)); row < nfw) ++(*fw_clients)[row];
    std::vector<double> vols(*fw_volume);
    std::sort(vols.begin(), vols.end());
    const double v80 = vols.empty() ? 0 : vols[std::size_t(0.8 * double(vols.size() - 1))];
    const double v20 = vols.empty() ? 0 : vols[std::size_t(0.2 * double(vols.size() - 1))];
    const double adopt = lever_any(lever::one_bill_adoption, today);
    const std::uint32_t ystep = std::uint32_t(2000 + month_abs);
    forwarders.prepare_removals();
    std::size_t exits = 0;
    for (std::size_t k = 0; k < nfw; ++k) {
        auto r = rng(forwarders.ids()[k], ystep, p_forwarder);
        const double u1 = r.uniform(), u2 = r.uniform(), u3 = r.uniform();
        // A-level assessment: 3% of eligible large forwarders a year (ASSUMPTION: a few a year in
        // the baseline against the plan's +20 by 2027 with policy).
        if (!(*fw_a_level)[k] && (*fw_volume)[k] >= v80 && u1 < 0.03) (*fw_a_level)[k] = 1;
        // One-bill adoption: 2%/yr baseline (ASSUMPTION), A-level firms twice as likely.
        if (!(*fw_one_bill)[k] && u2 < std::min(1.0, (0.02 + adopt) * ((*fw_a_level)[k] ? 2.0 : 1.0)))
            (*fw_one_bill)[k] = 1;
        // Exit: idle small forwarders leave at 15%/yr (ASSUMPTION).
        if ((*fw_clients)[k] == 0 && (*fw_volume)[k] <= v20 && u3 < 0.15) {
            forwarders.mark_removed(k);
            ++exits;
        }
    }
    forwarder_entry_carry += lever_any(lever::forwarder_attraction, today);
    const auto extra = std::size_t(std::floor(forwarder_entry_carry));
    forwarder_entry_carry -= double(extra);
    for (std::size_t k = 0; k < exits; ++k) stage_forwarder(ystep);
    // Attracted forwarders are established firms moving in (plan measure 15: "logistics chain
    // leaders"): three times the scale, and a fifth already A-level (ASSUMPTIONS).
    for (std::size_t k = 0; k < extra; ++k) {
        const std::size_t slot = forwarders.staged_births();
        stage_forwarder(ystep);
        forwarders.staged<double>("scale")[slot] *= 3.0;
        auto r = rng(fw_serial, ystep, p_forwarder_entry);
        forwarders.staged<std::uint8_t>("a_level")[slot] = r.bernoulli(0.2) ? 1 : 0;
    }
    forwarders.compact();
    std::fill(fw_volume->begin(), fw_volume->end(), 0.0);
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
    std::vector<double> volume(*fw_volume);
    if (std::accumulate(volume.begin(), volume.end(), 0.0) <= 0) {
        std::fill(volume.begin(), volume.end(), 0.0);
        for (std::size_t i = 0; i < n_firms; ++i)
            if (const auto fid = (*f_forwarder)[i]; fid >= 0)
                if (const auto row = forwarders.row_of(agent_id_t(fid)); row < nfw)
                    volume[row] += ((*f_exports_month)[i] + (*f_imports_month)[i]) /
                                   detail::value_cny_per_kg[(*f_sector)[i]];
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
            const double cover = std::min(1.0, par["contract_cover_2024"] +
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
    const double contract_discount = par["contract_discount"];
    for (std::size_t r = 0; r < num_routes; ++r) {
        const auto& rd = route_table[r];
        // The month's bookings are handed over evenly across its days.
        const double booked_today = month_teu[r] / double(d.days_in_month);
        backlog_teu[r] += booked_today;
        year_booked_teu[r] += booked_today;
        const bool flexible = !is_rail_mode(rd.how);
        if (flexible && backlog_teu[r] <= 0) continue;
        const route rr = route(r);
        auto on = [&](const targeting& t) { return applies_to(t.routes, rr); };
        // A disruption that names regions acts on the onward leg, not on the departure here.
        auto on_departure = [&](const targeting& t) { return on(t) && t.regions.empty(); };
        // Today's transit time before each departure's own delay: the leg, cut by policy, plus
        // disruptions and border waits.
        const double scheduled_days =
            rd.leg_days * (1.0 - std::min(0.8, lever_strength(lever::transit_time_cut, d.today, on))) +
            shock_level(shock_kind::route_disruption, d.today, on_departure) +
            shock_level(shock_kind::border_congestion, d.today, on);
        auto depart = [&](double load, double capacity, double delay_draw) {
            const double days = scheduled_days + std::max(-0.5 * rd.leg_days, rd.delay_sd_days * delay_draw);
            year_teu[r] += load;
            year_trains[r] += 1;
            year_delay_days[r] += days;
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
            const double held = std::min(month_holder_teu[r] / double(d.days_in_month), slots);
            contract_backlog[r] += held;
            year_contract_teu[r] += held;
            year_spot_teu[r] += booked_today - held;
            const double unused = (slots - held) * rd.leg_rate_cny_per_teu * (1.0 - contract_discount) / 1e8;
            year_take_or_pay += unused;
            year_logistics_cost += unused;
        }
        const double per_day = departures_week[r] / 7.0;
        const double capacity = rd.teu_per_departure * spec.population_scale;
        // Deterministic timetable: departure k runs on the day its cumulative count crosses k.
        const double before = std::floor(per_day * double(d.step)), after = std::floor(per_day * double(d.step + 1));
        int scheduled = int(after - before);
        // Operators add trains while more than two full trains wait, up to doubling the day's
        // timetable (at least one extra).
        for (int extra = 0; extra < std::max(1, scheduled) &&
                            backlog_teu[r] > capacity * (2.0 + double(scheduled));
             ++extra)
            ++scheduled;
        auto rng_r = rng(r, std::uint32_t(d.step), p_delay);
        bool left_full = false;
        for (int k = 0; k < scheduled; ++k) {
            const double load = std::min(backlog_teu[r], capacity);
            const double delay_draw = rng_r.normal();
            const double contracted = std::min(contract_backlog[r], load);
            // A departure runs at least half full, or when it carries contracted slots (the
            // operator's side of the guarantee).
            if (load < 0.5 * capacity && contracted <= 0) continue;
            backlog_teu[r] -= load;
            contract_backlog[r] -= contracted;
            left_full = left_full || load >= capacity;
            depart(load, capacity, delay_draw);
        }
        // Spot cargo left behind by a full train waits for the next one.
        if (left_full) year_bumped_teu_days[r] += std::max(0.0, backlog_teu[r] - contract_backlog[r]);
    }
}

// -------------------------------------------------------------------------------------------
namespace {
// Units as people write them; with_udunits (units.hpp) adds the UDUNITS-2 form result files need.
struct indicator {
    const char* name;
    const char* unit;
    const char* long_name;
};
// Monthly indicators.
constexpr indicator monthly_indicators[] = {
    {"total_trade_cny_100m", "100m CNY", "Total goods trade (imports + exports) in the month"},
    {"exports_cny_100m", "100m CNY", "Goods exports in the month"},
    {"imports_cny_100m", "100m CNY", "Goods imports in the month"},
    {"exporters", "firms", "Firms exporting in the month"},
    {"new_export_entries", "relationships", "New firm-destination export relationships started"},
    {"cr_express_trains_cq_month", "trains", "China-Europe trains from Chongqing in the month"},
};
// Yearly indicators; ids of targets.csv and of chongqing_history.csv where they exist.
constexpr indicator yearly_indicators[] = {
    {"total_trade_cny_100m", "100m CNY", "Total goods trade"},
    {"exports_cny_100m", "100m CNY", "Goods exports"},
    {"imports_cny_100m", "100m CNY", "Goods imports"},
    {"total_trade_growth", "percent a year", "Growth of total trade on the previous year"},
    {"trade_asean_cny_100m", "100m CNY", "Trade with ASEAN"},
    {"asean_trade", "100m CNY", "Chongqing-ASEAN import+export (target id)"},
    {"trade_eu_cny_100m", "100m CNY", "Trade with the EU"},
    {"trade_us_cny_100m", "100m CNY", "Trade with the US"},
    {"imports_asean_cny_100m", "100m CNY", "Imports from ASEAN"},
    {"imports_eu_cny_100m", "100m CNY", "Imports from the EU"},
    {"imports_us_cny_100m", "100m CNY", "Imports from the US"},
    {"laptop_exports_cny_100m", "100m CNY", "Laptop exports (laptop makers among chain leaders)"},
    {"auto_exports_cny_100m", "100m CNY", "Automobile exports"},
    {"vehicle_exports_units_cq", "vehicles", "Complete vehicles exported"},
    {"vehicle_export_national_share", "percent", "Chongqing share of national vehicle exports"},
    {"kd_kit_exports", "sets a year", "Automobile knock-down kit exports"},
    {"electronic_components_trade", "100m CNY a year", "Electronic components import+export"},
    {"trading_firms", "firms", "Firms with actual import/export in the year"},
    {"exporting_firms", "firms", "Firms that exported in the year (directly or indirectly)"},
    {"specialized_sme_exporters", "firms", "Specialised and sophisticated SME exporters"},
    {"aeo_firms", "firms", "Customs AEO advanced-certified enterprises (year end)"},
    {"aeo_trade_share", "percent", "AEO firms' share of trade"},
    {"platform_coverage", "percent", "Share of trading firms served by a service platform"},
    {"cross_border_rmb", "100m CNY", "Cross-border RMB settlement"},
    {"belt_road_share", "percent", "Share of trade with Belt and Road partner countries"},
    {"intermediate_goods_share", "percent", "Share of intermediate goods in trade"},
    {"ftz_trade_share", "percent", "Free-trade-zone share of the city's import+export"},
    {"liangjiang_trade", "100m CNY", "Liangjiang New Area import+export"},
    {"hightech_zone_trade", "100m CNY", "Western Science City high-tech zone import+export"},
    {"bonded_zone_share", "percent", "Comprehensive bonded zones' share of import+export"},
    {"indirect_export_share", "percent", "Exports through trade-service firms"},
    {"cbec_growth", "percent a year", "Growth of cross-border e-commerce exports"},
    {"cr_express_trains_cq_crct", "trains a year", "China-Europe trains from Chongqing (CRCT city count)"},
    {"cr_express_trains", "trains a year", "China-Europe trains, Chengdu-Chongqing joint brand"},
    {"lsc_cq_teu", "TEU", "Land-Sea Corridor TEU through Chongqing (rail-sea, CLT rail, road)"},
    {"lsc_transit_rate", "percent", "Share of corridor cargo at the hub from outside Chongqing"},
    {"hub_corridor_volume_growth", "percent", "Hub corridor intermodal volume vs 2024"},
    {"clt_rail_days", "days", "China-Laos-Thailand rail end-to-end transit time (mean)"},
    {"clt_rail_cost_cut", "percent", "China-Laos-Thailand rail cost reduction vs 2024"},
    {"freight_forwarders", "firms", "Registered international freight forwarders"},
    {"a_level_logistics_firms", "firms", "A-level logistics enterprises"},
    {"one_bill_digital_bills", "bills", "Multimodal one-bill digital bills issued (cumulative)"},
    {"rail_doc_financing", "100m CNY", "Rail transport document financing and settlement"},
    {"logistics_cost_gdp", "percent", "Total social logistics cost as share of GDP"},
    {"trade_logistics_cost_cny_100m", "100m CNY", "Freight and time cost of Chongqing's trade"},
    {"cbec_exports_cny_100m", "100m CNY", "Exports through the cross-border e-commerce channel"},
    {"cbec_channel_firms", "firms", "Firms selling through the cross-border e-commerce channel"},
    {"supplier_links", "firms", "Local firms supplying a chain leader"},
    {"trial_survival_pct", "percent", "Trial-year export relationships that continued (of those ending their trial year)"},
    {"teu_booked", "TEU", "Containers booked on all routes (own and transit cargo)"},
    {"teu_carried", "TEU", "Containers carried by departures on all routes"},
    {"teu_backlog", "TEU", "Containers booked but not yet departed at year end"},
    {"lcl_cargo_share", "percent", "Share of own boxed cargo (not air) shipped less than container load"},
    {"lcl_fill_rate", "percent", "Mean fill of forwarders' consolidated LCL boxes"},
    {"lcl_consolidation_days", "days", "Mean days LCL cargo waits for its box to close"},
    {"rail_contract_share", "percent", "Share of own rail cargo carried on contracted slots"},
    {"spot_bumped_days", "days", "Mean days spot rail cargo waited behind full trains"},
    {"take_or_pay_cny_100m", "100m CNY", "Paid for contracted rail slots left unused"},
};
// Indicators that restate a lever's input rather than come out of a mechanism: recorded with an
// `input_defined` attribute saying how, which docs/kpis.md and `tradeeco compare` show.
constexpr std::pair<const char*, const char*> input_defined_indicators[] = {
    {"clt_rail_cost_cut", "the freight_subsidy lever's strength on clt_rail x 100; not a rate shippers pay"},
    {"freight_forwarders",
     "the 2024 count plus the forwarder_attraction lever's entrants: exits are replaced one for one"},
    {"a_level_logistics_firms",
     "partly: a fifth of the forwarder_attraction lever's entrants arrive A-level (ASSUMPTION), and "
     "50 firms outside the model are held fixed"},
};

sim::attributes indicator_attributes(std::string_view name) {
    sim::attributes a;
    for (const auto& [key, how]: input_defined_indicators)
        if (name == key) a.text.emplace_back("input_defined", how);
    return a;
}
} // namespace

void trade_model::state::declare_outputs() {
    for (const auto& ind: monthly_indicators)
        ids_month.push_back(rec.declare_series(with_udunits({std::string(ind.name) + "_monthly", ind.unit,
                                                             ind.long_name, sim::frequency::monthly, {}})));
    for (const auto& ind: yearly_indicators)
        ids_year.push_back(rec.declare_series(
            with_udunits({ind.name, ind.unit, ind.long_name, sim::frequency::yearly, indicator_attributes(ind.name)})));
    spending.declare(rec);
    if (spec.outputs.train_departures)
        departures_table = std::int32_t(rec.declare_table(with_udunits(
            {"train_departures", "One row per departure of a scheduled service",
             {{"step", "days since " + sim::to_string(spec.start), "Day of departure", sim::column_type::i64},
              {"route", "", "Route index, in the order of the scenario route names (docs/scenarios.md)", sim::column_type::i64},
              {"load_teu", "TEU", "Containers carried", sim::column_type::f64},
              {"capacity_teu", "TEU", "Capacity of the departure", sim::column_type::f64},
              {"transit_days", "days", "Transit time including delays", sim::column_type::f64}}})));
    using sim::column_type;
    if (spec.outputs.firm_snapshots) {
        auto i64 = [](const char* n, const char* u, const char* l) {
            return sim::table_column_spec{n, u, l, column_type::i64};
        };
        auto f64 = [](const char* n, const char* u, const char* l) {
            return sim::table_column_spec{n, u, l, column_type::f64};
        };
        snapshots_table = std::int32_t(rec.declare_table(with_udunits(
            {"firm_snapshots", "One row per firm per year (all firms, trading or not)",
             {i64("year", "year", "Calendar year"), i64("firm_id", "", "Stable firm id"),
              i64("sector", "", "Sector index (order of docs/scenarios.md sector names)"),
              i64("location", "", "Location index"), i64("ownership", "", "Ownership index"),
              i64("sme", "", "1 if an SME"), i64("specialised_sme", "", "1 if specialised-and-sophisticated"),
              i64("chain_leader", "", "0, or leader index + 1"),
              i64("credit_tier", "", "0 general, 1 AEO, 2 discredited (year end)"),
              i64("platform_member", "", "1 if a platform member (year end)"),
              i64("indirect_exporter", "", "1 if it exports through trade-service firms"),
              i64("supplier_of", "", "Chain leader index supplied, or -1"),
              f64("capability", "1", "Capability draw (scale-free)"),
              f64("exports_cny_100m", "100m CNY", "Exports in the year"),
              f64("imports_cny_100m", "100m CNY", "Imports in the year"),
              i64("destinations_mask", "", "Bit r set if it exported to region r in the year"),
              i64("entered_mask", "", "Bit r set if an export relationship to region r started"),
              i64("exited_mask", "", "Bit r set if an export relationship to region r ended")}})));
    }
    if (spec.outputs.shipment_flows)
        flows_table = std::int32_t(rec.declare_table(with_udunits(
            {"shipment_flows", "Yearly trade by origin location, route and partner region",
             {{"year", "year", "Calendar year", column_type::i64},
              {"location", "", "Origin location index", column_type::i64},
              {"route", "", "Route index", column_type::i64},
              {"region", "", "Partner region index", column_type::i64},
              {"value_cny_100m", "100m CNY", "Exports plus imports", column_type::f64},
              {"teu", "TEU", "Containers (value over value per TEU)", column_type::f64}}})));
}

void trade_model::state::record_month(const sim::day_info& d) {
    if (burning_in) return;
    double exp_sum = 0, im = 0;
    for (std::size_t s = 0; s < S; ++s)
        for (std::size_t r = 0; r < R; ++r) {
            exp_sum += month.exports[s][r];
            im += month.imports[s][r];
        }
    std::int32_t exporters = 0;
    for (double v: *f_exports_month) exporters += v > 0;
    const auto m = d.month_index;
    rec.record(ids_month[0], m, exp_sum + im);
    rec.record(ids_month[1], m, exp_sum);
    rec.record(ids_month[2], m, im);
    rec.record(ids_month[3], m, exporters);
    rec.record(ids_month[4], m, month.new_entries);
    const double cr_trains = year_trains[0] + year_trains[1] + year_trains[2];
    rec.record(ids_month[5], m, cr_trains - cr_trains_at_month_start);
    cr_trains_at_month_start = cr_trains;
    year.add(month);
}

} // namespace tradeeco::models

namespace tradeeco::models {

// Yearly processes and indicators.
void trade_model::state::year_end(const sim::day_info& d) {
    const sim::date today = d.today;
    const auto y = d.year_index;
    const std::uint32_t ystep = std::uint32_t(1000 + month_abs);
    // --- AEO: eligible firms (top decile of this year's trade, general credit) apply; most
    // pass the audit; a few certificates lapse (2%/yr, ASSUMPTION).
    {
        const std::vector<double>& trade = *f_trade_year;
        std::vector<double> sorted; // top decile of the firms that traded this year
        for (double v: trade)
            if (v > 0) sorted.push_back(v);
        std::sort(sorted.begin(), sorted.end());
        const double cutoff = sorted.empty() ? 1e300 : sorted[std::size_t(0.9 * double(sorted.size() - 1))];
        for (std::size_t i = 0; i < n_firms; ++i) {
            auto r = rng(firms.ids()[i], ystep, p_aeo);
            const double u = r.uniform(), u2 = r.uniform();
            auto& tier = (*f_aeo)[i];
            const sector sx = sector((*f_sector)[i]);
            const location lx = location((*f_location)[i]);
            if (tier == 0 && trade[i] > 0 && trade[i] >= cutoff) {
                const double p = par["aeo_apply_rate"] +
                                 lever_strength(lever::aeo_cultivation, today, [&](const targeting& t) {
                                     return applies(t.sectors, sx) && applies_to(t.locations, lx);
                                 });
                if (u < p && u2 < par["aeo_success"]) tier = 1;
            } else if (tier == 1 && u < 0.02 && (*f_leader)[i] == 0)
                tier = 0;
        }
    }
    // Coverage over the year, measured before the year-end enrolment round takes effect.
    platform_members_trading = 0;
    for (std::size_t i = 0; i < n_firms; ++i) platform_members_trading += traded_this_year[i] && (*f_platform)[i];
    // --- Platforms enrol trading firms.
    for (std::size_t i = 0; i < n_firms; ++i) {
        if ((*f_platform)[i] || !traded_this_year[i]) continue;
        const sector sx = sector((*f_sector)[i]);
        const location lx = location((*f_location)[i]);
        const bool sme = (*f_sme)[i];
        const double p = par["platform_enrol_rate"] +
                         lever_strength(lever::platform_outreach, today, [&](const targeting& t) {
                             return applies(t.sectors, sx) && applies_to(t.locations, lx) && (!t.sme_only || sme);
                         });
        auto r = rng(firms.ids()[i], ystep, p_platform);
        if (r.bernoulli(std::min(1.0, p))) (*f_platform)[i] = 1;
    }
    // --- Chain leaders pair with local suppliers (manufacturing firms without a link).
    {
        std::size_t candidates = 0;
        for (std::size_t i = leaders.size(); i < n_firms; ++i) candidates += (*f_supplier_of)[i] < 0;
        for (std::size_t k = 0; k < leaders.size(); ++k) {
            const sector sx = leaders[k].s;
            const double links = par["baseline_pairing"] +
                                 lever_strength(lever::chain_leader_pairing, today,
                                                [&](const targeting& t) { return applies(t.sectors, sx); });
            const double p = std::min(1.0, links / std::max<double>(1.0, double(candidates) / double(leaders.size())));
            for (std::size_t i = leaders.size(); i < n_firms; ++i) {
                if ((*f_supplier_of)[i] >= 0) continue;
                const auto si = sector((*f_sector)[i]);
                const bool fits = si == sx || si == sector::electronic_components ||
                                  si == sector::chemicals_materials || si == sector::motorcycles_machinery;
                if (!fits) continue;
                auto r = rng(firms.ids()[i] * 16 + k, ystep, p_pairing);
                if (r.bernoulli(p * double(leaders.size()) / double(leaders.size()))) (*f_supplier_of)[i] = std::int32_t(k);
            }
        }
    }
    // --- Specialised-and-sophisticated certification among the manufacturing SME exporters above
    // the SMEs' median capability (the plan counts on +100 by 2027). Exporting is the gate, so
    // programmes that make more SMEs export raise certifications.
    {
        std::vector<double> caps;
        for (std::size_t i = leaders.size(); i < n_firms; ++i)
            if ((*f_sme)[i]) caps.push_back((*f_capability)[i]);
        if (!caps.empty()) {
            std::nth_element(caps.begin(), caps.begin() + std::ptrdiff_t(caps.size() / 2), caps.end());
            const double median = caps[caps.size() / 2];
            auto eligible = [&](std::size_t i) {
                return (*f_sme)[i] && !(*f_specialised)[i] && exported_this_year[i] &&
                       (*f_sector)[i] != std::uint8_t(sector::agri_food) && (*f_capability)[i] >= median;
            };
            // The rate is set in the first year so that specialised_certified_per_year firms are
            // certified at 2024 eligibility; it is then held, so more eligible exporters mean
            // more certifications.
            if (certification_rate < 0 && !burning_in) {
                double n = 0;
                for (std::size_t i = leaders.size(); i < n_firms; ++i) n += eligible(i);
                certification_rate = std::min(1.0, specialised_certified_per_year * spec.population_scale / std::max(1.0, n));
            }
            for (std::size_t i = leaders.size(); i < n_firms; ++i) {
                if (certification_rate <= 0 || !eligible(i)) continue;
                auto r = rng(firms.ids()[i], ystep, p_specialised);
                if (r.bernoulli(certification_rate)) (*f_specialised)[i] = 1;
            }
        }
    }
    // --- Graduation from indirect to direct exporting (Ahn, Khandelwal & Wei: firms later switch
    // to exporting themselves): an indirect exporter that sold more this year than the median
    // direct exporter switches with probability 0.3 a year (ASSUMPTION).
    {
        std::vector<double> direct;
        for (std::size_t i = leaders.size(); i < n_firms; ++i)
            if (!(*f_indirect)[i] && (*f_exports_year)[i] > 0) direct.push_back((*f_exports_year)[i]);
        if (!direct.empty()) {
            std::nth_element(direct.begin(), direct.begin() + std::ptrdiff_t(direct.size() / 2), direct.end());
            const double median = direct[direct.size() / 2];
            for (std::size_t i = leaders.size(); i < n_firms; ++i) {
                if (!(*f_indirect)[i] || (*f_exports_year)[i] <= median) continue;
                auto r = rng(firms.ids()[i], ystep, p_indirect);
                if (r.bernoulli(0.3)) (*f_indirect)[i] = 0;
            }
        }
    }
    // --- Cross-border e-commerce channel adoption (consumer goods, agri-food, machinery parts):
    // 3%/yr baseline (ASSUMPTION) plus a tenth of the lever's cost cut.
    for (std::size_t i = leaders.size(); i < n_firms; ++i) {
        const sector sx = sector((*f_sector)[i]);
        if ((*f_cbec)[i] || !(*f_sme)[i] ||
            !(sx == sector::consumer_goods_hardware || sx == sector::agri_food || sx == sector::motorcycles_machinery))
            continue;
        const location lx = location((*f_location)[i]);
        const double p = 0.03 + 0.1 * lever_strength(lever::cbec_support, today, [&](const targeting& t) {
                                    return applies(t.sectors, sx) && applies_to(t.locations, lx);
                                });
        auto r = rng(firms.ids()[i], ystep, p_cbec);
        if (r.bernoulli(p)) (*f_cbec)[i] = 1;
    }
    if (burning_in) return;

    // ---------------- yearly indicators ----------------
    double exp_sum = 0, im = 0, comp = 0, autos = 0, laptops = 0;
    std::array<double, R> by_region{};
    double belt = 0;
    for (std::size_t s = 0; s < S; ++s)
        for (std::size_t r = 0; r < R; ++r) {
            exp_sum += year.exports[s][r];
            im += year.imports[s][r];
            by_region[r] += year.exports[s][r] + year.imports[s][r];
            belt += (year.exports[s][r] + year.imports[s][r]) * belt_road_weight[r];
        }
    for (std::size_t r = 0; r < R; ++r) {
        comp += year.exports[std::size_t(sector::electronic_components)][r] +
                year.imports[std::size_t(sector::electronic_components)][r] +
                year.imports[std::size_t(sector::laptops_electronics)][r]; // ODMs import components
        autos += year.exports[std::size_t(sector::autos_parts)][r];
    }
    // Laptops: the ODM leaders' exports (the sector's other firms make phones and other devices).
    laptops = year.laptop_exports;
    const double total = exp_sum + im;
    const double scale = spec.population_scale;
    // Vehicles: auto exports less the kits the KD lever added, per vehicle_unit_value (total auto
    // exports per vehicle, data 2023, so parts are inside it); of those units a 2024 share goes as
    // kits (a kit ~0.6 of a vehicle's value, ASSUMPTION), plus the lever's extra kits.
    const double unit_value = par["vehicle_unit_value"];
    const double units_equiv = (autos - year.kd_exports) * 1e8 / unit_value;
    const double kd0 = par["kd_share_2024"];
    const double kd_sets = units_equiv * kd0 / 0.6 + year.kd_exports * 1e8 / (0.6 * unit_value);
    const double vehicles = units_equiv * (1.0 - kd0);
    const double national = par["national_vehicle_exports_2024"] *
                            drivers.vehicle_exports(int(today.year()), forecast_origin_year);
    std::int32_t trading = 0, exporting = 0, spec_exp = 0, aeo = 0, cbec_firms = 0, suppliers = 0;
    for (std::size_t i = 0; i < n_firms; ++i) {
        cbec_firms += (*f_cbec)[i];
        suppliers += (*f_supplier_of)[i] >= 0;
        trading += traded_this_year[i];
        exporting += exported_this_year[i];
        spec_exp += exported_this_year[i] && (*f_specialised)[i];
        aeo += (*f_aeo)[i] == 1;
    }
    double ftz = 0, lj = 0, ht = 0, bonded = 0;
    for (std::size_t l = 0; l < num_locations; ++l) {
        const auto f = location_flags(location(l));
        const double v = year.trade_by_location[l];
        ftz += f.free_trade_zone * v;
        lj += f.liangjiang * v;
        ht += f.hightech_zone * v;
        bonded += f.bonded_zone * v;
    }
    // Cross-border RMB = goods trade settled in RMB + a non-goods part (services, capital)
    // calibrated to the 2024 total and growing at rmb_nongoods_growth.
    // (rmb_nongoods_2024 is set at the end of the burn-in, before any policy.)
    const double rmb = year.rmb_goods + rmb_nongoods_2024 * std::pow(1.0 + par["rmb_nongoods_growth"], y);
    // Corridor volumes.
    const double cr_trains = year_trains[0] + year_trains[1] + year_trains[2];
    double lsc_teu = 0, lsc_transit = 0, lsc_booked = 0, hub = 0;
    for (std::size_t r = 0; r < num_routes; ++r) {
        const auto how = route_table[r].how;
        if (how == detail::mode::rail_sea || route(r) == route::clt_rail || route(r) == route::road_vietnam ||
            route(r) == route::road_laos) {
            lsc_teu += year_teu[r];
            lsc_transit += year_transit_teu[r];
            lsc_booked += year_booked_teu[r];
        }
        if (how == detail::mode::rail || how == detail::mode::rail_sea) hub += year_teu[r];
    }
    if (hub_volume_2024 <= 0) hub_volume_2024 = hub;
    const auto clt = std::size_t(route::clt_rail);
    const double clt_days = year_trains[clt] > 0 ? year_delay_days[clt] / year_trains[clt] : route_table[clt].leg_days;
    const double clt_cut = lever_strength(lever::freight_subsidy, today, [](const targeting& t) {
        return applies_to(t.routes, route::clt_rail);
    });
    // Rail document financing: a small share of rail-borne trade value is financed on rail
    // bills (ASSUMPTION 0.05% in 2024) plus the lever's eligible share at a 5% take-up.
    double rail_doc = 0;
    for (std::size_t r = 0; r < num_routes; ++r)
        if (route_table[r].how == detail::mode::rail || route_table[r].how == detail::mode::rail_sea) {
            const route rr = route(r);
            const double eligible = lever_strength(lever::rail_doc_financing, today, [&](const targeting& t) {
                return applies_to(t.routes, rr);
            });
            const double value = std::max(0.0, year_teu[r] - year_transit_teu[r]) * 9.5e4 / 1e8; // ~CNY 95k a TEU
            rail_doc += value * (0.0005 + 0.05 * eligible);
        }
    one_bill_cum += bills_this_year;
    std::int32_t a_level_forwarders = 0;
    for (auto a: *fw_a_level) a_level_forwarders += a;
    // A-level logistics firms outside the model (warehousing, trucking) held at 50 (ASSUMPTION:
    // the city had ~110 in 2024, plan: 130 by 2027).
    const double a_level_firms = a_level_forwarders + 50.0 * scale;
    const double forwarders_count = double(forwarders.size());
    // Logistics cost / GDP. The published ratio is economy-wide (national 14.1% in 2024, data
    // logistics_cost_gdp_national_pct). The model owns the trade part: its share s of social
    // logistics cost is the 2024 trade-logistics cost over 14.1% of GDP (data gdp_cq_cny_100m
    // 2024). That part moves with the logistics price index (generalized cost per CNY shipped at
    // 2024 trade weights: efficiency, not volume or composition); the rest follows
    // logistics_ratio_trend (ASSUMPTION).
    if (logistics_trade_part_2024 < 0)
        logistics_trade_part_2024 = std::min(1.0, year_logistics_cost / (0.141 * 32193.15 * scale));
    const double s_trade = logistics_trade_part_2024;
    const double price_index = logistics_index_months > 0 ? logistics_index_sum / logistics_index_months : 1.0;
    const double logistics_gdp =
        (14.1 + par["logistics_ratio_trend"] * y) * (1.0 - s_trade) + 14.1 * s_trade * price_index;

    const double spot_teu = std::accumulate(year_spot_teu.begin(), year_spot_teu.end(), 0.0);
    auto imports_from = [&](region r) {
        double v = 0;
        for (std::size_t s = 0; s < S; ++s) v += year.imports[s][std::size_t(r)];
        return v;
    };
    const double values[] = {
        total, exp_sum, im,
        trade_prev_year > 0 ? (total / trade_prev_year - 1.0) * 100.0 : std::nan(""),
        by_region[std::size_t(region::asean)], by_region[std::size_t(region::asean)],
        by_region[std::size_t(region::eu)], by_region[std::size_t(region::us)],
        imports_from(region::asean), imports_from(region::eu), imports_from(region::us),
        laptops, autos, vehicles, vehicles / national * 100.0, kd_sets, comp,
        double(trading), double(exporting), double(spec_exp), double(aeo),
        total > 0 ? year.aeo_trade / total * 100.0 : 0.0,
        trading > 0 ? 100.0 * platform_members_trading / trading : 0.0,
        rmb, total > 0 ? belt / total * 100.0 : 0.0,
        total > 0 ? year.intermediate / total * 100.0 : 0.0,
        total > 0 ? ftz / total * 100.0 : 0.0, lj, ht, total > 0 ? bonded / total * 100.0 : 0.0,
        exp_sum > 0 ? year.indirect_exports / exp_sum * 100.0 : 0.0,
        cbec_prev_year > 0 ? (year.cbec_exports / cbec_prev_year - 1.0) * 100.0 : std::nan(""),
        cr_trains, cr_trains * (5700.0 / 2059.0), lsc_teu,
        lsc_booked > 0 ? lsc_transit / lsc_booked * 100.0 : 0.0,
        (hub / hub_volume_2024 - 1.0) * 100.0, clt_days, clt_cut * 100.0,
        forwarders_count, a_level_firms, one_bill_cum, rail_doc, logistics_gdp, year_logistics_cost,
        year.cbec_exports, double(cbec_firms), double(suppliers),
        year.trial_promotions + year.trial_exits > 0
            ? 100.0 * year.trial_promotions / (year.trial_promotions + year.trial_exits)
            : std::nan(""),
        std::accumulate(year_booked_teu.begin(), year_booked_teu.end(), 0.0),
        std::accumulate(year_teu.begin(), year_teu.end(), 0.0),
        std::accumulate(backlog_teu.begin(), backlog_teu.end(), 0.0),
        year_container_teu > 0 ? 100.0 * year_lcl_teu / year_container_teu : 0.0,
        year_lcl_boxes > 0 ? 100.0 * year_lcl_teu / year_lcl_boxes : std::nan(""),
        year_lcl_teu > 0 ? year_lcl_wait / year_lcl_teu : std::nan(""),
        year_rail_cargo_teu > 0 ? 100.0 * std::accumulate(year_contract_teu.begin(), year_contract_teu.end(), 0.0) /
                                      year_rail_cargo_teu
                                : 0.0,
        spot_teu > 0 ? std::accumulate(year_bumped_teu_days.begin(), year_bumped_teu_days.end(), 0.0) / spot_teu : 0.0,
        year_take_or_pay,
    };
    static_assert(std::size(values) == std::size(yearly_indicators));
    for (std::size_t k = 0; k < std::size(values); ++k) rec.record(ids_year[k], y, values[k]);

    trade_prev_year = total;
    cbec_prev_year = year.cbec_exports;
}

void trade_model::state::burn_in() {
    // Start values: demand shifters from the value targets and the capability mass, then three
    // years at 2024 conditions in which (1) the entry hazard is scaled so that the number of
    // trading firms matches trading_firms_2024 and (2) the demand shifters are scaled so that
    // exports by sector and region match the 2024 values. Nothing is recorded.
    burning_in = true;
    update_trade_costs(spec.start);
    std::array<double, S> zsum{};
    for (std::size_t i = leaders.size(); i < n_firms; ++i) zsum[(*f_sector)[i]] += (*f_capability)[i];
    const double sigma_ces = par["trade_elasticity"] + 1.0;
    for (std::size_t s = 0; s < S; ++s) {
        const double leader_share = leader_share_of_sector[s];
        const double rest = sector_target[s] * std::max(0.0, 1.0 - leader_share) / 12.0;
        for (std::size_t d = 0; d < R; ++d)
            demand_shift[s][d] = rest * export_mix[s][d] / std::max(1e-12, 0.3 * zsum[s]);
        double mean_a = 0;
        for (std::size_t d = 0; d < R; ++d) mean_a += demand_shift[s][d] / double(R);
        ref_profit_2024[s] = mean_a * z_ref / sigma_ces;
    }
    const double target_firms = par["trading_firms_2024"] * spec.population_scale;
    const double total = par["total_trade_2024"] * spec.population_scale;
    // Initial exporters: the firms whose best destination's profit ratio is highest, as many as
    // ~80% of the trading-firm target less the import-only traders (a stock at a point in time
    // is smaller than the count of firms trading at some time in a year); each exports where
    // its ratio clears the same threshold. The burn-in then brings flows into balance.
    {
        const double fixed_share = par["fixed_cost_share"];
        std::vector<double> best(n_firms, 0.0);
        std::size_t import_only = 0;
        for (std::size_t i = leaders.size(); i < n_firms; ++i) {
            import_only += (*f_importer)[i] == 2;
            const auto s = (*f_sector)[i];
            for (std::size_t d = 0; d < R; ++d)
                best[i] = std::max(best[i], demand_shift[s][d] * (*f_capability)[i] * demand_draw[i * R + d] /
                                                sigma_ces / (fixed_share * ref_profit_2024[s]));
        }
        std::vector<double> sorted(best.begin() + std::ptrdiff_t(leaders.size()), best.end());
        std::sort(sorted.begin(), sorted.end(), std::greater<>());
        const auto n_start = std::size_t(std::clamp(0.8 * target_firms - double(import_only), 1.0, double(sorted.size())));
        const double kappa = sorted[n_start - 1];
        for (std::size_t i = leaders.size(); i < n_firms; ++i) {
            const auto s = (*f_sector)[i];
            for (std::size_t d = 0; d < R; ++d) {
                const double ratio = demand_shift[s][d] * (*f_capability)[i] * demand_draw[i * R + d] /
                                     sigma_ces / (fixed_share * ref_profit_2024[s]);
                if (ratio >= kappa) {
                    status[i * R + d] = 2;
                    tenure[i * R + d] = 24;
                }
            }
        }
    }
    const double imports_target = total * (1.0 - par["export_share_2024"]);
    for (std::int32_t m = 0; m < burn_in_months; ++m) {
        if (m % 12 == 0) {
            std::fill(traded_this_year.begin(), traded_this_year.end(), 0);
            std::fill(exported_this_year.begin(), exported_this_year.end(), 0);
            year = month_totals{};
        }
        firm_month(spec.start, 0);
        year.add(month);
        ++month_abs;
        if (m % 12 == 11) {
            // (1) firm count
            double trading = 0;
            for (auto t: traded_this_year) trading += t;
            // Aim at where the count is heading, not at this year's count: with entries E and
            // exits X of export relationships, the stock moves towards (E / X) times its level.
            // Averaging the two keeps the controller from overshooting while the stock builds.
            const double heading = trading * year.new_entries / std::max(1.0, year.exits);
            const double ratio = target_firms / std::max(1.0, heading);
            if (std::getenv("TRADEECO_DEBUG_CALIBRATION"))
                std::fprintf(stderr, "burn-in month %d: trading %.0f heading %.0f target %.0f entry_scale %.4g entries %.0f exits %.0f\n",
                             m, trading, heading, target_firms, entry_scale, year.new_entries, year.exits);
            // The first two years only let the initial stock settle (adjusting on them
            // overshoots: entries dip while the initial exporters hold their markets).
            if (m >= 35) entry_scale *= std::clamp(ratio, 0.5, 2.0);
            // (2) values by sector x region for non-leaders
            for (std::size_t s = 0; s < S; ++s) {
                const double leader_share = leader_share_of_sector[s];
                for (std::size_t d = 0; d < R; ++d) {
                    const double want = sector_target[s] * export_mix[s][d];
                    const double lead = sector_target[s] * leader_share * export_mix[s][d];
                    const double got = year.exports[s][d] - lead;
                    if (got > 0) demand_shift[s][d] *= std::clamp((want - lead) / got, 0.2, 5.0);
                }
            }
            // (3) ordinary imports fill what processing imports leave.
            double proc = 0, ord = 0;
            for (std::size_t s = 0; s < S; ++s)
                for (std::size_t d = 0; d < R; ++d) proc += year.imports[s][d];
            double zimp = 0;
            for (std::size_t i = leaders.size(); i < n_firms; ++i)
                if ((*f_importer)[i] == 2 || ((*f_importer)[i] == 1 && exported_this_year[i])) zimp += (*f_capability)[i];
            ord = ordinary_import_scale * zimp * 12.0;
            proc -= ord;
            ordinary_import_scale = std::max(0.0, imports_target - proc) / std::max(1e-12, zimp * 12.0);
        }
    }
    // Last step: thin the exporters to the 2024 count. The entry hazard steers the count only
    // slowly (the stock of relationships lags it by years), so the burn-in ends a few percent
    // off; a random share of the non-leader traders of the last burn-in year stop exporting
    // (their relationships end, without experience) and the entry hazard is scaled alike.
    {
        double trading = 0;
        for (auto t: traded_this_year) trading += t;
        // Aim 5% low: the count keeps growing about that much into 2024 as new exporters churn
        // in (data: +8%/yr 2021-24 at the city level).
        const double ratio = 0.95 * target_firms / std::max(1.0, trading);
        entry_scale *= ratio;
        if (ratio < 1)
            for (std::size_t i = leaders.size(); i < n_firms; ++i) {
                if (!traded_this_year[i] || (*f_importer)[i] == 2) continue;
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
    // One more month after the thinning re-fits the demand shifters to 2024 exports (the
    // thinned firms' sales are gone) and provides the month that routes are calibrated on.
    firm_month(spec.start, 0);
    ++month_abs;
    for (std::size_t s = 0; s < S; ++s) {
        const double leader_share = leader_share_of_sector[s];
        for (std::size_t d = 0; d < R; ++d) {
            const double lead = sector_target[s] * leader_share * export_mix[s][d] / 12.0;
            const double want = sector_target[s] * export_mix[s][d] / 12.0 - lead;
            const double got = month.exports[s][d] - lead;
            if (got > 0 && want > 0) demand_shift[s][d] *= std::clamp(want / got, 0.5, 2.0);
        }
    }
    calibrate_routes();
    // Specialised-and-sophisticated SMEs (manufacturing SMEs), designated once the 2024 state
    // exists: the plan's ~100 exporters of 2024, less the year's certifications (counted at the
    // end of 2024), among the SMEs that exported in the last burn-in year, and half as many
    // among the non-exporting SMEs above the median capability (potential; ASSUMPTION: some of
    // these start exporting within the year).
    {
        std::vector<double> caps;
        std::size_t exporting = 0, potential = 0;
        auto eligible = [&](std::size_t i) {
            return (*f_sme)[i] && (*f_sector)[i] != std::uint8_t(sector::agri_food);
        };
        for (std::size_t i = leaders.size(); i < n_firms; ++i)
            if (eligible(i)) caps.push_back((*f_capability)[i]);
        std::sort(caps.begin(), caps.end());
        const double median = caps.empty() ? 0 : caps[caps.size() / 2];
        for (std::size_t i = leaders.size(); i < n_firms; ++i) {
            if (!eligible(i)) continue;
            if (exported_this_year[i]) ++exporting;
            else if ((*f_capability)[i] >= median) ++potential;
        }
        const double want = (par["specialised_sme_exporters_2024"] - specialised_certified_per_year) * spec.population_scale;
        const double p_exp = std::min(1.0, want / std::max<double>(1, double(exporting)));
        const double p_pot = std::min(1.0, 0.5 * want / std::max<double>(1, double(potential)));
        for (std::size_t i = leaders.size(); i < n_firms; ++i) {
            if (!eligible(i)) continue;
            auto r = rng(firms.ids()[i], 0, p_specialised);
            const bool pick = exported_this_year[i] ? r.bernoulli(p_exp)
                                                    : (*f_capability)[i] >= median && r.bernoulli(p_pot);
            (*f_specialised)[i] = pick ? 1 : 0;
        }
    }
    // Cross-border RMB: the non-goods part (services, capital) is what the 2024 total leaves
    // after the goods trade settled in RMB in the last burn-in year (no policy in force).
    rmb_nongoods_2024 = par["cross_border_rmb_2024"] * spec.population_scale - year.rmb_goods;
    // Fixed and sunk costs stay tied to the 2024 calibration (ref_profit_2024 unchanged), so the
    // rescaled demand shifters move profits but the entry rule keeps its calibration.
    burning_in = false;
    std::fill(traded_this_year.begin(), traded_this_year.end(), 0);
    std::fill(exported_this_year.begin(), exported_this_year.end(), 0);
    reset_year_columns();
    year = month_totals{};
}

// Route constants and transit cargo for 2024. The 2024 timetable is data (2,059 China-Europe
// trains from Chongqing; corridor departures in routes.hpp); departures ran ~85% full
// (ASSUMPTION), and 42.9% of the hub's corridor cargo came from outside the city (data
// lsc_cq_outside_city_share_pct, 2021). So each rail or rail-sea route's own (Chongqing) cargo
// is 0.571 x 0.85 x capacity, reached by its logit constant (iterated: shares renormalise),
// and other provinces' cargo fills the rest.
void trade_model::state::calibrate_routes() {
    constexpr double load = 0.85, outside = 0.429;
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
        own_boxes = month_teu;
    };
    auto own_teu = [&](std::size_t r) { return own_boxes[r]; };
    update_trade_costs(spec.start);
    book();
    sign_contracts(spec.start, month_sector_teu);
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
            if (own > 0) route_asc[r] += std::clamp(std::log(want / own), -2.0, 2.0);
        }
    }
    update_trade_costs(spec.start);
    book();
    sign_contracts(spec.start, month_sector_teu);
    if (std::getenv("TRADEECO_DEBUG_CALIBRATION"))
        for (std::size_t r = 0; r < num_routes; ++r)
            std::fprintf(stderr, "route %s: own %.0f TEU/month (LCL %.0f, fill %.2f, wait %.1f d; contracted %.0f), target %.0f, constant %.2f\n",
                         std::string(route_names[r]).c_str(), own_teu(r), month_lcl_teu[r], lcl_fill[r],
                         lcl_wait_days[r], contract_teu_month[r], target(r) * spec.population_scale, route_asc[r]);
    transit_utility_gap = std::log(outside / (1 - outside));
    for (std::size_t r = 0; r < num_routes; ++r)
        if (carries_transit(route_table[r].how))
            transit_pool_teu[r] = own_teu(r) * (outside / (1 - outside)) / outside;
}

void trade_model::state::write_year_tables(const sim::day_info& d) {
    if (burning_in) return;
    const double year_value = double(clock.year_of(d.year_index));
    if (snapshots_table >= 0)
        for (std::size_t i = 0; i < n_firms; ++i) {
            const double row[] = {year_value, double(firms.ids()[i]), double((*f_sector)[i]),
                                  double((*f_location)[i]), double((*f_ownership)[i]),
                                  double((*f_sme)[i]), double((*f_specialised)[i]),
                                  double((*f_leader)[i]), double((*f_aeo)[i]),
                                  double((*f_platform)[i]), double((*f_indirect)[i]),
                                  double((*f_supplier_of)[i]), (*f_capability)[i],
                                  (*f_exports_year)[i], (*f_imports_year)[i],
                                  double((*f_destinations_mask)[i]), double((*f_entered_mask)[i]),
                                  double((*f_exited_mask)[i])};
            rec.append_row(std::size_t(snapshots_table), row);
        }
    if (flows_table >= 0)
        for (std::size_t l = 0; l < num_locations; ++l)
            for (std::size_t r = 0; r < num_routes; ++r)
                for (std::size_t g = 0; g < R; ++g) {
                    if (flow_value[l][r][g] <= 0) continue;
                    const double row[] = {year_value, double(l), double(r), double(g),
                                          flow_value[l][r][g], flow_teu[l][r][g]};
                    rec.append_row(std::size_t(flows_table), row);
                }
}

// -------------------------------------------------------------------------------------------
trade_model::trade_model(const model_spec& spec, std::int32_t replicate, sim::executor& ex):
    s_(std::make_unique<state>(spec, replicate, ex)) {
    auto& s = *s_;
    s.build_population();
    s.calibrate_values();
    s.declare_outputs();
    s.burn_in();
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
                      [&s](const sim::day_info& d) { s.record_month(d); });
    s.steps.add_phase("yearly_processes", sim::cadence::year_end, [&s](const sim::day_info& d) {
        // Next year's contracts, sized on this year's cargo and forwarders' volumes.
        {
            auto monthly = s.year_sector_teu;
            for (auto& a: monthly)
                for (auto& v: a) v /= 12.0;
            s.sign_contracts(sim::date{std::chrono::sys_days{d.today} + std::chrono::days{1}}, monthly);
        }
        s.forwarders_year(d.today); // entry and exit first: the year-end count includes them
        s.year_end(d);
        s.spending.record_year(s.rec, d.year_index, int(s.clock.year_of(d.year_index)));
        s.write_year_tables(d);
        s.bills_this_year = 0;
        std::fill(s.traded_this_year.begin(), s.traded_this_year.end(), 0);
        std::fill(s.exported_this_year.begin(), s.exported_this_year.end(), 0);
        s.reset_year_columns();
        s.year = month_totals{};
        s.year_teu.fill(0);
        s.year_trains.fill(0);
        s.year_transit_teu.fill(0);
        s.year_booked_teu.fill(0);
        s.year_delay_days.fill(0);
        s.year_contract_teu.fill(0);
        s.year_spot_teu.fill(0);
        s.year_bumped_teu_days.fill(0);
        for (auto& a: s.year_sector_teu) a.fill(0);
        s.year_lcl_teu = s.year_lcl_boxes = s.year_lcl_wait = s.year_container_teu = 0;
        s.year_take_or_pay = s.year_rail_cargo_teu = 0;
        s.year_logistics_cost = 0;
        s.logistics_index_sum = 0;
        s.logistics_index_months = 0;
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
