#include <tradeeco/sim/recorder.hpp>

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

} // namespace tradeeco::sim
