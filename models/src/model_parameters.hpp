#pragma once
// Typed parameters: every scalar row of the parameter table (models/src/parameters.cpp) as a
// field, resolved once per replicate from the run's parameter_set (the defaults with the
// scenario's overrides), so that the mechanisms read `params.key` with no string look-up and a
// misspelt key does not compile. The per-sector, per-region, per-location and per-leader families
// are resolved into arrays in model_state.hpp (par_by_sector and the like).
// tests/cpp/test_parameter_table.cpp checks that this list and those families cover the table.

#include <tradeeco/models/parameters.hpp>

namespace tradeeco::models::model_impl {

// X(key) for every scalar parameter, in the table's order.
#define TRADEECO_SCALAR_PARAMETERS(X) \
    X(total_trade_2024) \
    X(export_share_2024) \
    X(trading_firms_2024) \
    X(potential_pool_ratio) \
    X(laptop_export_share) \
    X(auto_exports_2024) \
    X(vehicle_unit_value) \
    X(national_vehicle_exports_2024) \
    X(share_components) \
    X(share_motorcycles_machinery) \
    X(share_chemicals) \
    X(share_biomedicine) \
    X(share_agri_food) \
    X(share_asean) \
    X(share_eu) \
    X(share_us) \
    X(share_central_asia_russia) \
    X(share_japan_korea) \
    X(share_latin_america) \
    X(share_africa) \
    X(share_middle_east) \
    X(processing_import_ratio) \
    X(capability_sigma) \
    X(capability_tail_exponent) \
    X(capability_cap) \
    X(sme_share) \
    X(specialised_sme_exporters_2024) \
    X(trade_elasticity) \
    X(sunk_cost_months) \
    X(fixed_cost_share) \
    X(trial_months) \
    X(trial_scale) \
    X(demand_draw_sigma) \
    X(experience_boost) \
    X(neighbour_boost) \
    X(peer_spillover) \
    X(exit_hazard) \
    X(entry_hazard) \
    X(entry_noise) \
    X(import_only_share) \
    X(indirect_threshold_quantile) \
    X(indirect_share) \
    X(direct_export_profit_multiple) \
    X(supplier_size_gain) \
    X(baseline_pairing) \
    X(kd_share_2024) \
    X(aeo_firms_2024) \
    X(inspection_rate_aeo) \
    X(inspection_rate_general) \
    X(inspection_rate_discredited) \
    X(inspection_delay_days) \
    X(clearance_days) \
    X(aeo_apply_rate) \
    X(aeo_success) \
    X(value_of_time) \
    X(platform_coverage_2024) \
    X(platform_cost_cut) \
    X(platform_enrol_rate) \
    X(rmb_goods_share) \
    X(cross_border_rmb_2024) \
    X(rmb_nongoods_growth) \
    X(logistics_ratio_trend) \
    X(fx_pass_through) \
    X(fx_export_elasticity) \
    X(hedge_ratio_2024) \
    X(lcl_shipment_teu) \
    X(shipments_per_month) \
    X(consolidation_max_days) \
    X(cfs_fee_cny_per_teu) \
    X(contract_cover_2024) \
    X(contract_discount) \
    X(fiscal_cost_scale) \
    X(ownership_weight_foreign_invested) \
    X(ownership_weight_private_domestic) \
    X(ownership_weight_state_owned) \
    X(exporter_importer_share) \
    X(reference_capability_quantile) \
    X(sme_size_noise) \
    X(cbec_share_2024) \
    X(aeo_eligible_top_share) \
    X(other_electronics_export_share) \
    X(min_consumer_goods_share) \
    X(kd_kit_value_share) \
    X(sme_finance_premium) \
    X(entry_subsidy_cap) \
    X(entry_horizon_max_months) \
    X(peer_half_saturation) \
    X(exit_fixed_cost_cover) \
    X(ordinary_import_input_share) \
    X(cbec_export_share) \
    X(one_off_order_rate) \
    X(clearance_cut_cap) \
    X(transit_cut_cap) \
    X(freight_subsidy_cap) \
    X(route_logit_scale) \
    X(transit_frequency_elasticity) \
    X(transit_speed_weight) \
    X(transit_cny_per_utility) \
    X(lsc_outside_share_2021) \
    X(rail_load_factor_2024) \
    X(min_departure_load) \
    X(extra_train_backlog_trains) \
    X(delay_floor_share) \
    X(forwarders_2024) \
    X(a_level_forwarders_2024) \
    X(forwarder_scale_sigma) \
    X(forwarder_margin_min) \
    X(forwarder_margin_range) \
    X(forwarder_candidates) \
    X(forwarder_choice_margin_scale) \
    X(forwarder_choice_scale_weight) \
    X(forwarder_choice_a_level_weight) \
    X(forwarder_choice_one_bill_weight) \
    X(teu_per_bill) \
    X(a_level_volume_quantile) \
    X(forwarder_exit_volume_quantile) \
    X(a_level_assessment_rate) \
    X(one_bill_adoption_2024) \
    X(one_bill_a_level_multiplier) \
    X(forwarder_exit_rate) \
    X(attracted_forwarder_scale) \
    X(attracted_a_level_share) \
    X(aeo_lapse_rate) \
    X(indirect_graduation_rate) \
    X(cbec_adoption_rate) \
    X(cbec_support_adoption_effect) \
    X(specialised_certified_per_year) \
    X(specialised_potential_ratio) \
    X(rail_doc_value_cny_per_teu) \
    X(rail_doc_financing_share_2024) \
    X(rail_doc_financing_take_up) \
    X(a_level_other_logistics_firms) \
    X(logistics_cost_gdp_2024) \
    X(gdp_cq_2024) \
    X(cr_express_joint_trains_2024) \
    X(cr_express_cq_trains_2024) \
    X(initial_exporter_share) \
    X(initial_exporting_capability_share) \
    X(exporter_count_aim)

struct model_parameters {
#define TRADEECO_DECLARE(key) double key = 0;
    TRADEECO_SCALAR_PARAMETERS(TRADEECO_DECLARE)
#undef TRADEECO_DECLARE

    explicit model_parameters(const parameter_set& par) {
#define TRADEECO_RESOLVE(key) key = par[#key];
        TRADEECO_SCALAR_PARAMETERS(TRADEECO_RESOLVE)
#undef TRADEECO_RESOLVE
    }
};

} // namespace tradeeco::models::model_impl
