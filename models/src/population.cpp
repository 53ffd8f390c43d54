// The 2024 starting population and the value targets it is calibrated to.
// Reads: parameters (firm counts, capability distribution, shares of SMEs, importers, indirect
//   exporters, platform members, AEO firms; 2024 trade totals and shares), the chain-leader list,
//   the route timetable (routes.hpp).
// Writes: the firm, forwarder and service agent tables and their columns (firm_columns,
//   forwarder_columns), the firm x region relationship rows, cal.sector_target, cal.region_share and
//   cal.export_mix (calibration_state).

#include "model_state.hpp"

#include <tradeeco/sim/executor.hpp>

#include <algorithm>
#include <cmath>

namespace tradeeco::models {

using namespace model_impl;

// -------------------------------------------------------------------------------------------
namespace {
// The value a full sort of `zs` would put at rank q x (n - 1), by selection (reorders `zs`).
double capability_quantile(std::vector<double>& zs, double q) {
    const auto nth = zs.begin() + std::ptrdiff_t(q * double(zs.size() - 1));
    std::nth_element(zs.begin(), nth, zs.end());
    return *nth;
}
} // namespace

void trade_model::state::build_population() {
    const double n_trading = params.trading_firms_2024 * spec.population_scale;
    n_firms = std::size_t(std::llround(n_trading * (1.0 + params.potential_pool_ratio)));
    n_firms = std::max(n_firms, leaders.size() + 10);
    for (std::size_t i = 0; i < n_firms; ++i) firms.stage_birth();
    add_firm_columns();
    draw_firms();
    // The non-leaders' capabilities, which the classes below are cut at by quantile.
    std::vector<double> zs(firm.capability->begin() + std::ptrdiff_t(leaders.size()), firm.capability->end());
    draw_capability_classes(zs);
    seed_export_pairs();
    draw_memberships(zs);
    build_services();
    build_forwarders();
}

// The firm table's columns (agent_table: one column per attribute, firms as rows).
void trade_model::state::add_firm_columns() {
    firm.sector = &firms.add_column<std::uint8_t>("sector");
    firm.location = &firms.add_column<std::uint8_t>("location");
    firm.ownership = &firms.add_column<std::uint8_t>("ownership");
    firm.leader = &firms.add_column<std::uint8_t>("chain_leader");
    firm.sme = &firms.add_column<std::uint8_t>("sme");
    firm.specialised = &firms.add_column<std::uint8_t>("specialised_sme");
    firm.platform = &firms.add_column<std::uint8_t>("platform_member");
    firm.aeo = &firms.add_column<std::uint8_t>("credit_tier");
    firm.cbec = &firms.add_column<std::uint8_t>("cbec_channel");
    firm.importer = &firms.add_column<std::uint8_t>("ordinary_importer");
    firm.indirect = &firms.add_column<std::uint8_t>("indirect_exporter");
    firm.supplier_of = &firms.add_column<std::int32_t>("supplier_of", -1);
    firm.capability = &firms.add_column<double>("capability");
    firm.exports_month = &firms.add_column<double>("exports_month_cny_100m");
    firm.imports_month = &firms.add_column<double>("imports_month_cny_100m");
    firm.trade_year = &firms.add_column<double>("trade_year_cny_100m");
    firm.destinations = &firms.add_column<std::int32_t>("destinations");
    firm.exports_year = &firms.add_column<double>("exports_year_cny_100m");
    firm.indirect_exports_year = &firms.add_column<double>("indirect_exports_year_cny_100m");
    firm.imports_year = &firms.add_column<double>("imports_year_cny_100m");
    firm.destinations_mask = &firms.add_column<std::int32_t>("destinations_mask_year");
    firm.entered_mask = &firms.add_column<std::int32_t>("entered_mask_year");
    firm.exited_mask = &firms.add_column<std::int32_t>("exited_mask_year");
    firms.compact();
}

// Each firm's capability, sector, location, ownership and importer class; the chain leaders
// take theirs from the leader table.
void trade_model::state::draw_firms() {
    auto& sec = *firm.sector;
    auto& loc = *firm.location;
    auto& own = *firm.ownership;
    auto& cap = *firm.capability;
    const double sigma = params.capability_sigma, alpha = params.capability_tail_exponent;
    // Lognormal body; above the 90th percentile a Pareto tail with the Chinese exporters'
    // exponent (Peng & Xia), capped at capability_cap x the threshold so that no single firm
    // outside the chain leaders dominates city totals.
    const double z90 = std::exp(sigma * 1.2815515655446004);
    const std::array<double, num_ownerships> ownership_weights{
        params.ownership_weight_foreign_invested, params.ownership_weight_private_domestic,
        params.ownership_weight_state_owned};
    const double two_way = params.exporter_importer_share;
    // Every firm draws from its own streams, so the firms are drawn in parallel (here and in the
    // functions below): the same numbers whatever the thread count.
    ex.for_each(n_firms, [&](std::size_t i) {
        const auto id = firms.ids()[i];
        if (i < leaders.size()) {
            const auto& L = leaders[i];
            sec[i] = std::uint8_t(L.s);
            loc[i] = std::uint8_t(L.l);
            own[i] = std::uint8_t(L.o);
            (*firm.leader)[i] = std::uint8_t(i + 1);
            cap[i] = 0; // leaders' sales are set from their shares, not from capability
            return;
        }
        auto r = rng(id, 0, p_capability);
        const double zn = r.normal();
        double z = std::exp(sigma * zn);
        if (z > z90) z = std::min(z90 * std::pow(r.uniform(), -1.0 / alpha), z90 * params.capability_cap);
        cap[i] = z;
        auto rs = rng(id, 0, p_sector);
        sec[i] = std::uint8_t(draw_index(rs, firm_sector_shares));
        auto rl = rng(id, 0, p_location);
        loc[i] = std::uint8_t(draw_index(rl, location_probs(sector(sec[i]))));
        auto ro = rng(id, 0, p_ownership);
        // Ownership: private firms 43.7% of trade in 2021 (data private_firm_trade_share_pct);
        // by count most firms are private (ASSUMPTION 70/20/10).
        own[i] = std::uint8_t(draw_index(ro, ownership_weights));
        // Ordinary importers: class 2 imports all year (import-only traders, a share of trading
        // firms), class 1 imports while it exports (half of exporters, ASSUMPTION).
        auto ri = rng(id, 0, p_import);
        const double p_always = params.import_only_share * params.trading_firms_2024 /
                                (params.trading_firms_2024 * (1.0 + params.potential_pool_ratio));
        const double u = ri.uniform();
        (*firm.importer)[i] = u < p_always ? 2 : (u < p_always + two_way ? 1 : 0);
    });
}

// Capability classes: the reference capability for costs, indirect exporters, SMEs and the
// SMEs in cross-border e-commerce.
void trade_model::state::draw_capability_classes(std::vector<double>& zs) {
    const auto& cap = *firm.capability;
    const auto& sec = *firm.sector;
    // Capability quantiles: cal.z_ref (75th percentile) scales fixed and sunk costs. Less capable
    // firms (below the indirect quantile) export through trade-service firms with probability
    // indirect_share (Ahn, Khandelwal & Wei: the least productive use intermediaries).
    cal.z_ref = capability_quantile(zs, params.reference_capability_quantile);
    const double z_ind = capability_quantile(zs, params.indirect_threshold_quantile);
    ex.for_each(n_firms - leaders.size(), [&](std::size_t j) {
        const std::size_t i = leaders.size() + j;
        auto r = rng(firms.ids()[i], 0, p_indirect);
        (*firm.indirect)[i] = cap[i] < z_ind && r.bernoulli(params.indirect_share) ? 1 : 0;
    });
    // SMEs are the smaller firms: capability (with noise, 0.3 log points, ASSUMPTION) below the
    // sme_share quantile.
    const double z_sme = capability_quantile(zs, params.sme_share);
    const double size_noise = params.sme_size_noise, cbec_2024 = params.cbec_share_2024;
    ex.for_each(n_firms - leaders.size(), [&](std::size_t j) {
        const std::size_t i = leaders.size() + j;
        const auto id = firms.ids()[i];
        auto rm = rng(id, 0, p_sme);
        (*firm.sme)[i] = cap[i] * std::exp(size_noise * rm.normal()) < z_sme ? 1 : 0;
        // A tenth of SMEs in e-commerce-suited sectors sell through the channel in 2024
        // (ASSUMPTION; no consistent series, data README).
        if ((*firm.sme)[i] && (sec[i] == std::uint8_t(sector::consumer_goods_hardware) || sec[i] == std::uint8_t(sector::agri_food) ||
            sec[i] == std::uint8_t(sector::motorcycles_machinery))) {
            auto rc = rng(id, 0, p_cbec);
            (*firm.cbec)[i] = rc.bernoulli(cbec_2024) ? 1 : 0;
        }
    });
}

// Every firm x market pair starts idle with its own demand draw.
void trade_model::state::seed_export_pairs() {
    const std::size_t nr = n_firms * R;
    status.assign(nr, 0);
    tenure.assign(nr, 0);
    months_since_exit.assign(nr, 1e3f);
    demand_draw.resize(nr);
    const double ds = params.demand_draw_sigma;
    ex.for_each(n_firms, [&](std::size_t i) {
        auto r = rng(firms.ids()[i], 0, p_demand);
        for (std::size_t d = 0; d < R; ++d)
            demand_draw[i * R + d] = float(std::exp(ds * r.normal() - 0.5 * ds * ds));
    });
    traded_this_year.assign(n_firms, 0);
    exported_this_year.assign(n_firms, 0);
}

// Platform members and AEO firms at the start.
void trade_model::state::draw_memberships(std::vector<double>& zs) {
    const auto& cap = *firm.capability;
    auto& plat = *firm.platform;
    ex.for_each(n_firms, [&](std::size_t i) {
        auto r = rng(firms.ids()[i], 0, p_platform);
        plat[i] = r.bernoulli(params.platform_coverage_2024) ? 1 : 0;
    });
    // AEO: large traders (AEO firms are ~1% of traders but ~36% of trade nationally, anchors
    // §3.2): the chain leaders, and the rest drawn at random among the top capability decile.
    const auto n_aeo = double(std::llround(params.aeo_firms_2024 * spec.population_scale));
    const double top_share = params.aeo_eligible_top_share;
    const double z90_all = capability_quantile(zs, 1.0 - top_share);
    const double top = top_share * double(zs.size());
    const double p = std::clamp((n_aeo - double(leaders.size())) / std::max(1.0, top), 0.0, 1.0);
    ex.for_each(n_firms, [&](std::size_t i) {
        auto r = rng(firms.ids()[i], 0, p_aeo);
        if (i < leaders.size() || (cap[i] >= z90_all && r.bernoulli(p))) (*firm.aeo)[i] = 1;
    });
}

// Services: one row per route (the timetable); departures are events, not agents.
void trade_model::state::build_services() {
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
        services.column<double>("teu_per_departure")[r] = route_table[r].teu_per_departure * spec.population_scale;
    }
}

