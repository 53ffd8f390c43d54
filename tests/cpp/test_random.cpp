#include "catch.hpp"

#include <tradeeco/sim/random.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

using namespace tradeeco::sim;

namespace {

constexpr stream_key base_key{20240101, 3, 12345, 77, 9};

std::array<std::uint64_t, 8> first_bits(const stream_key& k) {
    random_stream s(k);
    std::array<std::uint64_t, 8> out{};
    for (auto& b: out) b = s.bits();
    return out;
}

struct moments {
    double mean = 0.0, var = 0.0;
};

moments moments_of(const std::vector<double>& x) {
    double sum = 0.0;
    for (double v: x) sum += v;
    const double mean = sum / double(x.size());
    double ss = 0.0;
    for (double v: x) ss += (v - mean) * (v - mean);
    return {mean, ss / double(x.size() - 1)};
}

double correlation(const std::vector<double>& x, const std::vector<double>& y) {
    const auto mx = moments_of(x), my = moments_of(y);
    double sxy = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) sxy += (x[i] - mx.mean) * (y[i] - my.mean);
    return sxy / double(x.size() - 1) / std::sqrt(mx.var * my.var);
}

} // namespace

TEST_CASE("the generator is Philox4x64-10 (known-answer vector)", "[random]") {
    // Random123's kat_vectors: philox4x64 10, counter 0 and key 0. stream_key{} is exactly that.
    random_stream s(stream_key{});
    CHECK(s.bits() == 0x16554d9eca36314cULL);
    CHECK(s.bits() == 0xdb20fe9d672d0fdcULL);
    CHECK(s.bits() == 0xd7e772cee186176bULL);
    CHECK(s.bits() == 0x7e68b68aec7ba23bULL);
}

TEST_CASE("the same key gives the same numbers", "[random]") {
    random_stream a(base_key), b(base_key);
    for (int i = 0; i < 1000; ++i) REQUIRE(a.bits() == b.bits()); // across many counter blocks
    random_stream c(base_key), d(base_key);
    for (int i = 0; i < 1000; ++i) {
        REQUIRE(c.uniform() == d.uniform());
        REQUIRE(c.normal() == d.normal());
        REQUIRE(c.poisson(2.0) == d.poisson(2.0));
    }
}

TEST_CASE("each field of the key selects a different stream", "[random]") {
    const auto base = first_bits(base_key);
    // Draws within a stream differ from each other (counter blocks advance).
    for (std::size_t i = 0; i < base.size(); ++i)
        for (std::size_t j = i + 1; j < base.size(); ++j) CHECK(base[i] != base[j]);

    auto k = base_key;
    k.seed += 1;
    CHECK(first_bits(k) != base);
    k = base_key;
    k.replicate += 1;
    CHECK(first_bits(k) != base);
    k = base_key;
    k.agent += 1;
    CHECK(first_bits(k) != base);
    k = base_key;
    k.step += 1;
    CHECK(first_bits(k) != base);
    k = base_key;
    k.purpose += 1;
    CHECK(first_bits(k) != base);
    // High bits count too: agent ids are 64-bit, seeds are 64-bit.
    k = base_key;
    k.agent += std::uint64_t(1) << 40;
    CHECK(first_bits(k) != base);
    k = base_key;
    k.seed += std::uint64_t(1) << 63;
    CHECK(first_bits(k) != base);

    // Fields do not alias each other: moving 1 from one field to another changes the stream.
    const auto agent1 = first_bits(stream_key{0, 0, 1, 0, 0});
    const auto step1 = first_bits(stream_key{0, 0, 0, 1, 0});
    const auto replicate1 = first_bits(stream_key{0, 1, 0, 0, 0});
    const auto purpose1 = first_bits(stream_key{0, 0, 0, 0, 1});
    const auto seed1 = first_bits(stream_key{1, 0, 0, 0, 0});
    CHECK(agent1 != step1);
    CHECK(replicate1 != purpose1);
    CHECK(seed1 != purpose1);
    CHECK(seed1 != replicate1);
}

