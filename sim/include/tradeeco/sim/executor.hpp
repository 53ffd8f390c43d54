#pragma once
/// The one place where models get parallelism. An executor owns a tbb::task_arena with a fixed
/// number of threads; models hand it loops and reductions and never see TBB themselves.
///
/// Determinism: loops split [0, n) into blocks whose boundaries depend only on n and the grain,
/// never on the thread count; reductions compute one partial per block and combine the partials
/// serially in block order. So a reduction gives the same bits with 1, 2 or 64 threads.

#include <cstddef>
#include <memory>
#include <vector>

namespace tradeeco::sim {

class executor {
public:
    /// threads = 1 runs every loop serially on the calling thread, without TBB (the reference
    /// path tests compare against). threads = 0 means "all hardware threads".
    explicit executor(int threads = 1);
    ~executor();
    executor(const executor&) = delete;
    executor& operator=(const executor&) = delete;

    int threads() const noexcept { return threads_; }

    /// Calls f(i) for every i in [0, n), in parallel across blocks of `grain` indices.
    template <class F>
    void for_each(std::size_t n, F&& f, std::size_t grain = default_grain) {
        for_each_block(n, grain, [&](std::size_t begin, std::size_t end) {
            for (std::size_t i = begin; i < end; ++i) f(i);
        });
    }

    /// Calls f(begin, end) for each block of [0, n).
    template <class F>
    void for_each_block(std::size_t n, std::size_t grain, F&& f) {
        run_blocks(n, grain, block_fn{&f, [](void* ctx, std::size_t b, std::size_t e) {
                                          (*static_cast<F*>(ctx))(b, e);
                                      }});
    }

    /// Deterministic reduction: combine(... combine(combine(init, p0), p1) ..., pk) where pj is the
    /// serial fold of map(i) over block j starting from `identity`.
    template <class T, class Map, class Combine>
    T reduce(std::size_t n, T identity, Map&& map, Combine&& combine,
             std::size_t grain = default_grain) {
        if (grain == 0) grain = default_grain; // as run_blocks does; partial[] is indexed by it
        const std::size_t blocks = num_blocks(n, grain);
        std::vector<T> partial(blocks, identity);
        for_each_block(n, grain, [&](std::size_t begin, std::size_t end) {
            T acc = identity;
            for (std::size_t i = begin; i < end; ++i) acc = combine(acc, map(i));
            partial[begin / grain] = acc;
        });
        T out = identity;
        for (const T& p: partial) out = combine(out, p);
        return out;
    }

    static constexpr std::size_t default_grain = 4096;
    /// Number of blocks a loop over [0, n) is split into (grain 0 means default_grain).
    static std::size_t num_blocks(std::size_t n, std::size_t grain) {
        if (grain == 0) grain = default_grain;
        return (n + grain - 1) / grain;
    }

private:
    struct block_fn {
        void* ctx;
        void (*call)(void*, std::size_t, std::size_t);
    };
    void run_blocks(std::size_t n, std::size_t grain, block_fn f);

    int threads_;
    struct arena;
    std::unique_ptr<arena> arena_;
};

} // namespace tradeeco::sim
