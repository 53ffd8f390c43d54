// Transcribed from mission/targets.csv (python/tradeeco/data/targets.csv ships the same rows).
#include <tradeeco/models/targets.hpp>

#include <limits>

namespace tradeeco::models {

namespace {
constexpr double none = std::numeric_limits<double>::quiet_NaN();
const target_info table[] = {
    {"logistics_cost_gdp", "general", "Total social logistics cost as share of GDP", "percent", 13.4, 13.3, "at_most", "economy-wide ratio; the model owns the trade-logistics part and must document how the ratio is formed"},
    {"lsc_transit_rate", "general", "Western Land-Sea New Corridor cargo transit (transshipment) rate through the Chongqing hub", "percent", 53, 55, "at_least", "share of corridor cargo at the hub that originates outside Chongqing"},
    {"platform_coverage", "general", "Share of trading firms served by a foreign-trade comprehensive service platform", "percent", 30, 50, "at_least", ""},
    {"trading_firms", "general", "Firms with actual import/export in the year", "firms", 5000, 5500, "at_least", "+5% a year"},
    {"aeo_firms", "general", "Customs AEO advanced-certified enterprises", "firms", 110, 120, "at_least", ""},
    {"cross_border_rmb", "general", "Cross-border RMB settlement", "100m CNY", 4200, 4600, "at_least", "+5% a year"},
    {"cbec_growth", "general", "Cross-border e-commerce transaction value growth", "percent a year", 10, 10, "at_least", ""},
    {"total_trade_growth", "general", "Total import+export value growth", "percent a year", 0, 0, "greater_than", "positive growth; structure optimised"},
    {"electronic_components_trade", "2", "Electronic components import+export", "100m CNY a year", 1600, 1600, "at_least", "kept at or above"},
    {"vehicle_export_national_share", "2", "Chongqing share of national complete-vehicle exports", "percent", none, 10, "at_least", "by 2027"},
    {"kd_kit_exports", "2", "Automobile knock-down kit exports", "sets a year", none, 400000, "at_least", "by 2027"},
    {"specialized_sme_exporters", "3", "Specialised and sophisticated (zhuanjingtexin) SME exporters", "firms", none, 200, "at_least", "+100 from about 100"},
    {"market_procurement_growth", "3", "Market-procurement trade pilot exports growth", "percent a year", 10, 10, "at_least", ""},
    {"digital_trade", "4", "Digital trade value", "100m CNY", none, 710, "at_least", "+10% a year"},
    {"services_trade", "4", "Services trade value", "100m CNY", none, 640, "at_least", "+6% a year"},
    {"digital_product_export_growth", "4", "Games and animation exports growth", "percent a year", 5, 5, "at_least", ""},
    {"tcm_services_export_growth", "4", "Traditional Chinese medicine services exports growth", "percent a year", 5, 5, "at_least", ""},
    {"one_bill_digital_bills", "6", "Multimodal one-bill digital bills of lading issued (cumulative)", "bills", none, 20000, "greater_than", ""},
    {"digital_corridor_coverage", "6", "Digital corridor service coverage of Land-Sea Corridor provinces", "percent", none, 66, "at_least", ""},
    {"clt_rail_days", "7", "China-Laos-Thailand rail end-to-end transit time", "days", none, 5, "less_than", "weekly scheduled train; logistics cost down 30%"},
    {"clt_rail_cost_cut", "7", "China-Laos-Thailand rail logistics cost reduction", "percent", none, 30, "at_least", ""},
    {"hub_corridor_volume_growth", "7", "Chongqing hub corridor intermodal volume vs 2024", "percent", none, 25, "at_least", "by 2027"},
    {"cr_express_trains", "8", "China-Europe Railway Express (Chengdu-Chongqing) trains a year", "trains a year", none, 5500, "at_least", ""},
    {"intl_air_routes", "9", "International and regional routes in operation at Jiangbei airport", "routes", none, 55, "at_least", "+14"},
    {"hub_park_scale", "10", "Hub-port industrial park industry scale", "100m CNY", none, 7000, "at_least", ""},
    {"sg_cross_border_financing", "11", "China-Singapore cross-border financing", "100m USD a year", 10, 10, "at_least", ""},
    {"asean_trade", "11", "Chongqing-ASEAN import+export", "100m CNY", none, 1300, "at_least", "+3% a year"},
    {"ftz_innovations", "12", "New key institutional innovations in the free-trade zone", "count", none, 40, "at_least", "qualitative: out of a firm model's reach"},
    {"ftz_trade_share", "12", "Free-trade-zone share of the city's import+export", "percent", none, 65, "at_least", ""},
    {"liangjiang_trade", "13", "Liangjiang New Area import+export", "100m CNY", none, 3000, "at_least", ""},
    {"hightech_zone_trade", "13", "Western Science City high-tech zone import+export", "100m CNY", none, 3200, "at_least", ""},
    {"bonded_zone_share", "14", "Comprehensive bonded zones' share of the city's import+export", "percent", none, 65, "at_least", "kept at or above"},
    {"freight_forwarders", "15", "Registered international freight forwarders", "firms", none, 800, "at_least", "+100"},
    {"a_level_logistics_firms", "15", "A-level logistics enterprises", "firms", none, 130, "at_least", "+20"},
    {"belt_road_share", "16", "Share of trade with Belt and Road partner countries", "percent", none, 50, "at_least", ""},
    {"intermediate_goods_share", "16", "Share of intermediate goods in trade", "percent", none, 50, "at_least", ""},
    {"rail_doc_financing", "18", "Rail transport document financing and settlement", "100m CNY", none, 7, "at_least", "+35% a year"},
    {"cbec_entities", "24", "Cross-border e-commerce market entities", "entities", none, 8000, "at_least", ""},
};
} // namespace

std::span<const target_info> target_table() noexcept { return table; }

const target_info* find_target(std::string_view id) noexcept {
    for (const auto& t: table)
        if (t.id == id) return &t;
    return nullptr;
}

} // namespace tradeeco::models
