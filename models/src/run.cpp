#include <tradeeco/models/run.hpp>
#include <tradeeco/models/targets.hpp>
#include <tradeeco/models/trade_model.hpp>
#include <tradeeco/sim/executor.hpp>
#include <tradeeco/sim/results_writer.hpp>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cmath>
#include <exception>
#include <map>
#include <memory>
#include <mutex>

namespace tradeeco::models {

std::string version() { return TRADEECO_VERSION; }
// git_revision() is written at build time: cmake/git_revision.cmake.

sim::replicate_record run_replicate(const model_spec& spec, std::int32_t replicate, sim::executor& ex) {
    trade_model model(spec, replicate, ex);
    model.run();
    return model.take_record();
}

namespace {

// Population scale of the model built only for the result file's layout (the shipped scenarios
// all run at it in ctest's invariant checks).
constexpr double layout_probe_population_scale = 0.01;

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

namespace {

// The last month start of `spec`'s calendar whose day (the first not simulated) is before `first`
// (days since 1970): the year end before it may already look at that day (trade_model's
// restoring constructor).
std::int32_t last_month_start_before(const model_spec& spec, std::int32_t first) {
    const sim::calendar clock(spec.start, spec.end);
    const auto start = std::int32_t(std::chrono::sys_days{spec.start}.time_since_epoch().count());
    std::int32_t best = 0;
    for (std::int32_t m = 0; m < clock.num_months(); ++m) {
        const auto day = clock.step_of(clock.first_day_of_month(m));
        if (day < 0 || start + day >= first) break;
        best = day;
    }
    return best;
}

} // namespace

std::int32_t shared_prefix_days(const std::vector<model_spec>& specs) {
    if (specs.empty()) return 0;
    std::int32_t first = INT32_MAX;
    for (const auto& spec: specs) first = std::min(first, first_policy_day(spec));
    return last_month_start_before(specs.front(), first);
}

namespace {

// One result file: its spec, its writer, and the replicates waiting for their turn (HDF5 is not
// thread-safe and replicates are written in index order).
struct output {
    const model_spec* spec;
    std::unique_ptr<sim::results_writer> writer;
    std::map<std::int32_t, sim::replicate_record> waiting;
    std::int32_t next_to_write = 0;
};

// Specs whose replicates can share a prefix: the same layout (the results up to the first policy
// are the same) and the same number of replicates. `sharing` branch from the state after
// `prefix_days`; the others (a policy in force too early to be worth waiting for) run alone.
struct group {
    std::vector<std::size_t> sharing, alone; // indices into specs
    std::int32_t prefix_days = 0;
};

std::vector<group> group_specs(const std::vector<model_spec>& specs, bool share) {
    std::vector<std::vector<std::size_t>> same;
    std::vector<std::string> keys;
    for (std::size_t k = 0; k < specs.size(); ++k) {
        const auto key =
            share ? layout_key(specs[k]) + "\nreplicates " + std::to_string(specs[k].replicates)
                  : std::to_string(k);
        const auto it = std::find(keys.begin(), keys.end(), key);
        if (it == keys.end()) {
            keys.push_back(key);
            same.push_back({k});
        } else {
            same[std::size_t(it - keys.begin())].push_back(k);
        }
    }
    std::vector<group> out;
    for (const auto& members: same) {
        // Each member's own prefix, then the common one that saves the most days: P days for
        // each member that can wait that long (a shock from the first month must not cost the
        // others their shared year).
        std::vector<std::int32_t> own;
        for (const auto k: members)
            own.push_back(last_month_start_before(specs[k], first_policy_day(specs[k])));
        group g;
        std::int64_t best_saving = 0;
        for (const auto p: own) {
            const auto n =
                std::count_if(own.begin(), own.end(), [&](std::int32_t q) { return q >= p; });
            const std::int64_t saving = std::int64_t(p) * (n - 1);
            if (n >= 2 && p > 0 &&
                (saving > best_saving || (saving == best_saving && p > g.prefix_days))) {
                best_saving = saving;
                g.prefix_days = p;
            }
        }
        for (std::size_t i = 0; i < members.size(); ++i)
            (g.prefix_days > 0 && own[i] >= g.prefix_days ? g.sharing : g.alone)
                .push_back(members[i]);
        out.push_back(std::move(g));
    }
    return out;
}

} // namespace

void run_many_to_files(const std::vector<model_spec>& specs,
                       const std::vector<std::filesystem::path>& outs, const run_options& options,
                       bool share_prefix) {
    if (specs.size() != outs.size())
        throw sim::scenario_error({}, "run_many_to_files: " + std::to_string(specs.size()) +
                                          " scenarios but " + std::to_string(outs.size()) +
                                          " result files");
    for (const auto& spec: specs)
        if (spec.replicates < 1)
            throw sim::scenario_error({}, "replicates: expected at least 1, found " +
                                              std::to_string(spec.replicates));
    const auto& starts = options.start_states;
    for (std::size_t i = 0; i < starts.size(); ++i) {
        const auto expected = options.first_replicate + std::int32_t(i);
        if (!starts[i] || starts[i]->get_value<std::int32_t>("identity.replicate") != expected)
            throw sim::model_error("run: start state " + std::to_string(i) +
                                   " is not of replicate " + std::to_string(expected));
    }
    for (const auto& spec: specs)
        if (!starts.empty() && starts.size() != std::size_t(spec.replicates))
            throw sim::model_error("run: " + std::to_string(starts.size()) + " start states for " +
                                   std::to_string(spec.replicates) + " replicates");
    sim::executor pool(options.threads);
    const std::string started = sim::utc_now();
    // With start states every scenario starts from them: nothing more to share.
    const auto groups = group_specs(specs, share_prefix && starts.empty());

    std::vector<output> files(specs.size());
    for (const auto& g: groups) {
        // The layout comes from a model's declarations; one probe serves a group (same outputs).
        std::vector<sim::series_spec> series;
        std::vector<sim::table_spec> tables;
        std::vector<std::size_t> members = g.sharing;
        members.insert(members.end(), g.alone.begin(), g.alone.end());
        {
            sim::executor serial(1);
            // The declarations do not depend on the population: without start states the
            // probe is built small (building one includes the burn-in: at national scale a
            // full-size probe cost 30 % of the whole run).
            model_spec small = specs[members.front()];
            small.population_scale = std::min(small.population_scale, layout_probe_population_scale);
            const auto probe =
                starts.empty()
                    ? std::make_unique<trade_model>(small, options.first_replicate, serial)
                    : std::make_unique<trade_model>(specs[members.front()], *starts.front(), serial);
            series = with_targets(probe->record().series_specs());
            tables = probe->record().table_specs();
        }
        for (const auto k: members) {
            const auto& spec = specs[k];
            const std::string command = !options.command.empty()
                                            ? options.command
                                            : "tradeeco::models::run_to_file(" + spec.name + ", " +
                                                  std::to_string(spec.replicates) +
                                                  " replicates from " +
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
                root.number.emplace_back("replicates_per_set",
                                         double(spec.posterior.replicates_per_set));
                root.number.emplace_back("replicates_per_driver_path",
                                         double(spec.posterior.replicates_per_driver_path));
                for (const auto& [key, value]: spec.posterior.provenance)
                    root.text.emplace_back("posterior_" + key, value);
            }
            sim::results_layout layout{sim::calendar(spec.start, spec.end), series, tables, root};
            layout.expected_replicates = spec.replicates; // fixed-length replicate dim: fast opens
            files[k].spec = &spec;
            files[k].writer = std::make_unique<sim::results_writer>(outs[k], std::move(layout));
        }
    }

