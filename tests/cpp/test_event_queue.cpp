#include "catch.hpp"

#include <tradeeco/sim/event_queue.hpp>

#include <string>
#include <vector>

using namespace tradeeco::sim;
using names = std::vector<std::string>;

TEST_CASE("events are released by step, then priority, then insertion order", "[event_queue]") {
    event_queue<std::string> q;
    CHECK(q.empty());
    q.schedule(5, 0, "a");
    q.schedule(3, 1, "b");
    q.schedule(3, 0, "c");
    q.schedule(3, 0, "d");
    q.schedule(5, -1, "e");
    q.schedule(10, 0, "f");
    q.schedule(3, 1, "g");
    CHECK(q.size() == 7);

    CHECK(q.pop_due(2).empty());
    CHECK(q.size() == 7);
    CHECK(q.pop_due(3) == names{"c", "d", "b", "g"});
    CHECK(q.pop_due(3).empty());
    // Overdue events of earlier steps come first, in step order.
    q.schedule(4, 9, "h");
    CHECK(q.pop_due(7) == names{"h", "e", "a"});
    CHECK(q.size() == 1);
    CHECK_FALSE(q.empty());
    CHECK(q.pop_due(100) == names{"f"});
    CHECK(q.empty());
}

TEST_CASE("many ties keep insertion order (the heap is made stable)", "[event_queue]") {
    event_queue<int> q;
    // Interleave two steps and two priorities; within each (step, priority) order must hold.
    for (int i = 0; i < 2000; ++i) q.schedule(i % 2, (i / 2) % 2, i);
    const auto out = q.pop_due(1);
    REQUIRE(out.size() == 2000);
    std::vector<int> expected;
    for (int step = 0; step < 2; ++step)
        for (int prio = 0; prio < 2; ++prio)
            for (int i = 0; i < 2000; ++i)
                if (i % 2 == step && (i / 2) % 2 == prio) expected.push_back(i);
    CHECK(out == expected);
}

TEST_CASE("events scheduled while draining keep their order", "[event_queue]") {
    event_queue<int> q;
    std::vector<int> released;
    q.schedule(0, 0, 1);
    for (int step = 0; step < 5; ++step) {
        for (int e: q.pop_due(step)) {
            released.push_back(e);
            if (e < 4) q.schedule(step + 1, 0, e + 1); // each event schedules the next day's
        }
    }
    CHECK(released == std::vector<int>{1, 2, 3, 4});
    CHECK(q.empty());
}