// Forwarders: ~700 registered in 2024 (issue #4 text; plan: 800 by 2027, +100). Scale is
// lognormal (sigma 1.2, ASSUMPTION); margins 6-16% of freight (ASSUMPTION); the 60 largest
// hold A-level status at the start (of the city's ~110 A-level logistics firms, the rest are
// warehousing and trucking firms outside the model, held constant).
void trade_model::state::build_forwarders() {
    fwd.scale = &forwarders.add_column<double>("scale");
    fwd.margin = &forwarders.add_column<double>("margin_share");
    fwd.one_bill = &forwarders.add_column<std::uint8_t>("one_bill");
    fwd.a_level = &forwarders.add_column<std::uint8_t>("a_level");
    fwd.volume = &forwarders.add_column<double>("volume_teu_year");
    fwd.clients = &forwarders.add_column<std::int32_t>("clients");
    firm.forwarder = &firms.add_column<std::int64_t>("forwarder_id", -1);
    firm.lcl_teu_month = &firms.add_column<double>("lcl_teu_month");
    lcl_fill.fill(1.0);
    const auto n_fw = std::size_t(std::llround(params.forwarders_2024 * spec.population_scale));
    for (std::size_t k = 0; k < n_fw; ++k) stage_forwarder(0);
    forwarders.compact();
    std::vector<std::pair<double, std::size_t>> by_scale;
    for (std::size_t k = 0; k < forwarders.size(); ++k) by_scale.push_back({(*fwd.scale)[k], k});
    std::sort(by_scale.begin(), by_scale.end(), std::greater<>());
    const auto n_a =
        std::min(by_scale.size(), std::size_t(std::llround(params.a_level_forwarders_2024 * spec.population_scale)));
    for (std::size_t k = 0; k < n_a; ++k) (*fwd.a_level)[by_scale[k].second] = 1;
}

