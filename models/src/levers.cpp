#include <tradeeco/models/levers.hpp>

#include <array>

namespace tradeeco::models {

namespace {
constexpr int m_entry[] = {1, 3, 11, 14, 16};
constexpr int m_platforms[] = {14, 21, 22, 23};
constexpr int m_customs[] = {20};
constexpr int m_clearance[] = {13, 20, 23};
constexpr int m_chain[] = {1, 2};
constexpr int m_kd[] = {2, 10};
constexpr int m_corridors[] = {7, 8, 9};
constexpr int m_multimodal[] = {6, 7};
constexpr int m_one_bill[] = {6};
constexpr int m_forwarders[] = {15};
constexpr int m_finance[] = {5, 18, 20, 26};
constexpr int m_rail_doc[] = {18};
constexpr int m_rmb[] = {11, 18};
constexpr int m_hedge[] = {18};
constexpr int m_cbec[] = {13, 17, 24};
constexpr int m_intel[] = {3, 16, 19, 21};
constexpr int m_hub[] = {7, 10};
constexpr int m_contracts[] = {2, 7};

constexpr std::uint8_t S = target_sectors, R = target_regions, L = target_locations,
                       T = target_routes, E = target_sme_only;

constexpr std::array<lever_info, num_levers> levers{{
    {"entry_cost_subsidy", "share of sunk entry cost", 0, 1, S | R | L | E, m_entry,
     "Programmes (break-the-zero drive, trade fairs, roadshows, export-potential lists) pay part "
     "of a firm's sunk cost of entering a destination."},
    {"platform_outreach", "share of non-members enrolled per year", 0, 1, S | L | E, m_platforms,
     "Comprehensive foreign-trade service platforms enrol trading firms; members face lower "
     "per-period fixed costs and clearance times."},
    {"aeo_cultivation", "added yearly application probability", 0, 1, S | L, m_customs,
     "Customs coaching raises the yearly probability that an eligible firm applies for AEO."},
    {"clearance_time_cut", "share of clearance days cut", 0, 0.9, L, m_clearance,
     "Smart customs, single window and corridor clearance measures shorten clearance."},
    {"chain_leader_pairing", "new supplier links per leader per year", 0, 50, S, m_chain,
     "Chain leaders pair with local suppliers ('big hand leads small hand')."},
    {"kd_kit_hub", "share of export vehicles shipped as KD kits", 0, 0.8, S, m_kd,
     "KD kit hubs in bonded zones let carmakers ship part of their exports as kits."},
    {"freight_subsidy", "share of tariff paid by the city", 0, 0.8, T, m_corridors,
     "Freight subsidies lower the tariff shippers pay on a route."},
    {"service_frequency", "extra departures per week", 0, 50, T, m_corridors,
     "More timetabled departures on a route (more CR Express, daily rail-sea trains, air cargo)."},
    {"transit_time_cut", "share of transit days cut", 0, 0.8, T, m_multimodal,
     "Faster scheduled services (e.g. China-Laos-Thailand end to end under 5 days)."},
    {"one_bill_adoption", "share of forwarders adopting per year", 0, 1, target_none, m_one_bill,
     "Forwarders adopt digital multimodal one-bill documents."},
    {"forwarder_attraction", "extra forwarders entering per year", 0, 500, target_none,
     m_forwarders, "Bringing in and growing international freight forwarders."},
    {"export_credit_insurance", "share of working-capital constraint relieved", 0, 1, S | R | E,
     m_finance, "Export credit insurance and risk pools relieve exporters' finance constraints."},
    {"rail_doc_financing", "share of rail shipment value eligible", 0, 1, T, m_rail_doc,
     "Rail bills of lading used as collateral for trade finance."},
    {"rmb_settlement_promotion", "added probability of RMB settlement", 0, 1, S | R, m_rmb,
     "Promotion of cross-border RMB settlement (netting, digital RMB, bank outreach)."},
    {"hedging_incentive", "added FX hedge ratio", 0, 1, S | E, m_hedge,
     "Incentives for exporters to hedge FX exposure."},
    {"cbec_support", "share of e-commerce channel fixed cost cut", 0, 1, S | L, m_cbec,
     "Cross-border e-commerce parks, overseas warehouses, 1210 bonded export, live-stream sales."},
    {"market_intelligence", "share of demand uncertainty removed", 0, 1, S | R, m_intel,
     "Country market guides, risk alerts and legal services reduce uncertainty before entry."},
    {"transit_cargo_attraction", "CNY per TEU cut in hub cost", 0, 3000, T, m_hub,
     "Hub-port park services and consolidation make routing through Chongqing cheaper for "
     "shippers in other western provinces."},
    {"capacity_contracts", "added share of holders' rail cargo contracted", 0, 0.5, S | T, m_contracts,
     "'Volume-capacity mutual guarantee' contracts: chain leaders and large forwarders book more of "
     "their rail cargo as yearly contracted slots (priority boarding, a tariff discount, "
     "take-or-pay for unused slots); renewed each January."},
}};

constexpr std::array<shock_info, num_shock_kinds> shocks{{
    {"demand_shock", "fractional change of foreign demand", -0.9, 1.0, S | R,
     "A change in foreign demand (global slowdown, boom) for targeted regions and sectors."},
    {"tariff", "ad valorem tariff rate", 0, 3.0, S | R,
     "An import tariff imposed by destinations (e.g. EU duties on Chinese electric vehicles)."},
    // Regions narrow a route shock to the legs serving them (a Suez diversion lengthens the
    // sea leg to Europe, not the Yangtze route to every destination).
    {"route_disruption", "extra transit days", 0, 60, T | R,
     "Extra transit days on routes, or on their legs to some regions (Red Sea / Suez diversion "
     "round the Cape, floods)."},
    {"freight_rate_shock", "fractional change of freight rates", -0.9, 5.0, T | R,
     "A change in routes' freight rates, or in their rates to some regions (e.g. container "
     "rates spike)."},
    {"border_congestion", "extra days at the border", 0, 30, T,
     "Extra waiting days at a land border crossing (China-Europe rail gauge change points)."},
    {"exchange_rate", "fractional RMB appreciation", -0.5, 0.5, target_none,
     "RMB appreciation against all partner currencies."},
    // The pool other provinces offer, before their route choice: the hub's pull (levers,
    // frequency) still decides how much of it comes through Chongqing.
    {"transit_cargo", "fractional change of other provinces' cargo", -0.9, 3.0, T,
     "A change in the cargo other western provinces offer to the hub's routes (their own growth "
     "above or below data/drivers.csv's corridor path, a new competing hub)."},
}};
} // namespace

std::span<const lever_info> lever_catalogue() noexcept { return levers; }
const lever_info& info(lever l) noexcept { return levers[std::size_t(l)]; }
std::span<const shock_info> shock_catalogue() noexcept { return shocks; }
const shock_info& info(shock_kind s) noexcept { return shocks[std::size_t(s)]; }

} // namespace tradeeco::models
