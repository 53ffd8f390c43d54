// Units in result files: every variable the model declares carries a UDUNITS-2 `unit` (CF-1.8)
// and the `unit_label` people read. The CF checker itself runs in
// tests/python/test_cf_compliance.py.
#include "catch.hpp"

#include <tradeeco/models/trade_model.hpp>
#include <tradeeco/models/units.hpp>
#include <tradeeco/sim/errors.hpp>
#include <tradeeco/sim/executor.hpp>

#include <algorithm>
#include <string>

using namespace tradeeco;

namespace {

bool is_udunits_form(const std::string& unit) {
    const auto forms = models::unit_forms();
    return unit.starts_with("days since ") ||
           std::any_of(forms.begin(), forms.end(),
                       [&](const models::unit_form& f) { return f.udunits == unit; });
}

} // namespace

TEST_CASE("labels map to UDUNITS-2 forms; an unknown label is refused by name", "[units]") {
    CHECK(models::udunits_of("100m CNY", "series x") == "1e8");
    CHECK(models::udunits_of("firms", "series x") == "1");
    CHECK(models::udunits_of("percent a year", "series x") == "percent year-1");
    CHECK(models::udunits_of("days since 2024-01-01", "column step") == "days since 2024-01-01");
    CHECK(models::udunits_of("", "column route").empty());
    try {
        models::udunits_of("bags of rice", "series rice_exports");
        FAIL("expected model_error");
    } catch (const sim::model_error& e) {
        const std::string msg = e.what();
        CHECK(msg.find("series rice_exports") != std::string::npos);
        CHECK(msg.find("'bags of rice'") != std::string::npos);
        CHECK(msg.find("models/src/units.cpp") != std::string::npos);
    }
    // Each label is listed once, so the mapping cannot disagree with itself.
    const auto forms = models::unit_forms();
    for (auto a = forms.begin(); a != forms.end(); ++a)
        CHECK(std::none_of(a + 1, forms.end(),
                           [&](const models::unit_form& b) { return b.label == a->label; }));
}

TEST_CASE("every series and event column the model declares has both unit forms", "[units]") {
    models::model_spec spec;
    spec.population_scale = 0.05; // declarations only: no run
    spec.outputs.train_departures = true;
    spec.outputs.firm_snapshots = true;
    spec.outputs.shipment_flows = true;
    sim::executor ex(1);
    const models::trade_model model(spec, 0, ex);
    const auto& rec = model.record();
    REQUIRE(rec.series_specs().size() > 50);
    for (const auto& s: rec.series_specs()) {
        INFO(s.name << ": unit '" << s.unit << "', unit_label '" << s.unit_label << "'");
        CHECK(!s.unit_label.empty());
        CHECK(is_udunits_form(s.unit));
    }
    const auto& total = rec.series_specs()[rec.series_index("total_trade_cny_100m")];
    CHECK(total.unit == "1e8");
    CHECK(total.unit_label == "100m CNY");
    const auto& firms = rec.series_specs()[rec.series_index("trading_firms")];
    CHECK(firms.unit == "1");
    CHECK(firms.unit_label == "firms");
    REQUIRE(rec.table_specs().size() == 4); // the three optional tables and policy_costs
    for (const auto& t: rec.table_specs())
        for (const auto& c: t.columns) {
            INFO(t.name << "/" << c.name << ": unit '" << c.unit << "'");
            CHECK(is_udunits_form(c.unit));
            CHECK(c.unit.empty() == c.unit_label.empty());
        }
}
