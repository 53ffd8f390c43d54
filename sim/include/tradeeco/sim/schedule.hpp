#pragma once
/// A step (one simulated day) is a fixed sequence of phases. Each phase runs on the days its
/// cadence selects; phases run in the order they were added, so a message written in one phase is
/// read by a later phase of the same day or by a phase of a later day, never concurrently.

#include <tradeeco/sim/calendar.hpp>

#include <functional>
#include <string>
#include <vector>

namespace tradeeco::sim {

enum class cadence : std::uint8_t {
    daily,       ///< every day
    month_start, ///< first simulated day of each month
    month_end,   ///< last simulated day of each month
    year_end,    ///< last simulated day of each year
};

class schedule {
public:
    using phase_fn = std::function<void(const day_info&)>;
    /// Called after each day; returning false stops the run early (used for cancellation).
    using progress_fn = std::function<bool(std::int32_t days_done, std::int32_t days_total)>;

    void add_phase(std::string name, cadence when, phase_fn fn);
    std::vector<std::string> phase_names() const;

    /// Runs the phases due on one day.
    void run_day(const calendar& clock, std::int32_t step) const;

    /// Runs every day of the calendar. Returns false if progress asked to stop.
    bool run(const calendar& clock, const progress_fn& progress = {}) const;

private:
    struct phase {
        std::string name;
        cadence when;
        phase_fn fn;
    };
    std::vector<phase> phases_;
};

} // namespace tradeeco::sim
