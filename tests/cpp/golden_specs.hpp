#pragma once
// The golden runs' specs and record hash, shared by test_golden.cpp (pinned hashes) and
// test_checkpoint.cpp (a restored run must hash like an uninterrupted one).

#include <tradeeco/models/spec.hpp>
#include <tradeeco/sim/recorder.hpp>

#include <cstdint>

namespace tradeeco::testing {

// FNV-1a over the names and values of every series and every table column, in record order.
inline std::uint64_t golden_hash(const sim::replicate_record& rec) {
    std::uint64_t h = 1469598103934665603ull;
    auto mix = [&](const void* p, std::size_t n) {
        const auto* b = static_cast<const unsigned char*>(p);
        for (std::size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
    };
    for (std::size_t k = 0; k < rec.series_specs().size(); ++k) {
        const auto& name = rec.series_specs()[k].name;
        mix(name.data(), name.size());
        mix(rec.values(k).data(), rec.values(k).size() * sizeof(double));
    }
    for (std::size_t t = 0; t < rec.table_specs().size(); ++t) {
        const auto& table = rec.table_specs()[t];
        mix(table.name.data(), table.name.size());
        for (std::size_t c = 0; c < table.columns.size(); ++c) {
            mix(table.columns[c].name.data(), table.columns[c].name.size());
            mix(rec.table_column(t, c).data(), rec.table_column(t, c).size() * sizeof(double));
        }
    }
    return h;
}

inline models::model_spec full_outputs(std::uint64_t seed) {
    models::model_spec s;
    s.seed = seed;
    s.outputs.firm_snapshots = true;
    s.outputs.train_departures = true;
    s.outputs.shipment_flows = true;
    return s;
}

// Every lever (some targeted, one ramped) and every shock, so that the policy code paths are
// covered as well as the baseline.
inline models::model_spec everything_spec() {
    auto s = full_outputs(20240101);
    auto add = [&](models::lever l, double strength) -> models::instrument& {
        models::instrument ins;
        ins.what = l;
        ins.start = sim::make_date(2025, 1, 1);
        ins.strength = strength;
        s.instruments.push_back(ins);
        return s.instruments.back();
    };
    add(models::lever::entry_cost_subsidy, 0.3).target.sme_only = true;
    add(models::lever::platform_outreach, 0.2);
    add(models::lever::aeo_cultivation, 0.1);
    add(models::lever::clearance_time_cut, 0.2);
    add(models::lever::clearance_time_cut, 0.3).target.locations = {
        models::location::xiyong_bonded};
    add(models::lever::chain_leader_pairing, 10);
    add(models::lever::kd_kit_hub, 0.2);
    add(models::lever::freight_subsidy, 0.2).target.routes = {models::route::cr_express_duisburg};
    add(models::lever::service_frequency, 2).target.routes = {
        models::route::lsc_rail_sea_singapore};
    add(models::lever::transit_time_cut, 0.1).target.routes = {models::route::clt_rail};
    add(models::lever::one_bill_adoption, 0.2);
    add(models::lever::forwarder_attraction, 30);
    add(models::lever::export_credit_insurance, 0.4).ramp_months = 12;
    add(models::lever::rail_doc_financing, 0.3);
    add(models::lever::rmb_settlement_promotion, 0.1);
    add(models::lever::hedging_incentive, 0.2).target.sme_only = true;
    add(models::lever::cbec_support, 0.4);
    add(models::lever::market_intelligence, 0.4);
    add(models::lever::transit_cargo_attraction, 800);
    add(models::lever::capacity_contracts, 0.3);
    auto shock = [&](models::shock_kind k, double magnitude) -> models::shock& {
        models::shock sh;
        sh.what = k;
        sh.start = sim::make_date(2026, 1, 1);
        sh.end = sim::make_date(2026, 12, 31);
        sh.magnitude = magnitude;
        s.shocks.push_back(sh);
        return s.shocks.back();
    };
    shock(models::shock_kind::demand_shock, -0.05).target.regions = {models::region::eu};
    shock(models::shock_kind::tariff, 0.2).target.sectors = {models::sector::autos_parts};
    shock(models::shock_kind::route_disruption, 10).target.routes = {
        models::route::cr_express_duisburg};
    shock(models::shock_kind::freight_rate_shock, 0.3);
    shock(models::shock_kind::border_congestion, 3).target.routes = {models::route::clt_rail};
    shock(models::shock_kind::exchange_rate, 0.05);
    shock(models::shock_kind::transit_cargo, 0.2).target.routes = {models::route::lsc_rail_sea_singapore};
    return s;
}

} // namespace tradeeco::testing
