// How long does a full 2024-2027 replicate take? (1) Chongqing at 1:1 scale (all firms, daily
// steps, logistics included) on one core: the target is under 1 s. (2) A national-scale
// population of ~600,000 trading firms (population_scale = 600000 / 4762), with its time and
// peak memory (max RSS of the process).
#include <tradeeco/models/run.hpp>
#include <tradeeco/models/trade_model.hpp>
#include <tradeeco/scenarios/load.hpp>
#include <tradeeco/sim/calendar.hpp>
#include <tradeeco/sim/executor.hpp>

#include <benchmark/benchmark.h>

#include <sys/resource.h>

#include <ctime>

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

// CPU seconds of this thread (the parts below run on one thread).
double thread_cpu_s() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

// Where the shipped scenarios branch (run_many's shared prefix, computed the same way: the last
// month start before the earliest policy), and the months each runs after the branch.
struct branch_point {
    std::int32_t prefix_days, months_after;
};
branch_point plan_branch() {
    const auto plan = scenarios::load_file(TRADEECO_SOURCE_DIR "/scenarios/files/plan.toml");
    const std::int32_t days = models::shared_prefix_days({plan});
    const sim::calendar clock(plan.start, plan.end);
    return {days, clock.num_months() - clock.day(days).month_index};
}

// Where a 1:1 replicate's time goes, for the shared prefix (bench_shared_prefix.py): building
// the population and the burn-in (the constructor), 2024-01..2024-11 (the rest of the prefix
// every scenario shares; 335 days) and 2024-12..2027-12 (what each scenario runs after the
// branch). Counters are CPU seconds per replicate; the run phase is also given per month.
void BM_replicate_parts_chongqing(benchmark::State& state) {
    models::model_spec spec;
    sim::executor ex(1);
    std::int32_t replicate = 0;
    const auto at = plan_branch();
    double build = 0, prefix_months = 0, branch = 0, n = 0;
    for (auto _: state) {
        const double t0 = thread_cpu_s();
        models::trade_model model(spec, replicate++, ex);
        const double t1 = thread_cpu_s();
        model.advance(at.prefix_days);
        const double t2 = thread_cpu_s();
        model.run();
        const double t3 = thread_cpu_s();
        benchmark::DoNotOptimize(model.record().values(0).data());
        build += t1 - t0;
        prefix_months += t2 - t1;
        branch += t3 - t2;
        n += 1;
    }
    state.counters["build_and_burn_in_s"] = build / n;
    state.counters["months_2024_01_11_s"] = prefix_months / n;
    state.counters["months_2024_12_on_s"] = branch / n;
    state.counters["prefix_share"] = (build + prefix_months) / (build + prefix_months + branch);
}

// What one scenario costs after the shared prefix's branch (run_many with share_prefix): the
// shipped `plan` (its policies and levers run after the branch), restored from the state after
// 2024-01..2024-11 (the constructor of a branch: the state's copy) and run to 2027-12. The
// prefix is simulated once, outside the timing. Counters are CPU seconds per branch.
void BM_branch_plan_chongqing(benchmark::State& state) {
    const auto spec = scenarios::load_file(TRADEECO_SOURCE_DIR "/scenarios/files/plan.toml");
    sim::executor ex(1);
    const auto at = plan_branch();
    models::trade_model prefix(spec, 0, ex);
    prefix.advance(at.prefix_days);
    const auto saved = prefix.save_state();
    double restore = 0, months = 0, n = 0;
    for (auto _: state) {
        const double t0 = thread_cpu_s();
        models::trade_model branch(spec, saved, ex);
        const double t1 = thread_cpu_s();
        branch.run();
        const double t2 = thread_cpu_s();
        benchmark::DoNotOptimize(branch.record().values(0).data());
        restore += t1 - t0;
        months += t2 - t1;
        n += 1;
    }
    state.counters["restore_s"] = restore / n;
    state.counters["months_2024_12_on_s"] = months / n;
    state.counters["per_month_ms"] = 1e3 * months / n / double(at.months_after);
}

} // namespace

BENCHMARK(BM_replicate_parts_chongqing)->Unit(benchmark::kMillisecond)->MinTime(3.0);
BENCHMARK(BM_branch_plan_chongqing)->Unit(benchmark::kMillisecond)->MinTime(3.0);
BENCHMARK(BM_replicate_chongqing)->Arg(1)->Unit(benchmark::kMillisecond)->MinTime(3.0);
BENCHMARK(BM_replicate_national)->Arg(1)->Arg(2)->Unit(benchmark::kSecond)->Iterations(1);
BENCHMARK_MAIN();
