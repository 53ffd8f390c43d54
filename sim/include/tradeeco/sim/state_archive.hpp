#pragma once
/// A model's state as named, typed arrays: what a checkpoint holds. A model puts each part of its
/// state under a name (`firms.column.capability`, `backlog_teu`), and gets it back by the same
/// name and type when it is restored. The archive lives in memory (branching several scenarios
/// off one simulated prefix) or in a checkpoint file (checkpoint_file.hpp), which stores one
/// HDF5 dataset per entry.
///
/// Entries are kept sorted by name, and sha256() digests names, types and bytes in that order,
/// so the digest identifies the state whatever order it was put in.

#include <tradeeco/sim/errors.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace tradeeco::sim {

/// Element type of an archive entry. `bytes` holds a trivially copyable struct as it is laid out
/// in memory (its size is checked on restore).
enum class value_type : std::uint8_t { u8 = 1, u16, u32, i32, i64, u64, f32, f64, bytes };

std::size_t value_size(value_type t) noexcept;
const char* value_type_name(value_type t) noexcept;

namespace detail {
template <class T>
struct innermost {
    using type = T;
};
template <class T, std::size_t N>
struct innermost<std::array<T, N>> {
    using type = typename innermost<T>::type;
};
template <class T>
constexpr value_type arithmetic_type() {
    if constexpr (std::is_same_v<T, std::uint8_t> || std::is_same_v<T, bool>)
        return value_type::u8;
    else if constexpr (std::is_same_v<T, std::uint16_t>)
        return value_type::u16;
    else if constexpr (std::is_same_v<T, std::uint32_t>)
        return value_type::u32;
    else if constexpr (std::is_same_v<T, std::int32_t>)
        return value_type::i32;
    else if constexpr (std::is_same_v<T, std::int64_t>)
        return value_type::i64;
    else if constexpr (std::is_same_v<T, std::uint64_t>)
        return value_type::u64;
    else if constexpr (std::is_same_v<T, float>)
        return value_type::f32;
    else if constexpr (std::is_same_v<T, double>)
        return value_type::f64;
    else
        return value_type::bytes;
}
} // namespace detail

/// The archive type of T: its element type for numbers and (nested) std::arrays of numbers,
/// `bytes` for any other trivially copyable struct.
template <class T>
constexpr value_type archive_type_of() {
    static_assert(std::is_trivially_copyable_v<T>,
                  "only trivially copyable values can be archived");
    return detail::arithmetic_type<typename detail::innermost<T>::type>();
}

class state_archive {
public:
    struct entry {
        value_type type = value_type::bytes;
        std::vector<std::byte> data;
        std::size_t count() const noexcept { return data.size() / value_size(type); }
    };

    /// Stores a contiguous range of values (a vector, an agent column).
    template <class T>
    void put(const std::string& name, std::span<const T> values) {
        put_raw(name, archive_type_of<T>(), values.data(), values.size_bytes());
    }
    template <class T>
    void put(const std::string& name, const std::vector<T>& values) {
        put(name, std::span<const T>(values));
    }
    /// Stores one value: a number, a (nested) std::array of numbers, or a plain struct.
    template <class T>
    void put_value(const std::string& name, const T& value) {
        put_raw(name, archive_type_of<T>(), &value, sizeof(T));
    }
    void put_text(const std::string& name, const std::string& text) {
        put_raw(name, value_type::bytes, text.data(), text.size());
    }
    /// Adds an entry as read from a file (replacing one of the same name).
    void insert(const std::string& name, entry e) { entries_[name] = std::move(e); }

    /// The values under `name`; throws model_error if it is missing or of another type.
    template <class T>
    std::vector<T> get(const std::string& name) const {
        const auto& e = find(name, archive_type_of<T>());
        std::vector<T> out(e.data.size() / sizeof(T));
        if (e.data.size() % sizeof(T) != 0) fail(name, "a whole number of values", e);
        if (!out.empty()) std::memcpy(out.data(), e.data.data(), e.data.size());
        return out;
    }
    /// Reads one value of exactly sizeof(T) bytes back into `value`.
    template <class T>
    void get_value(const std::string& name, T& value) const {
        const auto& e = find(name, archive_type_of<T>());
        if (e.data.size() != sizeof(T)) fail(name, std::to_string(sizeof(T)) + " bytes", e);
        std::memcpy(static_cast<void*>(&value), e.data.data(), sizeof(T));
    }
    template <class T>
    T get_value(const std::string& name) const {
        T v{};
        get_value(name, v);
        return v;
    }
    std::string get_text(const std::string& name) const {
        const auto& e = find(name, value_type::bytes);
        return std::string(reinterpret_cast<const char*>(e.data.data()), e.data.size());
    }

    bool contains(const std::string& name) const { return entries_.count(name) != 0; }
    const std::map<std::string, entry>& entries() const noexcept { return entries_; }
    /// Total bytes of the values.
    std::size_t payload_bytes() const noexcept;
    /// SHA-256 (hex) of every entry's name, type, length and bytes, in name order.
    std::string sha256() const;

private:
    void put_raw(const std::string& name, value_type type, const void* data, std::size_t bytes);
    const entry& find(const std::string& name, value_type type) const;
    [[noreturn]] static void fail(const std::string& name, const std::string& expected,
                                  const entry& found);
    std::map<std::string, entry> entries_;
};

/// SHA-256 of a byte string, as 64 lowercase hex digits (FIPS 180-4).
std::string sha256_hex(std::span<const std::byte> bytes);
std::string sha256_hex(const std::string& text);

} // namespace tradeeco::sim
