#pragma once
/// The categories the trade model is built on: sectors, partner regions, locations in Chongqing,
/// ownership, and the transport routes. Each has a stable snake_case name used in scenario files,
/// result files and docs.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tradeeco::models {

enum class sector : std::uint8_t {
    laptops_electronics,      ///< laptops, phones, other finished electronics
    electronic_components,    ///< ICs, displays, parts
    autos_parts,              ///< complete vehicles, KD kits, parts
    motorcycles_machinery,    ///< motorcycles and general machinery
    chemicals_materials,      ///< chemicals and new materials
    biomedicine,
    agri_food,
    consumer_goods_hardware,
};
inline constexpr std::size_t num_sectors = 8;
inline constexpr std::array<std::string_view, num_sectors> sector_names{
    "laptops_electronics", "electronic_components", "autos_parts", "motorcycles_machinery",
    "chemicals_materials", "biomedicine", "agri_food", "consumer_goods_hardware"};

enum class region : std::uint8_t {
    eu, asean, central_asia_russia, us, japan_korea, latin_america, africa, middle_east,
    rest_of_world,
};
inline constexpr std::size_t num_regions = 9;
inline constexpr std::array<std::string_view, num_regions> region_names{
    "eu", "asean", "central_asia_russia", "us", "japan_korea", "latin_america", "africa",
    "middle_east", "rest_of_world"};

/// Where a firm is. Zones overlap in reality (Lianglu-Cuntan lies in Liangjiang and the FTZ,
/// Xiyong in the high-tech zone); location_flags() resolves the memberships.
enum class location : std::uint8_t {
    lianglu_cuntan_bonded, xiyong_bonded, jiangjin_bonded, fuling_bonded, wanzhou_bonded,
    yongchuan_bonded, rail_port_bonded, liangjiang_other, hightech_other, elsewhere,
};
inline constexpr std::size_t num_locations = 10;
inline constexpr std::array<std::string_view, num_locations> location_names{
    "lianglu_cuntan_bonded", "xiyong_bonded", "jiangjin_bonded", "fuling_bonded",
    "wanzhou_bonded", "yongchuan_bonded", "rail_port_bonded", "liangjiang_other",
    "hightech_other", "elsewhere"};

struct location_membership {
    bool bonded_zone, free_trade_zone, liangjiang, hightech_zone;
};
location_membership location_flags(location l) noexcept;

enum class ownership : std::uint8_t { foreign_invested, private_domestic, state_owned };
inline constexpr std::size_t num_ownerships = 3;
inline constexpr std::array<std::string_view, num_ownerships> ownership_names{
    "foreign_invested", "private_domestic", "state_owned"};

/// Scheduled services leaving (or serving) the Chongqing hub.
enum class route : std::uint8_t {
    cr_express_duisburg, cr_express_budapest, cr_express_central_asia,
    lsc_rail_sea_singapore, lsc_rail_sea_jakarta, lsc_rail_sea_haiphong, lsc_rail_sea_hcmc,
    lsc_rail_sea_laem_chabang, yangtze_river_sea, clt_rail, road_vietnam, road_laos, air,
};
inline constexpr std::size_t num_routes = 13;
inline constexpr std::array<std::string_view, num_routes> route_names{
    "cr_express_duisburg", "cr_express_budapest", "cr_express_central_asia",
    "lsc_rail_sea_singapore", "lsc_rail_sea_jakarta", "lsc_rail_sea_haiphong", "lsc_rail_sea_hcmc",
    "lsc_rail_sea_laem_chabang", "yangtze_river_sea", "clt_rail", "road_vietnam", "road_laos",
    "air"};

/// Looks a name up in one of the tables above.
template <std::size_t N>
std::optional<std::size_t> index_of(const std::array<std::string_view, N>& names,
                                    std::string_view name) noexcept {
    for (std::size_t i = 0; i < N; ++i)
        if (names[i] == name) return i;
    return std::nullopt;
}

} // namespace tradeeco::models
