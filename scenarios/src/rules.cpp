#include "rules.hpp"

#include <tradeeco/models/base_year.hpp>
#include <tradeeco/models/parameters.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>

namespace tradeeco::scenarios::detail {

void fail(const sim::source_location& where, std::string_view expected, std::string_view found) {
    std::string what;
    what.append("expected ").append(expected).append(", found ").append(found);
    throw sim::scenario_error(where, what);
}

sim::source_location at(const sim::source_location& where, std::string key) {
    sim::source_location out = where;
    out.key = std::move(key);
    return out;
}

namespace {
void append_escaped(std::string& out, std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
        case '"': out.append("\\\""); break;
        case '\\': out.append("\\\\"); break;
        case '\b': out.append("\\b"); break;
        case '\t': out.append("\\t"); break;
        case '\n': out.append("\\n"); break;
        case '\f': out.append("\\f"); break;
        case '\r': out.append("\\r"); break;
        default:
            if (u < 0x20 || u == 0x7f) {
                out.append("\\u00");
                out.push_back(hex[u >> 4]);
                out.push_back(hex[u & 15]);
            } else {
                out.push_back(c);
            }
        }
    }
}
} // namespace

std::string toml_string(std::string_view text) {
    std::string out = "\"";
    append_escaped(out, text);
    out.push_back('"');
    return out;
}

std::string in_quotes(std::string_view text) {
    constexpr std::size_t limit = 60;
    if (text.size() <= limit) return toml_string(text);
    std::size_t cut = limit - 3;
    // Do not cut a UTF-8 sequence in two.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    std::string out = "\"";
    append_escaped(out, text.substr(0, cut));
    out.append("...\"");
    return out;
}

std::string number_text(double v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    // Shortest text that reads back as v; plain decimals for everyday magnitudes (5e7 reads
    // better as 50000000 in a scenario file), scientific notation outside them.
    char buf[400];
    const double a = std::fabs(v);
    const auto format = (a == 0 || (a >= 1e-4 && a < 1e15)) ? std::chars_format::fixed
                                                            : std::chars_format::general;
    const auto res = std::to_chars(buf, buf + sizeof buf, v, format);
    return std::string(buf, res.ptr);
}

std::string float_text(double v) {
    std::string s = number_text(v);
    if (s.find_first_of(".eni") == std::string::npos) s.append(".0");
    return s;
}

std::string describe(const interval& r) {
    std::string out = r.integer ? "an integer" : "a number";
    const bool lo = std::isfinite(r.min), hi = std::isfinite(r.max);
    if (lo && hi)
        out.append(" in [").append(number_text(r.min)).append(", ").append(number_text(r.max))
            .append("]");
    else if (lo)
        out.append(" >= ").append(number_text(r.min));
    else if (hi)
        out.append(" <= ").append(number_text(r.max));
    return out;
}

std::string join(std::span<const std::string_view> names) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) out.append(", ");
        out.append(names[i]);
    }
    return out;
}

namespace {
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Optimal string alignment distance (Levenshtein plus adjacent transpositions), ignoring case.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    const std::size_t n = a.size(), m = b.size();
    std::vector<std::size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
    for (std::size_t j = 0; j <= m; ++j) prev[j] = j;
    for (std::size_t i = 1; i <= n; ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= m; ++j) {
            const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
            if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
                lower(a[i - 2]) == lower(b[j - 1]))
                cur[j] = std::min(cur[j], prev2[j - 2] + 1);
        }
        std::swap(prev2, prev);
        std::swap(prev, cur);
    }
    return prev[m];
}
} // namespace

std::string_view closest(std::string_view name, std::span<const std::string_view> candidates) {
    // Long inputs cannot be typos of short names; this also bounds the work on hostile input.
    if (name.empty() || name.size() > 200) return {};
    std::string_view best;
    std::size_t best_distance = std::numeric_limits<std::size_t>::max();
    for (const auto c : candidates) {
        const std::size_t d = edit_distance(name, c);
        if (d < best_distance) {
            best_distance = d;
            best = c;
        }
    }
    // A likely typo: at most 2 edits, and fewer than a third of the name changed.
    if (best.empty() || best_distance > 2 ||
        3 * best_distance > std::max(best.size(), std::size_t{3}))
        return {};
    return best;
}

