// Invariants that checked builds (TRADEECO_CHECKED, the test build) assert at every year end; a
// violation is a model_error naming the route or stock and the numbers, never a silent wrong
// result. Release builds skip the checks.
//
// Reads: the routes' backlogs (backlog_teu, backlog_at_year_start) and the year's corridor
//        totals (corridor_year: booked and carried TEU).
// Writes: backlog_at_year_start, for the next year.
//
// - TEU are conserved on every route: the year-start backlog plus what was booked equals what
//   departed plus the year-end backlog.
// - No stock goes negative: backlogs, contracted backlogs.

#include "model_state.hpp"

#include <cmath>
#include <sstream>

namespace tradeeco::models {

void trade_model::state::check_year_invariants([[maybe_unused]] const sim::day_info& d) {
#if TRADEECO_CHECKED
    auto fail = [&](const std::string& what) {
        std::ostringstream msg;
        msg << "invariant broken at year end " << sim::to_string(d.today) << " (replicate " << replicate
            << ", scenario " << spec.name << "): " << what;
        throw sim::model_error(msg.str());
    };
    for (std::size_t r = 0; r < num_routes; ++r) {
        const double start = backlog_at_year_start[r], booked = corridor_year.booked_teu[r];
        const double carried = corridor_year.teu[r], end = backlog_teu[r];
        const double scale = std::max(1.0, start + booked);
        if (std::abs(start + booked - carried - end) > 1e-9 * scale) {
            std::ostringstream what;
            what << "TEU not conserved on route " << r << ": start " << start << " + booked " << booked
                 << " != carried " << carried << " + end " << end;
            fail(what.str());
        }
        // Floating-point subtraction may leave a backlog a hair below zero, never more.
        if (end < -1e-9 * scale || contract_backlog[r] < -1e-9 * scale) {
            std::ostringstream what;
            what << "negative backlog on route " << r << ": " << end << " TEU (contracted "
                 << contract_backlog[r] << ")";
            fail(what.str());
        }
    }
#endif
    backlog_at_year_start = backlog_teu;
}

} // namespace tradeeco::models
