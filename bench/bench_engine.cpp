// Engine benches. Each answers one question; results and the command that produced them are in
// bench/README.md.
//
//   random_*        How many random draws per second does one counter-based stream give?
//   for_each        How many simple agent updates per second does executor::for_each sustain?
//   reduce          How fast is a deterministic (fixed-order) reduction?
//   results_writer  How fast do replicates go into an HDF5 results file?

#include <tradeeco/sim/calendar.hpp>
#include <tradeeco/sim/executor.hpp>
#include <tradeeco/sim/random.hpp>
#include <tradeeco/sim/recorder.hpp>
#include <tradeeco/sim/results_writer.hpp>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

using namespace tradeeco::sim;

namespace {

constexpr std::size_t num_agents = 1'000'000;
constexpr int draws_per_iteration = 1024;

// --- Random draws ------------------------------------------------------------------------------

// Many draws from one stream: the raw Philox4x64-10 rate (one block gives 4 draws).
void random_uniform(benchmark::State& state) {
    random_stream rng({1, 0, 0, 0, 0});
    double acc = 0.0;
    for (auto _: state) {
        for (int i = 0; i < draws_per_iteration; ++i) acc += rng.uniform();
        benchmark::DoNotOptimize(acc);
    }
    state.SetItemsProcessed(state.iterations() * draws_per_iteration);
}
BENCHMARK(random_uniform);

void random_normal(benchmark::State& state) {
    random_stream rng({1, 0, 0, 0, 0});
    double acc = 0.0;
    for (auto _: state) {
        for (int i = 0; i < draws_per_iteration; ++i) acc += rng.normal();
        benchmark::DoNotOptimize(acc);
    }
    state.SetItemsProcessed(state.iterations() * draws_per_iteration);
}
BENCHMARK(random_normal);

// The pattern models use: a fresh stream per (agent, step, purpose), one draw from it.
void random_uniform_fresh_stream(benchmark::State& state) {
    double acc = 0.0;
    std::uint64_t agent = 0;
    for (auto _: state) {
        for (int i = 0; i < draws_per_iteration; ++i)
            acc += random_stream({1, 0, agent++, 17, 3}).uniform();
        benchmark::DoNotOptimize(acc);
    }
    state.SetItemsProcessed(state.iterations() * draws_per_iteration);
}
BENCHMARK(random_uniform_fresh_stream);

// --- Parallel loops ------------------------------------------------------------------------------

struct agents {
    std::vector<double> x, b;
    agents(): x(num_agents), b(num_agents) {
        for (std::size_t i = 0; i < num_agents; ++i) {
            x[i] = double(i % 1000);
            b[i] = 0.001 * double(i % 7);
        }
    }
};

// x[i] = x[i] * a + b[i] over 10^6 agents (16 MB of state, so memory-bound as real updates are).
void for_each(benchmark::State& state) {
    agents s;
    executor ex(int(state.range(0)));
    double* x = s.x.data();
    const double* b = s.b.data();
    for (auto _: state) {
        ex.for_each(num_agents, [=](std::size_t i) { x[i] = x[i] * 0.999 + b[i]; });
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * std::int64_t(num_agents));
}
BENCHMARK(for_each)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(
    benchmark::kMillisecond);

// The same update as a plain loop: the ceiling for_each is measured against.
void for_each_baseline_plain_loop(benchmark::State& state) {
    agents s;
    double* x = s.x.data();
    const double* b = s.b.data();
    for (auto _: state) {
        for (std::size_t i = 0; i < num_agents; ++i) x[i] = x[i] * 0.999 + b[i];
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * std::int64_t(num_agents));
}
BENCHMARK(for_each_baseline_plain_loop)->UseRealTime()->Unit(benchmark::kMillisecond);

void reduce(benchmark::State& state) {
    agents s;
    executor ex(int(state.range(0)));
    const double* x = s.x.data();
    for (auto _: state) {
        const double sum = ex.reduce(
            num_agents, 0.0, [=](std::size_t i) { return x[i]; },
            [](double a, double v) { return a + v; });
        benchmark::DoNotOptimize(sum);
    }
    state.SetItemsProcessed(state.iterations() * std::int64_t(num_agents));
}
BENCHMARK(reduce)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

// --- Results file --------------------------------------------------------------------------------

// 100 replicates x 50 monthly series x 48 months (2024-2027) into one file, committed.
void results_writer_series(benchmark::State& state) {
    constexpr int replicates = 100, series = 50;
    const calendar clock(make_date(2024, 1, 1), make_date(2027, 12, 31));
    std::vector<series_spec> specs;
    for (int k = 0; k < series; ++k)
        specs.push_back(
            {"series_" + std::to_string(k), "100m CNY", "bench series", frequency::monthly, {}});

    // Random walks, so compression sees data like real indicators, not constants.
    std::vector<replicate_record> records;
    records.reserve(replicates);
    for (int r = 0; r < replicates; ++r) {
        auto& rec = records.emplace_back(clock.num_months(), clock.num_years());
        for (int k = 0; k < series; ++k) {
            const auto id = rec.declare_series(specs[std::size_t(k)]);
            random_stream rng({7, std::uint32_t(r), std::uint64_t(k), 0, 0});
            double v = 100.0;
            for (std::int32_t m = 0; m < clock.num_months(); ++m) {
                v *= 1.0 + 0.02 * rng.normal();
                rec.record(id, m, v);
            }
        }
    }

    const auto path = std::filesystem::temp_directory_path() /
                      ("tradeeco_bench_" + std::to_string(::getpid()) + ".nc");
    std::uintmax_t file_bytes = 0;
    for (auto _: state) {
        results_writer w(path, results_layout{clock, specs, {}, {}});
        for (int r = 0; r < replicates; ++r) w.write_replicate(r, records[std::size_t(r)]);
        w.commit();
        state.PauseTiming();
        file_bytes = std::filesystem::file_size(path);
        std::filesystem::remove(path);
        state.ResumeTiming();
    }
    const std::int64_t values = std::int64_t(replicates) * series * clock.num_months();
    state.SetBytesProcessed(state.iterations() * values * std::int64_t(sizeof(double)));
    state.counters["file_bytes"] = double(file_bytes);
}
BENCHMARK(results_writer_series)->UseRealTime()->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
