// The trade model: bit-identical across thread counts, calibrated to 2024, and each mechanism
// moves its indicator in the direction the evidence says.
#include "catch.hpp"

#include <tradeeco/models/trade_model.hpp>
#include <tradeeco/sim/executor.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <vector>

using namespace tradeeco;
using models::model_spec;

namespace {

std::uint64_t hash_record(const sim::replicate_record& rec) {
    std::uint64_t h = 1469598103934665603ull;
    auto mix = [&](const void* p, std::size_t n) {
        const auto* b = static_cast<const unsigned char*>(p);
        for (std::size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
    };
    for (std::size_t k = 0; k < rec.series_specs().size(); ++k)
        mix(rec.values(k).data(), rec.values(k).size() * sizeof(double));
    for (std::size_t t = 0; t < rec.table_specs().size(); ++t)
        for (std::size_t c = 0; c < rec.table_specs()[t].columns.size(); ++c)
            mix(rec.table_column(t, c).data(), rec.table_column(t, c).size() * sizeof(double));
    return h;
}

sim::replicate_record run(const model_spec& spec, int threads = 1, std::int32_t replicate = 0) {
    sim::executor ex(threads);
    models::trade_model m(spec, replicate, ex);
    m.run();
    return m.take_record();
}

double yearly(const sim::replicate_record& rec, const std::string& name, int year_index) {
    return rec.values(rec.series_index(name)).at(std::size_t(year_index));
}

model_spec small_spec() {
    model_spec s;
    s.population_scale = 0.25; // fewer firms: mechanism tests compare runs, not levels
    return s;
}

// A shock in force from 2025 to the end of the run (2024 stays the calibrated year).
models::shock shock_from_2025(models::shock_kind what, double magnitude) {
    models::shock sh;
    sh.what = what;
    sh.start = sim::make_date(2025, 1, 1);
    sh.end = sim::make_date(2027, 12, 31);
    sh.magnitude = magnitude;
    return sh;
}

models::instrument make(models::lever l, double strength) {
    models::instrument ins;
    ins.what = l;
    ins.start = sim::make_date(2024, 1, 1);
    ins.strength = strength;
    return ins;
}

} // namespace

TEST_CASE("a run is bit-identical with 1, 2 and 8 threads; seeds differ", "[model][determinism]") {
    model_spec spec;
    spec.outputs.train_departures = true;
    const auto h1 = hash_record(run(spec, 1));
    CHECK(hash_record(run(spec, 2)) == h1);
    CHECK(hash_record(run(spec, 8)) == h1);
    spec.seed += 1;
    CHECK(hash_record(run(spec, 1)) != h1);
}

TEST_CASE("replicates differ and each is reproducible", "[model][determinism]") {
    const auto spec = small_spec();
    const auto a = hash_record(run(spec, 1, 0));
    CHECK(hash_record(run(spec, 1, 1)) != a);
    CHECK(hash_record(run(spec, 1, 0)) == a);
}

TEST_CASE("the 2024 baseline matches the 2024 data", "[model][calibration]") {
    // The calibrated quantity is the replicate mean (docs/calibration.md averages 20): a single
    // replicate also carries the demand draws of its largest non-leader firms (the 2024 total
    // varies by a few percent between replicates).
    std::vector<sim::replicate_record> recs;
    for (std::int32_t r = 0; r < 4; ++r) recs.push_back(run(model_spec{}, 1, r));
    auto gap = [&](const char* name, double data) {
        double sum = 0;
        for (const auto& rec: recs) sum += yearly(rec, name, 0);
        const double g = sum / double(recs.size()) / data - 1;
        INFO(name << ": mean gap " << g * 100 << "%");
        return std::abs(g);
    };
    // total trade within 3% (data total_trade_cny_100m 2024 = 7154.2)
    CHECK(gap("total_trade_cny_100m", 7154.2) < 0.03);
    // other calibrated indicators within 10%
    CHECK(gap("exports_cny_100m", 7154.2 * 0.643) < 0.10);
    CHECK(gap("imports_cny_100m", 7154.2 * 0.357) < 0.10);
    CHECK(gap("auto_exports_cny_100m", 431.3) < 0.10);
    CHECK(gap("trading_firms", 4762) < 0.10);
    CHECK(gap("cross_border_rmb", 3935) < 0.10);
    CHECK(gap("aeo_firms", 105) < 0.10);
    CHECK(gap("trade_asean_cny_100m", 7154.2 * 0.162) < 0.10);
    CHECK(gap("laptop_exports_cny_100m", 7154.2 * 0.643 * 0.387) < 0.10);
    // complete vehicles: 2024 auto exports at the 2023 value per complete vehicle (90,130 CNY)
    CHECK(gap("vehicle_exports_units_cq", 431.3e8 / 90130) < 0.10);
}

TEST_CASE("lowering the sunk entry cost raises entry", "[model][mechanism]") {
    auto base = small_spec();
    auto policy = base;
    policy.instruments.push_back(make(models::lever::entry_cost_subsidy, 0.5));
    const auto a = run(base), b = run(policy);
    double ea = 0, eb = 0;
    const auto k = a.series_index("new_export_entries_monthly");
    for (double v: a.values(k)) ea += v;
    for (double v: b.values(k)) eb += v;
    CHECK(eb > 1.1 * ea);
    CHECK(yearly(b, "trading_firms", 3) > yearly(a, "trading_firms", 3));
}

TEST_CASE("AEO cultivation raises AEO firms, and AEO firms face fewer inspections", "[model][mechanism]") {
    auto base = small_spec();
    auto policy = base;
    policy.instruments.push_back(make(models::lever::aeo_cultivation, 0.2));
    const auto a = run(base), b = run(policy);
    CHECK(yearly(b, "aeo_firms", 3) > yearly(a, "aeo_firms", 3));
    // More AEO firms clear faster, so trade is at least as high.
    CHECK(yearly(b, "total_trade_cny_100m", 3) >= yearly(a, "total_trade_cny_100m", 3));
}

TEST_CASE("a tariff on autos in the EU cuts auto exports", "[model][mechanism]") {
    auto base = small_spec();
    auto shocked = base;
    auto sh = shock_from_2025(models::shock_kind::tariff, 0.3);
    sh.target.sectors = {models::sector::autos_parts};
    sh.target.regions = {models::region::eu};
    shocked.shocks.push_back(sh);
    const auto a = run(base), b = run(shocked);
    CHECK(yearly(b, "auto_exports_cny_100m", 0) == yearly(a, "auto_exports_cny_100m", 0));
    CHECK(yearly(b, "auto_exports_cny_100m", 2) < yearly(a, "auto_exports_cny_100m", 2));
    CHECK(yearly(b, "trade_eu_cny_100m", 2) < yearly(a, "trade_eu_cny_100m", 2));
}

TEST_CASE("more China-Europe departures and faster CLT rail move the corridor indicators", "[model][mechanism]") {
    auto base = small_spec();
    auto policy = base;
    auto more = make(models::lever::service_frequency, 20);
    more.target.routes = {models::route::cr_express_duisburg};
    policy.instruments.push_back(more);
    auto faster = make(models::lever::transit_time_cut, 0.4);
    faster.target.routes = {models::route::clt_rail};
    policy.instruments.push_back(faster);
    const auto a = run(base), b = run(policy);
    CHECK(yearly(b, "cr_express_trains_cq_crct", 3) > yearly(a, "cr_express_trains_cq_crct", 3));
    CHECK(yearly(b, "clt_rail_days", 3) < yearly(a, "clt_rail_days", 3));
}

TEST_CASE("a scenario compared with itself differs by exactly zero", "[model][crn]") {
    const auto spec = small_spec();
    CHECK(hash_record(run(spec)) == hash_record(run(spec)));
}

TEST_CASE("conservation: values add up between firms, flows and totals; TEU between booking and departures",
          "[model][conservation]") {
    auto spec = small_spec();
    spec.outputs.firm_snapshots = true;
    spec.outputs.shipment_flows = true;
    spec.outputs.train_departures = true;
    const auto rec = run(spec);
    std::size_t snap = 0, flows = 0, deps = 0;
    for (std::size_t t = 0; t < rec.table_specs().size(); ++t) {
        if (rec.table_specs()[t].name == "firm_snapshots") snap = t;
        if (rec.table_specs()[t].name == "shipment_flows") flows = t;
        if (rec.table_specs()[t].name == "train_departures") deps = t;
    }
    // Firm rows sum to the yearly totals (summation order differs: relative 1e-9).
    for (int y = 0; y < 4; ++y) {
        double ex = 0, im = 0, fl = 0;
        for (std::size_t k = 0; k < rec.table_rows(snap); ++k)
            if (rec.table_column(snap, 0)[k] == 2024 + y) {
                ex += rec.table_column(snap, 13)[k];
                im += rec.table_column(snap, 14)[k];
            }
        for (std::size_t k = 0; k < rec.table_rows(flows); ++k)
            if (rec.table_column(flows, 0)[k] == 2024 + y) fl += rec.table_column(flows, 4)[k];
        CHECK(ex == Approx(yearly(rec, "exports_cny_100m", y)).epsilon(1e-9));
        CHECK(im == Approx(yearly(rec, "imports_cny_100m", y)).epsilon(1e-9));
        CHECK(fl == Approx(yearly(rec, "total_trade_cny_100m", y)).epsilon(1e-9));
    }
    // Every TEU booked has departed or is still waiting at the end.
    double booked = 0, carried = 0;
    for (int y = 0; y < 4; ++y) {
        booked += yearly(rec, "teu_booked", y);
        carried += yearly(rec, "teu_carried", y);
    }
    CHECK(booked == Approx(carried + yearly(rec, "teu_backlog", 3)).epsilon(1e-9));
    // No departure carries more than its capacity; the departures table sums to teu_carried.
    double table_load = 0, worst_excess = -1e300;
    REQUIRE(rec.table_rows(deps) > 1000);
    for (std::size_t k = 0; k < rec.table_rows(deps); ++k) {
        worst_excess = std::max(worst_excess, rec.table_column(deps, 2)[k] - rec.table_column(deps, 3)[k]);
        table_load += rec.table_column(deps, 2)[k];
    }
    CHECK(worst_excess <= 0);
    CHECK(table_load == Approx(carried).epsilon(1e-9));
}

TEST_CASE("forwarders: attraction adds registered forwarders, adoption adds one-bill adopters and documents", "[model][logistics]") {
    auto base = small_spec();
    auto policy = base;
    policy.instruments.push_back(make(models::lever::forwarder_attraction, 20));
    policy.instruments.push_back(make(models::lever::one_bill_adoption, 0.3));
    sim::executor ex(1);
    models::trade_model a(base, 0, ex), b(policy, 0, ex);
    a.run();
    b.run();
    CHECK(yearly(b.record(), "freight_forwarders", 3) >= yearly(a.record(), "freight_forwarders", 3) + 3 * 20 * 0.25 - 1);
    // Adoption: 2% a year without the lever, 30% with it (A-level forwarders twice as likely).
    auto adopters = [](models::trade_model& m) {
        const auto col = m.agents("forwarders").column<std::uint8_t>("one_bill");
        return double(std::count(col.begin(), col.end(), std::uint8_t(1))) / double(col.size());
    };
    CHECK(adopters(a) < 0.15);
    CHECK(adopters(b) > 0.5);
    // Documents follow the adopters' volumes, which are lumpy (one large adopter moves them).
    CHECK(yearly(b.record(), "one_bill_digital_bills", 3) > yearly(a.record(), "one_bill_digital_bills", 3));
}

TEST_CASE("forwarders consolidate LCL cargo: a shorter time cap ships emptier boxes sooner", "[model][logistics]") {
    auto quick = small_spec(), slow = small_spec();
    quick.parameters["consolidation_max_days"] = 0.5;
    slow.parameters["consolidation_max_days"] = 14;
    const auto a = run(quick), b = run(slow);
    for (int y = 0; y < 4; ++y) {
        INFO("year " << 2024 + y);
        CHECK(yearly(a, "lcl_cargo_share", y) > 0);
        CHECK(yearly(a, "lcl_cargo_share", y) < 50);
        CHECK(yearly(a, "lcl_fill_rate", y) < yearly(b, "lcl_fill_rate", y));
        CHECK(yearly(b, "lcl_fill_rate", y) <= 100 + 1e-9);
        CHECK(yearly(a, "lcl_consolidation_days", y) < yearly(b, "lcl_consolidation_days", y));
        CHECK(yearly(a, "lcl_consolidation_days", y) <= 0.25);
    }
}

TEST_CASE("imports shift between source regions with the landed cost", "[model][mechanism]") {
    // Dearer freight on every route's legs to ASEAN: buyers source less there and more elsewhere
    // (the amount imported is set by activity, not by the source).
    auto base = small_spec();
    auto dearer = base;
    auto rate = shock_from_2025(models::shock_kind::freight_rate_shock, 2.0);
    rate.target.regions = {models::region::asean};
    dearer.shocks.push_back(rate);
    const auto a = run(base), b = run(dearer);
    CHECK(yearly(b, "imports_asean_cny_100m", 0) == yearly(a, "imports_asean_cny_100m", 0));
    CHECK(yearly(b, "imports_asean_cny_100m", 2) < yearly(a, "imports_asean_cny_100m", 2));
    CHECK(yearly(b, "imports_eu_cny_100m", 2) > yearly(a, "imports_eu_cny_100m", 2));
    CHECK(yearly(b, "imports_us_cny_100m", 2) > yearly(a, "imports_us_cny_100m", 2));
}

TEST_CASE("smaller shipments go LCL more often", "[model][logistics]") {
    auto weekly = small_spec(), often = small_spec();
    often.parameters["shipments_per_month"] = 8;
    const auto a = run(weekly), b = run(often);
    CHECK(yearly(b, "lcl_cargo_share", 1) > yearly(a, "lcl_cargo_share", 1));
}

TEST_CASE("capacity contracts: a demand slump leaves paid-for slots unused until they are re-sized", "[model][logistics]") {
    auto base = small_spec();
    auto slump = base;
    slump.shocks.push_back(shock_from_2025(models::shock_kind::demand_shock, -0.4));
    const auto a = run(base), b = run(slump);
    CHECK(yearly(a, "rail_contract_share", 0) > 10);
    CHECK(yearly(b, "take_or_pay_cny_100m", 1) > yearly(a, "take_or_pay_cny_100m", 1));
    // Next year's contracts are sized on the slump year's cargo.
    CHECK(yearly(b, "take_or_pay_cny_100m", 2) < 0.5 * yearly(b, "take_or_pay_cny_100m", 1));
}

TEST_CASE("when trains fill, spot cargo waits behind them", "[model][logistics]") {
    auto base = small_spec();
    auto boom = base;
    boom.shocks.push_back(shock_from_2025(models::shock_kind::demand_shock, 0.8));
    const auto a = run(base), b = run(boom);
    CHECK(yearly(b, "spot_bumped_days", 2) > yearly(a, "spot_bumped_days", 2));
}

TEST_CASE("mode choice: more days or a higher rate on a route shift cargo away from it", "[model][logistics]") {
    auto base = small_spec();
    base.outputs.shipment_flows = true;
    auto route_share = [](const sim::replicate_record& rec, models::route r, int year) {
        std::size_t t = 0;
        while (rec.table_specs()[t].name != "shipment_flows") ++t;
        double on = 0, all = 0;
        for (std::size_t k = 0; k < rec.table_rows(t); ++k) {
            if (rec.table_column(t, 0)[k] != year) continue;
            all += rec.table_column(t, 5)[k];
            if (rec.table_column(t, 2)[k] == double(r)) on += rec.table_column(t, 5)[k];
        }
        return on / all;
    };
    auto slower = base, dearer = base;
    auto days = shock_from_2025(models::shock_kind::route_disruption, 10);
    days.target.routes = {models::route::yangtze_river_sea};
    slower.shocks.push_back(days);
    models::shock rate = days;
    rate.what = models::shock_kind::freight_rate_shock;
    rate.magnitude = 1.0;
    rate.target.routes = {models::route::cr_express_duisburg};
    dearer.shocks.push_back(rate);
    const auto a = run(base), b = run(slower), c = run(dearer);
    CHECK(route_share(b, models::route::yangtze_river_sea, 2026) < route_share(a, models::route::yangtze_river_sea, 2026));
    CHECK(route_share(c, models::route::cr_express_duisburg, 2026) < route_share(a, models::route::cr_express_duisburg, 2026));
    // 2024 is before the shocks: identical.
    CHECK(route_share(b, models::route::yangtze_river_sea, 2024) == route_share(a, models::route::yangtze_river_sea, 2024));
}

TEST_CASE("more cargo offered by other provinces passes through the corridor's hub from the shock on", "[model][logistics]") {
    auto base = small_spec();
    auto more = base;
    auto sh = shock_from_2025(models::shock_kind::transit_cargo, 1.0);
    sh.target.routes = {models::route::lsc_rail_sea_singapore, models::route::lsc_rail_sea_jakarta,
                        models::route::lsc_rail_sea_haiphong, models::route::lsc_rail_sea_hcmc,
                        models::route::lsc_rail_sea_laem_chabang, models::route::clt_rail,
                        models::route::road_vietnam, models::route::road_laos};
    more.shocks.push_back(sh);
    const auto a = run(base), b = run(more);
    // 2024 is before the shock: identical.
    CHECK(yearly(b, "lsc_cq_teu", 0) == yearly(a, "lsc_cq_teu", 0));
    // Twice the cargo offered: more of the corridor's TEU is transit, and there are more of them.
    CHECK(yearly(b, "lsc_transit_rate", 2) > yearly(a, "lsc_transit_rate", 2) + 5);
    CHECK(yearly(b, "lsc_cq_teu", 2) > 1.2 * yearly(a, "lsc_cq_teu", 2));
}

#include "../../models/src/routes.hpp"
#include <tradeeco/models/parameters.hpp>

TEST_CASE("the value of time implied by route choice lies in the published range", "[model][logistics]") {
    // Generalized cost is rate / value + vot x days, so the implied value of a day is vot (share
    // of value per day); Hummels & Schaur 2013: 0.6-2.1% per day.
    const double scale = models::find_parameter("value_of_time")->value / 0.012;
    for (double v: models::detail::value_of_time_by_sector) {
        CHECK(v * scale >= 0.006);
        CHECK(v * scale <= 0.021);
    }
    // Rail costs ~2.2-2.7x sea per box port to port (forwarder quotes: rail USD 6,000-8,500 and
    // sea 2,200-3,800 per FEU, anchors 3.3). From Chongqing the sea option adds the Yangtze leg
    // (CNY 2,700 per TEU, data), so the same quotes give 1.3-2.9 (at CNY 7.2 per USD).
    const auto& rail = models::detail::route_table[std::size_t(models::route::cr_express_duisburg)];
    const auto& sea = models::detail::route_table[std::size_t(models::route::yangtze_river_sea)];
    const double ratio = rail.leg_rate_cny_per_teu /
                         (sea.leg_rate_cny_per_teu + models::detail::sea_leg[std::size_t(models::region::eu)].rate_cny_per_teu);
    CHECK(ratio >= 1.3);
    CHECK(ratio <= 2.9);
}

TEST_CASE("every lever moves the indicator it acts on", "[model][mechanism]") {
    struct lever_case {
        models::lever what;
        double strength;
        const char* indicator;
        int direction; // +1: policy raises it, -1: lowers it
    };
    // One case per lever that has an indicator of its own (the others are covered above).
    const lever_case cases[] = {
        {models::lever::platform_outreach, 0.3, "platform_coverage", +1},
        {models::lever::chain_leader_pairing, 20, "exports_cny_100m", +1},
        {models::lever::export_credit_insurance, 0.8, "trading_firms", +1},
        {models::lever::rmb_settlement_promotion, 0.2, "cross_border_rmb", +1},
        {models::lever::cbec_support, 0.8, "cbec_channel_firms", +1},
        {models::lever::kd_kit_hub, 0.3, "kd_kit_exports", +1},
        {models::lever::clearance_time_cut, 0.5, "total_trade_cny_100m", +1},
        {models::lever::freight_subsidy, 0.3, "trade_logistics_cost_cny_100m", -1},
        {models::lever::rail_doc_financing, 0.5, "rail_doc_financing", +1},
        {models::lever::transit_cargo_attraction, 1500, "lsc_transit_rate", +1},
        {models::lever::market_intelligence, 0.8, "trial_survival_pct", +1},
        {models::lever::capacity_contracts, 0.5, "rail_contract_share", +1},
    };
    const auto base = small_spec();
    const auto a = run(base);
    for (const auto& c: cases) {
        DYNAMIC_SECTION(models::info(c.what).name) {
            auto policy = base;
            policy.instruments.push_back(make(c.what, c.strength));
            const auto b = run(policy);
            const double va = yearly(a, c.indicator, 3), vb = yearly(b, c.indicator, 3);
            INFO(c.indicator << ": baseline " << va << ", policy " << vb);
            CHECK((vb - va) * c.direction > 0);
        }
    }
}

TEST_CASE("an RMB appreciation cuts exports; hedging softens the cut", "[model][mechanism]") {
    auto base = small_spec();
    const auto fx = shock_from_2025(models::shock_kind::exchange_rate, 0.05);
    auto shocked = base;
    shocked.shocks.push_back(fx);
    auto hedged = shocked;
    hedged.instruments.push_back(make(models::lever::hedging_incentive, 0.5));
    const auto a = run(base), b = run(shocked), c = run(hedged);
    const double ea = yearly(a, "exports_cny_100m", 2), eb = yearly(b, "exports_cny_100m", 2),
                 ec = yearly(c, "exports_cny_100m", 2);
    CHECK(eb < ea);
    CHECK(ec > eb);
    CHECK(ec < ea);
}

TEST_CASE("indirect exporters that outgrow the median direct exporter graduate to direct exporting", "[model][mechanism]") {
    sim::executor ex(1);
    models::trade_model m(small_spec(), 0, ex);
    auto count_indirect = [&] {
        std::size_t n = 0;
        for (auto v: m.agents("firms").column<std::uint8_t>("indirect_exporter")) n += v;
        return n;
    };
    const auto before = count_indirect();
    REQUIRE(before > 0);
    m.run();
    CHECK(count_indirect() < before);
}

TEST_CASE("one-off orders add exporters that did not export the year before and seldom the year after",
          "[model][mechanism]") {
    // Share of exporters new in their year and the first-year survival of those new exporters,
    // from the firm snapshots (as analysis/validation.py computes facts 10 and 11).
    auto turnover = [](double one_off_rate) {
        auto spec = small_spec();
        spec.outputs.firm_snapshots = true;
        spec.parameters["one_off_order_rate"] = one_off_rate;
        const auto rec = run(spec);
        std::size_t snap = 0;
        for (std::size_t t = 0; t < rec.table_specs().size(); ++t)
            if (rec.table_specs()[t].name == "firm_snapshots") snap = t;
        REQUIRE(rec.table_specs()[snap].columns[13].name == "exports_cny_100m");
        std::map<std::int64_t, std::array<bool, 4>> exporting; // firm id -> exported in 2024..2027
        for (std::size_t k = 0; k < rec.table_rows(snap); ++k) {
            const auto y = std::size_t(rec.table_column(snap, 0)[k] - 2024);
            exporting[std::int64_t(rec.table_column(snap, 1)[k])][y] = rec.table_column(snap, 13)[k] > 0;
        }
        double exporters = 0, fresh = 0, cohort = 0, survivors = 0;
        for (const auto& [id, e]: exporting)
            for (std::size_t y = 1; y < 4; ++y) {
                exporters += e[y];
                fresh += e[y] && !e[y - 1];
                if (y < 3 && e[y] && !e[y - 1]) {
                    cohort += 1;
                    survivors += e[y + 1];
                }
            }
        return std::array<double, 3>{fresh / exporters, survivors / cohort, yearly(rec, "trading_firms", 0)};
    };
    const auto none = turnover(0.0), some = turnover(0.01);
    CHECK(some[0] > none[0] + 0.03);       // more exporters are new in their year
    CHECK(some[1] < none[1] - 0.03);       // and fewer of them export the next year
    CHECK(some[2] == Approx(none[2]).epsilon(0.1)); // the burn-in still holds the trading-firm count
}
