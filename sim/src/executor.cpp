#include <tradeeco/sim/executor.hpp>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <thread>

#if defined(__SANITIZE_THREAD__)
#define TRADEECO_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TRADEECO_TSAN 1
#endif
#endif
#ifdef TRADEECO_TSAN
#include <sanitizer/tsan_interface.h>
#endif

namespace tradeeco::sim {

namespace {
// ThreadSanitizer cannot see the synchronisation inside libtbb (it is not instrumented), so it
// takes every hand-off of a block to a worker for a race. These two calls tell it what TBB
// guarantees: whatever the caller did before a loop happens before each block, and each block
// happens before the loop returns. Races between blocks of one loop are still reported. Races
// TSan sees inside TBB's own inline code are suppressed by tests/tsan.supp (docs/development.md).
void tsan_release([[maybe_unused]] void* sync) {
#ifdef TRADEECO_TSAN
    __tsan_release(sync);
#endif
}
void tsan_acquire([[maybe_unused]] void* sync) {
#ifdef TRADEECO_TSAN
    __tsan_acquire(sync);
#endif
}
} // namespace

struct executor::arena {
    tbb::task_arena value;
    char fork = 0, join = 0; // addresses the TSan annotations synchronise on
    explicit arena(int n): value(n) {}
};

executor::executor(int threads): threads_(threads) {
    // TBB sizes an arena's slot arrays by its thread count: 2^31 threads crashed the process
    // (found by property tests). No machine this runs on has more than a few hundred cores.
    constexpr int max_threads = 4096;
    if (threads_ < 0 || threads_ > max_threads)
        throw std::invalid_argument("threads must be in [0, " + std::to_string(max_threads) +
                                    "] (0 = all cores), got " + std::to_string(threads_));
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
    // By value: a worker must reach the sync addresses without reading the executor first.
    char* const fork = &arena_->fork;
    char* const join = &arena_->join;
    tsan_release(fork);
    arena_->value.execute([&] {
        tbb::parallel_for(
            tbb::blocked_range<std::size_t>(0, blocks, 1),
            [&, fork, join](const tbb::blocked_range<std::size_t>& r) {
                tsan_acquire(fork);
                for (std::size_t b = r.begin(); b < r.end(); ++b)
                    f.call(f.ctx, b * grain, std::min(n, (b + 1) * grain));
                tsan_release(join);
            },
            tbb::simple_partitioner{});
    });
    tsan_acquire(join);
}

} // namespace tradeeco::sim
