#include <tradeeco/models/parameters.hpp>

#include <stdexcept>
#include <string>

namespace tradeeco::models {

namespace {
// Sources: "data:<indicator>" rows are in data/chongqing_history.csv (copied from the shared
// data set, with their own sources); "anchors §x" is docs/evidence.md (economics anchors);
// "plan" is the draft plan (mission/plan_en.md). "ASSUMPTION" marks a value no source pins
// down; its range is the [min, max] a sensitivity study should sweep.
constexpr parameter_info table[] = {
    // --- 2024 calibration levels -------------------------------------------------------------
    {"total_trade_2024", 7154.2, "100m CNY", 6000, 8500, "Total goods trade 2024",
     "data:total_trade_cny_100m 2024"},
    {"export_share_2024", 0.643, "share of total trade", 0.55, 0.72,
     "Exports / total trade in 2024; 2024 split not published, 2022 ratio used",
     "DERIVED: data exports_cny_100m 2022 5245.3 / total 8158.4"},
    {"trading_firms_2024", 4762, "firms", 3756, 5000,
     "Firms with actual import/export in 2024; the plan's 2025 target 5,000 at +5%/yr",
     "DERIVED: plan target 5000 (2025) / 1.05; data:trading_firms 2021 = 3756"},
    {"potential_pool_ratio", 2.0, "potential firms per trading firm", 1.0, 5.0,
     "Non-trading firms able to start trading, per trading firm", "ASSUMPTION"},
    {"laptop_export_share", 0.387, "share of exports", 0.30, 0.45,
     "Laptops in exports (2024 level not published)",
     "DERIVED: data laptop_exports_cny_100m 2021 2001 / exports 2021 5168.33"},
    {"auto_exports_2024", 431.3, "100m CNY", 380, 480, "Automobile exports 2024",
     "data:auto_exports_cny_100m 2024"},
    {"vehicle_unit_value", 90130, "CNY per vehicle", 60000, 130000,
     "Average export value per complete vehicle",
     "DERIVED: data auto_exports 2023 331.7e8 / vehicle_exports_units_cq 2023 368000"},
    {"national_vehicle_exports_2024", 5.86e6, "vehicles", 5e6, 7e6,
     "China's complete-vehicle exports 2024", "data:vehicle_exports_units_national 2024"},
    {"share_components", 0.08, "share of exports", 0.05, 0.12,
     "Electronic components in exports", "DERIVED: data ic_exports 2020 236.3 / exports 4187.5"},
    {"share_motorcycles_machinery", 0.12, "share of exports", 0.06, 0.18,
     "Motorcycles and general machinery in exports", "ASSUMPTION (CQ third in motorcycle exports)"},
    {"share_chemicals", 0.05, "share of exports", 0.02, 0.08, "Chemicals and materials", "ASSUMPTION"},
    {"share_biomedicine", 0.015, "share of exports", 0.005, 0.03, "Biomedicine", "ASSUMPTION"},
    {"share_agri_food", 0.01, "share of exports", 0.005, 0.03, "Agri-food", "ASSUMPTION"},
    {"share_asean", 0.162, "share of trade", 0.14, 0.19, "ASEAN in trade",
     "DERIVED: data trade_asean_cny_100m 2021 1292.2 / total 8000.6"},
    {"share_eu", 0.155, "share of trade", 0.13, 0.18, "EU in trade",
     "DERIVED: data trade_eu_cny_100m 2021 1240.2 / total 8000.6"},
    {"share_us", 0.150, "share of trade", 0.12, 0.17, "US in trade",
     "DERIVED: data trade_us_cny_100m 2021 1199.2 / total 8000.6"},
    {"share_central_asia_russia", 0.05, "share of trade", 0.03, 0.10, "Central Asia and Russia",
     "ASSUMPTION"},
    {"share_japan_korea", 0.10, "share of trade", 0.06, 0.14, "Japan and Korea", "ASSUMPTION"},
    {"share_latin_america", 0.06, "share of trade", 0.03, 0.09, "Latin America", "ASSUMPTION"},
    {"share_africa", 0.04, "share of trade", 0.02, 0.06, "Africa", "ASSUMPTION"},
    {"share_middle_east", 0.05, "share of trade", 0.03, 0.08, "Middle East", "ASSUMPTION"},
    {"processing_import_ratio", 0.55, "imports per export CNY", 0.3, 0.8,
     "Imported inputs per CNY of processing exports",
     "ASSUMPTION consistent with data processing_trade_share_pct 2020 48.9% of trade"},
    {"bonded_zone_value_share", 0.668, "share of trade", 0.55, 0.75,
     "Special customs zones' share of trade", "data:special_zones_share_pct_jan_sep 2019"},
    // --- firm heterogeneity ------------------------------------------------------------------
    {"capability_sigma", 1.4, "log points", 0.8, 2.0,
     "Std. dev. of log capability (lognormal body)", "anchors §1.2 Head-Mayer-Thoenig lognormal"},
    {"capability_tail_exponent", 0.7, "Pareto exponent", 0.6, 1.1,
     "Pareto tail exponent of capability above the 90th percentile",
     "anchors §1.2 Peng & Xia: Chinese exporters 0.64-0.74"},
    {"capability_cap", 100, "multiple of the 90th percentile", 30, 10000,
     "Upper cap of the capability tail",
     "ASSUMPTION: keeps the largest non-leader firm below the smallest chain leader (Chongqing's "
     "superstars are the leaders; anchors §1.4 top firm ~14%)"},
    {"sme_share", 0.97, "share of firms", 0.8, 0.99, "Share of firms that are SMEs (the smaller firms by capability)",
     "ASSUMPTION (US: 98% of exporters are SMEs, anchors §1.1)"},
    {"specialised_sme_exporters_2024", 100, "firms", 80, 120,
     "Specialised-and-sophisticated SME exporters in 2024", "plan measure 3: '+100 to 200'"},
    // --- export entry, learning, exit -------------------------------------------------------
    {"trade_elasticity", 4.0, "1", 2.5, 5.1, "Elasticity of demand to trade costs",
     "anchors §2 Simonovska & Waugh 2014 (~4); Bajzik et al. Armington 2.5-5.1"},
    {"sunk_cost_months", 10.0, "months of expected profit", 2, 30,
     "Sunk entry cost in months of an entrant's expected variable profit",
     "calibrated at start to trading_firms_2024 (scale; see docs/calibration.md)"},
    {"fixed_cost_share", 0.5, "share of gross profit", 0.3, 0.7,
     "Per-period fixed cost relative to a typical exporter's gross profit",
     "anchors §1.2 EKK 2011: fixed costs absorb a little more than half of gross profits"},
    {"trial_months", 3, "months", 3, 12,
     "Length of the trial spell after which a new exporter decides to stay or exit",
     "anchors §1.5 Eaton et al.: most new exporters do not export the following year; ASSUMPTION "
     "within it, chosen with validation facts 11 and 13 in view (docs/validation.md)"},
    {"trial_scale", 0.25, "share of full sales", 0.1, 0.5,
     "New exporters' first-year sales relative to established ones",
     "anchors §1.5 Eaton et al. 2007: new exporters are tiny"},
    {"demand_draw_sigma", 1.4, "log points", 0.5, 2.0,
     "Std. dev. of a firm's destination-specific demand draw, revealed on entry",
     "anchors (b)3 demand uncertainty; first-year survival 40-50% (anchors §1.5): the baseline's "
     "trial survival is ~58%"},
    {"experience_boost", 0.6, "share of sunk cost saved", 0.3, 0.8,
     "Sunk cost saved by recent experience in the destination (decays over a year)",
     "anchors §1.5 Roberts & Tybout: +60 pp, gone after one year out"},
    {"neighbour_boost", 0.15, "share of sunk cost saved per linked destination", 0.05, 0.38,
     "Sunk cost saved per linked (bordering) prior destination",
     "anchors §1.3 Defever, Heid & Larch: +15-38% per linked prior destination"},
    {"peer_spillover", 0.2, "share of sunk cost saved at saturation", 0.0, 0.4,
     "Sunk cost saved by local peers exporting the same sector to the destination",
     "anchors (b)4 Koenig-Mayneris-Poncet; Fernandes & Tang (size an assumption)"},
    {"exit_hazard", 0.025, "per month", 0.002, 0.05, "Exogenous exit of an export relationship",
     "anchors §1.5 Besedes & Prusa: ~80% of relationships last <5 years"},
    {"entry_hazard", 0.01, "per month", 0.0005, 0.2,
     "Monthly probability that a firm considers a destination",
     "calibrated at start to trading_firms_2024"},
    {"entry_noise", 0.2, "share of the sunk cost", 0.05, 2.0,
     "Scale of the logistic noise in the entry rule (unobserved costs, optimism): more noise, "
     "more entrants that fail their trial",
     "ASSUMPTION (1.0 brings exporter turnover near the published ranges but was not adopted: "
     "see docs/validation.md)"},
    {"import_only_share", 0.18, "share of trading firms", 0.05, 0.3,
     "Trading firms that import but do not export", "ASSUMPTION"},
    // --- intermediaries and chain leaders -------------------------------------------------------
    {"indirect_threshold_quantile", 0.9, "capability quantile", 0.5, 0.99,
     "Firms below this capability quantile may export through trade-service firms (indirect_share)",
     "anchors §1.3 Ahn-Khandelwal-Wei: ~20% of China's exports via intermediaries"},
    {"indirect_share", 0.4, "share of less capable firms", 0.1, 0.8,
     "Firms below the indirect quantile that export through trade-service firms",
     "ASSUMPTION; target ~20% of exports via intermediaries (anchors §1.3 Ahn et al.)"},
    {"supplier_size_gain", 0.26, "log-point-equivalent size gain", 0.1, 0.4,
     "Capability gain of a firm that becomes a chain leader's supplier, over 4 years",
     "anchors (b)5 Alfaro-Urena et al. QJE 2022: +26% employment"},
    {"baseline_pairing", 2.0, "links per leader per year", 0, 10,
     "Supplier links chain leaders form without policy", "ASSUMPTION"},
    {"kd_share_2024", 0.10, "KD sets per exported vehicle", 0.02, 0.3,
     "KD kits relative to complete-vehicle exports in 2024", "ASSUMPTION (no series; data README)"},
    // --- customs ---------------------------------------------------------------------------
    {"aeo_firms_2024", 105, "firms", 100, 110, "AEO advanced-certified firms at the start of 2024",
     "DERIVED: data aeo_firms Nov 2023 = 100, +5/yr trend (79 earlier)"},
    {"inspection_rate_aeo", 0.0057, "share of shipments", 0.003, 0.01,
     "Inspection rate, AEO firms", "anchors §3.2 GAC 2019: 0.57%"},
    {"inspection_rate_general", 0.0244, "share of shipments", 0.015, 0.03,
     "Inspection rate, general-credit firms", "anchors §3.2 GAC 2019: 2.44%"},
    {"inspection_rate_discredited", 0.8476, "share of shipments", 0.5, 0.9,
     "Inspection rate, discredited firms", "anchors §3.2 GAC 2019: 84.76%"},
    {"inspection_delay_days", 2.0, "days", 0.5, 5, "Delay added by a physical inspection",
     "ASSUMPTION"},
    {"clearance_days", 1.0, "days", 0.2, 3, "Clearance time without inspection", "ASSUMPTION"},
    {"aeo_apply_rate", 0.01, "per year among eligible firms", 0, 0.1,
     "Yearly AEO application probability, eligible firms (top decile by trade)",
     "calibrated: ~+5 AEO firms a year 2023-24 (data aeo_firms)"},
    {"aeo_success", 0.7, "probability", 0.3, 1, "Applications that pass the audit", "ASSUMPTION"},
    // --- time and services ------------------------------------------------------------------
    {"value_of_time", 0.012, "share of value per day", 0.006, 0.021,
     "Ad valorem cost of a day in transit (mid-range)", "anchors §3.1 Hummels & Schaur: 0.6-2.1%"},
    {"platform_coverage_2024", 0.20, "share of trading firms", 0.1, 0.3,
     "Platform coverage in 2024 (plan: 30% by 2025)", "ASSUMPTION"},
    {"platform_cost_cut", 0.15, "share of sunk and fixed cost", 0, 0.3,
     "Cost saved by platform membership", "ASSUMPTION (export promotion, anchors §4)"},
    {"platform_enrol_rate", 0.05, "per year", 0, 0.2, "Baseline enrolment of non-members",
     "ASSUMPTION"},
    {"rmb_goods_share", 0.25, "share of goods trade", 0.15, 0.4,
     "Goods trade settled in RMB", "ASSUMPTION (national order of magnitude)"},
    {"cross_border_rmb_2024", 3935, "100m CNY", 3500, 4300,
     "Cross-border RMB settlement 2024 (goods, services and capital)",
     "data:cross_border_rmb_cny_100m 2024"},
    {"rmb_nongoods_growth", 0.05, "per year", 0, 0.2,
     "Growth of the non-goods part of cross-border RMB settlement", "ASSUMPTION"},
    {"logistics_ratio_trend", -0.2, "percentage points a year", -0.4, 0.0,
     "Trend of the non-trade part of the logistics cost / GDP ratio",
     "ASSUMPTION between flat and the national 2022-24 trend (-0.3 pp/yr: data "
     "logistics_cost_gdp_national_pct 14.7, 14.4, 14.1)"},
    {"fx_pass_through", 0.88, "share", 0.83, 0.93, "Exchange-rate pass-through to foreign prices",
     "anchors §1.3 Wang & Yu: 83-93%"},
    {"fx_export_elasticity", 1.5, "", 0.5, 4.0,
     "Elasticity of export volume to the foreign-currency price change from an appreciation",
     "ASSUMPTION (anchors §1.3 Li et al.: appreciation cuts volume; the trade elasticity 4 is an upper bound)"},
    {"hedge_ratio_2024", 0.25, "share", 0.1, 0.4, "FX hedge ratio of exporters",
     "anchors §4 SAFE: 21.7% (2021), 25.4% (2022)"},
    // --- shipments, consolidation and capacity contracts ---------------------------------------
    {"lcl_shipment_teu", 0.39, "TEU", 0.25, 0.6,
     "Shipments smaller than this go less-than-container-load (LCL) through a forwarder",
     "forwarders' rule of thumb: LCL for 2-13 m3, FCL above (13 of a TEU's ~33 m3)"},
    {"shipments_per_month", 4.33, "shipments per firm, destination and month", 1, 8,
     "How often a firm ships to a destination (sets the size of a shipment)",
     "ASSUMPTION (weekly)"},
    {"consolidation_max_days", 7, "days", 3, 14,
     "A forwarder closes an LCL box when it is full or when its first cargo has waited this long "
     "(hybrid quantity/time consolidation policy)",
     "policy form: Cetinkaya & Bookbinder 2003; 7 days ASSUMPTION (weekly LCL services)"},
    {"cfs_fee_cny_per_teu", 3000, "CNY per TEU of cargo", 1500, 6000,
     "Container-freight-station stuffing and unstuffing of LCL cargo", "ASSUMPTION (~USD 12 per m3)"},
    {"contract_cover_2024", 0.5, "share of a holder's rail cargo", 0.2, 0.8,
     "Share of chain leaders' and large forwarders' rail cargo under yearly capacity contracts",
     "ASSUMPTION (block trains for leaders since 2011; plan measure 2 asks for more)"},
    {"contract_discount", 0.08, "share of the tariff", 0.03, 0.15,
     "Tariff discount on contracted slots (volume-price bundling)",
     "ASSUMPTION near anchors §3.4: a bundled ro-ro rail-sea service cut cost by more than 8%"},
    // --- policy costs -------------------------------------------------------------------------
    {"fiscal_cost_scale", 1.0, "multiple of the scenario's stated costs", 0.5, 2.0,
     "Scales every policy's fiscal_cost_cny_per_year: what a programme really costs against the "
     "budget the scenario states",
     "ASSUMPTION: the plan states no budgets, so each policy's yearly cost is a units x "
     "cost-per-unit estimate (scenario files); half to twice covers under-spent pilot budgets and "
     "typical public-programme overruns"},
    // --- driver uncertainty (data/drivers.csv; docs/model.md "Drivers") ----------------------
    {"driver_error_sd_h1", 1.58, "percentage points of growth", 1.24, 2.30,
     "SD of a region's GDP-growth forecast error one year after the Oct 2024 WEO (2025)",
     "DERIVED: mean of the WEO Oct-vintage error SDs at horizon 1, 2000-24 excl. 2020-21 (China 1.75, "
     "US 1.24, euro area 1.42, Japan 1.75, ASEAN-5 1.74; shared data weo_forecast_error_sd); range: "
     "smallest of them to the mean incl. 2020-21 (2.30). Outturns of the compilation are the Apr 2026 "
     "WEO's, so target years 2023-24 use values published after 2024 (1-2 of ~23 per horizon)"},
    {"driver_error_sd_h2", 1.88, "percentage points of growth", 1.50, 2.72,
     "SD of a region's GDP-growth forecast error at horizon 2 (2026)",
     "DERIVED as driver_error_sd_h1 at horizon 2 (China 2.15, US 1.50, euro area 1.78, Japan 2.03, "
     "ASEAN-5 1.94; incl. 2020-21: 2.72)"},
    {"driver_error_sd_h3", 1.90, "percentage points of growth", 1.58, 2.69,
     "SD of a region's GDP-growth forecast error at horizon 3 (2027 and later)",
     "DERIVED as driver_error_sd_h1 at horizon 3 (China 2.33, US 1.58, euro area 1.88, Japan 2.00, "
     "ASEAN-5 1.72; incl. 2020-21: 2.69)"},
    {"driver_error_world_corr", 0.5, "correlation", 0.2, 0.8,
     "Correlation of two series' forecast errors in a year (a common world factor with this weight "
     "in variance, plus an own term)",
     "ASSUMPTION: WEO errors move together in world downturns (2009, 2020) and apart in regional ones; "
     "no cross-country error correlation is in the data store"},
    {"pc_shipments_error_sd", 6.0, "percentage points of growth", 3.0, 10.0,
     "SD of the error of a year's world PC-shipment growth forecast (IDC)",
     "ASSUMPTION: IDC's Jun 2023 forecast for 2023 was 3.5% below the outturn (shared data "
     "pc_shipments_idc); yearly growth swung from -14% to +15% in 2020-23"},
    {"vehicle_exports_error_sd", 10.0, "percentage points of growth", 5.0, 20.0,
     "SD of a year's error in China's vehicle-export growth path",
     "ASSUMPTION: no published forecast to score; realized growth ran -3% to +103% in 2020-24 "
     "(shared data china_vehicle_exports_caam)"},
    {"driver_uncertainty", 1.0, "multiple of the driver error SDs", 0.0, 2.0,
     "Scales every driver forecast error; 0 runs every replicate on the central driver path",
     "1 = the historical error SDs above; 0 and 2 bound a sensitivity study"},
};
} // namespace

std::span<const parameter_info> parameter_table() noexcept { return table; }

const parameter_info* find_parameter(std::string_view key) noexcept {
    for (const auto& p: table)
        if (p.key == key) return &p;
    return nullptr;
}

parameter_set::parameter_set(const std::map<std::string, double>& overrides) {
    for (const auto& p: table) values_.emplace(std::string(p.key), p.value);
    for (const auto& [key, value]: overrides) {
        auto it = values_.find(key);
        if (it == values_.end()) throw std::out_of_range("unknown parameter " + key);
        it->second = value;
    }
}

double parameter_set::operator[](std::string_view key) const {
    auto it = values_.find(key);
    if (it == values_.end()) throw std::out_of_range("unknown parameter " + std::string(key));
    return it->second;
}

} // namespace tradeeco::models