    // A job is one replicate of one group: the shared months once, then each member from a copy
    // of that state (or, without a shared prefix, each member from the start). Jobs run in
    // parallel, each serially inside, and are written in replicate order per file through small
    // reorder buffers: at most `threads` jobs' records wait beyond the ones being written.
    struct job {
        const group* g;
        std::int32_t index;
    };
    std::vector<job> jobs;
    std::int32_t total = 0;
    for (const auto& g: groups) {
        const auto n = specs[g.sharing.empty() ? g.alone.front() : g.sharing.front()].replicates;
        for (std::int32_t i = 0; i < n; ++i) jobs.push_back({&g, i});
        total += n * std::int32_t(g.sharing.size() + g.alone.size());
    }
    std::mutex mutex;
    std::int32_t done = 0;
    std::exception_ptr failure;
    bool cancelled = false;
    auto deliver = [&](std::size_t k, std::int32_t index, sim::replicate_record record) {
        std::lock_guard lock(mutex);
        auto& f = files[k];
        f.waiting.emplace(index, std::move(record));
        while (!f.waiting.empty() && f.waiting.begin()->first == f.next_to_write) {
            f.writer->write_replicate(f.next_to_write, f.waiting.begin()->second);
            f.waiting.erase(f.waiting.begin());
            ++f.next_to_write;
        }
        ++done;
        if (options.progress && !options.progress(done, total)) cancelled = true;
        return !cancelled && !failure;
    };
    const int inner_threads =
        std::max(1, pool.threads() / std::max(1, std::min(pool.threads(), int(jobs.size()))));
    const std::size_t batch = std::size_t(std::max(1, pool.threads())) * 2;
    for (std::size_t first = 0; first < jobs.size() && !failure && !cancelled; first += batch) {
        const std::size_t count = std::min(batch, jobs.size() - first);
        pool.for_each(
            count,
            [&](std::size_t j) {
                const auto& [g, index] = jobs[first + j];
                {
                    std::lock_guard lock(mutex);
                    if (failure || cancelled) return;
                }
                try {
                    // Jobs are the parallel grain; with fewer jobs than threads the spare
                    // threads work inside each (results do not depend on the thread count).
                    sim::executor inner(inner_threads);
                    const std::int32_t replicate = options.first_replicate + index;
                    if (!g->sharing.empty()) {
                        trade_model prefix(specs[g->sharing.front()], replicate, inner);
                        prefix.advance(g->prefix_days);
                        const auto saved = prefix.save_state();
                        for (const auto k: g->sharing) {
                            trade_model branch(specs[k], saved, inner);
                            branch.run();
                            if (!deliver(k, index, branch.take_record())) return;
                        }
                    }
                    for (const auto k: g->alone) {
                        if (starts.empty()) {
                            if (!deliver(k, index, run_replicate(specs[k], replicate, inner)))
                                return;
                            continue;
                        }
                        trade_model from_start(specs[k], *starts[std::size_t(index)], inner);
                        from_start.run();
                        if (!deliver(k, index, from_start.take_record())) return;
                    }
                } catch (...) {
                    std::lock_guard lock(mutex);
                    if (!failure) failure = std::current_exception();
                }
            },
            1);
    }
    if (failure) std::rethrow_exception(failure);
    if (cancelled) throw run_cancelled();
    for (auto& f: files) {
        f.writer->set_root_attribute("finished_at", sim::utc_now());
        f.writer->commit();
    }
}

void run_to_file(const model_spec& spec, const std::filesystem::path& out,
                 const run_options& options) {
    run_many_to_files({spec}, {out}, options, false);
}

} // namespace tradeeco::models
