#pragma once
// Shared by the model's mechanism files: the purposes that key random streams, the chain
// leaders, the fixed tables of the taxonomy (linked markets, destination mixes, Belt-and-Road
// weights), small helpers, and month_totals, the aggregate the firm phase hands to routing,
// forwarders and the indicators. Private to models/src.

#include <tradeeco/models/spec.hpp>
#include <tradeeco/models/taxonomy.hpp>
#include <tradeeco/sim/random.hpp>

#include "routes.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

namespace tradeeco::models::model_impl {

using sim::random_stream;


// One constant per kind of random decision, so that no two decisions share draws.
enum purpose : std::uint32_t {
    p_sector = 1, p_capability, p_location, p_ownership, p_sme, p_entry, p_demand, p_exit,
    p_aeo, p_indirect, p_thin, p_platform, p_pairing, p_rmb, p_delay, p_cbec, p_import, p_specialised, p_forwarder,
    p_forwarder_entry, p_consider_any, p_one_off,
};

constexpr std::int32_t burn_in_months = 60;
constexpr std::size_t R = num_regions;
constexpr std::size_t S = num_sectors;

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

struct leader_def {
    sector s;
    location l;
    ownership o;
    const char* name; ///< keys leader_share_<name> and leader_import_ratio_<name> of the table
};
// Chain leaders. Laptop ODMs in the Xiyong bonded zone carry the laptop share of exports
// (parameter laptop_export_share); carmakers in Liangjiang carry auto exports (auto_exports_2024);
// three motorcycle makers part of their sector. Each one's share of its sector's exports and its
// imported inputs are parameters (leader_share_<name>, leader_import_ratio_<name>).
constexpr std::array<leader_def, 12> leaders{{
    {sector::laptops_electronics, location::xiyong_bonded, ownership::foreign_invested, "laptop_odm_1"},
    {sector::laptops_electronics, location::xiyong_bonded, ownership::foreign_invested, "laptop_odm_2"},
    {sector::laptops_electronics, location::xiyong_bonded, ownership::foreign_invested, "laptop_odm_3"},
    {sector::laptops_electronics, location::xiyong_bonded, ownership::foreign_invested, "laptop_odm_4"},
    {sector::laptops_electronics, location::xiyong_bonded, ownership::foreign_invested, "laptop_odm_5"},
    {sector::laptops_electronics, location::xiyong_bonded, ownership::foreign_invested, "laptop_odm_6"},
    {sector::autos_parts, location::liangjiang_other, ownership::state_owned, "carmaker_state_owned"},
    {sector::autos_parts, location::liangjiang_other, ownership::private_domestic, "carmaker_private"},
    {sector::autos_parts, location::liangjiang_other, ownership::foreign_invested, "carmaker_foreign"},
    {sector::motorcycles_machinery, location::liangjiang_other, ownership::private_domestic, "motorcycle_liangjiang"},
    {sector::motorcycles_machinery, location::elsewhere, ownership::private_domestic, "motorcycle_1"},
    {sector::motorcycles_machinery, location::elsewhere, ownership::private_domestic, "motorcycle_2"},
}};
constexpr std::size_t num_leaders = leaders.size();

inline double logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }

inline bool is_rail_mode(detail::mode m) { return m == detail::mode::rail || m == detail::mode::rail_sea; }
// Corridor modes that other provinces' cargo uses through the hub (rail, rail-sea, cross-border
// road: the three modes of the 2021 outside-the-city share).
inline bool carries_transit(detail::mode m) { return is_rail_mode(m) || m == detail::mode::road; }
// The Land-Sea corridor's routes, all modes (rail-sea, the China-Laos railway, the roads to
// Vietnam and Laos): the scope of the city's corridor TEU (data/README_sources.md).
inline bool in_land_sea_corridor(std::size_t r) {
    const route rr = route(r);
    return detail::route_table[r].how == detail::mode::rail_sea || rr == route::clt_rail ||
           rr == route::road_vietnam || rr == route::road_laos;
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

inline bool applies(const std::vector<sector>& v, sector x) {
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
    double one_off_orders = 0;        // one-off export orders filled (firm_decisions.cpp)
    double ordinary_import_base = 0;  // sum of capability x import growth of ordinary importers
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
        one_off_orders += o.one_off_orders;
        ordinary_import_base += o.ordinary_import_base;
    }
};

} // namespace tradeeco::models::model_impl
