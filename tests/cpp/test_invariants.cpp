// Checked builds assert the model's invariants at every year end (models/src/invariants.cpp):
// TEU conserved on every route, no negative backlog. Here every shipped scenario (the shocks
// included) runs at 1 % of the population, where small numbers stress the balances most; a
// broken invariant throws model_error and fails the test. The x10 scale runs in the Python
// suite's opt-in long tests (TRADEECO_LONG_TESTS=1, tests/python/test_invariants.py).

#include "catch.hpp"

#include <tradeeco/models/trade_model.hpp>
#include <tradeeco/scenarios/load.hpp>
#include <tradeeco/sim/executor.hpp>

#include <algorithm>
#include <filesystem>
#include <vector>

using namespace tradeeco;
namespace fs = std::filesystem;

TEST_CASE("every shipped scenario keeps the invariants at 1% of the population", "[model][invariants]") {
#if !TRADEECO_CHECKED
    WARN("invariants are asserted in checked builds only (TRADEECO_CHECKED=ON, as tools/test.sh builds)");
#else
    const fs::path shipped = fs::path(TRADEECO_SOURCE_DIR) / "scenarios" / "files";
    std::vector<fs::path> files;
    for (const auto& e: fs::directory_iterator(shipped))
        if (e.path().extension() == ".toml") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    REQUIRE(files.size() >= 12);
    sim::executor ex(2);
    for (const auto& f: files) {
        INFO(f.filename().string());
        auto spec = scenarios::load_file(f);
        spec.population_scale = 0.01;
        models::trade_model m(spec, 0, ex);
        CHECK_NOTHROW(m.run());
        CHECK(m.finished());
    }
#endif
}
