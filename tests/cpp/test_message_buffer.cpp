#include "catch.hpp"

#include <tradeeco/sim/executor.hpp>
#include <tradeeco/sim/message_buffer.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

using namespace tradeeco::sim;

namespace {

struct order_msg {
    std::uint32_t from = 0;
    std::uint32_t to = 0;
    std::uint32_t k = 0; ///< k-th message of its sender
    double value_cny = 0.0;
    bool operator==(const order_msg&) const = default;
};

constexpr std::size_t num_senders = 10007; // prime: blocks never line up with senders
constexpr std::size_t num_recipients = 97;

// Sender i sends (i*7) % 5 messages; how many and to whom depend only on i.
void emit_for(std::size_t i, std::vector<order_msg>& out) {
    const auto n = std::uint32_t((i * 7) % 5);
    for (std::uint32_t k = 0; k < n; ++k)
        out.push_back(order_msg{std::uint32_t(i), std::uint32_t((i * 31 + k * 17) % num_recipients),
                                k, double(i) + 0.5 * k});
}

std::vector<order_msg> serial_reference() {
    std::vector<order_msg> out;
    for (std::size_t i = 0; i < num_senders; ++i) emit_for(i, out);
    return out;
}

} // namespace

TEST_CASE("emission order equals a serial loop for any thread count and grain",
          "[message_buffer]") {
    const auto reference = serial_reference();
    REQUIRE(reference.size() > num_senders); // the test emits a real load

    for (int threads: {1, 2, 8}) {
        for (std::size_t grain: {std::size_t(1), std::size_t(64), std::size_t(1000),
                                 executor::default_grain, std::size_t(1) << 20}) {
            CAPTURE(threads, grain);
            executor ex(threads);
            message_buffer<order_msg> buf;
            buf.emit(
                ex, num_senders,
                [](std::size_t i, std::vector<order_msg>& out) { emit_for(i, out); }, grain);
            REQUIRE(buf.size() == reference.size());
            REQUIRE(std::equal(buf.all().begin(), buf.all().end(), reference.begin()));
        }
    }
}

TEST_CASE("index_by groups messages per recipient in emission order", "[message_buffer]") {
    const auto reference = serial_reference();
    for (int threads: {1, 2}) {
        CAPTURE(threads);
        executor ex(threads);
        message_buffer<order_msg> buf;
        buf.emit(
            ex, num_senders, [](std::size_t i, std::vector<order_msg>& out) { emit_for(i, out); },
            256);
        buf.index_by(num_recipients, [](const order_msg& m) { return std::size_t(m.to); });

        std::size_t total = 0;
        for (std::size_t r = 0; r < num_recipients; ++r) {
            std::vector<order_msg> expected;
            for (const auto& m: reference)
                if (m.to == r) expected.push_back(m);
            std::vector<order_msg> seen;
            buf.for_recipient(r, [&](const order_msg& m) { seen.push_back(m); });
            REQUIRE(seen == expected);
            CHECK(buf.count_for(r) == expected.size());
            total += buf.count_for(r);
        }
        CHECK(total == buf.size());
    }
}

TEST_CASE("recipients without messages have none; extra recipients are allowed",
          "[message_buffer]") {
    executor ex(1);
    message_buffer<order_msg> buf;
    buf.push(order_msg{0, 3, 0, 1.0});
    buf.push(order_msg{1, 3, 0, 2.0});
    buf.push(order_msg{2, 0, 0, 3.0});
    buf.index_by(6, [](const order_msg& m) { return std::size_t(m.to); });
    CHECK(buf.count_for(0) == 1);
    CHECK(buf.count_for(1) == 0);
    CHECK(buf.count_for(3) == 2);
    CHECK(buf.count_for(5) == 0);
    std::vector<double> to3;
    buf.for_recipient(3, [&](const order_msg& m) { to3.push_back(m.value_cny); });
    CHECK(to3 == std::vector<double>{1.0, 2.0});
    int calls = 0;
    buf.for_recipient(1, [&](const order_msg&) { ++calls; });
    CHECK(calls == 0);
}

TEST_CASE("emit replaces the previous messages; clear empties", "[message_buffer]") {
    executor ex(2);
    message_buffer<int> buf;
    buf.push(-1);
    buf.emit(
        ex, 10,
        [](std::size_t i, std::vector<int>& out) {
            if (i % 2 == 0) out.push_back(int(i));
        },
        3);
    CHECK(std::vector<int>(buf.all().begin(), buf.all().end()) == std::vector<int>{0, 2, 4, 6, 8});
    buf.emit(ex, 0, [](std::size_t, std::vector<int>& out) { out.push_back(1); });
    CHECK(buf.size() == 0);
    buf.push(5);
    CHECK(buf.size() == 1);
    buf.clear();
    CHECK(buf.size() == 0);
}

TEST_CASE("emit with grain 0 uses the default grain", "[message_buffer]") {
    executor ex(2);
    message_buffer<std::uint32_t> buf;
    buf.emit(
        ex, 10000,
        [](std::size_t i, std::vector<std::uint32_t>& out) { out.push_back(std::uint32_t(i)); }, 0);
    REQUIRE(buf.size() == 10000);
    for (std::uint32_t i = 0; i < 10000; ++i) REQUIRE(buf.all()[i] == i);
}

TEST_CASE("message_buffer: reading by recipient before index_by is an error, not a crash", "[messages]") {
    tradeeco::sim::message_buffer<int> buf;
    buf.push(1);
    CHECK_THROWS_AS(buf.count_for(0), std::logic_error);
    buf.index_by(2, [](int) { return std::size_t(1); });
    CHECK(buf.count_for(1) == 1);
    CHECK_THROWS_AS(buf.count_for(2), std::logic_error);
}
