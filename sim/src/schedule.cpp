#include <tradeeco/sim/schedule.hpp>

namespace tradeeco::sim {

void schedule::add_phase(std::string name, cadence when, phase_fn fn) {
    phases_.push_back(phase{std::move(name), when, std::move(fn)});
}

std::vector<std::string> schedule::phase_names() const {
    std::vector<std::string> out;
    for (const auto& p: phases_) out.push_back(p.name);
    return out;
}

void schedule::run_day(const calendar& clock, std::int32_t step) const {
    const day_info today = clock.day(step);
    for (const auto& p: phases_) {
        const bool due = p.when == cadence::daily ||
                         (p.when == cadence::month_start && today.month_start) ||
                         (p.when == cadence::month_end && today.month_end) ||
                         (p.when == cadence::year_end && today.year_end);
        if (due) p.fn(today);
    }
}

bool schedule::run(const calendar& clock, const progress_fn& progress) const {
    for (std::int32_t step = 0; step < clock.num_days(); ++step) {
        run_day(clock, step);
        if (progress && !progress(step + 1, clock.num_days())) return false;
    }
    return true;
}

} // namespace tradeeco::sim
