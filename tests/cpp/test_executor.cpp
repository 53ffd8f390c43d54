#include "catch.hpp"

#include <tradeeco/sim/executor.hpp>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

using namespace tradeeco::sim;

namespace {

// Terms of very different magnitudes and alternating sign: floating-point addition of these is far
// from associative, so any change in the order of additions changes the bits of the sum.
double term(std::size_t i) {
    const double magnitude = (i % 3 == 0) ? 1e15 : 1.0;
    const double sign = (i % 2 == 0) ? 1.0 : -1.0;
    return sign * magnitude / double(i + 1);
}

std::uint64_t bits_of(double x) { return std::bit_cast<std::uint64_t>(x); }

// What reduce() promises, written out serially: fold each block, then fold the partials in order.
double blockwise_sum(std::size_t n, std::size_t grain) {
    double out = 0.0;
    for (std::size_t begin = 0; begin < n; begin += grain) {
        double acc = 0.0;
        for (std::size_t i = begin; i < std::min(n, begin + grain); ++i) acc = acc + term(i);
        out = out + acc;
    }
    return out;
}

} // namespace

TEST_CASE("for_each visits every index exactly once", "[executor]") {
    for (int threads: {1, 2, 8}) {
        executor ex(threads);
        CHECK(ex.threads() == threads);
        for (std::size_t n:
             {std::size_t(0), std::size_t(1), std::size_t(4095), std::size_t(100'003)}) {
            for (std::size_t grain:
                 {std::size_t(1), std::size_t(7), std::size_t(1000), executor::default_grain}) {
                if (grain == 1 && n > 5000) continue; // 1e5 one-index tasks: slow and pointless
                CAPTURE(threads, n, grain);
                std::vector<std::atomic<int>> visits(n);
                ex.for_each(
                    n, [&](std::size_t i) { visits[i].fetch_add(1, std::memory_order_relaxed); },
                    grain);
                REQUIRE(std::all_of(visits.begin(), visits.end(),
                                    [](const std::atomic<int>& v) { return v.load() == 1; }));
            }
        }
    }
}

TEST_CASE("blocks depend on n and grain only, never on the thread count", "[executor]") {
    constexpr std::size_t n = 10'001, grain = 100;
    CHECK(executor::num_blocks(n, grain) == 101);
    CHECK(executor::num_blocks(0, grain) == 0);
    CHECK(executor::num_blocks(100, grain) == 1);
    CHECK(executor::num_blocks(101, grain) == 2);
    for (int threads: {1, 2, 8}) {
        CAPTURE(threads);
        executor ex(threads);
        std::mutex m;
        std::vector<std::pair<std::size_t, std::size_t>> blocks;
        ex.for_each_block(n, grain, [&](std::size_t b, std::size_t e) {
            std::lock_guard lock(m);
            blocks.emplace_back(b, e);
        });
        std::sort(blocks.begin(), blocks.end());
        REQUIRE(blocks.size() == 101);
        for (std::size_t k = 0; k < blocks.size(); ++k) {
            CHECK(blocks[k].first == k * grain);
            CHECK(blocks[k].second == std::min(n, (k + 1) * grain));
        }
    }
}

TEST_CASE("a floating-point reduction is bit-identical for any thread count", "[executor]") {
    constexpr std::size_t n = 1'000'000;
    const auto add = [](double a, double b) { return a + b; };

    // The test can fail: regrouping the additions does change the result.
    double naive = 0.0;
    for (std::size_t i = 0; i < n; ++i) naive += term(i);
    REQUIRE(bits_of(blockwise_sum(n, 1000)) != bits_of(blockwise_sum(n, 4096)));
    REQUIRE(bits_of(naive) != bits_of(blockwise_sum(n, 4096)));

    for (std::size_t grain: {std::size_t(1000), executor::default_grain, std::size_t(65'536)}) {
        const double expected = blockwise_sum(n, grain);
        for (int threads: {1, 2, 8}) {
            CAPTURE(grain, threads);
            executor ex(threads);
            const double got = ex.reduce(n, 0.0, term, add, grain);
            CHECK(bits_of(got) == bits_of(expected));
            // And again on the same executor: no state carried over between calls.
            CHECK(bits_of(ex.reduce(n, 0.0, term, add, grain)) == bits_of(expected));
        }
    }
    // The default grain is the one used when none is given.
    executor ex(2);
    CHECK(bits_of(ex.reduce(n, 0.0, term, add)) ==
          bits_of(blockwise_sum(n, executor::default_grain)));
}

TEST_CASE("reduce combines partials in index order (non-commutative combine)", "[executor]") {
    using seq = std::vector<int>;
    const auto concat = [](seq a, const seq& b) {
        a.insert(a.end(), b.begin(), b.end());
        return a;
    };
    seq expected(3000);
    for (int i = 0; i < 3000; ++i) expected[std::size_t(i)] = i;
    for (int threads: {1, 2, 8}) {
        CAPTURE(threads);
        executor ex(threads);
        const seq got = ex.reduce(
            3000, seq{}, [](std::size_t i) { return seq{int(i)}; }, concat, 37);
        CHECK(got == expected);
        CHECK(ex.reduce(
                  0, seq{-1}, [](std::size_t i) { return seq{int(i)}; }, concat, 37) == seq{-1});
    }
}

TEST_CASE("grain 0 means the default grain", "[executor]") {
    constexpr std::size_t n = 50'000;
    const auto add = [](double a, double b) { return a + b; };
    for (int threads: {1, 2}) {
        CAPTURE(threads);
        executor ex(threads);
        std::vector<std::atomic<int>> visits(n);
        ex.for_each(
            n, [&](std::size_t i) { visits[i].fetch_add(1, std::memory_order_relaxed); }, 0);
        CHECK(std::all_of(visits.begin(), visits.end(),
                          [](const std::atomic<int>& v) { return v.load() == 1; }));
        CHECK(bits_of(ex.reduce(n, 0.0, term, add, 0)) ==
              bits_of(blockwise_sum(n, executor::default_grain)));
    }
}

TEST_CASE("threads = 0 means all hardware threads; negative throws", "[executor]") {
    executor all(0);
    CHECK(all.threads() == int(std::max(1u, std::thread::hardware_concurrency())));
    CHECK(executor().threads() == 1);
    CHECK_THROWS_AS(executor(-1), std::invalid_argument);
    CHECK_THROWS_AS(executor(1 << 30), std::invalid_argument); // would size TBB arrays by it
}

TEST_CASE("an exception in a loop body reaches the caller", "[executor]") {
    for (int threads: {1, 2}) {
        CAPTURE(threads);
        executor ex(threads);
        CHECK_THROWS_AS(ex.for_each(
                            10'000,
                            [](std::size_t i) {
                                if (i == 7777)
                                    throw std::runtime_error("agent 7777 broke an invariant");
                            },
                            100),
                        std::runtime_error);
        // The executor is still usable afterwards.
        std::atomic<std::size_t> count{0};
        ex.for_each(
            10'000, [&](std::size_t) { count.fetch_add(1, std::memory_order_relaxed); }, 100);
        CHECK(count.load() == 10'000);
    }
}