void check_in(double v, const interval& r, const sim::source_location& where,
              std::string_view unit, std::string_view found) {
    const bool ok = v >= r.min && v <= r.max && (!r.integer || std::floor(v) == v);
    if (ok) return;
    std::string expected = describe(r);
    if (!unit.empty()) expected.append(" (").append(unit).append(")");
    fail(where, expected, found.empty() ? number_text(v) : found);
}

void check_in(std::int64_t v, const interval& r, const sim::source_location& where) {
    const auto d = static_cast<double>(v);
    if (d >= r.min && d <= r.max) return;
    fail(where, describe(r), std::to_string(v));
}

std::size_t check_name(std::string_view name, std::span<const std::string_view> names,
                       std::string_view what, const sim::source_location& where) {
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == name) return i;
    const auto guess = closest(name, names);
    if (!guess.empty()) {
        std::string found = in_quotes(name);
        found.append("; did you mean \"").append(guess).append("\"?");
        fail(where, what, found);
    }
    std::string expected(what);
    expected.append(" (one of ").append(join(names)).append(")");
    fail(where, expected, in_quotes(name));
}

void check_scenario_name(std::string_view name, const sim::source_location& where) {
    const bool ok = !name.empty() && name.size() <= 100 &&
                    std::all_of(name.begin(), name.end(), [](char c) {
                        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                               (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
                    });
    if (!ok)
        fail(where, "a name of 1 to 100 letters, digits, '_', '-' or '.'", in_quotes(name));
}

void check_label(std::string_view label, const sim::source_location& where) {
    const bool ok = !label.empty() && label.size() <= max_label_length &&
                    std::none_of(label.begin(), label.end(), [](char c) {
                        const auto u = static_cast<unsigned char>(c);
                        return u < 0x20 || u == 0x7f;
                    });
    if (!ok)
        fail(where, "a label of 1 to 200 bytes without control characters", in_quotes(label));
}

void check_year(sim::date d, const sim::source_location& where) {
    const int y = int(d.year());
    if (!d.ok() || y < min_year || y > max_year)
        fail(where, "a date in the years 2000 to 2100", sim::to_string(d));
}

void check_base_year(int base_year, sim::date start, const sim::source_location& where) {
    const int y = int(start.year());
    if (base_year != y && base_year != y - 1)
        fail(where,
             "the start year " + std::to_string(y) + " or the year before (the state the run starts from)",
             std::to_string(base_year));
    const auto years = models::base_years();
    if (std::find(years.begin(), years.end(), base_year) == years.end()) {
        std::string have;
        for (const auto v: years) have.append(have.empty() ? "" : ", ").append(std::to_string(v));
        fail(where, "a year with base-year figures (" + have + "; models/src/base_year_rows.inc)",
             std::to_string(base_year));
    }
}

void check_month_start(sim::date d, const sim::source_location& where) {
    if (d.ok() && d.day() != std::chrono::day{1})
        fail(where, "the first day of a month (the model steps by whole months)", sim::to_string(d));
}

void check_month_end(sim::date d, const sim::source_location& where) {
    if (!d.ok()) return;
    const sim::date last{d.year() / d.month() / std::chrono::last};
    if (d != last)
        fail(where, "the last day of a month (the model steps by whole months), e.g. " + sim::to_string(last),
             sim::to_string(d));
}

void check_end_after(sim::date end, sim::date start, std::string_view start_name,
                     const sim::source_location& where) {
    if (std::chrono::sys_days{end} >= std::chrono::sys_days{start}) return;
    std::string expected = "a date on or after ";
    expected.append(start_name).append(" (").append(sim::to_string(start)).append(")");
    fail(where, expected, sim::to_string(end));
}

void check_within(sim::date d, sim::date start, sim::date end, const sim::source_location& where) {
    using std::chrono::sys_days;
    if (sys_days{d} >= sys_days{start} && sys_days{d} <= sys_days{end}) return;
    std::string expected = "a date within the scenario (";
    expected.append(sim::to_string(start)).append(" to ").append(sim::to_string(end)).append(")");
    fail(where, expected, sim::to_string(d));
}

std::span<const std::string_view> lever_names() {
    static const auto names = [] {
        std::array<std::string_view, models::num_levers> out{};
        const auto cat = models::lever_catalogue();
        for (std::size_t i = 0; i < out.size(); ++i) out[i] = cat[i].name;
        return out;
    }();
    return names;
}

std::span<const std::string_view> shock_names() {
    static const auto names = [] {
        std::array<std::string_view, models::num_shock_kinds> out{};
        const auto cat = models::shock_catalogue();
        for (std::size_t i = 0; i < out.size(); ++i) out[i] = cat[i].name;
        return out;
    }();
    return names;
}

void check_measure(models::lever l, std::int64_t measure, const sim::source_location& where) {
    check_in(measure, measure_range, where);
    const auto& li = models::info(l);
    if (std::find(li.measures.begin(), li.measures.end(), measure) != li.measures.end()) return;
    std::string expected = "a measure that lever \"";
    expected.append(li.name).append("\" represents (");
    for (std::size_t i = 0; i < li.measures.size(); ++i) {
        if (i > 0) expected.append(", ");
        expected.append(std::to_string(li.measures[i]));
    }
    expected.append(")");
    fail(where, expected, std::to_string(measure));
}

void check_strength(models::lever l, double strength, const sim::source_location& where) {
    const auto& li = models::info(l);
    check_in(strength, interval{li.min, li.max}, where, li.unit);
}

void check_magnitude(models::shock_kind k, double magnitude, const sim::source_location& where) {
    const auto& si = models::info(k);
    check_in(magnitude, interval{si.min, si.max}, where, si.unit);
}

std::span<const target_key> target_keys() {
    static constexpr std::array<target_key, 5> keys{{
        {"sectors", models::target_sectors},
        {"regions", models::target_regions},
        {"locations", models::target_locations},
        {"routes", models::target_routes},
        {"sme_only", models::target_sme_only},
    }};
    return keys;
}

void check_target_key(std::uint8_t mask, const target_key& key, std::string_view owner,
                      const sim::source_location& where) {
    if (mask & key.bit) return;
    std::string expected;
    if (mask == models::target_none) {
        expected.append("no targeting (").append(owner).append(" applies to everyone)");
    } else {
        expected.append("a targeting key that ").append(owner).append(" accepts (");
        bool first = true;
        for (const auto& k : target_keys()) {
            if (!(mask & k.bit)) continue;
            if (!first) expected.append(", ");
            expected.append(k.name);
            first = false;
        }
        expected.append(")");
    }
    fail(where, expected, in_quotes(key.name));
}

void check_parameter_key(std::string_view key, const sim::source_location& where) {
    if (models::find_parameter(key) != nullptr) return;
    std::vector<std::string_view> keys;
    for (const auto& p : models::parameter_table()) keys.push_back(p.key);
    const auto guess = closest(key, keys);
    std::string found = in_quotes(key);
    if (!guess.empty()) found.append("; did you mean \"").append(guess).append("\"?");
    fail(where, "a key of the parameter table (docs/parameters.md)", found);
}

void check_parameter_value(std::string_view key, double value,
                           const sim::source_location& where) {
    const auto* p = models::find_parameter(key);
    if (p == nullptr) {
        check_parameter_key(key, where);
        return;
    }
    check_in(value, interval{p->min, p->max}, where, p->unit);
}

} // namespace tradeeco::scenarios::detail