// Sector and region targets for 2024 values.
void trade_model::state::calibrate_values() {
    const double total = params.total_trade_2024 * spec.population_scale;
    const double exports = total * params.export_share_2024;
    cal.sector_target[std::size_t(sector::laptops_electronics)] = exports * (params.laptop_export_share + params.other_electronics_export_share);
    cal.sector_target[std::size_t(sector::electronic_components)] = exports * params.share_components;
    cal.sector_target[std::size_t(sector::autos_parts)] = params.auto_exports_2024 * spec.population_scale;
    cal.sector_target[std::size_t(sector::motorcycles_machinery)] = exports * params.share_motorcycles_machinery;
    cal.sector_target[std::size_t(sector::chemicals_materials)] = exports * params.share_chemicals;
    cal.sector_target[std::size_t(sector::biomedicine)] = exports * params.share_biomedicine;
    cal.sector_target[std::size_t(sector::agri_food)] = exports * params.share_agri_food;
    double assigned = 0;
    for (std::size_t s = 0; s < S; ++s) assigned += cal.sector_target[s];
    cal.sector_target[std::size_t(sector::consumer_goods_hardware)] = std::max(params.min_consumer_goods_share * exports, exports - assigned);
    cal.region_share = {params.share_eu, params.share_asean, params.share_central_asia_russia,
                    params.share_us, params.share_japan_korea, params.share_latin_america,
                    params.share_africa, params.share_middle_east, 0.0};
    double known = 0;
    for (double x: cal.region_share) known += x;
    cal.region_share[std::size_t(region::rest_of_world)] = std::max(0.0, 1.0 - known);
    // Export destinations by sector. Cars go mostly to Belt-and-Road markets (China's 2024
    // vehicle exports: Russia and Central Asia, the Middle East, Latin America, ASEAN; almost
    // none to the US: auto_region_mix, ASSUMPTION from the national pattern); the other sectors
    // share what is left so that each region's total keeps its share of trade.
    const double auto_x = cal.sector_target[std::size_t(sector::autos_parts)];
    double rest_total = 0;
    for (std::size_t s = 0; s < S; ++s) rest_total += s == std::size_t(sector::autos_parts) ? 0.0 : cal.sector_target[s];
    std::array<double, R> other{};
    double other_sum = 0;
    for (std::size_t d = 0; d < R; ++d) {
        other[d] = std::max(0.0, cal.region_share[d] * (rest_total + auto_x) - auto_region_mix[d] * auto_x);
        other_sum += other[d];
    }
    for (std::size_t s = 0; s < S; ++s)
        for (std::size_t d = 0; d < R; ++d)
            cal.export_mix[s][d] = s == std::size_t(sector::autos_parts) ? auto_region_mix[d] : other[d] / other_sum;
}

} // namespace tradeeco::models
