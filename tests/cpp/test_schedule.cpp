#include "catch.hpp"

#include <tradeeco/sim/calendar.hpp>
#include <tradeeco/sim/schedule.hpp>

#include <string>
#include <vector>

using namespace tradeeco::sim;

namespace {
calendar year_2024() { return calendar(make_date(2024, 1, 1), make_date(2024, 12, 31)); }
} // namespace

TEST_CASE("phases run on their cadence days: 366 daily, 12 monthly, 1 yearly", "[schedule]") {
    schedule s;
    std::vector<date> daily, month_starts, month_ends, year_ends;
    s.add_phase("daily", cadence::daily, [&](const day_info& d) { daily.push_back(d.today); });
    s.add_phase("month_start", cadence::month_start,
                [&](const day_info& d) { month_starts.push_back(d.today); });
    s.add_phase("month_end", cadence::month_end,
                [&](const day_info& d) { month_ends.push_back(d.today); });
    s.add_phase("year_end", cadence::year_end,
                [&](const day_info& d) { year_ends.push_back(d.today); });
    CHECK(s.run(year_2024()));

    CHECK(daily.size() == 366);
    CHECK(month_starts.size() == 12);
    CHECK(month_ends.size() == 12);
    CHECK(year_ends == std::vector<date>{make_date(2024, 12, 31)});
    const unsigned last_day[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (unsigned m = 1; m <= 12; ++m) {
        CAPTURE(m);
        CHECK(month_starts[m - 1] == make_date(2024, m, 1));
        CHECK(month_ends[m - 1] == make_date(2024, m, last_day[m - 1]));
    }
    for (std::size_t k = 0; k < daily.size(); ++k) CHECK(year_2024().step_of(daily[k]) == int(k));
}

TEST_CASE("phases run in the order they were added, every day", "[schedule]") {
    schedule s;
    std::vector<std::string> log;
    // Added out of cadence order on purpose: order of addition wins.
    s.add_phase("close_books", cadence::month_end,
                [&](const day_info& d) { log.push_back("close@" + to_string(d.today)); });
    s.add_phase("trade", cadence::daily,
                [&](const day_info& d) { log.push_back("trade@" + to_string(d.today)); });
    s.add_phase("settle", cadence::daily,
                [&](const day_info& d) { log.push_back("settle@" + to_string(d.today)); });
    CHECK(s.phase_names() == std::vector<std::string>{"close_books", "trade", "settle"});

    CHECK(s.run(calendar(make_date(2024, 1, 30), make_date(2024, 2, 1))));
    CHECK(log == std::vector<std::string>{
                     "trade@2024-01-30",
                     "settle@2024-01-30",
                     "close@2024-01-31",
                     "trade@2024-01-31",
                     "settle@2024-01-31",
                     // The run's last day closes its month, though it is 1 February.
                     "close@2024-02-01",
                     "trade@2024-02-01",
                     "settle@2024-02-01",
                 });
}

TEST_CASE("a phase sees the day_info of the calendar", "[schedule]") {
    const calendar clock(make_date(2024, 1, 15), make_date(2025, 2, 10));
    schedule s;
    std::vector<day_info> seen;
    s.add_phase("look", cadence::daily, [&](const day_info& d) { seen.push_back(d); });
    REQUIRE(s.run(clock));
    REQUIRE(seen.size() == std::size_t(clock.num_days()));
    for (std::size_t k = 0; k < seen.size(); ++k) {
        const auto expected = clock.day(std::int32_t(k));
        CHECK(seen[k].step == expected.step);
        CHECK(seen[k].today == expected.today);
        CHECK(seen[k].month_index == expected.month_index);
        CHECK(seen[k].month_end == expected.month_end);
        CHECK(seen[k].year_end == expected.year_end);
    }
}

TEST_CASE("progress is called after each day and can stop the run", "[schedule]") {
    schedule s;
    int days = 0, month_ends = 0;
    s.add_phase("count", cadence::daily, [&](const day_info&) { ++days; });
    s.add_phase("months", cadence::month_end, [&](const day_info&) { ++month_ends; });

    std::vector<std::int32_t> done;
    CHECK(s.run(year_2024(), [&](std::int32_t d, std::int32_t total) {
        CHECK(total == 366);
        done.push_back(d);
        return true;
    }));
    REQUIRE(done.size() == 366);
    for (std::size_t k = 0; k < done.size(); ++k) CHECK(done[k] == std::int32_t(k + 1));

    days = month_ends = 0;
    // Stop after day 40 (2024-02-09): 40 days ran, only January closed.
    CHECK_FALSE(s.run(year_2024(), [](std::int32_t d, std::int32_t) { return d < 40; }));
    CHECK(days == 40);
    CHECK(month_ends == 1);
}

TEST_CASE("an empty schedule still walks the calendar", "[schedule]") {
    schedule s;
    int calls = 0;
    CHECK(s.run(year_2024(), [&](std::int32_t, std::int32_t) { return ++calls > 0; }));
    CHECK(calls == 366);
    CHECK(s.phase_names().empty());
}
