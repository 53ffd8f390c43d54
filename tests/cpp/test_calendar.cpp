#include "catch.hpp"

#include <tradeeco/sim/calendar.hpp>

#include <cstdint>
#include <stdexcept>
#include <vector>

using namespace tradeeco::sim;

namespace {
// The run every model uses: four calendar years, one of them leap.
calendar four_years() { return calendar(make_date(2024, 1, 1), make_date(2027, 12, 31)); }
} // namespace

TEST_CASE("make_date accepts real dates only, with the Gregorian leap rule", "[calendar]") {
    CHECK_NOTHROW(make_date(2024, 2, 29));
    CHECK_NOTHROW(make_date(2000, 2, 29)); // divisible by 400: leap
    CHECK_THROWS_AS(make_date(2023, 2, 29), std::invalid_argument);
    CHECK_THROWS_AS(make_date(2100, 2, 29), std::invalid_argument); // century: not leap
    CHECK_THROWS_AS(make_date(2024, 4, 31), std::invalid_argument);
    CHECK_THROWS_AS(make_date(2024, 13, 1), std::invalid_argument);
    CHECK_THROWS_AS(make_date(2024, 1, 0), std::invalid_argument);
}

TEST_CASE("to_string writes ISO 8601", "[calendar]") {
    CHECK(to_string(make_date(2024, 2, 29)) == "2024-02-29");
    CHECK(to_string(make_date(2027, 12, 1)) == "2027-12-01");
}

TEST_CASE("2024 is a leap year of 366 days", "[calendar]") {
    const calendar y2024(make_date(2024, 1, 1), make_date(2024, 12, 31));
    CHECK(y2024.num_days() == 366);
    CHECK(y2024.num_months() == 12);
    CHECK(y2024.num_years() == 1);
    const calendar y2023(make_date(2023, 1, 1), make_date(2023, 12, 31));
    CHECK(y2023.num_days() == 365);

    const auto feb29 = y2024.day(y2024.step_of(make_date(2024, 2, 29)));
    CHECK(feb29.step == 59);
    CHECK(feb29.today == make_date(2024, 2, 29));
    CHECK(feb29.days_in_month == 29);
    CHECK(feb29.day_of_month == 29);
    CHECK(feb29.month_end);
    CHECK_FALSE(feb29.quarter_end);
    // The day before is an ordinary February day, the day after starts March.
    CHECK_FALSE(y2024.day(58).month_end);
    CHECK(y2024.day(60).today == make_date(2024, 3, 1));
    CHECK(y2024.day(60).month_start);
    CHECK(y2024.day(60).days_in_month == 31);
    // Non-leap February has 28 days.
    CHECK(y2023.day(y2023.step_of(make_date(2023, 2, 10))).days_in_month == 28);
}

TEST_CASE("2024-01-01..2027-12-31 has 1461 days, 48 months, 4 years", "[calendar]") {
    const calendar c = four_years();
    CHECK(c.num_days() == 1461);
    CHECK(c.num_months() == 48);
    CHECK(c.num_years() == 4);
    CHECK(c.year_of(0) == 2024);
    CHECK(c.year_of(3) == 2027);
    CHECK(c.first_day_of_month(0) == make_date(2024, 1, 1));
    CHECK(c.first_day_of_month(13) == make_date(2025, 2, 1));
    CHECK(c.first_day_of_month(47) == make_date(2027, 12, 1));

    const auto last = c.day(1460);
    CHECK(last.today == make_date(2027, 12, 31));
    CHECK(last.month_index == 47);
    CHECK(last.year_index == 3);
}

TEST_CASE("boundary flags fall on the right days", "[calendar]") {
    const calendar c = four_years();
    auto at = [&](int y, unsigned m, unsigned d) { return c.day(c.step_of(make_date(y, m, d))); };

    const auto mar31 = at(2024, 3, 31);
    CHECK(mar31.month_end);
    CHECK(mar31.quarter_end);
    CHECK_FALSE(mar31.year_end);
    CHECK_FALSE(mar31.month_start);

    CHECK_FALSE(at(2024, 3, 30).month_end);
    CHECK(at(2024, 2, 29).month_end);
    CHECK_FALSE(at(2024, 2, 28).month_end);
    CHECK(at(2024, 6, 30).quarter_end);
    CHECK(at(2024, 9, 30).quarter_end);
    CHECK(at(2024, 11, 30).month_end);
    CHECK_FALSE(at(2024, 11, 30).quarter_end);
    CHECK_FALSE(at(2024, 4, 30).quarter_end);

    const auto dec31 = at(2024, 12, 31);
    CHECK(dec31.month_end);
    CHECK(dec31.quarter_end);
    CHECK(dec31.year_end);
    CHECK(dec31.year_index == 0);
    CHECK(dec31.month_index == 11);

    const auto jan1 = at(2025, 1, 1);
    CHECK(jan1.month_start);
    CHECK_FALSE(jan1.month_end);
    CHECK_FALSE(jan1.year_end);
    CHECK(jan1.year_index == 1);
    CHECK(jan1.month_index == 12);
    CHECK(jan1.step == 366);

    // Counted over the whole run: one of each per month, quarter and year.
    int month_starts = 0, month_ends = 0, quarter_ends = 0, year_ends = 0;
    for (std::int32_t s = 0; s < c.num_days(); ++s) {
        const auto d = c.day(s);
        CHECK(d.step == s);
        month_starts += d.month_start;
        month_ends += d.month_end;
        quarter_ends += d.quarter_end;
        year_ends += d.year_end;
        // month_start exactly on the 1st, month_end exactly on the last day of the month.
        CHECK(d.month_start == (d.day_of_month == 1));
        CHECK(d.month_end == (d.day_of_month == d.days_in_month));
        if (d.quarter_end) CHECK(d.month_end);
        if (d.year_end) CHECK(d.quarter_end);
    }
    CHECK(month_starts == 48);
    CHECK(month_ends == 48);
    CHECK(quarter_ends == 16);
    CHECK(year_ends == 4);
}

