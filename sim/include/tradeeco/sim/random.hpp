#pragma once
/// Counter-based random numbers (Philox4x64-10, Random123). A stream is a pure function of
/// (seed, replicate, agent id, step, purpose): no generator state is shared between agents or
/// threads, so draws do not depend on the thread count or on the order agents are visited, and two
/// scenarios run with the same seed see the same numbers (common random numbers).

#include <Random123/philox.h>

#include <cmath>
#include <cstdint>
#include <numbers>

namespace tradeeco::sim {

/// Identifies one independent stream of random numbers.
struct stream_key {
    std::uint64_t seed = 0;
    std::uint32_t replicate = 0;
    std::uint64_t agent = 0;   ///< stable agent id (or any entity index)
    std::uint32_t step = 0;    ///< day, month or year index: whatever the caller's clock is
    std::uint32_t purpose = 0; ///< one constant per kind of decision, so decisions don't share draws
};

__extension__ using uint128_t = unsigned __int128; // GCC/Clang extension; both are supported

class random_stream {
public:
    explicit random_stream(const stream_key& k) noexcept:
        key_{{k.seed, (std::uint64_t(k.replicate) << 32) | k.purpose}},
        ctr_{{k.agent, k.step, 0, 0}} {}

    /// 64 uniformly distributed bits.
    std::uint64_t bits() noexcept {
        if (used_ == 4) refill();
        return block_.v[used_++];
    }
    /// Uniform on the open interval (0, 1), 53 bits of resolution.
    double uniform() noexcept { return uniform_of(uniform_word()); }
    /// The draw uniform() would make, as the top 53 bits of the next word (uniform_of converts).
    std::uint64_t uniform_word() noexcept { return bits() >> 11; }
    /// The uniform() made from a uniform_word().
    static double uniform_of(std::uint64_t top53) noexcept { return (double(top53) + 0.5) * 0x1.0p-53; }
    /// For comparing many draws with one probability without converting each: uniform() >= p
    /// exactly when uniform_word() >= uniform_cut(p), since uniform_of is non-decreasing.
    /// 2^53 when no uniform reaches p (p >= 1 or NaN).
    static std::uint64_t uniform_cut(double p) noexcept {
        std::uint64_t lo = 0, hi = std::uint64_t(1) << 53; // the cut is in [lo, hi]
        while (lo < hi) {
            const std::uint64_t mid = lo + (hi - lo) / 2;
            if (uniform_of(mid) >= p) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }
    /// Standard normal by Box-Muller (written out here: std:: distributions differ between
    /// standard libraries, and results must not).
    double normal() noexcept {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        const double r = std::sqrt(-2.0 * std::log(uniform()));
        const double a = 2.0 * std::numbers::pi * uniform();
        spare_ = r * std::sin(a);
        has_spare_ = true;
        return r * std::cos(a);
    }
    bool bernoulli(double p) noexcept { return uniform() < p; }
    /// Exponential with the given mean.
    double exponential(double mean) noexcept { return -mean * std::log(uniform()); }
    /// Lognormal with parameters of the underlying normal.
    double lognormal(double mu, double sigma) noexcept { return std::exp(mu + sigma * normal()); }
    /// Integer in [0, n), n > 0 (Lemire's multiply-shift; bias below 2^-64 * n, negligible here).
    std::uint64_t below(std::uint64_t n) noexcept {
        return std::uint64_t((static_cast<uint128_t>(bits()) * n) >> 64);
    }
    /// Poisson count by inversion; for the small means used in models (< 30).
    std::uint32_t poisson(double mean) noexcept {
        double p = std::exp(-mean), cdf = p, u = uniform();
        std::uint32_t k = 0;
        while (u > cdf && k < 1000) {
            ++k;
            p *= mean / k;
            cdf += p;
        }
        return k;
    }

private:
    void refill() noexcept {
        block_ = r123::Philox4x64{}(ctr_, key_);
        ++ctr_.v[2];
        used_ = 0;
    }
    r123::Philox4x64::key_type key_;
    r123::Philox4x64::ctr_type ctr_;
    r123::Philox4x64::ctr_type block_{};
    unsigned used_ = 4;
    bool has_spare_ = false;
    double spare_ = 0.0;
};

} // namespace tradeeco::sim
