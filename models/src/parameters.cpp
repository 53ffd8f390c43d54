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
     "data:total_trade_cny_100m 2024",
     prior_kind::normal, true, "burn_in, population"},
    {"export_share_2024", 0.643, "share of total trade", 0.55, 0.72,
     "Exports / total trade in 2024; 2024 split not published, 2022 ratio used",
     "DERIVED: data exports_cny_100m 2022 5245.3 / total 8158.4",
     prior_kind::triangular, true, "burn_in, population"},
    {"trading_firms_2024", 4762, "firms", 3756, 5000,
     "Firms with actual import/export in 2024; the plan's 2025 target 5,000 at +5%/yr",
     "DERIVED: plan target 5000 (2025) / 1.05; data:trading_firms 2021 = 3756",
     prior_kind::triangular, true, "burn_in, population"},
    {"potential_pool_ratio", 2.0, "potential firms per trading firm", 1.0, 5.0,
     "Non-trading firms able to start trading, per trading firm", "ASSUMPTION",
     prior_kind::uniform, false, "population"},
    {"laptop_export_share", 0.387, "share of exports", 0.30, 0.45,
     "Laptops in exports (2024 level not published)",
     "DERIVED: data laptop_exports_cny_100m 2021 2001 / exports 2021 5168.33",
     prior_kind::triangular, true, "population"},
    {"auto_exports_2024", 431.3, "100m CNY", 380, 480, "Automobile exports 2024",
     "data:auto_exports_cny_100m 2024",
     prior_kind::normal, true, "population"},
    {"vehicle_unit_value", 90130, "CNY per vehicle", 60000, 130000,
     "Average export value per complete vehicle",
     "DERIVED: data auto_exports 2023 331.7e8 / vehicle_exports_units_cq 2023 368000",
     prior_kind::triangular, true, "indicators"},
    {"national_vehicle_exports_2024", 5.86e6, "vehicles", 5e6, 7e6,
     "China's complete-vehicle exports 2024", "data:vehicle_exports_units_national 2024",
     prior_kind::normal, true, "indicators"},
    {"national_vehicle_export_growth", 0.05, "per year", 0.0, 0.15,
     "Growth of national vehicle exports after 2024 (denominator of the 10% share target)",
     "ASSUMPTION (2023->2024 was +19%; slower growth assumed)",
     prior_kind::uniform, false, "indicators"},
    {"share_components", 0.08, "share of exports", 0.05, 0.12,
     "Electronic components in exports", "DERIVED: data ic_exports 2020 236.3 / exports 4187.5",
     prior_kind::triangular, true, "population"},
    {"share_motorcycles_machinery", 0.12, "share of exports", 0.06, 0.18,
     "Motorcycles and general machinery in exports", "ASSUMPTION (CQ third in motorcycle exports)",
     prior_kind::uniform, false, "population"},
    {"share_chemicals", 0.05, "share of exports", 0.02, 0.08, "Chemicals and materials", "ASSUMPTION",
     prior_kind::uniform, false, "population"},
    {"share_biomedicine", 0.015, "share of exports", 0.005, 0.03, "Biomedicine", "ASSUMPTION",
     prior_kind::uniform, false, "population"},
    {"share_agri_food", 0.01, "share of exports", 0.005, 0.03, "Agri-food", "ASSUMPTION",
     prior_kind::uniform, false, "population"},
    {"share_asean", 0.162, "share of trade", 0.14, 0.19, "ASEAN in trade",
     "DERIVED: data trade_asean_cny_100m 2021 1292.2 / total 8000.6",
     prior_kind::triangular, true, "population"},
    {"share_eu", 0.155, "share of trade", 0.13, 0.18, "EU in trade",
     "DERIVED: data trade_eu_cny_100m 2021 1240.2 / total 8000.6",
     prior_kind::triangular, true, "population"},
    {"share_us", 0.150, "share of trade", 0.12, 0.17, "US in trade",
     "DERIVED: data trade_us_cny_100m 2021 1199.2 / total 8000.6",
     prior_kind::triangular, true, "population"},
    {"share_central_asia_russia", 0.05, "share of trade", 0.03, 0.10, "Central Asia and Russia",
     "ASSUMPTION",
     prior_kind::uniform, false, "population"},
    {"share_japan_korea", 0.10, "share of trade", 0.06, 0.14, "Japan and Korea", "ASSUMPTION",
     prior_kind::uniform, false, "population"},
    {"share_latin_america", 0.06, "share of trade", 0.03, 0.09, "Latin America", "ASSUMPTION",
     prior_kind::uniform, false, "population"},
    {"share_africa", 0.04, "share of trade", 0.02, 0.06, "Africa", "ASSUMPTION",
     prior_kind::uniform, false, "population"},
    {"share_middle_east", 0.05, "share of trade", 0.03, 0.08, "Middle East", "ASSUMPTION",
     prior_kind::uniform, false, "population"},
    {"processing_import_ratio", 0.55, "imports per export CNY", 0.3, 0.8,
     "Imported inputs per CNY of processing exports",
     "ASSUMPTION consistent with data processing_trade_share_pct 2020 48.9% of trade",
     prior_kind::uniform, false, "firm_decisions"},
    // --- firm heterogeneity ------------------------------------------------------------------
    {"capability_sigma", 1.4, "log points", 0.8, 2.0,
     "Std. dev. of log capability (lognormal body)", "anchors §1.2 Head-Mayer-Thoenig lognormal",
     prior_kind::normal, false, "population"},
    {"capability_tail_exponent", 0.7, "Pareto exponent", 0.6, 1.1,
     "Pareto tail exponent of capability above the 90th percentile",
     "anchors §1.2 Peng & Xia: Chinese exporters 0.64-0.74",
     prior_kind::normal, false, "population"},
    {"capability_cap", 100, "multiple of the 90th percentile", 30, 10000,
     "Upper cap of the capability tail",
     "ASSUMPTION: keeps the largest non-leader firm below the smallest chain leader (Chongqing's "
     "superstars are the leaders; anchors §1.4 top firm ~14%)",
     prior_kind::uniform, false, "population"},
    {"sme_share", 0.97, "share of firms", 0.8, 0.99, "Share of firms that are SMEs (the smaller firms by capability)",
     "ASSUMPTION (US: 98% of exporters are SMEs, anchors §1.1)",
     prior_kind::uniform, false, "population"},
    {"specialised_sme_exporters_2024", 100, "firms", 80, 120,
     "Specialised-and-sophisticated SME exporters in 2024", "plan measure 3: '+100 to 200'",
     prior_kind::triangular, true, "burn_in"},
    // --- export entry, learning, exit -------------------------------------------------------
    {"trade_elasticity", 4.0, "1", 2.5, 5.1, "Elasticity of demand to trade costs",
     "anchors §2 Simonovska & Waugh 2014 (~4); Bajzik et al. Armington 2.5-5.1",
     prior_kind::normal, false, "burn_in, firm_decisions, trade_costs"},
    {"sunk_cost_months", 10.0, "months of expected profit", 2, 30,
     "Sunk entry cost in months of an entrant's expected variable profit",
     "calibrated at start to trading_firms_2024 (scale; see docs/calibration.md)",
     prior_kind::uniform, true, "firm_decisions"},
    {"fixed_cost_share", 0.5, "share of gross profit", 0.3, 0.7,
     "Per-period fixed cost relative to a typical exporter's gross profit",
     "anchors §1.2 EKK 2011: fixed costs absorb a little more than half of gross profits",
     prior_kind::normal, false, "burn_in, firm_decisions"},
    {"trial_months", 3, "months", 3, 12,
     "Length of the trial spell after which a new exporter decides to stay or exit",
     "anchors §1.5 Eaton et al.: most new exporters do not export the following year; ASSUMPTION "
     "within it, chosen with validation facts 11 and 13 in view (docs/validation.md)",
     prior_kind::triangular, false, "firm_decisions"},
    {"trial_scale", 0.25, "share of full sales", 0.1, 0.5,
     "New exporters' first-year sales relative to established ones",
     "anchors §1.5 Eaton et al. 2007: new exporters are tiny",
     prior_kind::lognormal, false, "firm_decisions"},
    {"demand_draw_sigma", 1.4, "log points", 0.5, 2.0,
     "Std. dev. of a firm's destination-specific demand draw, revealed on entry",
     "anchors (b)3 demand uncertainty; first-year survival 40-50% (anchors §1.5): the baseline's "
     "trial survival is ~58%",
     prior_kind::lognormal, false, "firm_decisions, population"},
    {"experience_boost", 0.6, "share of sunk cost saved", 0.3, 0.8,
     "Sunk cost saved by recent experience in the destination (decays over a year)",
     "anchors §1.5 Roberts & Tybout: +60 pp, gone after one year out",
     prior_kind::normal, false, "firm_decisions"},
    {"neighbour_boost", 0.15, "share of sunk cost saved per linked destination", 0.05, 0.38,
     "Sunk cost saved per linked (bordering) prior destination",
     "anchors §1.3 Defever, Heid & Larch: +15-38% per linked prior destination",
     prior_kind::lognormal, false, "firm_decisions"},
    {"peer_spillover", 0.2, "share of sunk cost saved at saturation", 0.0, 0.4,
     "Sunk cost saved by local peers exporting the same sector to the destination",
     "anchors (b)4 Koenig-Mayneris-Poncet; Fernandes & Tang (size an assumption)",
     prior_kind::normal, false, "firm_decisions"},
    {"exit_hazard", 0.025, "per month", 0.002, 0.05, "Exogenous exit of an export relationship",
     "anchors §1.5 Besedes & Prusa: ~80% of relationships last <5 years",
     prior_kind::lognormal, false, "firm_decisions"},
    {"entry_hazard", 0.01, "per month", 0.0005, 0.2,
     "Monthly probability that a firm considers a destination",
     "calibrated at start to trading_firms_2024",
     prior_kind::uniform, true, "firm_decisions"},
    {"entry_noise", 0.2, "share of the sunk cost", 0.05, 2.0,
     "Scale of the logistic noise in the entry rule (unobserved costs, optimism): more noise, "
     "more entrants that fail their trial",
     "ASSUMPTION (1.0 brings exporter turnover near the published ranges but was not adopted: "
     "see docs/validation.md)",
     prior_kind::uniform, false, "firm_decisions"},
    {"import_only_share", 0.18, "share of trading firms", 0.05, 0.3,
     "Trading firms that import but do not export", "ASSUMPTION",
     prior_kind::uniform, false, "population"},
    // --- intermediaries and chain leaders -------------------------------------------------------
    {"indirect_threshold_quantile", 0.9, "capability quantile", 0.5, 0.99,
     "Firms below this capability quantile may export through trade-service firms (indirect_share)",
     "anchors §1.3 Ahn-Khandelwal-Wei: ~20% of China's exports via intermediaries",
     prior_kind::normal, false, "population"},
    {"indirect_share", 0.4, "share of less capable firms", 0.1, 0.8,
     "Firms below the indirect quantile that export through trade-service firms",
     "ASSUMPTION; target ~20% of exports via intermediaries (anchors §1.3 Ahn et al.)",
     prior_kind::uniform, false, "population"},
    {"supplier_size_gain", 0.26, "log-point-equivalent size gain", 0.1, 0.4,
     "Capability gain of a firm that becomes a chain leader's supplier (the evidence's gain over "
     "four years, applied in full from the link's first month)",
     "anchors (b)5 Alfaro-Urena et al. QJE 2022: +26% employment",
     prior_kind::lognormal, false, "firm_decisions"},
    {"baseline_pairing", 2.0, "links per leader per year", 0, 10,
     "Supplier links chain leaders form without policy", "ASSUMPTION",
     prior_kind::uniform, false, "yearly_processes"},
    {"kd_share_2024", 0.10, "KD sets per exported vehicle", 0.02, 0.3,
     "KD kits relative to complete-vehicle exports in 2024", "ASSUMPTION (no series; data README)",
     prior_kind::uniform, false, "indicators"},
    // --- customs ---------------------------------------------------------------------------
    {"aeo_firms_2024", 105, "firms", 100, 110, "AEO advanced-certified firms at the start of 2024",
     "DERIVED: data aeo_firms Nov 2023 = 100, +5/yr trend (79 earlier)",
     prior_kind::triangular, true, "population"},
    {"inspection_rate_aeo", 0.0057, "share of shipments", 0.003, 0.01,
     "Inspection rate, AEO firms", "anchors §3.2 GAC 2019: 0.57%",
     prior_kind::lognormal, false, "trade_costs"},
    {"inspection_rate_general", 0.0244, "share of shipments", 0.015, 0.03,
     "Inspection rate, general-credit firms", "anchors §3.2 GAC 2019: 2.44%",
     prior_kind::normal, false, "trade_costs"},
    {"inspection_rate_discredited", 0.8476, "share of shipments", 0.5, 0.9,
     "Inspection rate, discredited firms", "anchors §3.2 GAC 2019: 84.76%",
     prior_kind::normal, false, "trade_costs"},
    {"inspection_delay_days", 2.0, "days", 0.5, 5, "Delay added by a physical inspection",
     "ASSUMPTION",
     prior_kind::uniform, false, "trade_costs"},
    {"clearance_days", 1.0, "days", 0.2, 3, "Clearance time without inspection", "ASSUMPTION",
     prior_kind::uniform, false, "trade_costs"},
    {"aeo_apply_rate", 0.01, "per year among eligible firms", 0, 0.1,
     "Yearly AEO application probability, eligible firms (top decile by trade)",
     "calibrated: ~+5 AEO firms a year 2023-24 (data aeo_firms)",
     prior_kind::uniform, true, "yearly_processes"},
    {"aeo_success", 0.7, "probability", 0.3, 1, "Applications that pass the audit", "ASSUMPTION",
     prior_kind::uniform, false, "yearly_processes"},
    // --- time and services ------------------------------------------------------------------
    {"value_of_time", 0.012, "share of value per day", 0.006, 0.021,
     "Ad valorem cost of a day in transit (mid-range)", "anchors §3.1 Hummels & Schaur: 0.6-2.1%",
     prior_kind::lognormal, false, "firm_decisions, routes_bookings, trade_costs"},
    {"platform_coverage_2024", 0.20, "share of trading firms", 0.1, 0.3,
     "Platform coverage in 2024 (plan: 30% by 2025)", "ASSUMPTION",
     prior_kind::uniform, false, "population"},
    {"platform_cost_cut", 0.15, "share of sunk and fixed cost", 0, 0.3,
     "Cost saved by platform membership", "ASSUMPTION (export promotion, anchors §4)",
     prior_kind::uniform, false, "firm_decisions"},
    {"platform_enrol_rate", 0.05, "per year", 0, 0.2, "Baseline enrolment of non-members",
     "ASSUMPTION",
     prior_kind::uniform, false, "yearly_processes"},
    {"rmb_goods_share", 0.25, "share of goods trade", 0.15, 0.4,
     "Goods trade settled in RMB", "ASSUMPTION (national order of magnitude)",
     prior_kind::uniform, false, "firm_decisions"},
    {"cross_border_rmb_2024", 3935, "100m CNY", 3500, 4300,
     "Cross-border RMB settlement 2024 (goods, services and capital)",
     "data:cross_border_rmb_cny_100m 2024",
     prior_kind::normal, true, "burn_in"},
    {"rmb_nongoods_growth", 0.05, "per year", 0, 0.2,
     "Growth of the non-goods part of cross-border RMB settlement", "ASSUMPTION",
     prior_kind::uniform, false, "indicators"},
    {"logistics_ratio_trend", -0.2, "percentage points a year", -0.4, 0.0,
     "Trend of the non-trade part of the logistics cost / GDP ratio",
     "ASSUMPTION between flat and the national 2022-24 trend (-0.3 pp/yr: data "
     "logistics_cost_gdp_national_pct 14.7, 14.4, 14.1)",
     prior_kind::uniform, false, "indicators"},
    {"foreign_demand_growth", 0.03, "per year", -0.02, 0.06,
     "Growth of foreign demand for Chongqing's goods",
     "ASSUMPTION (world merchandise trade volume ~3%/yr)",
     prior_kind::uniform, false, "firm_decisions"},
    {"fx_pass_through", 0.88, "share", 0.83, 0.93, "Exchange-rate pass-through to foreign prices",
     "anchors §1.3 Wang & Yu: 83-93%",
     prior_kind::normal, false, "trade_costs"},
    {"fx_export_elasticity", 1.5, "1", 0.5, 4.0,
     "Elasticity of export volume to the foreign-currency price change from an appreciation",
     "ASSUMPTION (anchors §1.3 Li et al.: appreciation cuts volume; the trade elasticity 4 is an upper bound)",
     prior_kind::uniform, false, "trade_costs"},
    {"hedge_ratio_2024", 0.25, "share", 0.1, 0.4, "FX hedge ratio of exporters",
     "anchors §4 SAFE: 21.7% (2021), 25.4% (2022)",
     prior_kind::lognormal, false, "trade_costs"},
    // --- shipments, consolidation and capacity contracts ---------------------------------------
    {"lcl_shipment_teu", 0.39, "TEU", 0.25, 0.6,
     "Shipments smaller than this go less-than-container-load (LCL) through a forwarder",
     "forwarders' rule of thumb: LCL for 2-13 m3, FCL above (13 of a TEU's ~33 m3)",
     prior_kind::uniform, false, "firm_decisions"},
    {"shipments_per_month", 4.33, "shipments per firm, destination and month", 1, 8,
     "How often a firm ships to a destination (sets the size of a shipment)",
     "ASSUMPTION (weekly)",
     prior_kind::uniform, false, "firm_decisions"},
    {"consolidation_max_days", 7, "days", 3, 14,
     "A forwarder closes an LCL box when it is full or when its first cargo has waited this long "
     "(hybrid quantity/time consolidation policy)",
     "policy form: Cetinkaya & Bookbinder 2003; 7 days ASSUMPTION (weekly LCL services)",
     prior_kind::uniform, false, "forwarders"},
    {"cfs_fee_cny_per_teu", 3000, "CNY per TEU of cargo", 1500, 6000,
     "Container-freight-station stuffing and unstuffing of LCL cargo", "ASSUMPTION (~USD 12 per m3)",
     prior_kind::uniform, false, "routes_bookings, trade_costs"},
    {"contract_cover_2024", 0.5, "share of a holder's rail cargo", 0.2, 0.8,
     "Share of chain leaders' and large forwarders' rail cargo under yearly capacity contracts",
     "ASSUMPTION (block trains for leaders since 2011; plan measure 2 asks for more)",
     prior_kind::uniform, false, "routes_bookings"},
    {"contract_discount", 0.08, "share of the tariff", 0.03, 0.15,
     "Tariff discount on contracted slots (volume-price bundling)",
     "ASSUMPTION near anchors §3.4: a bundled ro-ro rail-sea service cut cost by more than 8%",
     prior_kind::uniform, false, "model_state, routes_bookings"},
    // --- policy costs -------------------------------------------------------------------------
    {"fiscal_cost_scale", 1.0, "multiple of the scenario's stated costs", 0.5, 2.0,
     "Scales every policy's fiscal_cost_cny_per_year: what a programme really costs against the "
     "budget the scenario states",
     "ASSUMPTION: the plan states no budgets, so each policy's yearly cost is a units x "
     "cost-per-unit estimate (scenario files); half to twice covers under-spent pilot budgets and "
     "typical public-programme overruns",
     prior_kind::uniform, false, "model_state"},
    // --- firm population ---------------------------------------------------------------
    {"firm_share_laptops_electronics", 0.05, "share of non-leader firms (relative weight)", 0.025, 0.075,
     "Weight of laptops_electronics in the sector draw of non-leader firms (count shares; "
     "value shares are calibrated separately through the demand shifters)",
     "ASSUMPTION: Chongqing's firm counts by sector are not published; range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"firm_share_electronic_components", 0.08, "share of non-leader firms (relative weight)", 0.04, 0.12,
     "Weight of electronic_components in the sector draw of non-leader firms (count shares; "
     "value shares are calibrated separately through the demand shifters)",
     "ASSUMPTION: Chongqing's firm counts by sector are not published; range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"firm_share_autos_parts", 0.12, "share of non-leader firms (relative weight)", 0.06, 0.18,
     "Weight of autos_parts in the sector draw of non-leader firms (count shares; value shares "
     "are calibrated separately through the demand shifters)",
     "ASSUMPTION: Chongqing's firm counts by sector are not published; range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"firm_share_motorcycles_machinery", 0.2, "share of non-leader firms (relative weight)", 0.1, 0.3,
     "Weight of motorcycles_machinery in the sector draw of non-leader firms (count shares; "
     "value shares are calibrated separately through the demand shifters)",
     "ASSUMPTION: Chongqing's firm counts by sector are not published; range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"firm_share_chemicals_materials", 0.08, "share of non-leader firms (relative weight)", 0.04, 0.12,
     "Weight of chemicals_materials in the sector draw of non-leader firms (count shares; "
     "value shares are calibrated separately through the demand shifters)",
     "ASSUMPTION: Chongqing's firm counts by sector are not published; range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"firm_share_biomedicine", 0.04, "share of non-leader firms (relative weight)", 0.02, 0.06,
     "Weight of biomedicine in the sector draw of non-leader firms (count shares; value shares "
     "are calibrated separately through the demand shifters)",
     "ASSUMPTION: Chongqing's firm counts by sector are not published; range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"firm_share_agri_food", 0.08, "share of non-leader firms (relative weight)", 0.04, 0.12,
     "Weight of agri_food in the sector draw of non-leader firms (count shares; value shares "
     "are calibrated separately through the demand shifters)",
     "ASSUMPTION: Chongqing's firm counts by sector are not published; range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"firm_share_consumer_goods_hardware", 0.35, "share of non-leader firms (relative weight)", 0.175, 0.525,
     "Weight of consumer_goods_hardware in the sector draw of non-leader firms (count shares; "
     "value shares are calibrated separately through the demand shifters)",
     "ASSUMPTION: Chongqing's firm counts by sector are not published; range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"ownership_weight_foreign_invested", 0.2, "share of non-leader firms", 0.1, 0.3,
     "Foreign-invested firms among non-leader firms (count)",
     "ASSUMPTION: private firms are most firms by count (private firms 43.7% of trade in 2021, "
     "data private_firm_trade_share_pct)",
     prior_kind::uniform, false, "population"},
    {"ownership_weight_private_domestic", 0.7, "share of non-leader firms", 0.6, 0.8,
     "Private domestic firms among non-leader firms (count)",
     "ASSUMPTION: see ownership_weight_foreign_invested",
     prior_kind::uniform, false, "population"},
    {"ownership_weight_state_owned", 0.1, "share of non-leader firms", 0.05, 0.2,
     "State-owned firms among non-leader firms (count)",
     "ASSUMPTION: see ownership_weight_foreign_invested",
     prior_kind::uniform, false, "population"},
    {"exporter_importer_share", 0.5, "share of firms", 0.3, 0.7,
     "Firms (not import-only) that import ordinary goods in the months they export",
     "ASSUMPTION: two-way traders are common among Chinese exporters; half, +-0.2",
     prior_kind::uniform, false, "population"},
    {"reference_capability_quantile", 0.75, "capability quantile", 0.6, 0.9,
     "Capability of the typical exporter that scales fixed and sunk costs",
     "ASSUMPTION: exporters are the more capable firms (Melitz); the upper quartile",
     prior_kind::uniform, false, "population"},
    {"sme_size_noise", 0.3, "log points", 0.1, 0.6,
     "Noise between capability and size when SMEs are picked as the smaller firms",
     "ASSUMPTION: size and productivity correlate imperfectly",
     prior_kind::uniform, false, "population"},
    {"cbec_share_2024", 0.1, "share of SMEs in e-commerce-suited sectors", 0.05, 0.2,
     "SMEs in consumer goods, agri-food and machinery selling through the cross-border "
     "e-commerce channel in 2024",
     "ASSUMPTION: no consistent series (data README)",
     prior_kind::uniform, false, "population"},
    {"aeo_eligible_top_share", 0.1, "share of firms", 0.05, 0.2,
     "AEO firms come from this top share of firms: by capability at the start, by the year's "
     "trade when firms apply",
     "DERIVED: AEO firms are ~1% of traders but ~36% of trade nationally (anchors §3.2): the top "
     "decile",
     prior_kind::triangular, false, "population, yearly_processes"},
    {"other_electronics_export_share", 0.04, "share of exports", 0.02, 0.08,
     "Exports of the laptop sector's other firms (phones, other devices) on top of the laptop "
     "makers' share",
     "ASSUMPTION",
     prior_kind::uniform, false, "population"},
    {"min_consumer_goods_share", 0.05, "share of exports", 0.02, 0.1,
     "Floor of consumer goods and hardware in exports when the other sectors' shares leave "
     "little",
     "ASSUMPTION: only binds if the other shares are raised together",
     prior_kind::uniform, false, "population"},
    // --- destinations and product mix --------------------------------------------------
    {"auto_export_mix_eu", 0.08, "share of auto exports", 0.04, 0.12,
     "Share of Chongqing's car exports going to eu",
     "ASSUMPTION from China's 2024 vehicle exports: Russia and Central Asia, the Middle East "
     "and Latin America lead; the US takes almost none",
     prior_kind::uniform, false, "model_state"},
    {"auto_export_mix_asean", 0.12, "share of auto exports", 0.06, 0.18,
     "Share of Chongqing's car exports going to asean",
     "ASSUMPTION from China's 2024 vehicle exports: Russia and Central Asia, the Middle East "
     "and Latin America lead; the US takes almost none",
     prior_kind::uniform, false, "model_state"},
    {"auto_export_mix_central_asia_russia", 0.3, "share of auto exports", 0.15, 0.45,
     "Share of Chongqing's car exports going to central_asia_russia",
     "ASSUMPTION from China's 2024 vehicle exports: Russia and Central Asia, the Middle East "
     "and Latin America lead; the US takes almost none",
     prior_kind::uniform, false, "model_state"},
    {"auto_export_mix_us", 0, "share of auto exports", 0, 0.05,
     "Share of Chongqing's car exports going to us",
     "ASSUMPTION from China's 2024 vehicle exports: Russia and Central Asia, the Middle East "
     "and Latin America lead; the US takes almost none",
     prior_kind::triangular, false, "model_state"},
    {"auto_export_mix_japan_korea", 0, "share of auto exports", 0, 0.05,
     "Share of Chongqing's car exports going to japan_korea",
     "ASSUMPTION from China's 2024 vehicle exports: Russia and Central Asia, the Middle East "
     "and Latin America lead; the US takes almost none",
     prior_kind::triangular, false, "model_state"},
    {"auto_export_mix_latin_america", 0.18, "share of auto exports", 0.09, 0.27,
     "Share of Chongqing's car exports going to latin_america",
     "ASSUMPTION from China's 2024 vehicle exports: Russia and Central Asia, the Middle East "
     "and Latin America lead; the US takes almost none",
     prior_kind::uniform, false, "model_state"},
    {"auto_export_mix_africa", 0.05, "share of auto exports", 0.025, 0.075,
     "Share of Chongqing's car exports going to africa",
     "ASSUMPTION from China's 2024 vehicle exports: Russia and Central Asia, the Middle East "
     "and Latin America lead; the US takes almost none",
     prior_kind::uniform, false, "model_state"},
    {"auto_export_mix_middle_east", 0.2, "share of auto exports", 0.1, 0.3,
     "Share of Chongqing's car exports going to middle_east",
     "ASSUMPTION from China's 2024 vehicle exports: Russia and Central Asia, the Middle East "
     "and Latin America lead; the US takes almost none",
     prior_kind::uniform, false, "model_state"},
    {"auto_export_mix_rest_of_world", 0.07, "share of auto exports", 0.035, 0.105,
     "Share of Chongqing's car exports going to rest_of_world",
     "ASSUMPTION from China's 2024 vehicle exports: Russia and Central Asia, the Middle East "
     "and Latin America lead; the US takes almost none",
     prior_kind::uniform, false, "model_state"},
    {"belt_road_weight_eu", 0.4, "share of the region's trade", 0.28, 0.52,
     "Share of trade with eu that is with Belt-and-Road partner countries (belt_road_share "
     "indicator)",
     "ASSUMPTION from the 2023 partner list: every ASEAN, Central Asian and Gulf state and "
     "most African states are partners; about half of the EU's trade weight; none of the US, "
     "Japan or Korea",
     prior_kind::uniform, false, "model_state"},
    {"belt_road_weight_asean", 1, "share of the region's trade", 0.8, 1,
     "Share of trade with asean that is with Belt-and-Road partner countries (belt_road_share "
     "indicator)",
     "ASSUMPTION from the 2023 partner list: every ASEAN, Central Asian and Gulf state and "
     "most African states are partners; about half of the EU's trade weight; none of the US, "
     "Japan or Korea",
     prior_kind::triangular, false, "model_state"},
    {"belt_road_weight_central_asia_russia", 1, "share of the region's trade", 0.8, 1,
     "Share of trade with central_asia_russia that is with Belt-and-Road partner countries "
     "(belt_road_share indicator)",
     "ASSUMPTION from the 2023 partner list: every ASEAN, Central Asian and Gulf state and "
     "most African states are partners; about half of the EU's trade weight; none of the US, "
     "Japan or Korea",
     prior_kind::triangular, false, "model_state"},
    {"belt_road_weight_us", 0, "share of the region's trade", 0, 0.1,
     "Share of trade with us that is with Belt-and-Road partner countries (belt_road_share "
     "indicator)",
     "ASSUMPTION from the 2023 partner list: every ASEAN, Central Asian and Gulf state and "
     "most African states are partners; about half of the EU's trade weight; none of the US, "
     "Japan or Korea",
     prior_kind::triangular, false, "model_state"},
    {"belt_road_weight_japan_korea", 0, "share of the region's trade", 0, 0.1,
     "Share of trade with japan_korea that is with Belt-and-Road partner countries "
     "(belt_road_share indicator)",
     "ASSUMPTION from the 2023 partner list: every ASEAN, Central Asian and Gulf state and "
     "most African states are partners; about half of the EU's trade weight; none of the US, "
     "Japan or Korea",
     prior_kind::triangular, false, "model_state"},
    {"belt_road_weight_latin_america", 0.5, "share of the region's trade", 0.35, 0.65,
     "Share of trade with latin_america that is with Belt-and-Road partner countries "
     "(belt_road_share indicator)",
     "ASSUMPTION from the 2023 partner list: every ASEAN, Central Asian and Gulf state and "
     "most African states are partners; about half of the EU's trade weight; none of the US, "
     "Japan or Korea",
     prior_kind::uniform, false, "model_state"},
    {"belt_road_weight_africa", 0.9, "share of the region's trade", 0.63, 1,
     "Share of trade with africa that is with Belt-and-Road partner countries (belt_road_share "
     "indicator)",
     "ASSUMPTION from the 2023 partner list: every ASEAN, Central Asian and Gulf state and "
     "most African states are partners; about half of the EU's trade weight; none of the US, "
     "Japan or Korea",
     prior_kind::uniform, false, "model_state"},
    {"belt_road_weight_middle_east", 1, "share of the region's trade", 0.8, 1,
     "Share of trade with middle_east that is with Belt-and-Road partner countries "
     "(belt_road_share indicator)",
     "ASSUMPTION from the 2023 partner list: every ASEAN, Central Asian and Gulf state and "
     "most African states are partners; about half of the EU's trade weight; none of the US, "
     "Japan or Korea",
     prior_kind::triangular, false, "model_state"},
    {"belt_road_weight_rest_of_world", 0.3, "share of the region's trade", 0.21, 0.39,
     "Share of trade with rest_of_world that is with Belt-and-Road partner countries "
     "(belt_road_share indicator)",
     "ASSUMPTION from the 2023 partner list: every ASEAN, Central Asian and Gulf state and "
     "most African states are partners; about half of the EU's trade weight; none of the US, "
     "Japan or Korea",
     prior_kind::uniform, false, "model_state"},
    {"intermediate_share_laptops_electronics", 0.05, "share of the sector's trade", 0.025, 0.075,
     "Intermediate goods in the trade of laptops_electronics (intermediate_goods_share "
     "indicator)",
     "ASSUMPTION by product type",
     prior_kind::uniform, false, "model_state"},
    {"intermediate_share_electronic_components", 1, "share of the sector's trade", 0.8, 1,
     "Intermediate goods in the trade of electronic_components (intermediate_goods_share "
     "indicator)",
     "ASSUMPTION by product type",
     prior_kind::triangular, false, "model_state"},
    {"intermediate_share_autos_parts", 0.3, "share of the sector's trade", 0.15, 0.45,
     "Intermediate goods in the trade of autos_parts (intermediate_goods_share indicator)",
     "ASSUMPTION by product type",
     prior_kind::uniform, false, "model_state"},
    {"intermediate_share_motorcycles_machinery", 0.4, "share of the sector's trade", 0.2, 0.6,
     "Intermediate goods in the trade of motorcycles_machinery (intermediate_goods_share "
     "indicator)",
     "ASSUMPTION by product type",
     prior_kind::uniform, false, "model_state"},
    {"intermediate_share_chemicals_materials", 0.8, "share of the sector's trade", 0.4, 1,
     "Intermediate goods in the trade of chemicals_materials (intermediate_goods_share "
     "indicator)",
     "ASSUMPTION by product type",
     prior_kind::uniform, false, "model_state"},
    {"intermediate_share_biomedicine", 0.3, "share of the sector's trade", 0.15, 0.45,
     "Intermediate goods in the trade of biomedicine (intermediate_goods_share indicator)",
     "ASSUMPTION by product type",
     prior_kind::uniform, false, "model_state"},
    {"intermediate_share_agri_food", 0.2, "share of the sector's trade", 0.1, 0.3,
     "Intermediate goods in the trade of agri_food (intermediate_goods_share indicator)",
     "ASSUMPTION by product type",
     prior_kind::uniform, false, "model_state"},
    {"intermediate_share_consumer_goods_hardware", 0.2, "share of the sector's trade", 0.1, 0.3,
     "Intermediate goods in the trade of consumer_goods_hardware (intermediate_goods_share "
     "indicator)",
     "ASSUMPTION by product type",
     prior_kind::uniform, false, "model_state"},
    // --- a firm's month: entry, exit, imports, channels --------------------------------
    {"kd_kit_value_share", 0.6, "value of a kit / value of a vehicle", 0.4, 0.8,
     "Value of a knock-down kit relative to a complete vehicle",
     "ASSUMPTION: a kit lacks local assembly, paint and some parts",
     prior_kind::uniform, false, "firm_decisions, indicators"},
    {"sme_finance_premium", 0.3, "share of the sunk cost", 0.1, 0.6,
     "Extra effective entry cost of a credit-constrained SME, relieved by export credit "
     "insurance",
     "ASSUMPTION (van der Veer: insured exports multiplier 2.3, anchors §4)",
     prior_kind::uniform, false, "firm_decisions"},
    {"entry_subsidy_cap", 0.95, "share of the sunk cost", 0.8, 0.99,
     "Largest share of the sunk entry cost that subsidies can pay",
     "ASSUMPTION: a firm always bears some cost of entering",
     prior_kind::uniform, false, "firm_decisions"},
    {"entry_horizon_max_months", 36, "months", 12, 60,
     "Longest horizon over which an entrant counts future profit (else 1 / exit_hazard)",
     "ASSUMPTION: firms plan exports over a few years",
     prior_kind::uniform, false, "firm_decisions"},
    {"peer_half_saturation", 20, "exporters", 5, 60,
     "Local exporters of the same sector to a destination at which the peer spillover is half "
     "its maximum",
     "ASSUMPTION",
     prior_kind::uniform, false, "firm_decisions"},
    {"exit_fixed_cost_cover", 0.5, "share of the fixed cost", 0.2, 0.9,
     "An established exporter stays while its profit covers this share of the fixed cost "
     "(hysteresis)",
     "ASSUMPTION (sunk costs make exit sluggish: Roberts & Tybout, anchors §1.5)",
     prior_kind::uniform, false, "firm_decisions"},
    {"ordinary_import_input_share", 0.6, "share of ordinary imports", 0.4, 0.8,
     "Intermediate inputs among ordinary (non-processing) imports",
     "ASSUMPTION",
     prior_kind::uniform, false, "firm_decisions"},
    {"cbec_export_share", 0.3, "share of a seller's exports", 0.1, 0.6,
     "Share of an e-commerce seller's exports that go through the cross-border e-commerce "
     "channel",
     "ASSUMPTION",
     prior_kind::uniform, false, "firm_decisions"},
    // --- route choice, transit cargo and departures ------------------------------------
    {"clearance_cut_cap", 0.9, "share of clearance days", 0.7, 0.95,
     "Largest share of clearance days that policy can cut",
     "ASSUMPTION: documents and checks take some time however fast",
     prior_kind::uniform, false, "trade_costs"},
    {"transit_cut_cap", 0.8, "share of leg days", 0.5, 0.9,
     "Largest share of a route's leg days that policy can cut",
     "ASSUMPTION: a train or barge cannot go arbitrarily faster",
     prior_kind::uniform, false, "routes_bookings, trade_costs"},
    {"freight_subsidy_cap", 0.8, "share of the tariff", 0.5, 0.9,
     "Largest share of a route's tariff that subsidies can pay",
     "ASSUMPTION",
     prior_kind::uniform, false, "trade_costs"},
    {"route_logit_scale", 3, "utility per unit relative cost", 1.5, 6,
     "Route-choice sensitivity: a route twice as costly as the best gets e^-scale of its "
     "weight (set in 2024, then fixed)",
     "ASSUMPTION; checked against the value of time route choice implies "
     "(tests/cpp/test_model.cpp, Hummels & Schaur range)",
     prior_kind::uniform, false, "trade_costs"},
    {"transit_frequency_elasticity", 0.5, "utility per log departures", 0.2, 1,
     "How much more frequent services on a route raise other provinces' cargo through the hub",
     "ASSUMPTION; Yang et al. find frequency matters (anchors §3.3)",
     prior_kind::uniform, false, "routes_bookings"},
    {"transit_speed_weight", 2, "utility per share of days cut", 0.5, 4,
     "How much a transit-time cut on a route raises other provinces' cargo through the hub",
     "ASSUMPTION",
     prior_kind::uniform, false, "routes_bookings"},
    {"transit_cny_per_utility", 1000, "CNY per TEU", 500, 3000,
     "Hub cost cut (CNY per TEU) that raises transit shippers' utility by one (logit units)",
     "ASSUMPTION: a cut of ~CNY 1,000 a TEU (a few % of a corridor tariff) moves a marginal "
     "shipper",
     prior_kind::uniform, false, "routes_bookings"},
    {"lsc_outside_share_2021", 0.429, "share of corridor cargo", 0.35, 0.5,
     "Share of the hub's corridor cargo from outside Chongqing (calibrates the transit pools)",
     "data:lsc_cq_outside_city_share_pct 2021",
     prior_kind::normal, true, "burn_in"},
    {"rail_load_factor_2024", 0.85, "share of capacity", 0.7, 0.95,
     "Average load of rail and rail-sea departures in 2024 (sets each route's own cargo "
     "target)",
     "ASSUMPTION",
     prior_kind::uniform, true, "burn_in"},
    {"min_departure_load", 0.5, "share of capacity", 0.3, 0.8,
     "A scheduled train runs only if at least this full, unless it carries contracted slots",
     "ASSUMPTION: operators cancel thin trains",
     prior_kind::uniform, false, "routes_bookings"},
    {"extra_train_backlog_trains", 2, "trains", 1, 4,
     "Operators add trains while more than this many full trains (beyond the day's timetable) "
     "wait",
     "ASSUMPTION",
     prior_kind::uniform, false, "routes_bookings"},
    {"delay_floor_share", 0.5, "share of leg days", 0.2, 0.8,
     "A departure arrives at most this share of its leg days early (floor of the delay draw)",
     "ASSUMPTION",
     prior_kind::uniform, false, "routes_bookings"},
    // --- forwarders --------------------------------------------------------------------
    {"forwarders_2024", 700, "forwarders", 600, 800,
     "Registered international freight forwarders in 2024",
     "ASSUMPTION from issue #4's text (~700; plan: 800 by 2027, +100)",
     prior_kind::uniform, true, "population"},
    {"a_level_forwarders_2024", 60, "forwarders", 40, 80,
     "The largest forwarders holding A-level status in 2024 (of the city's ~110 A-level "
     "logistics firms)",
     "ASSUMPTION: the rest are warehousing and trucking firms outside the model",
     prior_kind::uniform, true, "population"},
    {"forwarder_scale_sigma", 1.2, "log points", 0.6, 2,
     "Std. dev. of log forwarder scale",
     "ASSUMPTION: firm sizes are lognormal-like",
     prior_kind::uniform, false, "forwarders"},
    {"forwarder_margin_min", 0.06, "share of freight", 0.03, 0.08,
     "Lowest forwarder margin",
     "ASSUMPTION: margins 6-16% of freight",
     prior_kind::uniform, false, "forwarders"},
    {"forwarder_margin_range", 0.1, "share of freight", 0.05, 0.15,
     "Width of the uniform spread of forwarder margins above the lowest",
     "ASSUMPTION: margins 6-16% of freight",
     prior_kind::uniform, false, "forwarders"},
    {"forwarder_candidates", 8, "forwarders", 3, 20,
     "Forwarders a firm compares when it picks one",
     "ASSUMPTION: a firm knows a handful of forwarders",
     prior_kind::uniform, false, "forwarders"},
    {"forwarder_choice_margin_scale", 0.03, "share of freight per utility", 0.01, 0.06,
     "Margin difference worth one unit of utility in the choice of forwarder",
     "ASSUMPTION",
     prior_kind::uniform, false, "forwarders"},
    {"forwarder_choice_scale_weight", 0.5, "utility per log scale", 0.1, 1,
     "Weight of a forwarder's (log) scale in the choice of forwarder",
     "ASSUMPTION",
     prior_kind::uniform, false, "forwarders"},
    {"forwarder_choice_a_level_weight", 0.3, "utility", 0, 1,
     "Weight of A-level status in the choice of forwarder",
     "ASSUMPTION",
     prior_kind::uniform, false, "forwarders"},
    {"forwarder_choice_one_bill_weight", 0.2, "utility", 0, 1,
     "Weight of the one-bill service in the choice of forwarder",
     "ASSUMPTION",
     prior_kind::uniform, false, "forwarders"},
    {"teu_per_bill", 10, "TEU per bill", 3, 30,
     "Containers on one multimodal one-bill digital bill",
     "ASSUMPTION",
     prior_kind::uniform, false, "forwarders"},
    {"a_level_volume_quantile", 0.8, "quantile of yearly volume", 0.6, 0.95,
     "Forwarders above this volume quantile may be assessed A-level",
     "ASSUMPTION",
     prior_kind::uniform, false, "forwarders"},
    {"forwarder_exit_volume_quantile", 0.2, "quantile of yearly volume", 0.05, 0.4,
     "Idle forwarders at or below this volume quantile may exit",
     "ASSUMPTION",
     prior_kind::uniform, false, "forwarders"},
    {"a_level_assessment_rate", 0.03, "per year", 0.01, 0.1,
     "Yearly probability that an eligible large forwarder is assessed A-level",
     "ASSUMPTION: a few a year in the baseline against the plan's +20 by 2027 with policy",
     prior_kind::uniform, false, "forwarders"},
    {"one_bill_adoption_2024", 0.02, "per year", 0, 0.05,
     "Yearly one-bill adoption by forwarders without policy",
     "ASSUMPTION",
     prior_kind::uniform, false, "forwarders"},
    {"one_bill_a_level_multiplier", 2, "multiple", 1, 4,
     "A-level forwarders adopt one-bill documents this many times as often",
     "ASSUMPTION",
     prior_kind::uniform, false, "forwarders"},
    {"forwarder_exit_rate", 0.15, "per year", 0.05, 0.3,
     "Yearly exit of idle small forwarders (exits are replaced by entrants)",
     "ASSUMPTION",
     prior_kind::uniform, false, "forwarders"},
    {"attracted_forwarder_scale", 3, "multiple of an entrant's scale", 1, 6,
     "Forwarders attracted by policy are established firms moving in: their scale relative to "
     "other entrants",
     "ASSUMPTION (plan measure 15: 'logistics chain leaders')",
     prior_kind::uniform, false, "forwarders"},
    {"attracted_a_level_share", 0.2, "share of attracted forwarders", 0, 0.5,
     "Attracted forwarders that arrive with A-level status",
     "ASSUMPTION (plan measure 15)",
     prior_kind::uniform, false, "forwarders"},
    // --- yearly firm processes ---------------------------------------------------------
    {"aeo_lapse_rate", 0.02, "per year", 0, 0.05,
     "Yearly lapse of AEO certificates (not chain leaders')",
     "ASSUMPTION",
     prior_kind::uniform, false, "yearly_processes"},
    {"indirect_graduation_rate", 0.3, "per year", 0.1, 0.6,
     "Yearly probability that an indirect exporter selling more than the median direct "
     "exporter starts exporting itself",
     "ASSUMPTION (Ahn, Khandelwal & Wei: firms later switch to direct exporting)",
     prior_kind::uniform, false, "yearly_processes"},
    {"cbec_adoption_rate", 0.03, "per year", 0.01, 0.06,
     "Yearly adoption of the cross-border e-commerce channel by eligible SMEs without policy",
     "ASSUMPTION",
     prior_kind::uniform, false, "yearly_processes"},
    {"cbec_support_adoption_effect", 0.1, "adoption per unit of fixed-cost cut", 0.05, 0.3,
     "Added yearly adoption per unit of the cbec_support lever (share of the channel's fixed "
     "cost cut)",
     "ASSUMPTION",
     prior_kind::uniform, false, "yearly_processes"},
    {"specialised_certified_per_year", 20, "firms per year", 10, 40,
     "Specialised-and-sophisticated SME certifications a year at 2024 eligibility",
     "ASSUMPTION (the plan counts on +100 by 2027 with its support)",
     prior_kind::uniform, false, "burn_in, yearly_processes"},
    {"specialised_potential_ratio", 0.5, "designations per exporting designation", 0.2, 1,
     "Specialised SMEs designated among non-exporting SMEs above the median capability, "
     "relative to those among exporters",
     "ASSUMPTION: some designated SMEs start exporting within the year",
     prior_kind::uniform, false, "burn_in"},
    // --- indicators --------------------------------------------------------------------
    {"rail_doc_value_cny_per_teu", 95000, "CNY per TEU", 60000, 150000,
     "Value of the cargo in a rail TEU, for rail document financing",
     "ASSUMPTION",
     prior_kind::uniform, false, "indicators"},
    {"rail_doc_financing_share_2024", 0.0005, "share of rail-borne trade value", 0.0001, 0.002,
     "Rail-borne trade value financed on rail bills in 2024",
     "ASSUMPTION",
     prior_kind::uniform, false, "indicators"},
    {"rail_doc_financing_take_up", 0.05, "share of eligible value", 0.01, 0.2,
     "Take-up of rail document financing on the value the lever makes eligible",
     "ASSUMPTION",
     prior_kind::uniform, false, "indicators"},
    {"a_level_other_logistics_firms", 50, "firms", 30, 70,
     "A-level logistics firms outside the model (warehousing, trucking), held fixed",
     "ASSUMPTION: the city had ~110 in 2024 (plan: 130 by 2027), 60 of them forwarders",
     prior_kind::uniform, false, "indicators"},
    {"logistics_cost_gdp_2024", 14.1, "percent", 13.5, 14.7,
     "Social logistics cost / GDP in 2024 (national ratio)",
     "data:logistics_cost_gdp_national_pct 2024",
     prior_kind::normal, true, "indicators"},
    {"gdp_cq_2024", 32193.15, "100m CNY", 31000, 33500,
     "Chongqing GDP 2024",
     "data:gdp_cq_cny_100m 2024",
     prior_kind::normal, true, "indicators"},
    {"cr_express_joint_trains_2024", 5700, "trains", 5000, 6000,
     "China-Europe trains of the Chengdu-Chongqing joint brand in 2024",
     "data:cr_express_trains_cq_cd 2024 (> 5,700)",
     prior_kind::normal, true, "indicators"},
    {"cr_express_cq_trains_2024", 2059, "trains", 1900, 2200,
     "China-Europe trains from Chongqing in 2024 (CRCT city count)",
     "data:cr_express_trains_cq_crct 2024",
     prior_kind::normal, true, "indicators"},
    // --- calibration to 2024 -----------------------------------------------------------
    {"initial_exporter_share", 0.8, "share of the trading-firm target", 0.5, 1,
     "Exporters at the start of the burn-in, relative to the 2024 trading-firm count (a stock "
     "is smaller than a year's count)",
     "ASSUMPTION: only the start of the burn-in; the calibration then fits the count",
     prior_kind::uniform, true, "burn_in"},
    {"initial_exporting_capability_share", 0.3, "share of capability mass", 0.1, 0.6,
     "Start value of the demand shifters: the non-leaders' exports spread over this share of "
     "their sector's capability mass (the burn-in then fits the shifters to 2024 exports)",
     "ASSUMPTION: only the start of the calibration iteration",
     prior_kind::uniform, true, "burn_in"},
    {"exporter_count_aim", 0.95, "share of the 2024 count", 0.9, 1,
     "The last burn-in step thins exporters to this share of the 2024 count: the count grows "
     "into 2024 as new exporters churn in",
     "DERIVED: data trading_firms +8%/yr 2021-24 at the city level",
     prior_kind::triangular, true, "burn_in"},
    // --- chain leaders -----------------------------------------------------------------
    {"leader_share_laptop_odm_1", 0.22, "share of the sector's exports", 0.154, 0.286,
     "Chain leader laptop_odm_1: its share of its sector's exports",
     "ASSUMPTION: the split among the chain leaders is not published; the sector totals are "
     "(laptop_export_share, auto_exports_2024); range +-30%",
     prior_kind::uniform, false, "model_state"},
    {"leader_share_laptop_odm_2", 0.18, "share of the sector's exports", 0.126, 0.234,
     "Chain leader laptop_odm_2: its share of its sector's exports",
     "ASSUMPTION: the split among the chain leaders is not published; the sector totals are "
     "(laptop_export_share, auto_exports_2024); range +-30%",
     prior_kind::uniform, false, "model_state"},
    {"leader_share_laptop_odm_3", 0.16, "share of the sector's exports", 0.112, 0.208,
     "Chain leader laptop_odm_3: its share of its sector's exports",
     "ASSUMPTION: the split among the chain leaders is not published; the sector totals are "
     "(laptop_export_share, auto_exports_2024); range +-30%",
     prior_kind::uniform, false, "model_state"},
    {"leader_share_laptop_odm_4", 0.14, "share of the sector's exports", 0.098, 0.182,
     "Chain leader laptop_odm_4: its share of its sector's exports",
     "ASSUMPTION: the split among the chain leaders is not published; the sector totals are "
     "(laptop_export_share, auto_exports_2024); range +-30%",
     prior_kind::uniform, false, "model_state"},
    {"leader_share_laptop_odm_5", 0.1, "share of the sector's exports", 0.07, 0.13,
     "Chain leader laptop_odm_5: its share of its sector's exports",
     "ASSUMPTION: the split among the chain leaders is not published; the sector totals are "
     "(laptop_export_share, auto_exports_2024); range +-30%",
     prior_kind::uniform, false, "model_state"},
    {"leader_share_laptop_odm_6", 0.08, "share of the sector's exports", 0.056, 0.104,
     "Chain leader laptop_odm_6: its share of its sector's exports",
     "ASSUMPTION: the split among the chain leaders is not published; the sector totals are "
     "(laptop_export_share, auto_exports_2024); range +-30%",
     prior_kind::uniform, false, "model_state"},
    {"leader_share_carmaker_state_owned", 0.5, "share of the sector's exports", 0.35, 0.65,
     "Chain leader carmaker_state_owned: its share of its sector's exports",
     "ASSUMPTION: the split among the chain leaders is not published; the sector totals are "
     "(laptop_export_share, auto_exports_2024); range +-30%",
     prior_kind::uniform, false, "model_state"},
    {"leader_share_carmaker_private", 0.25, "share of the sector's exports", 0.175, 0.325,
     "Chain leader carmaker_private: its share of its sector's exports",
     "ASSUMPTION: the split among the chain leaders is not published; the sector totals are "
     "(laptop_export_share, auto_exports_2024); range +-30%",
     prior_kind::uniform, false, "model_state"},
    {"leader_share_carmaker_foreign", 0.1, "share of the sector's exports", 0.07, 0.13,
     "Chain leader carmaker_foreign: its share of its sector's exports",
     "ASSUMPTION: the split among the chain leaders is not published; the sector totals are "
     "(laptop_export_share, auto_exports_2024); range +-30%",
     prior_kind::uniform, false, "model_state"},
    {"leader_share_motorcycle_liangjiang", 0.12, "share of the sector's exports", 0.084, 0.156,
     "Chain leader motorcycle_liangjiang: its share of its sector's exports",
     "ASSUMPTION: the split among the chain leaders is not published; the sector totals are "
     "(laptop_export_share, auto_exports_2024); range +-30%",
     prior_kind::uniform, false, "model_state"},
    {"leader_share_motorcycle_1", 0.1, "share of the sector's exports", 0.07, 0.13,
     "Chain leader motorcycle_1: its share of its sector's exports",
     "ASSUMPTION: the split among the chain leaders is not published; the sector totals are "
     "(laptop_export_share, auto_exports_2024); range +-30%",
     prior_kind::uniform, false, "model_state"},
    {"leader_share_motorcycle_2", 0.06, "share of the sector's exports", 0.042, 0.078,
     "Chain leader motorcycle_2: its share of its sector's exports",
     "ASSUMPTION: the split among the chain leaders is not published; the sector totals are "
     "(laptop_export_share, auto_exports_2024); range +-30%",
     prior_kind::uniform, false, "model_state"},
    {"leader_import_ratio_laptop_odm_1", 1, "relative to processing_import_ratio", 0.7, 1.2,
     "Chain leader laptop_odm_1: imported inputs per CNY exported, as a multiple of "
     "processing_import_ratio",
     "ASSUMPTION: laptop ODMs import nearly all components (processing trade); carmakers and "
     "motorcycle makers source mostly locally",
     prior_kind::uniform, false, "model_state"},
    {"leader_import_ratio_laptop_odm_2", 1, "relative to processing_import_ratio", 0.7, 1.2,
     "Chain leader laptop_odm_2: imported inputs per CNY exported, as a multiple of "
     "processing_import_ratio",
     "ASSUMPTION: laptop ODMs import nearly all components (processing trade); carmakers and "
     "motorcycle makers source mostly locally",
     prior_kind::uniform, false, "model_state"},
    {"leader_import_ratio_laptop_odm_3", 1, "relative to processing_import_ratio", 0.7, 1.2,
     "Chain leader laptop_odm_3: imported inputs per CNY exported, as a multiple of "
     "processing_import_ratio",
     "ASSUMPTION: laptop ODMs import nearly all components (processing trade); carmakers and "
     "motorcycle makers source mostly locally",
     prior_kind::uniform, false, "model_state"},
    {"leader_import_ratio_laptop_odm_4", 1, "relative to processing_import_ratio", 0.7, 1.2,
     "Chain leader laptop_odm_4: imported inputs per CNY exported, as a multiple of "
     "processing_import_ratio",
     "ASSUMPTION: laptop ODMs import nearly all components (processing trade); carmakers and "
     "motorcycle makers source mostly locally",
     prior_kind::uniform, false, "model_state"},
    {"leader_import_ratio_laptop_odm_5", 1, "relative to processing_import_ratio", 0.7, 1.2,
     "Chain leader laptop_odm_5: imported inputs per CNY exported, as a multiple of "
     "processing_import_ratio",
     "ASSUMPTION: laptop ODMs import nearly all components (processing trade); carmakers and "
     "motorcycle makers source mostly locally",
     prior_kind::uniform, false, "model_state"},
    {"leader_import_ratio_laptop_odm_6", 1, "relative to processing_import_ratio", 0.7, 1.2,
     "Chain leader laptop_odm_6: imported inputs per CNY exported, as a multiple of "
     "processing_import_ratio",
     "ASSUMPTION: laptop ODMs import nearly all components (processing trade); carmakers and "
     "motorcycle makers source mostly locally",
     prior_kind::uniform, false, "model_state"},
    {"leader_import_ratio_carmaker_state_owned", 0.1, "relative to processing_import_ratio", 0.05, 0.15,
     "Chain leader carmaker_state_owned: imported inputs per CNY exported, as a multiple of "
     "processing_import_ratio",
     "ASSUMPTION: laptop ODMs import nearly all components (processing trade); carmakers and "
     "motorcycle makers source mostly locally",
     prior_kind::uniform, false, "model_state"},
    {"leader_import_ratio_carmaker_private", 0.1, "relative to processing_import_ratio", 0.05, 0.15,
     "Chain leader carmaker_private: imported inputs per CNY exported, as a multiple of "
     "processing_import_ratio",
     "ASSUMPTION: laptop ODMs import nearly all components (processing trade); carmakers and "
     "motorcycle makers source mostly locally",
     prior_kind::uniform, false, "model_state"},
    {"leader_import_ratio_carmaker_foreign", 0.2, "relative to processing_import_ratio", 0.1, 0.3,
     "Chain leader carmaker_foreign: imported inputs per CNY exported, as a multiple of "
     "processing_import_ratio",
     "ASSUMPTION: laptop ODMs import nearly all components (processing trade); carmakers and "
     "motorcycle makers source mostly locally",
     prior_kind::uniform, false, "model_state"},
    {"leader_import_ratio_motorcycle_liangjiang", 0.1, "relative to processing_import_ratio", 0.05, 0.15,
     "Chain leader motorcycle_liangjiang: imported inputs per CNY exported, as a multiple of "
     "processing_import_ratio",
     "ASSUMPTION: laptop ODMs import nearly all components (processing trade); carmakers and "
     "motorcycle makers source mostly locally",
     prior_kind::uniform, false, "model_state"},
    {"leader_import_ratio_motorcycle_1", 0.1, "relative to processing_import_ratio", 0.05, 0.15,
     "Chain leader motorcycle_1: imported inputs per CNY exported, as a multiple of "
     "processing_import_ratio",
     "ASSUMPTION: laptop ODMs import nearly all components (processing trade); carmakers and "
     "motorcycle makers source mostly locally",
     prior_kind::uniform, false, "model_state"},
    {"leader_import_ratio_motorcycle_2", 0.1, "relative to processing_import_ratio", 0.05, 0.15,
     "Chain leader motorcycle_2: imported inputs per CNY exported, as a multiple of "
     "processing_import_ratio",
     "ASSUMPTION: laptop ODMs import nearly all components (processing trade); carmakers and "
     "motorcycle makers source mostly locally",
     prior_kind::uniform, false, "model_state"},
    // --- firm locations ----------------------------------------------------------------
    {"location_weight_laptops_lianglu_cuntan_bonded", 0.15, "relative weight", 0.075, 0.225,
     "Weight of lianglu_cuntan_bonded in the location draw of non-leader firms in "
     "laptops_electronics",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"location_weight_laptops_xiyong_bonded", 0.4, "relative weight", 0.2, 0.6,
     "Weight of xiyong_bonded in the location draw of non-leader firms in laptops_electronics",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"location_weight_laptops_jiangjin_bonded", 0.05, "relative weight", 0.025, 0.075,
     "Weight of jiangjin_bonded in the location draw of non-leader firms in "
     "laptops_electronics",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"location_weight_laptops_fuling_bonded", 0, "relative weight", 0, 0.05,
     "Weight of fuling_bonded in the location draw of non-leader firms in laptops_electronics",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::triangular, false, "model_state"},
    {"location_weight_laptops_wanzhou_bonded", 0, "relative weight", 0, 0.05,
     "Weight of wanzhou_bonded in the location draw of non-leader firms in laptops_electronics",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::triangular, false, "model_state"},
    {"location_weight_laptops_yongchuan_bonded", 0.05, "relative weight", 0.025, 0.075,
     "Weight of yongchuan_bonded in the location draw of non-leader firms in "
     "laptops_electronics",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"location_weight_laptops_rail_port_bonded", 0.05, "relative weight", 0.025, 0.075,
     "Weight of rail_port_bonded in the location draw of non-leader firms in "
     "laptops_electronics",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"location_weight_laptops_liangjiang_other", 0.1, "relative weight", 0.05, 0.15,
     "Weight of liangjiang_other in the location draw of non-leader firms in "
     "laptops_electronics",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"location_weight_laptops_hightech_other", 0.1, "relative weight", 0.05, 0.15,
     "Weight of hightech_other in the location draw of non-leader firms in laptops_electronics",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"location_weight_laptops_elsewhere", 0.1, "relative weight", 0.05, 0.15,
     "Weight of elsewhere in the location draw of non-leader firms in laptops_electronics",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"location_weight_components_lianglu_cuntan_bonded", 0.3, "relative weight", 0.15, 0.45,
     "Weight of lianglu_cuntan_bonded in the location draw of non-leader firms in "
     "electronic_components",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"location_weight_components_xiyong_bonded", 0.3, "relative weight", 0.15, 0.45,
     "Weight of xiyong_bonded in the location draw of non-leader firms in "
     "electronic_components",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"location_weight_components_jiangjin_bonded", 0.05, "relative weight", 0.025, 0.075,
     "Weight of jiangjin_bonded in the location draw of non-leader firms in "
     "electronic_components",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"location_weight_components_fuling_bonded", 0, "relative weight", 0, 0.05,
     "Weight of fuling_bonded in the location draw of non-leader firms in "
     "electronic_components",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::triangular, false, "model_state"},
    {"location_weight_components_wanzhou_bonded", 0, "relative weight", 0, 0.05,
     "Weight of wanzhou_bonded in the location draw of non-leader firms in "
     "electronic_components",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::triangular, false, "model_state"},
    {"location_weight_components_yongchuan_bonded", 0.05, "relative weight", 0.025, 0.075,
     "Weight of yongchuan_bonded in the location draw of non-leader firms in "
     "electronic_components",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"location_weight_components_rail_port_bonded", 0, "relative weight", 0, 0.05,
     "Weight of rail_port_bonded in the location draw of non-leader firms in "
     "electronic_components",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::triangular, false, "model_state"},
    {"location_weight_components_liangjiang_other", 0.1, "relative weight", 0.05, 0.15,
     "Weight of liangjiang_other in the location draw of non-leader firms in "
     "electronic_components",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"location_weight_components_hightech_other", 0.1, "relative weight", 0.05, 0.15,
     "Weight of hightech_other in the location draw of non-leader firms in "
     "electronic_components",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"location_weight_components_elsewhere", 0.1, "relative weight", 0.05, 0.15,
     "Weight of elsewhere in the location draw of non-leader firms in electronic_components",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"location_weight_autos_lianglu_cuntan_bonded", 0.1, "relative weight", 0.05, 0.15,
     "Weight of lianglu_cuntan_bonded in the location draw of non-leader firms in autos_parts",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"location_weight_autos_xiyong_bonded", 0, "relative weight", 0, 0.05,
     "Weight of xiyong_bonded in the location draw of non-leader firms in autos_parts",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::triangular, false, "model_state"},
    {"location_weight_autos_jiangjin_bonded", 0.05, "relative weight", 0.025, 0.075,
     "Weight of jiangjin_bonded in the location draw of non-leader firms in autos_parts",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"location_weight_autos_fuling_bonded", 0.05, "relative weight", 0.025, 0.075,
     "Weight of fuling_bonded in the location draw of non-leader firms in autos_parts",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"location_weight_autos_wanzhou_bonded", 0, "relative weight", 0, 0.05,
     "Weight of wanzhou_bonded in the location draw of non-leader firms in autos_parts",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::triangular, false, "model_state"},
    {"location_weight_autos_yongchuan_bonded", 0.1, "relative weight", 0.05, 0.15,
     "Weight of yongchuan_bonded in the location draw of non-leader firms in autos_parts",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"location_weight_autos_rail_port_bonded", 0.05, "relative weight", 0.025, 0.075,
     "Weight of rail_port_bonded in the location draw of non-leader firms in autos_parts",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"location_weight_autos_liangjiang_other", 0.35, "relative weight", 0.175, 0.525,
     "Weight of liangjiang_other in the location draw of non-leader firms in autos_parts",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"location_weight_autos_hightech_other", 0.05, "relative weight", 0.025, 0.075,
     "Weight of hightech_other in the location draw of non-leader firms in autos_parts",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"location_weight_autos_elsewhere", 0.25, "relative weight", 0.125, 0.375,
     "Weight of elsewhere in the location draw of non-leader firms in autos_parts",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"location_weight_other_lianglu_cuntan_bonded", 0.1, "relative weight", 0.05, 0.15,
     "Weight of lianglu_cuntan_bonded in the location draw of non-leader firms in every other "
     "sector",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"location_weight_other_xiyong_bonded", 0.08, "relative weight", 0.04, 0.12,
     "Weight of xiyong_bonded in the location draw of non-leader firms in every other sector",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"location_weight_other_jiangjin_bonded", 0.05, "relative weight", 0.025, 0.075,
     "Weight of jiangjin_bonded in the location draw of non-leader firms in every other sector",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"location_weight_other_fuling_bonded", 0.05, "relative weight", 0.025, 0.075,
     "Weight of fuling_bonded in the location draw of non-leader firms in every other sector",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"location_weight_other_wanzhou_bonded", 0.04, "relative weight", 0.02, 0.06,
     "Weight of wanzhou_bonded in the location draw of non-leader firms in every other sector",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"location_weight_other_yongchuan_bonded", 0.05, "relative weight", 0.025, 0.075,
     "Weight of yongchuan_bonded in the location draw of non-leader firms in every other "
     "sector",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"location_weight_other_rail_port_bonded", 0.06, "relative weight", 0.03, 0.09,
     "Weight of rail_port_bonded in the location draw of non-leader firms in every other "
     "sector",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"location_weight_other_liangjiang_other", 0.17, "relative weight", 0.085, 0.255,
     "Weight of liangjiang_other in the location draw of non-leader firms in every other "
     "sector",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"location_weight_other_hightech_other", 0.12, "relative weight", 0.06, 0.18,
     "Weight of hightech_other in the location draw of non-leader firms in every other sector",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::uniform, false, "model_state"},
    {"location_weight_other_elsewhere", 0.28, "relative weight", 0.14, 0.42,
     "Weight of elsewhere in the location draw of non-leader firms in every other sector",
     "ASSUMPTION: tuned only in shape so that bonded zones hold about two-thirds of trade "
     "value (data special_zones_share 2019); range +-50%",
     prior_kind::uniform, false, "model_state"},
};
} // namespace

std::span<const parameter_info> parameter_table() noexcept { return table; }

std::string_view prior_name(prior_kind p) noexcept {
    switch (p) {
    case prior_kind::uniform: return "uniform";
    case prior_kind::triangular: return "triangular";
    case prior_kind::normal: return "normal";
    case prior_kind::lognormal: return "lognormal";
    }
    return "uniform";
}

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
