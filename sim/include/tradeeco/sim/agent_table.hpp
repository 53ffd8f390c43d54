#pragma once
/// Agents as structure-of-arrays columns with stable ids.
///
/// Rows are only added or removed by compact(), which a model calls at the end of a phase: during
/// a phase, loops see a fixed set of rows. Ids are handed out in increasing order and compaction
/// keeps the order of survivors, so ids() is always sorted and an id never changes meaning.

#include <tradeeco/sim/state_archive.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <vector>

namespace tradeeco::sim {

using agent_id = std::uint64_t;

class agent_table {
public:
    agent_table() = default;
    agent_table(const agent_table&) = delete;
    agent_table& operator=(const agent_table&) = delete;
    agent_table(agent_table&&) = default;
    agent_table& operator=(agent_table&&) = default;

    std::size_t size() const noexcept { return ids_.size(); }
    const std::vector<agent_id>& ids() const noexcept { return ids_; }

    /// Adds a column; existing rows get `init`. The returned vector lives as long as the table
    /// (its address is stable), but its data pointer changes at compaction.
    template <class T>
    std::vector<T>& add_column(std::string name, T init = T{}) {
        if (find(name)) throw std::logic_error("agent_table: duplicate column " + name);
        auto col = std::make_unique<typed_column<T>>(std::move(name), init);
        col->values.assign(size(), init);
        col->staged.assign(staged_births_, init); // births staged before the column existed
        auto& out = col->values;
        columns_.push_back(std::move(col));
        return out;
    }

    template <class T>
    std::vector<T>& column(std::string_view name) { return typed<T>(name).values; }
    template <class T>
    const std::vector<T>& column(std::string_view name) const {
        return const_cast<agent_table*>(this)->typed<T>(name).values;
    }
    /// Type-erased access to a column, for bindings that expose columns without copying.
    struct raw_column {
        void* data;
        std::size_t size;
        char kind;            ///< 'f' floating, 'i' signed, 'u' unsigned (numpy kinds)
        std::size_t itemsize; ///< bytes per element
    };
    raw_column raw(std::string_view name) {
        auto* c = find(name);
        if (!c) throw std::out_of_range("agent_table: no column " + std::string(name));
        return c->raw();
    }

    std::vector<std::string> column_names() const {
        std::vector<std::string> out;
        for (const auto& c: columns_) out.push_back(c->name);
        return out;
    }

    /// Stages a new agent; it becomes a row at the next compact(). Returns the staging slot, to
    /// set its values with staged<T>(name)[slot]. Not thread-safe: stage births serially.
    std::size_t stage_birth() {
        for (auto& c: columns_) c->stage();
        return staged_births_++;
    }
    template <class T>
    std::vector<T>& staged(std::string_view name) { return typed<T>(name).staged; }
    std::size_t staged_births() const noexcept { return staged_births_; }

    /// Marks row i for removal at the next compact(). Safe from a parallel loop (distinct rows).
    void mark_removed(std::size_t row) {
        if (removed_.size() != size()) removed_.assign(size(), 0);
        removed_[row] = 1;
    }
    /// Must be called once, serially, before a parallel phase marks removals.
    void prepare_removals() { removed_.assign(size(), 0); }

    /// Applies staged removals (keeping the order of survivors) then births (new ids, in staging
    /// order). Returns the ids of the new rows.
    std::vector<agent_id> compact() {
        if (!removed_.empty()) {
            std::vector<std::size_t> keep;
            keep.reserve(size());
            for (std::size_t i = 0; i < size(); ++i)
                if (!removed_[i]) keep.push_back(i);
            if (keep.size() != size()) {
                for (auto& c: columns_) c->keep_rows(keep);
                std::vector<agent_id> ids(keep.size());
                for (std::size_t k = 0; k < keep.size(); ++k) ids[k] = ids_[keep[k]];
                ids_ = std::move(ids);
            }
            removed_.clear();
        }
        std::vector<agent_id> born(staged_births_);
        for (auto& id: born) id = next_id_++;
        ids_.insert(ids_.end(), born.begin(), born.end());
        for (auto& c: columns_) c->commit_staged();
        staged_births_ = 0;
        return born;
    }

    /// Row of an id, or size() if it is not (or no longer) in the table. O(log n).
    std::size_t row_of(agent_id id) const {
        auto it = std::lower_bound(ids_.begin(), ids_.end(), id);
        return (it != ids_.end() && *it == id) ? std::size_t(it - ids_.begin()) : size();
    }

