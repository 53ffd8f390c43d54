// Checked builds assert the model's invariants at every month and year end
// (models/src/invariants.cpp): TEU conserved on every route, no negative backlog, value (100m CNY)
// conserved in the identities the model's booking implies, no NaN in any recorded series. Here
// every shipped scenario (the shocks included) runs at 1 % of the population, where small numbers
// stress the balances most, with shipment flows on so that the route identities are checked too;
// a broken invariant throws model_error and fails the test. Then each check is shown to fire when
// its balance is broken on purpose (the checked_testing hook). The x10 scale runs in the Python
// suite's opt-in long tests (TRADEECO_LONG_TESTS=1, tests/python/test_invariants.py).

#include "catch.hpp"

#include <tradeeco/models/trade_model.hpp>
#include <tradeeco/scenarios/load.hpp>
#include <tradeeco/sim/errors.hpp>
#include <tradeeco/sim/executor.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

using namespace tradeeco;
namespace fs = std::filesystem;

#if TRADEECO_CHECKED
namespace tradeeco::models::checked_testing {
extern std::string broken_identity; // models/src/invariants.cpp
extern double broken_factor;
} // namespace tradeeco::models::checked_testing

namespace {
const fs::path shipped = fs::path(TRADEECO_SOURCE_DIR) / "scenarios" / "files";

models::model_spec small(const fs::path& file) {
    auto spec = scenarios::load_file(file);
    spec.population_scale = 0.01;
    spec.outputs.shipment_flows =
        true; // output only: results are unchanged, the route identities run
    return spec;
}

// Runs a shipped scenario with one balance broken by `factor`; returns the model_error's message,
// or "" if the run finished.
std::string run_broken(const std::string& id, double factor, const char* scenario = "baseline") {
    models::checked_testing::broken_identity = id;
    models::checked_testing::broken_factor = factor;
    std::string message;
    try {
        sim::executor ex(2);
        models::trade_model m(small(shipped / (std::string(scenario) + ".toml")), 0, ex);
        m.run();
    } catch (const sim::model_error& e) {
        message = e.what();
    }
    models::checked_testing::broken_identity.clear();
    models::checked_testing::broken_factor = 1.0;
    return message;
}
} // namespace
#endif

TEST_CASE("every shipped scenario keeps the invariants at 1% of the population",
          "[model][invariants]") {
#if !TRADEECO_CHECKED
    WARN("invariants are asserted in checked builds only (TRADEECO_CHECKED=ON, as tools/test.sh "
         "builds)");
#else
    std::vector<fs::path> files;
    for (const auto& e: fs::directory_iterator(shipped))
        if (e.path().extension() == ".toml") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    REQUIRE(files.size() >= 12);
    sim::executor ex(2);
    for (const auto& f: files) {
        INFO(f.filename().string());
        models::trade_model m(small(f), 0, ex);
        CHECK_NOTHROW(m.run());
        CHECK(m.finished());
    }
#endif
}

TEST_CASE(
    "every shipped scenario keeps the invariants at 10x the population (TRADEECO_LONG_TESTS=1)",
    "[model][invariants][long]") {
#if !TRADEECO_CHECKED
    WARN("invariants are asserted in checked builds only (TRADEECO_CHECKED=ON, as tools/test.sh "
         "builds)");
#else
    if (const char* long_tests = std::getenv("TRADEECO_LONG_TESTS");
        !long_tests || std::string(long_tests) != "1") {
        WARN("x10 population runs only with TRADEECO_LONG_TESTS=1 (minutes; docs/reliability.md "
             "records it)");
        return;
    }
    std::vector<fs::path> files;
    for (const auto& e: fs::directory_iterator(shipped))
        if (e.path().extension() == ".toml") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    sim::executor ex(2);
    for (const auto& f: files) {
        INFO(f.filename().string());
        auto spec = small(f);
        spec.population_scale = 10.0;
        models::trade_model m(spec, 0, ex);
        CHECK_NOTHROW(m.run());
        CHECK(m.finished());
    }
#endif
}

TEST_CASE("each invariant fires when its balance is broken", "[model][invariants]") {
#if !TRADEECO_CHECKED
    WARN("invariants are asserted in checked builds only (TRADEECO_CHECKED=ON, as tools/test.sh "
         "builds)");
#else
    // A leak of one part in a million (1000 times the tolerance) in each value identity.
    const std::vector<std::string> value_identities = {
        "firm_exports_month",   "firm_imports_month",   "total_trade_month",
        "location_trade_month", "flows_month",          "firm_exports_year",
        "firm_imports_year",    "firm_trade_year",      "total_trade_year",
        "monthly_exports_year", "monthly_imports_year", "monthly_total_year",
        "location_trade_year",  "route_value_year",     "route_teu_year",
        "policy_costs_year"};
    for (const auto& id: value_identities) {
        INFO(id);
        // The baseline has no policy, so no spending: the plan's policies start in 2025.
        const bool spending = id == "policy_costs_year";
        const auto message = run_broken(id, 1.0 + 1e-6, spending ? "plan" : "baseline");
        CHECK(message.find("value not conserved (" + id + ")") != std::string::npos);
        CHECK(message.find(spending ? "scenario plan" : "scenario baseline") != std::string::npos);
        CHECK(message.find(" but ") != std::string::npos); // both sides are named
        const char* when = id.ends_with("_month") ? "at month 2024-01"
                           : spending             ? "at year end 2025-12-31"
                                                  : "at year end 2024-12-31";
        CHECK(message.find(when) != std::string::npos);
    }
    // Rounding-sized differences (a hundredth of the tolerance) pass.
    CHECK(run_broken("firm_exports_month", 1.0 + 1e-11).empty());
    CHECK(run_broken("route_value_year", 1.0 + 1e-11).empty());
    // TEU, negative stocks and NaN.
    CHECK(run_broken("teu_route", 1.0 + 1e-6).find("TEU not conserved on route") !=
          std::string::npos);
    CHECK(run_broken("no_negative_backlog", 1.0).find("negative backlog on route") !=
          std::string::npos);
    CHECK(run_broken("no_nan", std::nan("")).find(" is NaN ") != std::string::npos);
#endif
}
