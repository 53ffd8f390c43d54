// Checkpoints: a run saved at a month boundary and restored in a fresh model ends bit for bit like
// the uninterrupted run (every lever and shock in force, 1 and 2 threads, through a file and in
// memory); a state branches into another scenario only where their histories are the same;
// damaged and foreign checkpoints are refused with a checkpoint_error naming the file.
#include "catch.hpp"
#include "golden_specs.hpp"

#include <tradeeco/models/run.hpp>
#include <tradeeco/models/trade_model.hpp>
#include <tradeeco/sim/checkpoint_file.hpp>
#include <tradeeco/sim/executor.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

using namespace tradeeco;
using namespace tradeeco::testing;
namespace fs = std::filesystem;

namespace {

struct scratch_dir {
    fs::path path;
    explicit scratch_dir(const std::string& name):
        path(fs::temp_directory_path() /
             ("tradeeco_checkpoint_" + name + "_" + std::to_string(::getpid()))) {
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~scratch_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

void advance_to(models::trade_model& m, sim::date d) {
    const auto step = m.clock().step_of(d);
    REQUIRE(step >= m.days_done());
    m.advance(step - m.days_done());
}

std::uint64_t uninterrupted_hash(const models::model_spec& spec, int threads) {
    sim::executor ex(threads);
    models::trade_model m(spec, 0, ex);
    m.run();
    return golden_hash(m.record());
}

// The message of the checkpoint_error that `f` throws ("" if it throws none).
template <class F>
std::string refusal(F&& f) {
    try {
        f();
    } catch (const sim::checkpoint_error& e) {
        return e.what();
    }
    return "";
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("a run restored from a checkpoint ends bit for bit like the uninterrupted run",
          "[checkpoint]") {
    scratch_dir dir("restore");
    const auto spec = everything_spec(); // every lever from 2025, every shock in 2026
    for (const int threads: {1, 2}) {
        const auto expected = uninterrupted_hash(spec, threads);
        // After a year end with policies in force, and in the middle of the shocks.
        for (const auto at: {sim::make_date(2025, 3, 1), sim::make_date(2026, 7, 1)}) {
            INFO("threads " << threads << ", checkpoint at " << sim::to_string(at));
            const auto file = dir.path / ("run_" + std::to_string(threads) + ".h5");
            {
                sim::executor ex(threads);
                models::trade_model m(spec, 0, ex);
                advance_to(m, at);
                REQUIRE(m.at_month_boundary());
                m.checkpoint(file);
            }
            sim::executor ex(threads);
            auto restored = models::trade_model::restore(spec, file, ex);
            CHECK(restored->days_done() == restored->clock().step_of(at));
            restored->run();
            CHECK(golden_hash(restored->record()) == expected);
        }
        // In memory, and with another thread count after the restore.
        sim::executor ex(threads);
        models::trade_model m(spec, 0, ex);
        advance_to(m, sim::make_date(2025, 8, 1));
        const auto saved = m.save_state();
        sim::executor other(3 - threads);
        models::trade_model restored(spec, saved, other);
        restored.run();
        CHECK(golden_hash(restored.record()) == expected);
    }
}

TEST_CASE("a checkpoint's file says what it holds", "[checkpoint]") {
    scratch_dir dir("info");
    auto spec = full_outputs(7);
    spec.name = "probe";
    spec.resolved_text = "name = \"probe\"\n";
    sim::executor ex(1);
    models::trade_model m(spec, 3, ex);
    advance_to(m, sim::make_date(2024, 4, 1));
    const auto file = dir.path / "probe.h5";
    m.checkpoint(file);
    const auto info = models::read_checkpoint_info(file);
    CHECK(info.scenario_name == "probe");
    CHECK(info.scenario_text == spec.resolved_text);
    CHECK(info.seed == 7);
    CHECK(info.replicate == 3);
    CHECK(info.month == "2024-04");
    CHECK(info.days_done == 31 + 29 + 31);
    CHECK(info.format_version == sim::checkpoint_format_version);
    CHECK(info.git_revision == models::git_revision());
    // No temporary is left beside it.
    CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator{}) == 1);
}

TEST_CASE("a state is saved only between months", "[checkpoint]") {
    sim::executor ex(1);
    models::trade_model m(full_outputs(7), 0, ex);
    CHECK(m.at_month_boundary());
    m.advance(10);
    CHECK_FALSE(m.at_month_boundary());
    CHECK_THROWS_AS(m.save_state(), sim::model_error);
}

TEST_CASE("a state branches into another scenario only before the policies start", "[checkpoint]") {
    const auto plan = everything_spec(); // policies from 2025-01-01
    const auto expected = uninterrupted_hash(plan, 1);
    auto baseline = full_outputs(plan.seed);
    baseline.name = "baseline";
    sim::executor ex(1);
    models::trade_model m(baseline, 0, ex);
    advance_to(m, sim::make_date(2024, 12, 1));
    const auto before = m.save_state();
    {
        models::trade_model branch(plan, before, ex);
        branch.run();
        CHECK(golden_hash(branch.record()) == expected);
    }
    // On 2025-01-01 the year end of 2024 has already seen the policies of 2025-01-01 (it signs
    // the next day's contracts): too late to branch.
    advance_to(m, sim::make_date(2025, 1, 1));
    const auto late = m.save_state();
    const auto why = refusal([&] { models::trade_model branch(plan, late, ex); });
    CHECK(has(why, "start after 2025-01-01"));
    // Another seed, population or parameter set is another layout.
    auto other_seed = plan;
    other_seed.seed = 8;
    CHECK(has(refusal([&] { models::trade_model branch(other_seed, before, ex); }),
              "scenario layout"));
    auto other_parameter = baseline;
    other_parameter.parameters["trade_elasticity"] = 3.0;
    CHECK(has(refusal([&] { models::trade_model branch(other_parameter, before, ex); }),
              "scenario layout"));
}

TEST_CASE("damaged or foreign checkpoint files are refused, naming the file", "[checkpoint]") {
    scratch_dir dir("damaged");
    const auto spec = full_outputs(7);
    const auto good = dir.path / "good.h5";
    {
        sim::executor ex(1);
        models::trade_model m(spec, 0, ex);
        advance_to(m, sim::make_date(2024, 3, 1));
        m.checkpoint(good);
    }
    const auto size = fs::file_size(good);
    auto copy_to = [&](const std::string& name) {
        const auto p = dir.path / name;
        fs::copy_file(good, p);
        return p;
    };
    sim::executor ex(1);
    auto restore = [&](const fs::path& p) {
        return refusal([&] { models::trade_model::restore(spec, p, ex); });
    };

    const auto truncated = copy_to("truncated.h5");
    fs::resize_file(truncated, size / 2);
    auto why = restore(truncated);
    CHECK(has(why, truncated.string()));
    CHECK(has(why, "truncated"));

    const auto flipped = copy_to("flipped.h5");
    {
        std::fstream f(flipped, std::ios::in | std::ios::out | std::ios::binary);
        f.seekg(std::streamoff(size * 2 / 3));
        const char c = char(f.get());
        f.seekp(std::streamoff(size * 2 / 3));
        f.put(char(c ^ 0x10));
    }
    why = restore(flipped);
    CHECK(has(why, flipped.string()));
    CHECK(has(why, "damaged"));

    const auto missing = dir.path / "missing.h5";
    CHECK(has(restore(missing), "no such checkpoint file"));

    // A result file is sealed like a checkpoint but is not one.
    auto result_spec = spec;
    result_spec.end = sim::make_date(2024, 2, 29);
    const auto result = dir.path / "result.nc";
    models::run_to_file(result_spec, result);
    why = restore(result);
    CHECK(has(why, "not a tradeeco checkpoint"));

    auto other = spec;
    other.population_scale = 0.5;
    CHECK(restore(good).empty());
    why = refusal([&] { models::trade_model::restore(other, good, ex); });
    CHECK(has(why, good.string()));
    CHECK(has(why, "scenario layout"));
}
