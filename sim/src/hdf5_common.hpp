#pragma once
// Pieces shared by the HDF5 writers and readers of the sim layer (results_writer.cpp,
// checkpoint_file.cpp): quiet HDF5 errors turned into io_error naming the file, RAII handles,
// attributes, temporary files renamed on success, and the seal. Private to sim/src.

#include <tradeeco/sim/errors.hpp>
#include <tradeeco/sim/recorder.hpp>

#include <hdf5.h>

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace tradeeco::sim::hdf5 {

// --- HDF5 errors -----------------------------------------------------------------------------

// Turns HDF5's automatic stack printing off for the duration of one public call and restores
// whatever handler the process had (h5py or another library may rely on it).
class error_silencer {
public:
    error_silencer() {
        if (H5Eget_auto2(H5E_DEFAULT, &func_, &data_) >= 0) {
            saved_ = true;
            H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
        }
    }
    ~error_silencer() {
        if (saved_) H5Eset_auto2(H5E_DEFAULT, func_, data_);
    }
    error_silencer(const error_silencer&) = delete;
    error_silencer& operator=(const error_silencer&) = delete;

private:
    H5E_auto2_t func_ = nullptr;
    void* data_ = nullptr;
    bool saved_ = false;
};

// The innermost record on the HDF5 error stack: where the failure was first detected, which
// carries the useful detail (errno text for file errors).
inline std::string hdf5_error_detail() {
    std::string detail;
    auto walk = [](unsigned, const H5E_error2_t* e, void* out) -> herr_t {
        auto& s = *static_cast<std::string*>(out);
        s = e->desc ? e->desc : "";
        char minor[128] = "";
        if (H5Eget_msg(e->min_num, nullptr, minor, sizeof minor) > 0)
            s.append(" (").append(minor).append(")");
        return 0;
    };
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, walk, &detail);
    if (detail.empty()) return "unknown HDF5 error";
    // A failed system call is described over several lines ("file write failed: time = ...,
    // errno = 27, error message = 'File too large', ..."): keep what failed and the reason.
    const std::string tag = "error message = '";
    const auto at = detail.find(tag);
    if (at != std::string::npos) {
        const auto from = at + tag.size();
        const auto to = detail.find('\'', from);
        const auto what = detail.substr(0, detail.find(':'));
        return what + ": " + detail.substr(from, to == std::string::npos ? to : to - from);
    }
    return detail;
}

[[noreturn]] inline void throw_io(const char* who, const std::filesystem::path& file,
                                  const std::string& what) {
    std::string msg;
    msg.append(who).append(": ").append(file.string()).append(": ").append(what);
    msg.append(": ").append(hdf5_error_detail());
    throw io_error(msg);
}

// Every HDF5 call goes through check(), so the message names the file and the step that failed.
struct checker {
    const std::filesystem::path* file;
    const char* who; // names the writer or reader in messages
    template <class T>
    T operator()(T status, const std::string& what) const {
        if (status < 0) throw_io(who, *file, what);
        return status;
    }
};

// --- RAII handles ----------------------------------------------------------------------------

class handle {
public:
    using closer = herr_t (*)(hid_t);
    handle() = default;
    handle(hid_t id, closer close): id_(id), close_(close) {}
    ~handle() { reset(); }
    handle(handle&& o) noexcept: id_(std::exchange(o.id_, -1)), close_(o.close_) {}
    handle& operator=(handle&& o) noexcept {
        if (this != &o) {
            reset();
            id_ = std::exchange(o.id_, -1);
            close_ = o.close_;
        }
        return *this;
    }
    handle(const handle&) = delete;
    handle& operator=(const handle&) = delete;

    hid_t get() const noexcept { return id_; }
    /// Closes now; returns HDF5's status so commit() can report a failed close.
    herr_t reset() noexcept {
        herr_t status = 0;
        if (id_ >= 0 && close_) status = close_(id_);
        id_ = -1;
        return status;
    }

private:
    hid_t id_ = -1;
    closer close_ = nullptr;
};

// --- Attributes ------------------------------------------------------------------------------

inline bool is_ascii(const std::string& s) {
    for (const unsigned char c: s)
        if (c >= 0x80) return false;
    return true;
}

