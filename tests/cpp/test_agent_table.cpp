#include "catch.hpp"

#include <tradeeco/sim/agent_table.hpp>
#include <tradeeco/sim/executor.hpp>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <vector>

using namespace tradeeco::sim;

namespace {
// A value derived from the id, so a row's values can be checked after it moved.
double value_of(agent_id id) { return 100.0 * double(id) + 0.25; }
std::int32_t age_of(agent_id id) { return std::int32_t(id) * 3; }

agent_table ten_agents() {
    agent_table t;
    t.add_column<double>("value_cny", -1.0);
    t.add_column<std::int32_t>("age_days", -1);
    for (int k = 0; k < 10; ++k) {
        const auto slot = t.stage_birth();
        t.staged<double>("value_cny")[slot] = value_of(agent_id(k));
        t.staged<std::int32_t>("age_days")[slot] = age_of(agent_id(k));
    }
    t.compact();
    return t;
}
} // namespace

TEST_CASE("staged births become rows with new ids and their staged values", "[agent_table]") {
    agent_table t;
    auto& value = t.add_column<double>("value_cny", -1.0);
    auto& age = t.add_column<std::int32_t>("age_days", 7);
    CHECK(t.size() == 0);

    const auto s0 = t.stage_birth();
    const auto s1 = t.stage_birth();
    CHECK(s0 == 0);
    CHECK(s1 == 1);
    CHECK(t.staged_births() == 2);
    t.staged<double>("value_cny")[s1] = 42.0;
    // Staged agents are not rows yet.
    CHECK(t.size() == 0);
    CHECK(value.empty());

    const auto born = t.compact();
    CHECK(born == std::vector<agent_id>{0, 1});
    CHECK(t.size() == 2);
    CHECK(t.staged_births() == 0);
    CHECK(value == std::vector<double>{-1.0, 42.0}); // unset staged values take the column's init
    CHECK(age == std::vector<std::int32_t>{7, 7});
    CHECK(t.column_names() == std::vector<std::string>{"value_cny", "age_days"});
}

TEST_CASE("ids are stable through compaction", "[agent_table]") {
    agent_table t = ten_agents();
    auto& value = t.column<double>("value_cny");
    auto& age = t.column<std::int32_t>("age_days");
    REQUIRE(t.ids() == std::vector<agent_id>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    REQUIRE(value[7] == value_of(7));

    t.prepare_removals();
    t.mark_removed(2);
    t.mark_removed(5);
    t.mark_removed(7);
    for (int k = 0; k < 3; ++k) {
        const auto slot = t.stage_birth();
        t.staged<double>("value_cny")[slot] = 1000.0 + k;
    }
    // Nothing moves before compact(): loops in a phase see a fixed set of rows.
    CHECK(t.size() == 10);
    CHECK(t.row_of(5) == 5);

    const auto born = t.compact();
    CHECK(born == std::vector<agent_id>{10, 11, 12});
    const std::vector<agent_id> expected{0, 1, 3, 4, 6, 8, 9, 10, 11, 12};
    CHECK(t.ids() == expected);
    CHECK(std::is_sorted(t.ids().begin(), t.ids().end()));
    REQUIRE(value.size() == t.size());
    REQUIRE(age.size() == t.size());
    for (std::size_t row = 0; row < 7; ++row) {
        const agent_id id = t.ids()[row];
        CHECK(value[row] == value_of(id));
        CHECK(age[row] == age_of(id));
        CHECK(t.row_of(id) == row);
    }
    CHECK(value[7] == 1000.0);
    CHECK(value[9] == 1002.0);
    CHECK(age[8] == -1);
    for (agent_id gone: {2, 5, 7}) CHECK(t.row_of(gone) == t.size());
    CHECK(t.row_of(10) == 7);
    CHECK(t.row_of(12) == 9);
    CHECK(t.row_of(13) == t.size()); // not born yet

    // The columns are the same objects after compaction (references stay valid).
    CHECK(&value == &t.column<double>("value_cny"));
}

TEST_CASE("ids are never reused, even after the table empties", "[agent_table]") {
    agent_table t = ten_agents();
    t.prepare_removals();
    for (std::size_t r = 0; r < t.size(); ++r) t.mark_removed(r);
    CHECK(t.compact().empty());
    CHECK(t.size() == 0);
    CHECK(t.column<double>("value_cny").empty());
    t.stage_birth();
    CHECK(t.compact() == std::vector<agent_id>{10});
    CHECK(t.ids() == std::vector<agent_id>{10});
}

TEST_CASE("compact() without removals or births changes nothing", "[agent_table]") {
    agent_table t = ten_agents();
    const auto ids = t.ids();
    const auto values = t.column<double>("value_cny");
    CHECK(t.compact().empty());
    t.prepare_removals();
    CHECK(t.compact().empty());
    CHECK(t.ids() == ids);
    CHECK(t.column<double>("value_cny") == values);
}

TEST_CASE("removals marked in a parallel loop equal a serial loop", "[agent_table]") {
    auto run = [](int threads) {
        agent_table t;
        auto& v = t.add_column<double>("x", 0.0);
        for (int k = 0; k < 50000; ++k) t.stage_birth();
        t.compact();
        for (std::size_t r = 0; r < t.size(); ++r) v[r] = double(r);
        executor ex(threads);
        t.prepare_removals();
        ex.for_each(
            t.size(),
            [&](std::size_t r) {
                if (r % 3 == 1 || r % 7 == 0) t.mark_removed(r);
            },
            512);
        t.compact();
        return std::pair{t.ids(), t.column<double>("x")};
    };
    const auto serial = run(1);
    std::size_t survivors = 0;
    for (std::size_t r = 0; r < 50000; ++r) survivors += (r % 3 != 1 && r % 7 != 0);
    CHECK(serial.first.size() == survivors);
    for (std::size_t k = 0; k < serial.first.size(); ++k) {
        const agent_id id = serial.first[k];
        REQUIRE((id % 3 != 1 && id % 7 != 0));
        REQUIRE(serial.second[k] == double(id));
    }
    CHECK(run(2) == serial);
    CHECK(run(8) == serial);
}

TEST_CASE("a column added while births are staged covers them", "[agent_table]") {
    agent_table t = ten_agents();
    t.stage_birth();
    t.stage_birth();
    auto& flag = t.add_column<std::uint8_t>("exporter", 9);
    CHECK(flag.size() == 10);
    t.staged<std::uint8_t>("exporter")[1] = 1;
    t.compact();
    REQUIRE(t.size() == 12);
    REQUIRE(flag.size() == 12);
    CHECK(flag[10] == 9);
    CHECK(flag[11] == 1);
    CHECK(t.column<double>("value_cny").size() == 12);
}

TEST_CASE("column lookups are typed and checked", "[agent_table]") {
    agent_table t = ten_agents();
    CHECK_THROWS_AS(t.add_column<double>("value_cny"), std::logic_error);
    CHECK_THROWS_AS(t.column<double>("no_such_column"), std::out_of_range);
    CHECK_THROWS_AS(t.column<float>("value_cny"), std::logic_error);
    const agent_table& ct = t;
    CHECK(ct.column<std::int32_t>("age_days")[4] == age_of(4));
}
