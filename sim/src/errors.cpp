#include <tradeeco/sim/errors.hpp>

namespace tradeeco::sim {

std::string format_location(const source_location& where) {
    // Built with append() only: GCC 12 gives a false -Wrestrict on chained operator+ (PR105651).
    std::string out;
    out.append(where.file.empty() ? "<input>" : where.file);
    if (where.line > 0) {
        out.append(":").append(std::to_string(where.line));
        if (where.column > 0) out.append(":").append(std::to_string(where.column));
    }
    out.append(": ");
    if (!where.key.empty()) out.append(where.key).append(": ");
    return out;
}

scenario_error::scenario_error(source_location where, const std::string& what):
    error(format_location(where) + what), where_(std::move(where)) {}

} // namespace tradeeco::sim
