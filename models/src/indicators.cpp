// Indicators: the declared outputs (monthly and yearly series, tables) and how each is computed
// from the phases' aggregates.
// Reads: the year's aggregates (`year`: month_totals summed by record_month), the corridor totals
//   (corridor_year), the firm and forwarder columns, policy levels for input-defined indicators.
// Writes: the replicate record (series by name, departure, snapshot and flow tables).

#include "model_state.hpp"

#include <tradeeco/models/units.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tradeeco::models {

using namespace model_impl;

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
// Records one period's indicators by name into the series declared from `table`: a name not in
// the table, or recorded twice, is an error; check_complete() names any left out. Nothing is
// matched by position.
template <std::size_t N>
class named_record {
public:
    named_record(sim::replicate_record& rec, const indicator (&table)[N], std::string_view suffix,
                 std::int32_t period):
        rec_(rec), table_(table), suffix_(suffix), period_(period) {}
    void operator()(std::string_view name, double value) {
        const std::size_t k = index_of(name);
        if (done_[k]) throw std::logic_error("indicator '" + std::string(name) + "' recorded twice in one period");
        done_[k] = true;
        rec_.record(rec_.series_index(std::string(name) + suffix_), period_, value);
    }
    void check_complete() const {
        for (std::size_t k = 0; k < N; ++k)
            if (!done_[k])
                throw std::logic_error("indicator '" + std::string(table_[k].name) +
                                       "' is declared but was not recorded (models/src/indicators.cpp)");
    }

private:
    std::size_t index_of(std::string_view name) const {
        for (std::size_t k = 0; k < N; ++k)
            if (name == table_[k].name) return k;
        throw std::logic_error("'" + std::string(name) + "' is not a declared indicator (models/src/indicators.cpp)");
    }
    sim::replicate_record& rec_;
    const indicator (&table_)[N];
    std::string suffix_;
    std::int32_t period_;
    std::array<bool, N> done_{};
};
} // namespace

void trade_model::state::declare_outputs() {
    for (const auto& ind: monthly_indicators)
        rec.declare_series(with_udunits(
            {std::string(ind.name) + "_monthly", ind.unit, ind.long_name, sim::frequency::monthly, {}}));
    for (const auto& ind: yearly_indicators)
        rec.declare_series(
            with_udunits({ind.name, ind.unit, ind.long_name, sim::frequency::yearly, indicator_attributes(ind.name)}));
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
              f64("indirect_exports_cny_100m", "100m CNY", "Exports in the year through trade companies"),
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
    for (double v: *firm.exports_month) exporters += v > 0;
    const auto m = d.month_index;
    named_record put(rec, monthly_indicators, "_monthly", m);
    put("total_trade_cny_100m", exp_sum + im);
    put("exports_cny_100m", exp_sum);
    put("imports_cny_100m", im);
    put("exporters", exporters);
    put("new_export_entries", month.new_entries);
    const double cr_trains = corridor_year.trains[0] + corridor_year.trains[1] + corridor_year.trains[2];
    put("cr_express_trains_cq_month", cr_trains - cr_trains_at_month_start);
    put.check_complete();
    cr_trains_at_month_start = cr_trains;
    year.add(month);
}

