#pragma once
/// Running a scenario: one replicate into memory, or all replicates into a result file.
///
/// Results depend only on (spec, replicate index): the thread count, the order replicates finish
/// in and the machine do not change a bit of them.

#include <tradeeco/models/spec.hpp>
#include <tradeeco/sim/recorder.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

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
};

/// Runs every replicate of `spec` and writes one result file (HDF5 / netCDF-4). Replicates run in
/// parallel across `threads`; each replicate runs serially inside, so results do not depend on
/// the thread count. The file appears at `out` only when complete.
void run_to_file(const model_spec& spec, const std::filesystem::path& out,
                 const run_options& options = {});

/// tradeeco's version string and the git revision it was built from.
std::string version();
std::string git_revision();

} // namespace tradeeco::models
