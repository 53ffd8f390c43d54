#include <tradeeco/sim/state_archive.hpp>

#include <algorithm>
#include <cstdio>

namespace tradeeco::sim {

std::size_t value_size(value_type t) noexcept {
    switch (t) {
    case value_type::u8: return 1;
    case value_type::u16: return 2;
    case value_type::u32: return 4;
    case value_type::i32: return 4;
    case value_type::i64: return 8;
    case value_type::u64: return 8;
    case value_type::f32: return 4;
    case value_type::f64: return 8;
    case value_type::bytes: return 1;
    }
    return 1;
}

const char* value_type_name(value_type t) noexcept {
    switch (t) {
    case value_type::u8: return "u8";
    case value_type::u16: return "u16";
    case value_type::u32: return "u32";
    case value_type::i32: return "i32";
    case value_type::i64: return "i64";
    case value_type::u64: return "u64";
    case value_type::f32: return "f32";
    case value_type::f64: return "f64";
    case value_type::bytes: return "bytes";
    }
    return "unknown";
}

namespace {

// FIPS 180-4 SHA-256, streaming.
class sha256_state {
public:
    void update(const void* data, std::size_t n) {
        const auto* p = static_cast<const unsigned char*>(data);
        total_ += n;
        while (n > 0) {
            const std::size_t take = std::min(n, std::size_t(64) - fill_);
            std::memcpy(block_.data() + fill_, p, take);
            fill_ += take;
            p += take;
            n -= take;
            if (fill_ == 64) {
                compress();
                fill_ = 0;
            }
        }
    }
    std::string hex() {
        const std::uint64_t bits = total_ * 8;
        const unsigned char one = 0x80, zero = 0;
        update(&one, 1);
        while (fill_ != 56) update(&zero, 1);
        unsigned char len[8];
        for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>(bits >> (56 - 8 * i));
        update(len, 8);
        std::string out;
        char buf[9];
        for (const auto v: h_) {
            std::snprintf(buf, sizeof buf, "%08x", unsigned(v));
            out += buf;
        }
        return out;
    }

private:
    static std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }
    void compress() {
        static constexpr std::array<std::uint32_t, 64> k{
            0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
            0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
            0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
            0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
            0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
            0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
            0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
            0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
            0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
            0xc67178f2};
        std::array<std::uint32_t, 64> w{};
        for (int i = 0; i < 16; ++i)
            w[i] = std::uint32_t(block_[4 * i]) << 24 | std::uint32_t(block_[4 * i + 1]) << 16 |
                   std::uint32_t(block_[4 * i + 2]) << 8 | std::uint32_t(block_[4 * i + 3]);
        for (int i = 16; i < 64; ++i) {
            const auto s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
            const auto s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        auto [a, b, c, d, e, f, g, h] = h_;
        for (int i = 0; i < 64; ++i) {
            const auto t1 =
                h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i];
            const auto t2 =
                (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        const std::array<std::uint32_t, 8> add{a, b, c, d, e, f, g, h};
        for (int i = 0; i < 8; ++i) h_[i] += add[i];
    }
    std::array<std::uint32_t, 8> h_{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    std::array<unsigned char, 64> block_{};
    std::size_t fill_ = 0;
    std::uint64_t total_ = 0;
};

} // namespace

std::string sha256_hex(std::span<const std::byte> bytes) {
    sha256_state s;
    s.update(bytes.data(), bytes.size());
    return s.hex();
}

std::string sha256_hex(const std::string& text) {
    sha256_state s;
    s.update(text.data(), text.size());
    return s.hex();
}

std::size_t state_archive::payload_bytes() const noexcept {
    std::size_t n = 0;
    for (const auto& kv: entries_) n += kv.second.data.size();
    return n;
}

std::string state_archive::sha256() const {
    sha256_state s;
    for (const auto& [name, e]: entries_) {
        s.update(name.data(),
                 name.size() + 1); // with its terminating NUL: names cannot run together
        const auto type = static_cast<unsigned char>(e.type);
        s.update(&type, 1);
        unsigned char len[8];
        for (int i = 0; i < 8; ++i)
            len[i] = static_cast<unsigned char>(std::uint64_t(e.data.size()) >> (8 * i));
        s.update(len, 8);
        s.update(e.data.data(), e.data.size());
    }
    return s.hex();
}

void state_archive::put_raw(const std::string& name, value_type type, const void* data,
                            std::size_t bytes) {
    entry e;
    e.type = type;
    e.data.resize(bytes);
    if (bytes) std::memcpy(e.data.data(), data, bytes);
    if (!entries_.emplace(name, std::move(e)).second)
        throw model_error("state archive: entry '" + name + "' stored twice");
}

const state_archive::entry& state_archive::find(const std::string& name, value_type type) const {
    const auto it = entries_.find(name);
    if (it == entries_.end()) throw model_error("state archive: no entry '" + name + "'");
    if (it->second.type != type)
        fail(name, std::string("type ") + value_type_name(type), it->second);
    return it->second;
}

void state_archive::fail(const std::string& name, const std::string& expected, const entry& found) {
    throw model_error("state archive: entry '" + name + "': expected " + expected + ", found " +
                      std::to_string(found.data.size()) + " bytes of type " +
                      value_type_name(found.type));
}

} // namespace tradeeco::sim