// Fixed-length string, netCDF-C's NC_CHAR layout. Non-ASCII text is tagged UTF-8 so h5py
// decodes it; an empty string is a null dataspace, as netCDF-C writes it.
inline void write_text_attribute(const checker& check, hid_t obj, const std::string& name,
                                 const std::string& value) {
    const std::string what = "writing attribute " + name;
    handle type(check(H5Tcopy(H5T_C_S1), what), H5Tclose);
    check(H5Tset_size(type.get(), value.empty() ? 1 : value.size()), what);
    check(H5Tset_strpad(type.get(), H5T_STR_NULLTERM), what);
    check(H5Tset_cset(type.get(), is_ascii(value) ? H5T_CSET_ASCII : H5T_CSET_UTF8), what);
    handle space(check(H5Screate(value.empty() ? H5S_NULL : H5S_SCALAR), what), H5Sclose);
    handle attr(
        check(H5Acreate2(obj, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
              what),
        H5Aclose);
    if (!value.empty()) check(H5Awrite(attr.get(), type.get(), value.data()), what);
}

template <class T>
inline void write_array_attribute(const checker& check, hid_t obj, const std::string& name,
                                  hid_t file_type, hid_t mem_type, const std::vector<T>& values,
                                  bool scalar = false) {
    const std::string what = "writing attribute " + name;
    const hsize_t n = values.size();
    handle space(check(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr), what),
                 H5Sclose);
    handle attr(
        check(H5Acreate2(obj, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
              what),
        H5Aclose);
    check(H5Awrite(attr.get(), mem_type, values.data()), what);
}

// netCDF-C stores numeric attributes as 1-element arrays, not scalars.
inline void write_number_attribute(const checker& check, hid_t obj, const std::string& name,
                                   double value) {
    write_array_attribute(check, obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                          std::vector<double>{value});
}

inline void write_attributes(const checker& check, hid_t obj, const attributes& attrs) {
    for (const auto& [k, v]: attrs.text) write_text_attribute(check, obj, k, v);
    for (const auto& [k, v]: attrs.number) write_number_attribute(check, obj, k, v);
}

// Removes the temporary file unless released; the first member of impl, so it runs after the
// file handle has been closed.
struct temp_file {
    std::filesystem::path path;
    bool armed = false;
    ~temp_file() {
        std::error_code ec;
        if (!armed) return;
        // Emptied first: after a failed close (a full disk) HDF5 keeps the file descriptor
        // open, and a removed file's blocks are only freed when it closes.
        std::filesystem::resize_file(path, 0, ec);
        std::filesystem::remove(path, ec);
    }
};

// HDF5 1.10 keeps the ID of a file whose close failed (a full disk) while freeing the file's
// state; its atexit clean-up then closes it again and crashes (SIGSEGV after the run had
// already reported the error). Nothing is left to flush at exit: every writer closes or
// removes its file before returning. So the clean-up is turned off, before HDF5 initialises.
[[maybe_unused]] inline const bool hdf5_without_atexit = [] {
    H5dont_atexit();
    return true;
}();

// <target>.tmp-<pid>, and -<n> after it for the second and later writers of one process, so
// that two runs in one process (two threads) into one path never share a temporary file.
inline std::string tmp_name(const std::filesystem::path& target) {
    static std::atomic<unsigned> writers{0};
    const unsigned n = writers.fetch_add(1);
    std::string name = target.filename().string() + ".tmp-" + std::to_string(::getpid());
    return n == 0 ? name : name + "-" + std::to_string(n);
}

// The temporary file a writer of `target` writes first (tmp_name, beside it), once the target
// is known to be writable there: its directory exists and it is not itself a directory.
inline std::filesystem::path temporary_for(const std::filesystem::path& target, const char* who) {
    const auto dir = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
        throw io_error(std::string(who) + ": cannot write " + target.string() + ": directory " +
                       dir.string() + " does not exist");
    if (std::filesystem::is_directory(target, ec))
        throw io_error(std::string(who) + ": cannot write " + target.string() +
                       ": it is a directory");
    return dir / tmp_name(target);
}

// --- The seal --------------------------------------------------------------------------------

// The file starts with a user block of `seal_bytes` that HDF5 leaves alone; once the file is
// closed, the block receives one line, "tradeeco-seal crc32=<8 hex> bytes=<n>", the CRC-32 (as
// zlib computes it) and length of everything after the block. tradeeco.open checks it before
// any HDF5 library parses the file: a damaged file (a flipped bit, a truncated copy) is then an
// error naming the file, never other numbers, nor a hang inside HDF5's parsing of a damaged
// structure (both seen when fuzzing unsealed files). python/tradeeco/_results.py reads it.
inline constexpr hsize_t seal_bytes = 512;

inline std::uint32_t crc32_update(std::uint32_t crc, const unsigned char* p, std::size_t n) {
    static const auto table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    crc = ~crc;
    for (std::size_t i = 0; i < n; ++i) crc = table[(crc ^ p[i]) & 0xFFu] ^ (crc >> 8);
    return ~crc;
}

// Writes the seal into a closed file and flushes it to disk, so the rename that follows
// publishes a complete file.
inline void seal_file(const std::filesystem::path& path, const char* who) {
    auto fail = [&](const std::string& what) {
        throw io_error(std::string(who) + ": " + path.string() + ": " + what + ": " +
                       std::generic_category().message(errno));
    };
    const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) fail("reopening to seal");
    struct closer {
        int fd;
        ~closer() { ::close(fd); }
    } guard{fd};
    std::vector<unsigned char> buf(std::size_t(1) << 20);
    std::uint32_t crc = 0;
    std::uint64_t size = 0;
    for (;;) {
        const ssize_t got = ::pread(fd, buf.data(), buf.size(), off_t(seal_bytes + size));
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) fail("reading to seal");
        if (got == 0) break;
        crc = crc32_update(crc, buf.data(), std::size_t(got));
        size += std::uint64_t(got);
    }
    char line[96];
    const int len = std::snprintf(line, sizeof line, "tradeeco-seal crc32=%08x bytes=%llu\n",
                                  unsigned(crc), static_cast<unsigned long long>(size));
    std::string block(line, std::size_t(len));
    block.resize(seal_bytes, '\0');
    if (::pwrite(fd, block.data(), block.size(), 0) != ssize_t(block.size())) fail("sealing");
    if (::fsync(fd) != 0) fail("flushing to disk");
}

} // namespace tradeeco::sim::hdf5