TEST_CASE("uniform is on (0, 1) with mean 1/2 and variance 1/12", "[random]") {
    random_stream s(base_key);
    std::vector<double> x(1'000'000);
    double lo = 1.0, hi = 0.0;
    for (auto& v: x) {
        v = s.uniform();
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    CHECK(lo > 0.0);
    CHECK(hi < 1.0);
    const auto m = moments_of(x);
    // Standard errors: 2.9e-4 for the mean, 7.5e-5 for the variance.
    CHECK(std::abs(m.mean - 0.5) < 1.5e-3);
    CHECK(std::abs(m.var - 1.0 / 12.0) < 4e-4);
    // Each tenth of the interval gets a tenth of the draws.
    std::array<int, 10> bins{};
    for (double v: x) ++bins[std::size_t(v * 10)];
    for (int b: bins) CHECK(std::abs(b - 100'000) < 1'500);
}

TEST_CASE("uniform_cut: uniform() >= p exactly when the top 53 bits reach the cut", "[random]") {
    // Probabilities at and around representable uniforms (where rounding of top53 + 0.5 above
    // 2^52 makes neighbouring words give the same uniform), the ends, and outside (0, 1).
    std::vector<double> ps{0.0, -1.0, 1.0, 2.0, 0.5, 0.25, 1e-300, 0.03, 0.999999999999, std::nan("")};
    for (std::uint64_t w: {std::uint64_t(1), std::uint64_t(1) << 52, (std::uint64_t(1) << 52) + 1,
                           (std::uint64_t(1) << 53) - 1, std::uint64_t(12345678901234567)}) {
        const double u = random_stream::uniform_of(w);
        ps.insert(ps.end(), {u, std::nextafter(u, 0.0), std::nextafter(u, 1.0)});
    }
    random_stream s(base_key);
    for (const double p: ps) {
        const std::uint64_t cut = random_stream::uniform_cut(p);
        INFO("p = " << p << ", cut = " << cut);
        REQUIRE(cut <= (std::uint64_t(1) << 53));
        // Words on both sides of the cut, and random ones.
        std::vector<std::uint64_t> words;
        for (std::uint64_t d = 0; d < 4; ++d) {
            if (cut >= d + 1) words.push_back(cut - d - 1);
            if (cut + d < (std::uint64_t(1) << 53)) words.push_back(cut + d);
        }
        for (int k = 0; k < 1000; ++k) words.push_back(s.uniform_word());
        for (const std::uint64_t w: words) CHECK((random_stream::uniform_of(w) >= p) == (w >= cut));
    }
    // The uniform() of a stream is uniform_of its uniform_word(), the top 53 bits of bits().
    random_stream a(base_key), b(base_key), c(base_key);
    for (int k = 0; k < 100; ++k) {
        const std::uint64_t w = b.uniform_word();
        CHECK(a.uniform() == random_stream::uniform_of(w));
        CHECK(w == c.bits() >> 11);
    }
}

TEST_CASE("one draw per agent: uniform across agents too", "[random]") {
    std::vector<double> x(100'000);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = random_stream({7, 0, i, 0, 1}).uniform();
    const auto m = moments_of(x);
    CHECK(std::abs(m.mean - 0.5) < 5e-3);
    CHECK(std::abs(m.var - 1.0 / 12.0) < 1.5e-3);
}

TEST_CASE("normal has mean 0, variance 1 and normal tails", "[random]") {
    random_stream s(base_key);
    std::vector<double> x(1'000'000);
    for (auto& v: x) v = s.normal();
    const auto m = moments_of(x);
    CHECK(std::abs(m.mean) < 5e-3);
    CHECK(std::abs(m.var - 1.0) < 7e-3);
    double m4 = 0.0;
    std::size_t inside = 0;
    for (double v: x) {
        m4 += v * v * v * v;
        inside += std::abs(v) < 1.959963984540054;
    }
    CHECK(std::abs(m4 / double(x.size()) - 3.0) < 0.05);
    CHECK(std::abs(double(inside) / double(x.size()) - 0.95) < 1.5e-3);
}

TEST_CASE("streams of adjacent agents and steps are uncorrelated", "[random]") {
    constexpr std::size_t n = 100'000;
    SECTION("two adjacent agents, 1e5 draws each") {
        random_stream a({11, 0, 500, 3, 2}), b({11, 0, 501, 3, 2});
        std::vector<double> x(n), y(n);
        for (std::size_t i = 0; i < n; ++i) {
            x[i] = a.uniform();
            y[i] = b.uniform();
        }
        CHECK(std::abs(correlation(x, y)) < 0.01);
    }
    SECTION("first draw of agent i against agent i+1") {
        std::vector<double> x(n), y(n);
        for (std::size_t i = 0; i < n; ++i) {
            x[i] = random_stream({11, 0, i, 3, 2}).normal();
            y[i] = random_stream({11, 0, i + 1, 3, 2}).normal();
        }
        CHECK(std::abs(correlation(x, y)) < 0.01);
    }
    SECTION("the same agent on adjacent steps") {
        std::vector<double> x(n), y(n);
        for (std::size_t i = 0; i < n; ++i) {
            x[i] = random_stream({11, 0, i, 3, 2}).uniform();
            y[i] = random_stream({11, 0, i, 4, 2}).uniform();
        }
        CHECK(std::abs(correlation(x, y)) < 0.01);
    }
    SECTION("the same agent, two purposes") {
        std::vector<double> x(n), y(n);
        for (std::size_t i = 0; i < n; ++i) {
            x[i] = random_stream({11, 0, i, 3, 2}).uniform();
            y[i] = random_stream({11, 0, i, 3, 3}).uniform();
        }
        CHECK(std::abs(correlation(x, y)) < 0.01);
    }
}

TEST_CASE("below(n) stays in [0, n) and is uniform", "[random]") {
    random_stream s(base_key);
    for (int i = 0; i < 1000; ++i) REQUIRE(s.below(1) == 0);
    for (std::uint64_t n: {std::uint64_t(2), std::uint64_t(1000), (std::uint64_t(1) << 40) + 3,
                           std::numeric_limits<std::uint64_t>::max()})
        for (int i = 0; i < 10000; ++i) REQUIRE(s.below(n) < n);

    std::array<int, 7> counts{};
    for (int i = 0; i < 700'000; ++i) ++counts[s.below(7)];
    for (int c: counts) CHECK(std::abs(c - 100'000) < 1'500); // sd ~ 290
}

TEST_CASE("poisson, exponential, bernoulli and lognormal have the right means", "[random]") {
    constexpr int n = 100'000;
    random_stream s(base_key);

    std::vector<double> k(n);
    int zeros = 0;
    for (auto& v: k) {
        v = double(s.poisson(3.5));
        zeros += v == 0.0;
    }
    const auto pm = moments_of(k);
    CHECK(std::abs(pm.mean - 3.5) < 0.03); // se 0.006
    CHECK(std::abs(pm.var - 3.5) < 0.1);   // se 0.017
    CHECK(std::abs(double(zeros) / n - std::exp(-3.5)) < 3e-3);
    for (int i = 0; i < 100; ++i) REQUIRE(s.poisson(0.0) == 0);

    std::vector<double> e(n);
    for (auto& v: e) v = s.exponential(2.0);
    CHECK(std::abs(moments_of(e).mean - 2.0) < 0.03); // se 0.006

    int hits = 0;
    for (int i = 0; i < n; ++i) hits += s.bernoulli(0.3);
    CHECK(std::abs(double(hits) / n - 0.3) < 6e-3); // se 0.0014
    for (int i = 0; i < 100; ++i) {
        REQUIRE_FALSE(s.bernoulli(0.0));
        REQUIRE(s.bernoulli(1.0));
    }

    std::vector<double> l(n);
    for (auto& v: l) v = std::log(s.lognormal(0.2, 0.5));
    const auto lm = moments_of(l);
    CHECK(std::abs(lm.mean - 0.2) < 0.01);
    CHECK(std::abs(lm.var - 0.25) < 0.01);
}
