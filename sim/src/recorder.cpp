#include <tradeeco/sim/recorder.hpp>

#include <tradeeco/sim/errors.hpp>

#include <limits>
#include <stdexcept>

namespace tradeeco::sim {

std::size_t replicate_record::declare_series(series_spec spec) {
    for (const auto& s: series_specs_)
        if (s.name == spec.name) throw std::logic_error("recorder: duplicate series " + spec.name);
    const auto n = spec.freq == frequency::monthly ? num_months_ : num_years_;
    series_specs_.push_back(std::move(spec));
    values_.emplace_back(std::size_t(n), std::numeric_limits<double>::quiet_NaN());
    return values_.size() - 1;
}

void replicate_record::record(std::size_t series, std::int32_t period, double value) {
    auto& v = values_.at(series);
    if (period < 0 || std::size_t(period) >= v.size())
        throw std::out_of_range("recorder: period " + std::to_string(period) + " outside series " +
                                series_specs_[series].name);
    v[std::size_t(period)] = value;
}

std::size_t replicate_record::declare_table(table_spec spec) {
    for (const auto& t: table_specs_)
        if (t.name == spec.name) throw std::logic_error("recorder: duplicate table " + spec.name);
    tables_.emplace_back(spec.columns.size());
    table_specs_.push_back(std::move(spec));
    return tables_.size() - 1;
}

void replicate_record::append_row(std::size_t table, std::span<const double> row) {
    auto& cols = tables_.at(table);
    if (row.size() != cols.size())
        throw std::invalid_argument("recorder: table " + table_specs_[table].name + " has " +
                                    std::to_string(cols.size()) + " columns, row has " +
                                    std::to_string(row.size()));
    for (std::size_t c = 0; c < cols.size(); ++c) cols[c].push_back(row[c]);
}

std::size_t replicate_record::series_index(const std::string& name) const {
    for (std::size_t i = 0; i < series_specs_.size(); ++i)
        if (series_specs_[i].name == name) return i;
    throw std::out_of_range("recorder: no series " + name);
}

namespace {
std::string layout_of(const std::vector<series_spec>& series,
                      const std::vector<table_spec>& tables) {
    std::string out;
    for (const auto& s: series) out += "series " + s.name + "\n";
    for (const auto& t: tables) {
        out += "table " + t.name + ":";
        for (const auto& c: t.columns) out += " " + c.name;
        out += "\n";
    }
    return out;
}
} // namespace

void replicate_record::save(state_archive& a, const std::string& prefix) const {
    a.put_text(prefix + ".layout", layout_of(series_specs_, table_specs_));
    for (std::size_t k = 0; k < series_specs_.size(); ++k)
        a.put(prefix + ".series." + series_specs_[k].name, values_[k]);
    for (std::size_t t = 0; t < table_specs_.size(); ++t)
        for (std::size_t c = 0; c < tables_[t].size(); ++c)
            a.put(prefix + ".table." + table_specs_[t].name + "." + table_specs_[t].columns[c].name,
                  tables_[t][c]);
}

void replicate_record::load(const state_archive& a, const std::string& prefix) {
    const auto saved = a.get_text(prefix + ".layout"),
               here = layout_of(series_specs_, table_specs_);
    if (saved != here)
        throw model_error(
            "recorder: the saved record holds other series or tables than this model declares "
            "(expected:\n" +
            here + "found:\n" + saved + ")");
    for (std::size_t k = 0; k < series_specs_.size(); ++k) {
        auto v = a.get<double>(prefix + ".series." + series_specs_[k].name);
        if (v.size() != values_[k].size())
            throw model_error("recorder: saved series " + series_specs_[k].name + " has " +
                              std::to_string(v.size()) + " periods, expected " +
                              std::to_string(values_[k].size()));
        values_[k] = std::move(v);
    }
    for (std::size_t t = 0; t < table_specs_.size(); ++t)
        for (std::size_t c = 0; c < tables_[t].size(); ++c)
            tables_[t][c] = a.get<double>(prefix + ".table." + table_specs_[t].name + "." +
                                          table_specs_[t].columns[c].name);
}

} // namespace tradeeco::sim
