#include <tradeeco/sim/calendar.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <stdexcept>

namespace tradeeco::sim {

using namespace std::chrono;

date make_date(int y, unsigned m, unsigned d) {
    date out{year{y}, month{m}, std::chrono::day{d}};
    if (!out.ok()) throw std::invalid_argument("no such date: " + std::to_string(y) + "-" +
                                               std::to_string(m) + "-" + std::to_string(d));
    return out;
}

std::string utc_now() {
    const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string to_string(date d) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(d.year()), unsigned(d.month()),
                  unsigned(d.day()));
    return buf;
}

namespace {
std::int32_t month_number(date d) { return int(d.year()) * 12 + int(unsigned(d.month())) - 1; }
} // namespace

calendar::calendar(date start, date end): start_(start), end_(end) {
    if (!start.ok() || !end.ok()) throw std::invalid_argument("calendar: invalid date");
    if (sys_days{end} < sys_days{start})
        throw std::invalid_argument("calendar: end " + to_string(end) + " is before start " +
                                    to_string(start));
    num_days_ = std::int32_t((sys_days{end} - sys_days{start}).count()) + 1;
    num_months_ = month_number(end) - month_number(start) + 1;
    num_years_ = int(end.year()) - int(start.year()) + 1;
}

day_info calendar::day(std::int32_t step) const {
    day_info out;
    out.step = step;
    out.today = year_month_day{sys_days{start_} + days{step}};
    const year_month_day tomorrow{sys_days{out.today} + days{1}};
    const bool last = step + 1 >= num_days_;
    out.month_index = month_number(out.today) - month_number(start_);
    out.year_index = int(out.today.year()) - int(start_.year());
    out.day_of_month = int(unsigned(out.today.day()));
    out.days_in_month =
        int(unsigned(year_month_day_last{out.today.year(), month_day_last{out.today.month()}}.day()));
    out.month_start = step == 0 || out.day_of_month == 1;
    out.month_end = last || tomorrow.month() != out.today.month();
    out.quarter_end = out.month_end && (last || unsigned(out.today.month()) % 3 == 0);
    out.year_end = last || tomorrow.year() != out.today.year();
    return out;
}

int calendar::year_of(std::int32_t year_index) const { return int(start_.year()) + year_index; }

date calendar::first_day_of_month(std::int32_t month_index) const {
    const int n = month_number(start_) + month_index;
    return date{year{n / 12}, month{unsigned(n % 12 + 1)}, std::chrono::day{1}};
}

std::vector<std::int32_t> calendar::month_offsets_days() const {
    std::vector<std::int32_t> out(num_months_);
    for (std::int32_t i = 0; i < num_months_; ++i) {
        const date first = i == 0 ? start_ : first_day_of_month(i);
        out[i] = std::int32_t((sys_days{first} - sys_days{start_}).count());
    }
    return out;
}

std::int32_t calendar::step_of(date d) const {
    if (sys_days{d} < sys_days{start_} || sys_days{end_} < sys_days{d}) return -1;
    return std::int32_t((sys_days{d} - sys_days{start_}).count());
}

} // namespace tradeeco::sim