TEST_CASE("month_offsets_days is the CF time coordinate 'days since start'", "[calendar]") {
    const calendar c = four_years();
    const auto off = c.month_offsets_days();
    REQUIRE(off.size() == 48);
    CHECK(off[0] == 0);
    CHECK(off[1] == 31);   // 2024-02-01
    CHECK(off[2] == 60);   // 2024-03-01, after a 29-day February
    CHECK(off[12] == 366); // 2025-01-01
    CHECK(off[14] == 366 + 31 + 28);
    CHECK(off[47] == 1461 - 31); // 2027-12-01
    for (std::size_t i = 0; i < off.size(); ++i) {
        const auto d = c.day(off[i]);
        CHECK(d.month_start);
        CHECK(d.month_index == std::int32_t(i));
        CHECK(d.today == c.first_day_of_month(std::int32_t(i)));
        if (i > 0) CHECK(off[i] - off[i - 1] == c.day(off[i] - 1).days_in_month);
    }
}

TEST_CASE("step_of maps dates to steps and rejects dates outside the run", "[calendar]") {
    const calendar c = four_years();
    CHECK(c.step_of(make_date(2024, 1, 1)) == 0);
    CHECK(c.step_of(make_date(2024, 12, 31)) == 365);
    CHECK(c.step_of(make_date(2025, 1, 1)) == 366);
    CHECK(c.step_of(make_date(2027, 12, 31)) == 1460);
    CHECK(c.step_of(make_date(2023, 12, 31)) == -1);
    CHECK(c.step_of(make_date(2028, 1, 1)) == -1);
    for (std::int32_t s = 0; s < c.num_days(); ++s) REQUIRE(c.step_of(c.day(s).today) == s);
}

TEST_CASE("a run starting mid-month", "[calendar]") {
    const calendar c(make_date(2024, 1, 15), make_date(2024, 3, 10));
    CHECK(c.num_days() == 17 + 29 + 10);
    CHECK(c.num_months() == 3);
    CHECK(c.num_years() == 1);

    const auto first = c.day(0);
    CHECK(first.month_start); // the first simulated day of the month, though not the 1st
    CHECK(first.day_of_month == 15);
    CHECK(first.days_in_month == 31);
    CHECK(first.month_index == 0);

    CHECK(c.month_offsets_days() == std::vector<std::int32_t>{0, 17, 46});
    CHECK(c.first_day_of_month(1) == make_date(2024, 2, 1));
    CHECK(c.day(16).today == make_date(2024, 1, 31));
    CHECK(c.day(16).month_end);
    CHECK(c.day(45).today == make_date(2024, 2, 29));
    CHECK(c.day(45).month_end);

    // The last day of the run closes its month, quarter and year even mid-month.
    CHECK_FALSE(c.day(54).month_end);
    const auto last = c.day(55);
    CHECK(last.today == make_date(2024, 3, 10));
    CHECK(last.month_index == 2);
    CHECK(last.month_end);
    CHECK(last.quarter_end);
    CHECK(last.year_end);
}

TEST_CASE("a run across a year boundary mid-year", "[calendar]") {
    const calendar c(make_date(2024, 7, 1), make_date(2025, 6, 30));
    CHECK(c.num_days() == 365);
    CHECK(c.num_months() == 12);
    CHECK(c.num_years() == 2);
    CHECK(c.year_of(1) == 2025);
    CHECK(c.day(c.step_of(make_date(2024, 12, 31))).year_end);
    CHECK(c.day(c.step_of(make_date(2025, 1, 1))).year_index == 1);
}

TEST_CASE("a one-day run; end before start throws", "[calendar]") {
    const calendar one(make_date(2024, 5, 5), make_date(2024, 5, 5));
    CHECK(one.num_days() == 1);
    CHECK(one.num_months() == 1);
    const auto d = one.day(0);
    CHECK(d.month_start);
    CHECK(d.month_end);
    CHECK(d.year_end);

    CHECK_THROWS_AS(calendar(make_date(2024, 5, 5), make_date(2024, 5, 4)), std::invalid_argument);
    CHECK_THROWS_AS(calendar(make_date(2025, 1, 1), make_date(2024, 12, 31)),
                    std::invalid_argument);
}
