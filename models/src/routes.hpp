#pragma once
// Route data for the 2024 starting state (internal to models/). Each number has its unit and
// source here; docs/parameters.md lists them next to the parameter table.

#include <tradeeco/models/taxonomy.hpp>

#include <array>
#include <string_view>

namespace tradeeco::models::detail {

enum class mode : std::uint8_t { rail, rail_sea, river_sea, road, air };

struct route_data {
    mode how;
    double leg_days;              ///< Chongqing to the route's gateway or destination, days
    double leg_rate_cny_per_teu;  ///< tariff of that leg, CNY per TEU
    double departures_per_week;   ///< 2024 timetable from Chongqing
    double teu_per_departure;     ///< capacity of one departure, TEU
    double delay_sd_days;         ///< spread of the transit time
    std::uint16_t regions;        ///< bit r set if the route serves region r
    std::string_view source;
};

/// Ocean (or onward) leg from the gateway port by region: days, CNY per TEU.
struct onward_leg {
    double days, rate_cny_per_teu;
};

constexpr std::uint16_t bit(region r) { return std::uint16_t(1u << unsigned(r)); }
constexpr std::uint16_t all_regions = (1u << num_regions) - 1;

// CNY/USD 7.2 (2024 average, rounded) converts the USD quotes.
inline constexpr std::array<route_data, num_routes> route_table{{
    // CR Express: ~12 days to Duisburg (data transit_days_cq_europe_rail 2020; 'just over ten
    // days' 2024); USD 6,000-8,500 per FEU => ~USD 3,600 per TEU (data rail_rate_usd_per_feu);
    // Chongqing ran 2,059 trains in 2024 (data cr_express_trains_cq_crct), split across the three
    // corridors by ASSUMPTION 55/15/30; 41 FEU = 82 TEU a train (data cr_express_trains_cq_cum).
    {mode::rail, 12, 26000, 2059.0 / 52 * 0.55, 82, 1.5, bit(region::eu), "data; split ASSUMPTION"},
    {mode::rail, 14, 26000, 2059.0 / 52 * 0.15, 82, 2.0, bit(region::eu), "ASSUMPTION days"},
    // Tashkent 12 days (anchors §3.4, 2025 report).
    {mode::rail, 12, 18000, 2059.0 / 52 * 0.30, 82, 2.0, bit(region::central_asia_russia),
     "anchors §3.4; rate ASSUMPTION"},
    // Rail-sea via Qinzhou: 2 days by rail (data transit_days_cq_qinzhou_rail), then by sea:
    // Singapore 6 days (data transit_days_qinzhou_singapore_sea); onward legs for other regions.
    // ~50 TEU per train. Departures (and their split over ports) are an ASSUMPTION: 63 a week
    // put the city's 2024 corridor volume (rail-sea, China-Laos rail, cross-border road) at
    // ~178k TEU, between its 2023 level ~168k (data lsc_cq_teu_jan_sep 2023 126k x 12/9) and
    // that level grown like the whole corridor's rail-sea TEU, +11.5% (data lsc_rail_sea_teu
    // 2023 861k, 2024 960k), ~187k.
    {mode::rail_sea, 2, 4000, 33, 50, 1.0,
     bit(region::asean) | bit(region::middle_east) | bit(region::africa) |
         bit(region::rest_of_world) | bit(region::latin_america),
     "data transit days; rate and departures ASSUMPTION"},
    {mode::rail_sea, 2, 4000, 12, 50, 1.0, bit(region::asean), "Jakarta 20 days (anchors §3.4)"},
    {mode::rail_sea, 2, 4000, 9, 50, 1.0, bit(region::asean), "ASSUMPTION"},
    {mode::rail_sea, 2, 4000, 7, 50, 1.0, bit(region::asean), "ASSUMPTION"},
    {mode::rail_sea, 2, 4000, 2, 50, 1.0, bit(region::asean), "new route (plan measure 7)"},
    // Yangtze barge to Shanghai >14 days over 2,400 km (data transit_days_cq_sea_via_yangtze),
    // CNY 2,700 per TEU (data yangtze_cq_shanghai_rate);
    // Chongqing to Singapore ~23 days by this route (anchors §3.4).
    {mode::river_sea, 14, 2700, 60, 200, 2.0, all_regions,
     "data rate; anchors days"},
    // China-Laos(-Thailand) rail: ~5 days to Vientiane (data transit_days_cq_vientiane_rail);
    // to Thailand ~7 days in 2024 (ASSUMPTION; plan: under 5 days by 2027).
    {mode::rail, 7, 14000, 3, 50, 1.0, bit(region::asean), "data; Thailand leg ASSUMPTION"},
    {mode::road, 3, 12000, 20, 2, 0.5, bit(region::asean), "ASSUMPTION"},
    // Road to Laos ~10 days (data transit_days_cq_vientiane_rail note: road ~10).
    {mode::road, 10, 15000, 5, 2, 1.0, bit(region::asean), "data"},
    // Air: USD 5.5-9 per kg and 5-8 days door to door (anchors §3.3 forwarder table) => ~CNY
    // 50/kg, 5 days. Rate per TEU-equivalent of 10 t (see kg_per_teu).
    {mode::air, 5, 500000, 60, 3, 0.5, all_regions, "anchors §3.3"},
}};

/// Onward leg from the sea gateway (Qinzhou or Shanghai) by region. Sea to the EU 28-36 days
/// and USD 2,200-3,800 per FEU (anchors §3.3); Qinzhou-Singapore 6 days (data); others ASSUMPTION.
inline constexpr std::array<onward_leg, num_regions> sea_leg{{
    {32, 11000}, // eu
    {6, 3000},   // asean
    {40, 14000}, // central_asia_russia (by sea via St Petersburg or Vladivostok; ASSUMPTION)
    {20, 12000}, // us
    {4, 2500},   // japan_korea
    {32, 15000}, // latin_america
    {26, 12000}, // africa
    {18, 8000},  // middle_east
    {20, 9000},  // rest_of_world
}};

/// Sea days from Qinzhou to the port a rail-sea route names, used for its ASEAN cargo in place of
/// sea_leg (0: not port-specific). Singapore 6 (data transit_days_qinzhou_singapore_sea);
/// Jakarta 18 (anchors §3.4: 20 days Chongqing-Jakarta by the corridor, less 2 by rail);
/// Haiphong 4, Ho Chi Minh City 6, Laem Chabang 7 (ASSUMPTIONS by sailing distance).
inline constexpr std::array<double, num_routes> asean_port_days{0, 0, 0, 6, 18, 4, 6, 7, 0, 0, 0, 0, 0};

/// Chongqing's own 2024 cargo on routes whose capacity is flexible, which route constants are
/// calibrated to (TEU a month; air in TEU-equivalents of 10 t). Air: 35% of Jiangbei airport's
/// 387,900 t (data ckg_airport_cargo_t 2023, low confidence; the international share is an
/// ASSUMPTION). Road: ~30,000 TEU a year across the border (ASSUMPTION: a fifth of the ~150k TEU
/// corridor volume, data lsc_cq_teu 2021-22), split 4:1 Vietnam:Laos, of which 57.1% is the
/// city's own (data lsc_cq_outside_city_share_pct 2021: 42.9% from outside).
inline constexpr double air_own_teu_month = 0.35 * 387900.0 / 10.0 / 12.0;
inline constexpr double road_vietnam_own_teu_month = 0.571 * 24000.0 / 12.0;
inline constexpr double road_laos_own_teu_month = 0.571 * 6000.0 / 12.0;

/// Value density by sector, CNY per kg, and the cargo a TEU carries. ASSUMPTION apart from
/// laptops: 1,486.2e8 CNY / 51.944 m units = CNY 2,861 a unit at ~3 kg packed (data 2019).
inline constexpr std::array<double, num_sectors> value_cny_per_kg{
    950, 2000, 60, 40, 10, 500, 10, 30};
inline constexpr double kg_per_teu = 10000;

/// Value of a transit day by sector, share of value per day: Hummels & Schaur 0.6-2.1%, parts
/// and components most time-sensitive (anchors §3.1).
inline constexpr std::array<double, num_sectors> value_of_time_by_sector{
    0.015, 0.021, 0.008, 0.008, 0.006, 0.015, 0.012, 0.008};

} // namespace tradeeco::models::detail
