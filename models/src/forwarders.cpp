// Freight forwarders: client relations, LCL consolidation, margins, one-bill documents, A-level
// assessment, entry and exit.
// Reads: the firms' monthly trade and LCL cargo (firm_decisions.cpp), the month's bookings
//   (routes_bookings.cpp), levers one_bill_adoption and forwarder_attraction.
// Writes: the forwarder table and its columns (forwarder_columns), the firms' forwarder_id,
//   lcl_fill and lcl_wait_days by route (read by next month's route choice), boxes added to the
//   month's bookings, bills_this_year, and the margins added to the year's logistics cost.

#include "model_state.hpp"

#include <tradeeco/sim/executor.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <numeric>

namespace tradeeco::models {

using namespace model_impl;

namespace {

// The row of each forwarder id, by id. Forwarder ids are the table's serial numbers (dense, and
// only growing by the entrants of each year), so an array answers in O(1) what
// agent_table::row_of answers by binary search; three searches per trading firm and month were
// a fifth of a national run. Built from the table as it is: rebuild after a compact().
class forwarder_rows {
public:
    explicit forwarder_rows(const sim::agent_table& table): none_(table.size()) {
        const auto& ids = table.ids();
        row_.assign(ids.empty() ? 0 : std::size_t(ids.back()) + 1, none_);
        for (std::size_t k = 0; k < ids.size(); ++k) row_[std::size_t(ids[k])] = k;
    }
    // The row of forwarder `fid` (a firm's forwarder_id), or the table size if there is none.
    std::size_t operator()(std::int64_t fid) const {
        return fid >= 0 && std::size_t(fid) < row_.size() ? row_[std::size_t(fid)] : none_;
    }

private:
    std::size_t none_;
    std::vector<std::size_t> row_;
};

} // namespace

// Stages a forwarder birth; its draws are keyed by its entry serial number.
void trade_model::state::stage_forwarder(std::uint32_t step) {
    const std::size_t slot = forwarders.stage_birth();
    auto r = rng(fw_serial++, step, p_forwarder_entry);
    forwarders.staged<double>("scale")[slot] = std::exp(params.forwarder_scale_sigma * r.normal());
    forwarders.staged<double>("margin_share")[slot] =
        params.forwarder_margin_min + params.forwarder_margin_range * r.uniform();
}

// Each trading firm books through its forwarder; a firm without one (or whose forwarder left)
// picks among a random sample of eight by a logit on margin, scale, A-level status and one-bill
// service (Gumbel draws; weights ASSUMPTIONS); the relation then persists (past relations).
// Chain leaders book with the corridor operators directly (their own logistics arms and
// capacity contracts), indirect exporters through their trade-service firm.
bool trade_model::state::books_with_forwarder(std::size_t i) const {
    const double value = (*firm.exports_month)[i] + (*firm.imports_month)[i];
    return value > 0 && !(*firm.indirect)[i] && !(*firm.leader)[i];
}

// Firm i's forwarder row: `row` (its forwarder's, or forwarders.size() if it has none), or, if
// it has none, the one it picks now (recorded in its forwarder_id). Only firm i's own stream and
// column are touched, so firms choose in parallel.
std::size_t trade_model::state::forwarder_for(std::size_t i, std::uint32_t step, std::size_t row) {
    const std::size_t nfw = forwarders.size();
    if (row != nfw) return row;
    const int candidates = int(params.forwarder_candidates);
    const double margin_scale = params.forwarder_choice_margin_scale;
    const double w_scale = params.forwarder_choice_scale_weight, w_a_level = params.forwarder_choice_a_level_weight;
    const double w_one_bill = params.forwarder_choice_one_bill_weight;
    auto r = rng(firms.ids()[i], step, p_forwarder);
    double best = -1e300;
    for (int k = 0; k < candidates; ++k) {
        const std::size_t cand = std::size_t(r.below(nfw));
        const double u = -(*fwd.margin)[cand] / margin_scale + w_scale * std::log((*fwd.scale)[cand]) +
                         w_a_level * (*fwd.a_level)[cand] + w_one_bill * (*fwd.one_bill)[cand] -
                         std::log(-std::log(r.uniform()));
        if (u > best) {
            best = u;
            row = cand;
        }
    }
    (*firm.forwarder)[i] = std::int64_t(forwarders.ids()[row]);
    return row;
}

void trade_model::state::assign_forwarders(std::uint32_t step) {
    if (forwarders.size() == 0) return;
    const forwarder_rows row_of(forwarders);
    ex.for_each(n_firms, [&](std::size_t i) {
        if (books_with_forwarder(i)) forwarder_for(i, step, row_of((*firm.forwarder)[i]));
    });
}

// Each forwarder's clients' LCL cargo this month, TEU, by forwarder row.
std::vector<double> trade_model::state::forwarder_lcl() const {
    const std::size_t nfw = forwarders.size();
    std::vector<double> lcl(nfw, 0.0);
    const forwarder_rows row_of(forwarders);
    // The firms are scanned in parallel; their cargo is added in firm order (the messages keep
    // it), so each forwarder's sum is the serial one.
    sim::message_buffer<forwarder_booking> cargo;
    cargo.emit(ex, n_firms, [&](std::size_t i, std::vector<forwarder_booking>& out) {
        const double v = (*firm.lcl_teu_month)[i];
        if (v <= 0) return;
        if (const auto row = row_of((*firm.forwarder)[i]); row < nfw) out.push_back({row, v});
    });
    for (const auto& c: cargo.all()) lcl[c.row] += c.teu;
    return lcl;
}

// Forwarders consolidate their clients' LCL cargo route by route under a hybrid policy: a box
// leaves when full or when its first cargo has waited consolidation_max_days T (Cetinkaya &
// Bookbinder 2003). Cargo arriving at a TEU a day fills a box to min(1, a T) and waits
// min(1/a, T)/2 on average. A forwarder's LCL cargo on a route is its share of all forwarded
// LCL cargo times the route's LCL cargo (its clients' route mix taken as the average). One that
// fills a box within T consolidates its own; the others co-load theirs into one shared
// consolidation (as small forwarders hand LCL to a co-loader), so a route's fill and wait depend
// on its LCL volume and how it is spread over forwarders. Departures carry boxes: part-filled
// ones take capacity. Air cargo is not boxed.
void trade_model::state::consolidate_lcl(const std::vector<double>& lcl) {
    const std::size_t nfw = lcl.size();
    const double total = std::accumulate(lcl.begin(), lcl.end(), 0.0);
    if (total <= 0) return;
    const double max_days = params.consolidation_max_days, days = 30.4375;
    for (std::size_t r = 0; r < num_routes; ++r) {
        const double cargo = bookings.lcl_teu[r];
        if (cargo <= 0) continue;
        double boxes = 0, wait = 0, pooled = 0;
        auto consolidate = [&](double v) { // one consolidation of v TEU a month
            const double a = v / days;
            // A box closes at the deadline filled to a T; for cargo so small that a T underflows
            // to 0, v / (a T) is days / T boxes (it was v / 0 = inf boxes, which booked infinite
            // TEU and never let the extra-train loop in departures_day end).
            const double fill = std::min(1.0, a * max_days);
            boxes += fill > 0 ? v / fill : days / max_days;
            wait += v * 0.5 * std::min(1.0 / a, max_days);
        };
        for (std::size_t k = 0; k < nfw; ++k) {
            if (lcl[k] <= 0) continue;
            const double v = cargo * lcl[k] / total;
            if (v / days * max_days >= 1.0) consolidate(v);
            else pooled += v;
        }
        if (pooled > 0) consolidate(pooled);
        lcl_fill[r] = cargo / boxes;
        lcl_wait_days[r] = wait / cargo;
        bookings.teu[r] += boxes - cargo;
        if (!burning_in) {
            corridor_year.lcl_teu += cargo;
            corridor_year.lcl_boxes += boxes;
            corridor_year.lcl_wait += wait;
        }
    }
}

// A month of forwarding: relations, consolidation, then volumes, margins (which add to the
// trade-logistics cost) and one-bill documents.
void trade_model::state::forwarders_month(std::uint32_t step) {
    const std::size_t nfw = forwarders.size();
    if (nfw == 0 || burning_in) return;
    // One parallel pass over the firms (it was three: choosing forwarders, their LCL cargo, the
    // bookings): each firm picks its forwarder if it needs one and reports its LCL cargo and its
    // booking, into its block's list; the lists are read in block order, so every sum below adds
    // in the serial (firm) order. The lists are scratch kept across months (as message buffers
    // joined each month, their growth and the join's copy were a fifth of the forwarders' month).
    const forwarder_rows row_of(forwarders);
    // The columns as locals: two thirds of the firms neither trade nor ship LCL cargo in a month
    // and are passed over after two loads.
    const double* const exports = firm.exports_month->data();
    const double* const imports = firm.imports_month->data();
    const double* const lcl_teu = firm.lcl_teu_month->data();
    constexpr std::size_t grain = sim::executor::default_grain;
    auto& blocks = forwarder_cargo_blocks;
    blocks.resize(sim::executor::num_blocks(n_firms, grain));
    ex.for_each_block(n_firms, grain, [&](std::size_t begin, std::size_t end) {
        auto& out = blocks[begin / grain];
        out.clear();
        // A firm with neither trade (value > 0) nor LCL cargo (> 0) picks no forwarder
        // (books_with_forwarder needs value > 0) and would report nothing that counts. Which
        // firms are active is marked without branches, a 64-bit word at a time, and only those
        // are visited, in firm order (a branch per firm on it was mispredicted at random).
        constexpr std::size_t word = std::numeric_limits<std::uint64_t>::digits; // mask bits
        for (std::size_t first = begin; first < end; first += word) {
            const std::size_t last = std::min(end, first + word);
            std::uint64_t active = 0;
            for (std::size_t i = first; i < last; ++i)
                active |= std::uint64_t((exports[i] + imports[i] > 0) | (lcl_teu[i] > 0))
                          << (i - first);
            for (; active != 0; active &= active - 1) {
                const std::size_t i = first + std::size_t(std::countr_zero(active));
                const double value = exports[i] + imports[i];
                const double lcl = lcl_teu[i];
                std::size_t row = row_of((*firm.forwarder)[i]);
                if (books_with_forwarder(i)) row = forwarder_for(i, step, row);
                if (row >= nfw) continue;
                const bool books = value > 0 && !(*firm.indirect)[i];
                if (lcl <= 0 && !books) continue;
                const double teu = books ? value * 1e8 / cny_per_teu[(*firm.sector)[i]] : 0.0;
                out.push_back({row, lcl, teu, books});
            }
        }
    });
    {
        std::vector<double> lcl(nfw, 0.0); // forwarder_lcl(), from the same pass
        for (const auto& block: blocks)
            for (const auto& c: block)
                if (c.lcl_teu > 0) lcl[c.row] += c.lcl_teu;
        consolidate_lcl(lcl);
    }
    double margin_cost = 0, lsc_share = 0, booked = 0;
    for (std::size_t r = 0; r < num_routes; ++r) {
        booked += bookings.teu[r];
        if (route_table[r].how == detail::mode::rail_sea || route(r) == route::clt_rail) lsc_share += bookings.teu[r];
    }
    lsc_share = booked > 0 ? lsc_share / booked : 0;
    const double teu_per_bill = params.teu_per_bill;
    // Each client firm's booking goes to its forwarder; the forwarders take them in firm order.
    forwarder_bookings.clear();
    for (const auto& block: blocks)
        for (const auto& c: block)
            if (c.books) forwarder_bookings.push({c.row, c.booking_teu});
    for (const auto& b: forwarder_bookings.all()) {
        (*fwd.volume)[b.row] += b.teu;
        margin_cost += b.teu * freight_per_teu_month * (*fwd.margin)[b.row] / 1e8;
        if ((*fwd.one_bill)[b.row]) bills_this_year += b.teu * lsc_share / teu_per_bill;
    }
    corridor_year.logistics_cost += margin_cost;
}

// Yearly: client counts, A-level assessment, one-bill adoption, exit of idle forwarders and
// entry (baseline replaces exits, ASSUMPTION; the lever adds entrants).
void trade_model::state::forwarders_year(sim::date today) {
    if (burning_in) return;
    const std::size_t nfw = forwarders.size();
    std::fill(fwd.clients->begin(), fwd.clients->end(), 0);
    const forwarder_rows row_of(forwarders);
    for (std::size_t i = 0; i < n_firms; ++i)
        if (const auto row = row_of((*firm.forwarder)[i]); row < nfw) ++(*fwd.clients)[row];
    std::vector<double> vols(*fwd.volume);
    std::sort(vols.begin(), vols.end());
    const double q_a_level = params.a_level_volume_quantile, q_exit = params.forwarder_exit_volume_quantile;
    const double v80 = vols.empty() ? 0 : vols[std::size_t(q_a_level * double(vols.size() - 1))];
    const double v20 = vols.empty() ? 0 : vols[std::size_t(q_exit * double(vols.size() - 1))];
    const double assess = params.a_level_assessment_rate, adopt_2024 = params.one_bill_adoption_2024;
    const double a_level_mult = params.one_bill_a_level_multiplier, exit_rate = params.forwarder_exit_rate;
    const double adopt = lever_any(lever::one_bill_adoption, today);
    const std::uint32_t ystep = std::uint32_t(2000 + month_abs);
    forwarders.prepare_removals();
    std::size_t exits = 0;
    for (std::size_t k = 0; k < nfw; ++k) {
        auto r = rng(forwarders.ids()[k], ystep, p_forwarder);
        const double u1 = r.uniform(), u2 = r.uniform(), u3 = r.uniform();
        // A-level assessment of eligible large forwarders.
        if (!(*fwd.a_level)[k] && (*fwd.volume)[k] >= v80 && u1 < assess) (*fwd.a_level)[k] = 1;
        // One-bill adoption: the baseline rate plus the lever, A-level firms more likely.
        if (!(*fwd.one_bill)[k] && u2 < std::min(1.0, (adopt_2024 + adopt) * ((*fwd.a_level)[k] ? a_level_mult : 1.0)))
            (*fwd.one_bill)[k] = 1;
        // Exit of idle small forwarders.
        if ((*fwd.clients)[k] == 0 && (*fwd.volume)[k] <= v20 && u3 < exit_rate) {
            forwarders.mark_removed(k);
            ++exits;
        }
    }
    forwarder_entry_carry += lever_any(lever::forwarder_attraction, today);
    const auto extra = std::size_t(std::floor(forwarder_entry_carry));
    forwarder_entry_carry -= double(extra);
    for (std::size_t k = 0; k < exits; ++k) stage_forwarder(ystep);
    // Attracted forwarders are established firms moving in (plan measure 15: "logistics chain
    // leaders"): larger than other entrants, and some already A-level.
    for (std::size_t k = 0; k < extra; ++k) {
        const std::size_t slot = forwarders.staged_births();
        stage_forwarder(ystep);
        forwarders.staged<double>("scale")[slot] *= params.attracted_forwarder_scale;
        auto r = rng(fw_serial, ystep, p_forwarder_entry);
        forwarders.staged<std::uint8_t>("a_level")[slot] = r.bernoulli(params.attracted_a_level_share) ? 1 : 0;
    }
    forwarders.compact();
    std::fill(fwd.volume->begin(), fwd.volume->end(), 0.0);
}

} // namespace tradeeco::models
