#include <tradeeco/sim/executor.hpp>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <stdexcept>
#include <thread>

namespace tradeeco::sim {

struct executor::arena {
    tbb::task_arena value;
    explicit arena(int n): value(n) {}
};

executor::executor(int threads): threads_(threads) {
    if (threads_ < 0) throw std::invalid_argument("executor: thread count must be >= 0");
    if (threads_ == 0) threads_ = int(std::max(1u, std::thread::hardware_concurrency()));
    if (threads_ > 1) arena_ = std::make_unique<arena>(threads_);
}

executor::~executor() = default;

void executor::run_blocks(std::size_t n, std::size_t grain, block_fn f) {
    if (n == 0) return;
    if (grain == 0) grain = default_grain;
    const std::size_t blocks = num_blocks(n, grain);
    if (!arena_ || blocks == 1) {
        for (std::size_t b = 0; b < blocks; ++b) f.call(f.ctx, b * grain, std::min(n, (b + 1) * grain));
        return;
    }
    // simple_partitioner over block indices: each task gets whole blocks, never a split one, so
    // block boundaries are the same whatever the thread count.
    arena_->value.execute([&] {
        tbb::parallel_for(
            tbb::blocked_range<std::size_t>(0, blocks, 1),
            [&](const tbb::blocked_range<std::size_t>& r) {
                for (std::size_t b = r.begin(); b < r.end(); ++b)
                    f.call(f.ctx, b * grain, std::min(n, (b + 1) * grain));
            },
            tbb::simple_partitioner{});
    });
}

} // namespace tradeeco::sim