    /// Puts the table (ids, every column with its staged births, pending removals) into `a`
    /// under `prefix`: `<prefix>.ids`, `<prefix>.column.<name>`, ...
    void save(state_archive& a, const std::string& prefix) const {
        std::string list;
        for (const auto& c: columns_) {
            c->save(a, prefix);
            list += c->name + ":" + value_type_name(c->type()) + "\n";
        }
        a.put_text(prefix + ".columns", list);
        a.put(prefix + ".ids", ids_);
        a.put(prefix + ".removed", removed_);
        a.put_value(prefix + ".next_id", next_id_);
        a.put_value(prefix + ".staged_births", std::uint64_t(staged_births_));
    }
    /// Replaces the table by the one save() put under `prefix`, columns recreated with their
    /// saved names and types. References to the old columns (from add_column) are invalidated:
    /// look the columns up again by name.
    void load(const state_archive& a, const std::string& prefix) {
        agent_table t;
        const std::string list = a.get_text(prefix + ".columns");
        for (std::size_t at = 0; at < list.size();) {
            const auto end = list.find('\n', at);
            const auto colon = list.rfind(':', end);
            if (end == std::string::npos || colon == std::string::npos || colon < at)
                throw model_error("agent_table: bad column list in state entry " + prefix +
                                  ".columns");
            const std::string name = list.substr(at, colon - at),
                              type = list.substr(colon + 1, end - colon - 1);
            t.columns_.push_back(load_column(a, prefix, name, type));
            at = end + 1;
        }
        t.ids_ = a.get<agent_id>(prefix + ".ids");
        t.removed_ = a.get<std::uint8_t>(prefix + ".removed");
        t.next_id_ = a.get_value<agent_id>(prefix + ".next_id");
        t.staged_births_ = std::size_t(a.get_value<std::uint64_t>(prefix + ".staged_births"));
        for (const auto& c: t.columns_)
            if (c->rows() != t.ids_.size() || c->staged_rows() != t.staged_births_)
                throw model_error("agent_table: state entry " + prefix + ".column." + c->name +
                                  " has " + std::to_string(c->rows()) + " rows, expected " +
                                  std::to_string(t.ids_.size()));
        *this = std::move(t);
    }

private:
    struct column_base {
        explicit column_base(std::string n): name(std::move(n)) {}
        virtual ~column_base() = default;
        virtual void keep_rows(const std::vector<std::size_t>& keep) = 0;
        virtual void stage() = 0;
        virtual void commit_staged() = 0;
        virtual raw_column raw() = 0;
        virtual value_type type() const = 0;
        virtual void save(state_archive& a, const std::string& prefix) const = 0;
        virtual std::size_t rows() const = 0;
        virtual std::size_t staged_rows() const = 0;
        std::string name;
    };
    template <class T>
    struct typed_column final: column_base {
        typed_column(std::string n, T i): column_base(std::move(n)), init(i) {}
        void keep_rows(const std::vector<std::size_t>& keep) override {
            std::vector<T> out(keep.size());
            for (std::size_t k = 0; k < keep.size(); ++k) out[k] = values[keep[k]];
            values = std::move(out);
        }
        void stage() override { staged.push_back(init); }
        raw_column raw() override {
            static_assert(std::is_arithmetic_v<T>, "only arithmetic columns can be exposed raw");
            // Flags are std::uint8_t columns: std::vector<bool> has no data().
            const char kind = std::is_floating_point_v<T> ? 'f' : std::is_signed_v<T> ? 'i' : 'u';
            return raw_column{values.data(), values.size(), kind, sizeof(T)};
        }
        value_type type() const override { return archive_type_of<T>(); }
        void save(state_archive& a, const std::string& prefix) const override {
            a.put(prefix + ".column." + name, values);
            a.put(prefix + ".staged." + name, staged);
            a.put_value(prefix + ".init." + name, init);
        }
        std::size_t rows() const override { return values.size(); }
        std::size_t staged_rows() const override { return staged.size(); }
        void commit_staged() override {
            values.insert(values.end(), staged.begin(), staged.end());
            staged.clear();
        }
        T init;
        std::vector<T> values, staged;
    };

    template <class T>
    static std::unique_ptr<column_base>
    load_typed(const state_archive& a, const std::string& prefix, const std::string& name) {
        auto col =
            std::make_unique<typed_column<T>>(name, a.get_value<T>(prefix + ".init." + name));
        col->values = a.get<T>(prefix + ".column." + name);
        col->staged = a.get<T>(prefix + ".staged." + name);
        return col;
    }
    static std::unique_ptr<column_base> load_column(const state_archive& a,
                                                    const std::string& prefix,
                                                    const std::string& name,
                                                    const std::string& type) {
        if (type == "u8") return load_typed<std::uint8_t>(a, prefix, name);
        if (type == "u16") return load_typed<std::uint16_t>(a, prefix, name);
        if (type == "u32") return load_typed<std::uint32_t>(a, prefix, name);
        if (type == "i32") return load_typed<std::int32_t>(a, prefix, name);
        if (type == "i64") return load_typed<std::int64_t>(a, prefix, name);
        if (type == "u64") return load_typed<std::uint64_t>(a, prefix, name);
        if (type == "f32") return load_typed<float>(a, prefix, name);
        if (type == "f64") return load_typed<double>(a, prefix, name);
        throw model_error("agent_table: column " + name + " of " + prefix + " has type '" + type +
                          "', expected a number type (u8, u16, u32, i32, i64, u64, f32, f64)");
    }

    column_base* find(std::string_view name) const {
        for (const auto& c: columns_)
            if (c->name == name) return c.get();
        return nullptr;
    }
    template <class T>
    typed_column<T>& typed(std::string_view name) {
        auto* c = find(name);
        if (!c) throw std::out_of_range("agent_table: no column " + std::string(name));
        auto* t = dynamic_cast<typed_column<T>*>(c);
        if (!t) throw std::logic_error("agent_table: column " + std::string(name) + " is not of type " +
                                       typeid(T).name());
        return *t;
    }

    std::vector<agent_id> ids_;
    std::vector<std::unique_ptr<column_base>> columns_;
    std::vector<std::uint8_t> removed_;
    std::size_t staged_births_ = 0;
    agent_id next_id_ = 0;
};

} // namespace tradeeco::sim
