#pragma once
/// Scheduled events (departures, policy start dates) released in a deterministic order:
/// by step, then priority (lower first), then the order they were scheduled in.

#include <cstdint>
#include <queue>
#include <vector>

namespace tradeeco::sim {

template <class Payload>
class event_queue {
public:
    void schedule(std::int32_t step, std::int32_t priority, Payload payload) {
        heap_.push(entry{step, priority, seq_++, std::move(payload)});
    }
    bool empty() const noexcept { return heap_.empty(); }
    std::size_t size() const noexcept { return heap_.size(); }

    /// Removes and returns, in order, every event due at or before `step`.
    std::vector<Payload> pop_due(std::int32_t step) {
        std::vector<Payload> out;
        while (!heap_.empty() && heap_.top().step <= step) {
            out.push_back(heap_.top().payload);
            heap_.pop();
        }
        return out;
    }

private:
    struct entry {
        std::int32_t step, priority;
        std::uint64_t seq;
        Payload payload;
    };
    struct later {
        bool operator()(const entry& a, const entry& b) const {
            if (a.step != b.step) return a.step > b.step;
            if (a.priority != b.priority) return a.priority > b.priority;
            return a.seq > b.seq;
        }
    };
    std::priority_queue<entry, std::vector<entry>, later> heap_;
    std::uint64_t seq_ = 0;
};

} // namespace tradeeco::sim