// The yearly indicators, from the year's aggregates.
void trade_model::state::record_year(const sim::day_info& d) {
    const sim::date today = d.today;
    const auto y = d.year_index;
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
    // exports per complete vehicle, data 2023, so parts and the 2024 share of kits are inside it:
    // the units are complete vehicles, as the 2024 level derived the same way counts them). KD
    // sets: a 2024 share of those units' value goes as kits (a kit ~0.6 of a vehicle's value,
    // ASSUMPTION), plus the lever's extra kits.
    const double unit_value = params.vehicle_unit_value;
    const double units_equiv = (autos - year.kd_exports) * 1e8 / unit_value;
    const double kd0 = params.kd_share_2024;
    const double kd_value = params.kd_kit_value_share;
    const double kd_sets = units_equiv * kd0 / kd_value + year.kd_exports * 1e8 / (kd_value * unit_value);
    const double vehicles = units_equiv;
    const double national = params.national_vehicle_exports_2024 *
                            drivers.vehicle_exports(int(today.year()), forecast_origin_year);
    std::int32_t trading = 0, exporting = 0, spec_exp = 0, aeo = 0, cbec_firms = 0, suppliers = 0;
    for (std::size_t i = 0; i < n_firms; ++i) {
        cbec_firms += (*firm.cbec)[i];
        suppliers += (*firm.supplier_of)[i] >= 0;
        trading += traded_this_year[i];
        exporting += exported_this_year[i];
        spec_exp += exported_this_year[i] && (*firm.specialised)[i];
        aeo += (*firm.aeo)[i] == 1;
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
    // (cal.rmb_nongoods_2024 is set at the end of the burn-in, before any policy.)
    const double rmb = year.rmb_goods + cal.rmb_nongoods_2024 * std::pow(1.0 + params.rmb_nongoods_growth, y);
    // Corridor volumes.
    const double cr_trains = corridor_year.trains[0] + corridor_year.trains[1] + corridor_year.trains[2];
    double lsc_teu = 0, lsc_transit = 0, lsc_booked = 0, hub = 0;
    for (std::size_t r = 0; r < num_routes; ++r) {
        const auto how = route_table[r].how;
        if (in_land_sea_corridor(r)) {
            lsc_teu += corridor_year.teu[r];
            lsc_transit += corridor_year.transit_teu[r];
            lsc_booked += corridor_year.booked_teu[r];
        }
        if (how == detail::mode::rail || how == detail::mode::rail_sea) hub += corridor_year.teu[r];
    }
    if (cal.hub_volume_2024 <= 0) cal.hub_volume_2024 = hub;
    const auto clt = std::size_t(route::clt_rail);
    const double clt_days = corridor_year.trains[clt] > 0 ? corridor_year.delay_days[clt] / corridor_year.trains[clt] : route_table[clt].leg_days;
    const double clt_cut = lever_strength(lever::freight_subsidy, today, [](const targeting& t) {
        return applies_to(t.routes, route::clt_rail);
    });
    // Rail document financing: a small share of rail-borne trade value is financed on rail
    // bills (ASSUMPTION 0.05% in 2024) plus the lever's eligible share at a 5% take-up.
    double rail_doc = 0;
    const double doc_value = params.rail_doc_value_cny_per_teu, doc_share = params.rail_doc_financing_share_2024;
    const double doc_take_up = params.rail_doc_financing_take_up;
    for (std::size_t r = 0; r < num_routes; ++r)
        if (route_table[r].how == detail::mode::rail || route_table[r].how == detail::mode::rail_sea) {
            const route rr = route(r);
            const double eligible = lever_strength(lever::rail_doc_financing, today, [&](const targeting& t) {
                return applies_to(t.routes, rr);
            });
            const double value = std::max(0.0, corridor_year.teu[r] - corridor_year.transit_teu[r]) * doc_value / 1e8;
            rail_doc += value * (doc_share + doc_take_up * eligible);
        }
    one_bill_cum += bills_this_year;
    std::int32_t a_level_forwarders = 0;
    for (auto a: *fwd.a_level) a_level_forwarders += a;
    // A-level logistics firms outside the model (warehousing, trucking) held at 50 (ASSUMPTION:
    // the city had ~110 in 2024, plan: 130 by 2027).
    const double a_level_firms = a_level_forwarders + params.a_level_other_logistics_firms * scale;
    const double forwarders_count = double(forwarders.size());
    // Logistics cost / GDP. The published ratio is economy-wide (national 14.1% in 2024, data
    // logistics_cost_gdp_national_pct). The model owns the trade part: its share s of social
    // logistics cost is the 2024 trade-logistics cost over 14.1% of GDP (data gdp_cq_cny_100m
    // 2024). That part moves with the logistics price index (generalized cost per CNY shipped at
    // 2024 trade weights: efficiency, not volume or composition); the rest follows
    // logistics_ratio_trend (ASSUMPTION).
    const double ratio_2024 = params.logistics_cost_gdp_2024; // percent
    if (cal.logistics_trade_part_2024 < 0)
        cal.logistics_trade_part_2024 = std::min(1.0, corridor_year.logistics_cost / (ratio_2024 / 100.0 * params.gdp_cq_2024 * scale));
    const double s_trade = cal.logistics_trade_part_2024;
    const double price_index = corridor_year.logistics_index_months > 0 ? corridor_year.logistics_index_sum / corridor_year.logistics_index_months : 1.0;
    const double logistics_gdp =
        (ratio_2024 + params.logistics_ratio_trend * y) * (1.0 - s_trade) + ratio_2024 * s_trade * price_index;

    const double spot_teu = std::accumulate(corridor_year.spot_teu.begin(), corridor_year.spot_teu.end(), 0.0);
    auto imports_from = [&](region r) {
        double v = 0;
        for (std::size_t s = 0; s < S; ++s) v += year.imports[s][std::size_t(r)];
        return v;
    };
    named_record put(rec, yearly_indicators, "", y);
    put("total_trade_cny_100m", total);
    put("exports_cny_100m", exp_sum);
    put("imports_cny_100m", im);
    put("total_trade_growth", trade_prev_year > 0 ? (total / trade_prev_year - 1.0) * 100.0 : std::nan(""));
    put("trade_asean_cny_100m", by_region[std::size_t(region::asean)]);
    put("asean_trade", by_region[std::size_t(region::asean)]);
    put("trade_eu_cny_100m", by_region[std::size_t(region::eu)]);
    put("trade_us_cny_100m", by_region[std::size_t(region::us)]);
    put("imports_asean_cny_100m", imports_from(region::asean));
    put("imports_eu_cny_100m", imports_from(region::eu));
    put("imports_us_cny_100m", imports_from(region::us));
    put("laptop_exports_cny_100m", laptops);
    put("auto_exports_cny_100m", autos);
    put("vehicle_exports_units_cq", vehicles);
    put("vehicle_export_national_share", vehicles / national * 100.0);
    put("kd_kit_exports", kd_sets);
    put("electronic_components_trade", comp);
    put("trading_firms", double(trading));
    put("exporting_firms", double(exporting));
    put("specialized_sme_exporters", double(spec_exp));
    put("aeo_firms", double(aeo));
    put("aeo_trade_share", total > 0 ? year.aeo_trade / total * 100.0 : 0.0);
    put("platform_coverage", trading > 0 ? 100.0 * platform_members_trading / trading : 0.0);
    put("cross_border_rmb", rmb);
    put("belt_road_share", total > 0 ? belt / total * 100.0 : 0.0);
    put("intermediate_goods_share", total > 0 ? year.intermediate / total * 100.0 : 0.0);
    put("ftz_trade_share", total > 0 ? ftz / total * 100.0 : 0.0);
    put("liangjiang_trade", lj);
    put("hightech_zone_trade", ht);
    put("bonded_zone_share", total > 0 ? bonded / total * 100.0 : 0.0);
    put("indirect_export_share", exp_sum > 0 ? year.indirect_exports / exp_sum * 100.0 : 0.0);
    put("cbec_growth",
        cbec_prev_year > 0 ? (year.cbec_exports / cbec_prev_year - 1.0) * 100.0 : std::nan(""));
    put("cr_express_trains_cq_crct", cr_trains);
    put("cr_express_trains", cr_trains * (params.cr_express_joint_trains_2024 / params.cr_express_cq_trains_2024));
    put("lsc_cq_teu", lsc_teu);
    put("lsc_transit_rate", lsc_booked > 0 ? lsc_transit / lsc_booked * 100.0 : 0.0);
    put("hub_corridor_volume_growth", (hub / cal.hub_volume_2024 - 1.0) * 100.0);
    put("clt_rail_days", clt_days);
    put("clt_rail_cost_cut", clt_cut * 100.0);
    put("freight_forwarders", forwarders_count);
    put("a_level_logistics_firms", a_level_firms);
    put("one_bill_digital_bills", one_bill_cum);
    put("rail_doc_financing", rail_doc);
    put("logistics_cost_gdp", logistics_gdp);
    put("trade_logistics_cost_cny_100m", corridor_year.logistics_cost);
    put("cbec_exports_cny_100m", year.cbec_exports);
    put("cbec_channel_firms", double(cbec_firms));
    put("supplier_links", double(suppliers));
    const double trials_ended = year.trial_promotions + year.trial_exits;
    put("trial_survival_pct", trials_ended > 0 ? 100.0 * year.trial_promotions / trials_ended : std::nan(""));
    put("teu_booked", std::accumulate(corridor_year.booked_teu.begin(), corridor_year.booked_teu.end(), 0.0));
    put("teu_carried", std::accumulate(corridor_year.teu.begin(), corridor_year.teu.end(), 0.0));
    put("teu_backlog", std::accumulate(backlog_teu.begin(), backlog_teu.end(), 0.0));
    const double lcl = corridor_year.lcl_teu;
    put("lcl_cargo_share", corridor_year.container_teu > 0 ? 100.0 * lcl / corridor_year.container_teu : 0.0);
    put("lcl_fill_rate", corridor_year.lcl_boxes > 0 ? 100.0 * lcl / corridor_year.lcl_boxes : std::nan(""));
    put("lcl_consolidation_days", lcl > 0 ? corridor_year.lcl_wait / lcl : std::nan(""));
    const auto& cy = corridor_year;
    const double contract_teu = std::accumulate(cy.contract_teu.begin(), cy.contract_teu.end(), 0.0);
    put("rail_contract_share", cy.rail_cargo_teu > 0 ? 100.0 * contract_teu / cy.rail_cargo_teu : 0.0);
    const double bumped = std::accumulate(cy.bumped_teu_days.begin(), cy.bumped_teu_days.end(), 0.0);
    put("spot_bumped_days", spot_teu > 0 ? bumped / spot_teu : 0.0);
    put("take_or_pay_cny_100m", corridor_year.take_or_pay);
    put.check_complete();

    trade_prev_year = total;
    cbec_prev_year = year.cbec_exports;
}

void trade_model::state::write_year_tables(const sim::day_info& d) {
    if (burning_in) return;
    const double year_value = double(clock.year_of(d.year_index));
    if (snapshots_table >= 0)
        for (std::size_t i = 0; i < n_firms; ++i) {
            const double row[] = {year_value, double(firms.ids()[i]), double((*firm.sector)[i]),
                                  double((*firm.location)[i]), double((*firm.ownership)[i]),
                                  double((*firm.sme)[i]), double((*firm.specialised)[i]),
                                  double((*firm.leader)[i]), double((*firm.aeo)[i]),
                                  double((*firm.platform)[i]), double((*firm.indirect)[i]),
                                  double((*firm.supplier_of)[i]), (*firm.capability)[i],
                                  (*firm.exports_year)[i], (*firm.imports_year)[i],
                                  (*firm.indirect_exports_year)[i],
                                  double((*firm.destinations_mask)[i]), double((*firm.entered_mask)[i]),
                                  double((*firm.exited_mask)[i])};
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


} // namespace tradeeco::models
