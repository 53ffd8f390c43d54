#pragma once
/// Running a scenario: one replicate into memory, or all replicates into a result file.
///
/// Results depend only on (spec, replicate index): the thread count, the order replicates finish
/// in and the machine do not change a bit of them.

#include <tradeeco/models/spec.hpp>
#include <tradeeco/sim/recorder.hpp>
#include <tradeeco/sim/state_archive.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace tradeeco::sim {
class executor;
}

namespace tradeeco::models {

/// Progress: (replicates finished, replicates total, fraction of the current work done in [0,1]).
/// Return false to cancel; the run then throws run_cancelled and leaves no result file.
using progress_fn = std::function<bool(std::int32_t done, std::int32_t total)>;

class run_cancelled: public sim::error {
public:
    run_cancelled(): sim::error("run cancelled") {}
};

/// One replicate, recorded in memory; inner loops use `ex`.
sim::replicate_record run_replicate(const model_spec& spec, std::int32_t replicate,
                                    sim::executor& ex);

struct run_options {
    int threads = 1;                 ///< 0 = all hardware threads
    std::int32_t first_replicate = 0; ///< replicate indices run: [first, first + spec.replicates)
    progress_fn progress;            ///< called after each replicate (from one thread at a time)
    /// The command or API call that asked for the run, for the file's CF `history` attribute
    /// ("<UTC start>: <command>"); empty: this function's name, scenario and replicates.
    std::string command;
    /// If not empty, replicate `first_replicate + i` starts from `start_states[i]` (a state saved
    /// by trade_model::save_state of that replicate, before any policy of the scenarios: see the
    /// restoring constructor) instead of from the population: searches that evaluate many
    /// variants of one scenario simulate the months they share once. One per replicate.
    std::vector<const sim::state_archive*> start_states;
};

/// Runs every replicate of `spec` and writes one result file (HDF5 / netCDF-4). Replicates run in
/// parallel across `threads`; each replicate runs serially inside, so results do not depend on
/// the thread count. The file appears at `out` only when complete.
void run_to_file(const model_spec& spec, const std::filesystem::path& out,
                 const run_options& options = {});

/// Runs several scenarios, each into its own result file (`outs[k]` for `specs[k]`), with the
/// results run_to_file gives each one. With `share_prefix`, scenarios with the same parameters,
/// seed, population, horizon, outputs and replicate count simulate the months before their
/// earliest policy or shock (the population, the burn-in and, for the shipped scenarios, 2024)
/// once per replicate, then branch into each scenario from a copy of that state. `progress`
/// counts (replicate, scenario) pairs. The files are committed once every replicate of every
/// scenario is done; a failure or a cancel before that leaves none of them.
void run_many_to_files(const std::vector<model_spec>& specs,
                       const std::vector<std::filesystem::path>& outs,
                       const run_options& options = {}, bool share_prefix = true);

/// Days from the start that scenarios `specs` can simulate once and share: the last month start
/// before any of their policies and shocks is in force (and before the year end that looks
/// ahead to it). Assumes they share a layout (same parameters, seed, population, horizon and
/// outputs).
std::int32_t shared_prefix_days(const std::vector<model_spec>& specs);

/// tradeeco's version string and the git revision it was built from: HEAD's short hash when
/// the build ran, "-dirty" appended when the sources compiled into the model had uncommitted
/// changes, "unknown" outside a git checkout (cmake/git_revision.cmake).
std::string version();
std::string git_revision();

} // namespace tradeeco::models
