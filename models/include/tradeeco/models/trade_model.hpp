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

#include <cstdint>
#include <functional>
#include <memory>

namespace tradeeco::sim {
class executor;
}

namespace tradeeco::models {

class trade_model {
public:
    /// Builds the 2024 starting population. `ex` must outlive the model.
    trade_model(const model_spec& spec, std::int32_t replicate, sim::executor& ex);
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

private:
    struct state;
    std::unique_ptr<state> s_;
};

} // namespace tradeeco::models
