// Posteriors of parameter sets (model_spec::posterior): replicate r draws its set from a stream
// of (seed, r) only, by weight; its values override the table for that replicate, explicit
// overrides winning; an empty posterior changes nothing.
#include "catch.hpp"

#include <tradeeco/models/parameters.hpp>
#include <tradeeco/models/spec.hpp>
#include <tradeeco/models/trade_model.hpp>
#include <tradeeco/sim/executor.hpp>

#include <array>
#include <cstring>
#include <stdexcept>
#include <vector>

using namespace tradeeco;
using models::draw_parameter_set;

namespace {
// Bit for bit (NaN marks periods not recorded yet, and NaN != NaN).
bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

models::model_spec with_two_sets() {
    models::model_spec spec;
    spec.seed = 11;
    spec.posterior.keys = {"trade_elasticity", "exit_hazard"};
    spec.posterior.values = {3.0, 0.01, 4.5, 0.04};
    spec.posterior.weights = {0.25, 0.75};
    return spec;
}
} // namespace

TEST_CASE("a replicate's parameter set depends on seed and replicate only, by weight") {
    const std::vector<double> w{1.0, 0.0, 3.0};
    std::array<int, 3> count{};
    for (std::int32_t r = 0; r < 20000; ++r) {
        const auto k = draw_parameter_set(w, 5, r);
        REQUIRE(k >= 0);
        REQUIRE(k < 3);
        CHECK(k == draw_parameter_set(w, 5, r));
        ++count[std::size_t(k)];
    }
    CHECK(count[1] == 0); // weight 0: never drawn
    CHECK(double(count[0]) / 20000 == Approx(0.25).margin(0.015));
    // Unnormalized weights draw as their normalized copy.
    const std::vector<double> scaled{10.0, 0.0, 30.0};
    int differ = 0;
    for (std::int32_t r = 0; r < 100; ++r) {
        CHECK(draw_parameter_set(scaled, 5, r) == draw_parameter_set(w, 5, r));
        differ += draw_parameter_set(w, 5, r) != draw_parameter_set(w, 6, r);
    }
    CHECK(differ > 10);
    CHECK_THROWS_AS(draw_parameter_set(std::vector<double>{}, 5, 0), std::invalid_argument);
    const std::vector<double> negative{1.0, -1.0};
    CHECK_THROWS_AS(draw_parameter_set(negative, 5, 0), std::invalid_argument);
    CHECK_THROWS_AS(draw_parameter_set(std::vector<double>{0.0, 0.0}, 5, 0), std::invalid_argument);
}

TEST_CASE("the drawn set overrides the table for its replicate; explicit overrides win") {
    auto spec = with_two_sets();
    for (std::int32_t r = 0; r < 20; ++r) {
        const auto k = std::size_t(draw_parameter_set(spec.posterior.weights, spec.seed, r));
        const auto o = models::replicate_overrides(spec, r);
        CHECK(o.at("trade_elasticity") == spec.posterior.values[k * 2]);
        CHECK(o.at("exit_hazard") == spec.posterior.values[k * 2 + 1]);
    }
    spec.parameters = {{"exit_hazard", 0.02}, {"sme_share", 0.9}};
    const auto o = models::replicate_overrides(spec, 3);
    CHECK(o.at("exit_hazard") == 0.02);
    CHECK(o.at("sme_share") == 0.9);
    // Nested: replicates [kM, (k+1)M) share block k's draw.
    spec.posterior.replicates_per_set = 4;
    for (std::int32_t r = 0; r < 16; ++r)
        CHECK(models::replicate_overrides(spec, r).at("trade_elasticity") ==
              models::replicate_overrides(spec, (r / 4) * 4).at("trade_elasticity"));
    // Driver paths: each replicate its own key, or one per block of D in a nested design.
    CHECK(models::driver_path_of(spec, 5) == 5);
    spec.posterior.replicates_per_driver_path = 2;
    CHECK(models::driver_path_of(spec, 5) == 2);
    // No posterior: the scenario's overrides as they are, the replicate's own driver path.
    models::model_spec fixed;
    fixed.parameters = {{"sme_share", 0.9}};
    CHECK(models::replicate_overrides(fixed, 7) == fixed.parameters);
    CHECK(models::driver_path_of(fixed, 7) == 7);
}

TEST_CASE("a one-set posterior runs exactly as the same values given as overrides") {
    models::model_spec spec;
    spec.population_scale = 0.05;
    spec.end = sim::make_date(2024, 3, 31);
    auto drawn = spec;
    drawn.posterior.keys = {"trade_elasticity"};
    drawn.posterior.values = {3.0};
    drawn.posterior.weights = {1.0};
    auto fixed = spec;
    fixed.parameters = {{"trade_elasticity", 3.0}};
    sim::executor ex(1);
    models::trade_model a(drawn, 2, ex), b(fixed, 2, ex), c(spec, 2, ex);
    a.run();
    b.run();
    c.run();
    const auto& ra = a.record();
    REQUIRE(ra.series_specs().size() == b.record().series_specs().size());
    bool differs_from_table = false;
    for (std::size_t k = 0; k < ra.series_specs().size(); ++k) {
        CHECK(same_bits(ra.values(k), b.record().values(k)));
        differs_from_table = differs_from_table || !same_bits(ra.values(k), c.record().values(k));
    }
    CHECK(differs_from_table);
}
