// How long does a full 2024-2027 replicate take? (1) Chongqing at 1:1 scale (all firms, daily
// steps, logistics included) on one core: the target is under 1 s. (2) A national-scale
// population of ~600,000 trading firms (population_scale = 600000 / 4762), with its time and
// peak memory (max RSS of the process).
#include <tradeeco/models/trade_model.hpp>
#include <tradeeco/sim/executor.hpp>

#include <benchmark/benchmark.h>

#include <sys/resource.h>

using namespace tradeeco;

namespace {

double peak_rss_mib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_maxrss) / 1024.0; // Linux reports KiB
}

void run_replicate(benchmark::State& state, double scale, int threads) {
    models::model_spec spec;
    spec.population_scale = scale;
    sim::executor ex(threads);
    std::int32_t replicate = 0;
    double firms = 0;
    for (auto _: state) {
        models::trade_model model(spec, replicate++, ex);
        model.run();
        firms = double(model.agents("firms").size());
        benchmark::DoNotOptimize(model.record().values(0).data());
    }
    state.counters["firms"] = firms;
    state.counters["peak_rss_MiB"] = peak_rss_mib();
}

void BM_replicate_chongqing(benchmark::State& state) { run_replicate(state, 1.0, int(state.range(0))); }
void BM_replicate_national(benchmark::State& state) {
    run_replicate(state, 600000.0 / 4762.0, int(state.range(0)));
}

} // namespace

BENCHMARK(BM_replicate_chongqing)->Arg(1)->Unit(benchmark::kMillisecond)->MinTime(3.0);
BENCHMARK(BM_replicate_national)->Arg(1)->Arg(2)->Unit(benchmark::kSecond)->Iterations(1);
BENCHMARK_MAIN();
