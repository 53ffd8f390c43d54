#include <tradeeco/models/run.hpp>
#include <tradeeco/models/targets.hpp>
#include <tradeeco/models/trade_model.hpp>
#include <tradeeco/sim/executor.hpp>
#include <tradeeco/sim/results_writer.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <exception>
#include <map>
#include <mutex>

namespace tradeeco::models {

std::string version() { return TRADEECO_VERSION; }
std::string git_revision() { return TRADEECO_GIT_REVISION; }

sim::replicate_record run_replicate(const model_spec& spec, std::int32_t replicate, sim::executor& ex) {
    trade_model model(spec, replicate, ex);
    model.run();
    return model.take_record();
}

namespace {

// Population scale of the model built only for the result file's layout (the shipped scenarios
// all run at it in ctest's invariant checks).
constexpr double layout_probe_population_scale = 0.01;

std::string utc_now() {
    const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// Series specs with their targets attached (units, long names come from the model).
std::vector<sim::series_spec> with_targets(std::vector<sim::series_spec> specs) {
    for (auto& s: specs) {
        const auto* t = find_target(s.name);
        if (!t || s.freq != sim::frequency::yearly) continue;
        s.attrs.text.emplace_back("target_rule", std::string(t->rule));
        s.attrs.text.emplace_back("target_measure", std::string(t->measure));
        s.attrs.text.emplace_back("target_indicator", std::string(t->indicator));
        s.attrs.text.emplace_back("target_source", "mission/targets.csv (Chongqing draft plan)");
        if (!std::isnan(t->target_2025)) s.attrs.number.emplace_back("target_2025", t->target_2025);
        if (!std::isnan(t->target_2027)) s.attrs.number.emplace_back("target_2027", t->target_2027);
    }
    return specs;
}

} // namespace

void run_to_file(const model_spec& spec, const std::filesystem::path& out, const run_options& options) {
    if (spec.replicates < 1) throw sim::scenario_error({}, "replicates: expected at least 1, found " +
                                                               std::to_string(spec.replicates));
    sim::executor pool(options.threads);
    const std::string started = utc_now();

    // The layout comes from a model's declarations, which do not depend on the population: the
    // probe model is built at a small population (building one includes the burn-in: at national
    // scale a full-size probe cost 30 % of the whole run).
    std::vector<sim::series_spec> series;
    std::vector<sim::table_spec> tables;
    {
        sim::executor serial(1);
        model_spec probe_spec = spec;
        probe_spec.population_scale = std::min(spec.population_scale, layout_probe_population_scale);
        trade_model probe(probe_spec, options.first_replicate, serial);
        series = with_targets(probe.record().series_specs());
        tables = probe.record().table_specs();
    }
    const std::string command =
        !options.command.empty()
            ? options.command
            : "tradeeco::models::run_to_file(" + spec.name + ", " +
                  std::to_string(spec.replicates) + " replicates from " +
                  std::to_string(options.first_replicate) + ")";
    sim::attributes root;
    root.text = {{"title", "tradeeco results: " + spec.name},
                 {"history", started + ": " + command}, // CF 2.6.2; rewrites append a line
                 {"scenario_name", spec.name},
                 {"scenario_description", spec.description},
                 {"scenario_text", spec.resolved_text},
                 {"tradeeco_version", version()},
                 {"git_revision", git_revision()},
                 {"started_at", started},
                 {"institution", "tradeeco agent-based model of Chongqing's foreign trade"},
                 {"source", "tradeeco " + version() + " (" + git_revision() + ")"}};
    root.number = {{"seed", double(spec.seed)},
                   {"replicates", double(spec.replicates)},
                   {"first_replicate", double(options.first_replicate)},
                   {"threads", double(pool.threads())},
                   {"population_scale", spec.population_scale}};
    root.text.emplace_back("seed_text", std::to_string(spec.seed)); // exact beyond 2^53
    // Which parameters the replicates ran with; the per-replicate draw itself (variables
    // parameter_set and parameter_value) is added by the Python layer (tradeeco.posterior).
    if (spec.posterior.empty()) {
        root.text.emplace_back("parameter_sets", "fixed");
    } else {
        root.text.emplace_back("parameter_sets", "posterior");
        root.number.emplace_back("posterior_sets", double(spec.posterior.size()));
        root.number.emplace_back("replicates_per_set", double(spec.posterior.replicates_per_set));
        root.number.emplace_back("replicates_per_driver_path",
                                 double(spec.posterior.replicates_per_driver_path));
        for (const auto& [key, value]: spec.posterior.provenance)
            root.text.emplace_back("posterior_" + key, value);
    }
    sim::results_layout layout{sim::calendar(spec.start, spec.end), series, tables, root};
    layout.expected_replicates = spec.replicates; // fixed-length replicate dim: fast opens
    sim::results_writer writer(out, std::move(layout));

    // Replicates run in parallel and are written in index order through a small reorder buffer
    // (HDF5 is not thread-safe; one writer at a time). Memory stays bounded: at most `threads`
    // replicates wait in the buffer beyond the one being written. Replicates are the parallel
    // grain; with fewer replicates than threads the spare threads work inside each replicate
    // (its results do not depend on the thread count).
    const int inner_threads = std::max(1, pool.threads() / std::max(1, std::min(pool.threads(), spec.replicates)));
    std::mutex mutex;
    std::map<std::int32_t, sim::replicate_record> waiting;
    std::int32_t next_to_write = 0, done = 0;
    std::exception_ptr failure;
    bool cancelled = false;
    const std::int32_t n = spec.replicates;
    const std::size_t batch = std::size_t(std::max(1, pool.threads())) * 2;
    for (std::size_t first = 0; first < std::size_t(n) && !failure && !cancelled; first += batch) {
        const std::size_t count = std::min(batch, std::size_t(n) - first);
        pool.for_each(count, [&](std::size_t k) {
            const auto index = std::int32_t(first + k);
            {
                std::lock_guard lock(mutex);
                if (failure || cancelled) return;
            }
            try {
                sim::executor inner(inner_threads);
                auto record = run_replicate(spec, options.first_replicate + index, inner);
                std::lock_guard lock(mutex);
                waiting.emplace(index, std::move(record));
                while (!waiting.empty() && waiting.begin()->first == next_to_write) {
                    writer.write_replicate(next_to_write, waiting.begin()->second);
                    waiting.erase(waiting.begin());
                    ++next_to_write;
                }
                ++done;
                if (options.progress && !options.progress(done, n)) cancelled = true;
            } catch (...) {
                std::lock_guard lock(mutex);
                if (!failure) failure = std::current_exception();
            }
        }, 1);
    }
    if (failure) std::rethrow_exception(failure);
    if (cancelled) throw run_cancelled();
    writer.set_root_attribute("finished_at", utc_now());
    writer.commit();
}

} // namespace tradeeco::models
