#pragma once
/// The Chongqing trade model: trading firms (with SMEs and chain leaders among them), freight
/// forwarders and scheduled services on the corridors, advanced one day at a time. A model is a
/// pure function of (spec, replicate): it draws every random number from streams keyed by
/// (seed, replicate, agent, step, purpose).
///
/// Most users call run_to_file (run.hpp); this class is for stepping a model interactively
/// (Python: tradeeco.Model) and looking at agent columns between steps.

#include <tradeeco/models/spec.hpp>
#include <tradeeco/sim/agent_table.hpp>
#include <tradeeco/sim/calendar.hpp>
#include <tradeeco/sim/recorder.hpp>
#include <tradeeco/sim/state_archive.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

namespace tradeeco::sim {
class executor;
}

namespace tradeeco::models {

class trade_model {
public:
    /// Builds the 2024 starting population. `ex` must outlive the model.
    trade_model(const model_spec& spec, std::int32_t replicate, sim::executor& ex);
    /// Restores a model from a state saved by save_state() (or read from a checkpoint file), for
    /// `spec`: the same scenario, or a branch of it (same parameters, seed, population, horizon
    /// and outputs; its policies and shocks, and those of the saved run, all start after the
    /// saved day). It continues bit for bit as the saved run, or as an uninterrupted run of the
    /// branch, would. The replicate is the saved one. Throws sim::checkpoint_error when `spec`
    /// does not fit the state (the message says what differs), model_error if the state is not
    /// this version's layout.
    trade_model(const model_spec& spec, const sim::state_archive& saved, sim::executor& ex);
    ~trade_model();
    trade_model(const trade_model&) = delete;
    trade_model& operator=(const trade_model&) = delete;

    /// Advances up to n days (stopping at the end of the horizon). Returns the days advanced.
    std::int32_t advance(std::int32_t n);
    /// Runs to the end. `progress(days_done, days_total)` may return false to stop early.
    bool run(const std::function<bool(std::int32_t, std::int32_t)>& progress = {});
    bool finished() const noexcept;
    /// Days simulated so far.
    std::int32_t days_done() const noexcept;

    const sim::calendar& clock() const noexcept;
    /// Agent tables by name: "firms", "forwarders", "services".
    sim::agent_table& agents(std::string_view table);
    std::vector<std::string> agent_table_names() const;
    /// Everything recorded so far.
    const sim::replicate_record& record() const noexcept;
    sim::replicate_record take_record();

    /// True between months: nothing of the current month simulated yet (or the run finished).
    /// save_state() and checkpoint() need it.
    bool at_month_boundary() const noexcept;
    /// The whole state (agents, markets, backlogs, messages, spending, what is recorded so far),
    /// with the scenario's identity. Throws model_error if not at_month_boundary().
    sim::state_archive save_state() const;
    /// Writes save_state() to an HDF5 checkpoint file (sim/checkpoint_file.hpp; written under a
    /// temporary name and renamed, so `file` is complete or absent).
    void checkpoint(const std::filesystem::path& file) const;
    /// A model restored from a checkpoint file, for `spec` (see the restoring constructor).
    /// Throws sim::checkpoint_error naming the file if it is damaged, of another format version,
    /// made by another tradeeco build, or for a scenario `spec` does not fit.
    static std::unique_ptr<trade_model>
    restore(const model_spec& spec, const std::filesystem::path& file, sim::executor& ex);

private:
    struct state;
    void add_phases();
    std::unique_ptr<state> s_;
};

/// What a checkpoint file says about itself (its root attributes), read without the state.
struct checkpoint_info {
    std::string scenario_name;
    std::string scenario_text; ///< the scenario's resolved text: load it to restore
    std::uint64_t seed = 0;
    std::int32_t replicate = 0;
    double population_scale = 1;
    std::string month; ///< first month not yet simulated, "2025-01" ("end" when finished)
    std::int32_t days_done = 0;
    std::string tradeeco_version, git_revision, created_at;
    std::int32_t format_version = 0;
};
/// Reads a checkpoint's description after checking its seal, format and version
/// (sim::checkpoint_error otherwise).
checkpoint_info read_checkpoint_info(const std::filesystem::path& file);

/// The earliest day any instrument or shock of `spec` is in force (sys_days since 1970), or
/// INT32_MAX when it has none. Up to the day before it, every scenario with the same
/// parameters, seed, population, horizon and outputs simulates the same state.
std::int32_t first_policy_day(const model_spec& spec) noexcept;
/// The fields of `spec` that shape a replicate's numbers apart from its policies and shocks
/// (horizon, seed, population scale, parameters, outputs), as canonical text: scenarios with
/// equal keys can share the months before their first policy.
std::string layout_key(const model_spec& spec);

} // namespace tradeeco::models
