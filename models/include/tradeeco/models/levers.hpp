#pragma once
/// Policy levers and shocks: the ways a scenario can act on the model. Each lever says which of
/// the plan's 27 measures it can represent, what its strength means (unit and allowed range) and
/// which targeting it accepts. Scenario files name levers by `name`; docs/measures.md maps the
/// measures onto them.

#include <cstdint>
#include <span>
#include <string_view>

namespace tradeeco::models {

enum class lever : std::uint8_t {
    entry_cost_subsidy,       ///< share of the sunk export-entry cost paid by programmes
    platform_outreach,        ///< share of non-member trading firms enrolled per year
    aeo_cultivation,          ///< extra yearly probability that an eligible firm applies for AEO
    clearance_time_cut,       ///< share of customs clearance days cut
    chain_leader_pairing,     ///< new local supplier links per chain leader per year
    kd_kit_hub,               ///< share of carmakers' export vehicles shipped as KD kits
    freight_subsidy,          ///< share of a route's tariff paid by the city
    service_frequency,        ///< extra scheduled departures per week on a route
    transit_time_cut,         ///< share of a route's transit days cut
    one_bill_adoption,        ///< share of forwarders adopting digital one-bill documents per year
    forwarder_attraction,     ///< extra forwarders entering per year
    export_credit_insurance,  ///< share of exporters' working-capital constraint relieved
    rail_doc_financing,       ///< share of rail shipments' value eligible for document financing
    rmb_settlement_promotion, ///< added probability of choosing RMB settlement
    hedging_incentive,        ///< added FX hedge ratio
    cbec_support,             ///< share of the cross-border e-commerce channel's fixed cost cut
    market_intelligence,      ///< share of demand uncertainty removed before trial entry
    transit_cargo_attraction, ///< CNY per TEU cut in the hub cost seen by transit shippers
    capacity_contracts,       ///< added share of holders' rail cargo under capacity contracts
};
inline constexpr std::size_t num_levers = 19;

enum class shock_kind : std::uint8_t {
    demand_shock,       ///< fractional change of foreign demand (targets regions and sectors)
    tariff,             ///< ad valorem tariff added by destinations (regions, sectors)
    route_disruption,   ///< extra transit days on routes, optionally only to some regions
    freight_rate_shock, ///< fractional change of routes' freight rates (routes, regions)
    border_congestion,  ///< extra days at a land border (routes)
    exchange_rate,      ///< fractional RMB appreciation against all currencies
    transit_cargo,      ///< fractional change of other provinces' cargo offered to the hub (routes)
};
inline constexpr std::size_t num_shock_kinds = 7;

/// Which targeting keys an instrument or shock accepts.
enum targeting_keys : std::uint8_t {
    target_none = 0,
    target_sectors = 1,
    target_regions = 2,
    target_locations = 4,
    target_routes = 8,
    target_sme_only = 16,
};

struct lever_info {
    std::string_view name;
    std::string_view unit;
    double min, max;              ///< allowed strength
    std::uint8_t targeting;       ///< targeting_keys accepted
    std::span<const int> measures; ///< plan measures this lever can represent
    std::string_view description;
};

std::span<const lever_info> lever_catalogue() noexcept;
const lever_info& info(lever l) noexcept;

struct shock_info {
    std::string_view name;
    std::string_view unit;
    double min, max;
    std::uint8_t targeting;
    std::string_view description;
};
std::span<const shock_info> shock_catalogue() noexcept;
const shock_info& info(shock_kind s) noexcept;

} // namespace tradeeco::models
