#include <tradeeco/sim/calendar.hpp>
#include <tradeeco/sim/checkpoint_file.hpp>

#include "hdf5_common.hpp"

#include <algorithm>
#include <fstream>

namespace tradeeco::sim {

namespace {

using namespace hdf5;

constexpr const char* writer_name = "checkpoint";
constexpr const char* state_group = "state";
constexpr const char* opaque_tag = "tradeeco:bytes";

[[noreturn]] void refuse(const std::filesystem::path& file, const std::string& what,
                         const std::string& expected, const std::string& found) {
    throw checkpoint_error(file.string() + ": " + what + ": expected " + expected + ", found " +
                           found);
}

// The HDF5 type of an entry in the file, and in memory (little-endian on the machines we
// build for; the file types are explicit so a file reads the same anywhere).
struct h5_types {
    handle owned; // the opaque type, which must be closed
    hid_t file = -1, memory = -1;
};
h5_types types_of(const checker& check, value_type t) {
    h5_types out;
    switch (t) {
    case value_type::u8: out.file = H5T_STD_U8LE, out.memory = H5T_NATIVE_UINT8; break;
    case value_type::u16: out.file = H5T_STD_U16LE, out.memory = H5T_NATIVE_UINT16; break;
    case value_type::u32: out.file = H5T_STD_U32LE, out.memory = H5T_NATIVE_UINT32; break;
    case value_type::i32: out.file = H5T_STD_I32LE, out.memory = H5T_NATIVE_INT32; break;
    case value_type::i64: out.file = H5T_STD_I64LE, out.memory = H5T_NATIVE_INT64; break;
    case value_type::u64: out.file = H5T_STD_U64LE, out.memory = H5T_NATIVE_UINT64; break;
    case value_type::f32: out.file = H5T_IEEE_F32LE, out.memory = H5T_NATIVE_FLOAT; break;
    case value_type::f64: out.file = H5T_IEEE_F64LE, out.memory = H5T_NATIVE_DOUBLE; break;
    case value_type::bytes:
        out.owned = handle(check(H5Tcreate(H5T_OPAQUE, 1), "creating the opaque type"), H5Tclose);
        check(H5Tset_tag(out.owned.get(), opaque_tag), "tagging the opaque type");
        out.file = out.memory = out.owned.get();
        break;
    }
    return out;
}

// The entry type of a dataset in a file, or nothing if the file holds a type no version wrote.
bool entry_type_of(hid_t dtype, value_type& out) {
    const H5T_class_t cls = H5Tget_class(dtype);
    const std::size_t size = H5Tget_size(dtype);
    if (cls == H5T_OPAQUE && size == 1) return out = value_type::bytes, true;
    if (cls == H5T_FLOAT) {
        if (size == 4) return out = value_type::f32, true;
        if (size == 8) return out = value_type::f64, true;
        return false;
    }
    if (cls != H5T_INTEGER) return false;
    const bool is_signed = H5Tget_sign(dtype) == H5T_SGN_2;
    if (!is_signed && size == 1) return out = value_type::u8, true;
    if (!is_signed && size == 2) return out = value_type::u16, true;
    if (!is_signed && size == 4) return out = value_type::u32, true;
    if (is_signed && size == 4) return out = value_type::i32, true;
    if (is_signed && size == 8) return out = value_type::i64, true;
    if (!is_signed && size == 8) return out = value_type::u64, true;
    return false;
}

// Checks the seal before HDF5 reads a byte of the file: a damaged file must never reach HDF5's
// parser (which can crash or hang on a corrupt structure).
void verify_seal(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        std::error_code ec;
        if (!std::filesystem::exists(file, ec))
            throw checkpoint_error(file.string() + ": no such checkpoint file");
        throw checkpoint_error(file.string() + ": cannot open the checkpoint for reading");
    }
    std::string block(seal_bytes, '\0');
    in.read(block.data(), std::streamsize(block.size()));
    const auto got = std::size_t(in.gcount());
    unsigned crc_expected = 0;
    unsigned long long bytes_expected = 0;
    // The block must be exactly what seal_file writes (the line, then zeros): a flipped bit in it
    // is damage too.
    const auto canonical = [](unsigned crc, unsigned long long bytes) {
        char line[96];
        const int len =
            std::snprintf(line, sizeof line, "tradeeco-seal crc32=%08x bytes=%llu\n", crc, bytes);
        std::string out(line, std::size_t(len));
        out.resize(seal_bytes, '\0');
        return out;
    };
    if (got < seal_bytes ||
        std::sscanf(block.c_str(), "tradeeco-seal crc32=%8x bytes=%20llu", &crc_expected,
                    &bytes_expected) != 2 ||
        block != canonical(crc_expected, bytes_expected))
        refuse(file, "not a sealed tradeeco checkpoint",
               "a " + std::to_string(seal_bytes) + "-byte block starting 'tradeeco-seal crc32='",
               got < seal_bytes ? std::to_string(got) + " bytes in all" : "another first block");
    std::vector<unsigned char> buf(std::size_t(1) << 20);
    std::uint32_t crc = 0;
    unsigned long long size = 0;
    while (in) {
        in.read(reinterpret_cast<char*>(buf.data()), std::streamsize(buf.size()));
        const auto n = std::size_t(in.gcount());
        crc = crc32_update(crc, buf.data(), n);
        size += n;
    }
    if (size != bytes_expected)
        refuse(file, "damaged (truncated or extended)",
               std::to_string(bytes_expected) + " bytes after the seal", std::to_string(size));
    if (crc != crc_expected) {
        char e[16], f[16];
        std::snprintf(e, sizeof e, "%08x", crc_expected);
        std::snprintf(f, sizeof f, "%08x", unsigned(crc));
        refuse(file, "damaged (its bytes differ from its seal)", std::string("crc32 ") + e,
               std::string("crc32 ") + f);
    }
}

attributes read_root_attributes(const checker& check, hid_t root) {
    attributes out;
    struct ctx {
        const checker* check;
        attributes* out;
    } c{&check, &out};
    auto visit = [](hid_t loc, const char* name, const H5A_info_t*, void* data) -> herr_t {
        auto& cx = *static_cast<ctx*>(data);
        const auto& chk = *cx.check;
        const std::string what = std::string("reading attribute ") + name;
        handle attr(chk(H5Aopen(loc, name, H5P_DEFAULT), what), H5Aclose);
        handle type(chk(H5Aget_type(attr.get()), what), H5Tclose);
        handle space(chk(H5Aget_space(attr.get()), what), H5Sclose);
        const auto points = chk(H5Sget_simple_extent_npoints(space.get()), what);
        if (H5Tget_class(type.get()) == H5T_STRING) {
            std::string value;
            if (points > 0) {
                if (H5Tis_variable_str(type.get()) > 0) return 0; // not written by tradeeco
                value.assign(H5Tget_size(type.get()), '\0');
                chk(H5Aread(attr.get(), type.get(), value.data()), what);
                value.erase(std::find(value.begin(), value.end(), '\0'), value.end());
            }
            cx.out->text.emplace_back(name, value);
        } else if (points == 1) {
            double v = 0;
            chk(H5Aread(attr.get(), H5T_NATIVE_DOUBLE, &v), what);
            cx.out->number.emplace_back(name, v);
        }
        return 0;
    };
    hsize_t idx = 0;
    check(H5Aiterate2(root, H5_INDEX_NAME, H5_ITER_INC, &idx, visit, &c),
          "reading the root attributes");
    return out;
}

void check_format(const attributes& a, const std::filesystem::path& file) {
    const auto text = [&](const std::string& k) -> const std::string* {
        for (const auto& kv: a.text)
            if (kv.first == k) return &kv.second;
        return nullptr;
    };
    const auto* format = text("format");
    if (!format || *format != checkpoint_format)
        refuse(file, "not a tradeeco checkpoint",
               std::string("attribute format = '") + checkpoint_format + "'",
               format ? "format = '" + *format + "'" : "no attribute format (a result file?)");
    const double version = number_attribute(a, "format_version", file);
    if (version != double(checkpoint_format_version))
        refuse(file, "checkpoint format version", std::to_string(checkpoint_format_version),
               std::to_string(std::int64_t(version)) +
                   " (made by another tradeeco version: rerun from the start)");
}

// Everything HDF5 reports while reading a sealed file is a refusal to restore.
template <class F>
auto as_checkpoint_error(F&& f) {
    error_silencer quiet;
    try {
        return f();
    } catch (const checkpoint_error&) {
        throw;
    } catch (const io_error& e) {
        throw checkpoint_error(e.what());
    }
}

} // namespace

const std::string& text_attribute(const attributes& a, const std::string& name,
                                  const std::filesystem::path& file) {
    for (const auto& kv: a.text)
        if (kv.first == name) return kv.second;
    refuse(file, "attribute " + name, "a text attribute", "none");
}

double number_attribute(const attributes& a, const std::string& name,
                        const std::filesystem::path& file) {
    for (const auto& kv: a.number)
        if (kv.first == name) return kv.second;
    refuse(file, "attribute " + name, "a number attribute", "none");
}

void write_checkpoint(const std::filesystem::path& target, const state_archive& state,
                      const attributes& meta) {
    error_silencer quiet;
    for (const auto& kv: meta.text)
        if (kv.first.rfind("format", 0) == 0 || kv.first.rfind("payload_", 0) == 0 ||
            kv.first == "created_at")
            throw model_error("checkpoint: attribute '" + kv.first +
                              "' is reserved for the format");
    temp_file temp;
    temp.path = temporary_for(target, writer_name);
    const checker check{&temp.path, writer_name};
    {
        handle fapl(check(H5Pcreate(H5P_FILE_ACCESS), "creating file access list"), H5Pclose);
        check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V18, H5F_LIBVER_V18),
              "setting file format bounds");
        check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_SEMI), "setting close degree");
        handle fcpl(check(H5Pcreate(H5P_FILE_CREATE), "creating file creation list"), H5Pclose);
        check(H5Pset_userblock(fcpl.get(), seal_bytes), "reserving the seal's block");
        handle file(check(H5Fcreate(temp.path.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()),
                          "creating the temporary file"),
                    H5Fclose);
        temp.armed = true;
        write_text_attribute(check, file.get(), "format", checkpoint_format);
        write_number_attribute(check, file.get(), "format_version", checkpoint_format_version);
        write_text_attribute(check, file.get(), "payload_sha256", state.sha256());
        write_number_attribute(check, file.get(), "payload_bytes", double(state.payload_bytes()));
        write_text_attribute(check, file.get(), "created_at", utc_now());
        write_attributes(check, file.get(), meta);
        handle group(
            check(H5Gcreate2(file.get(), state_group, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                  "creating group state"),
            H5Gclose);
        for (const auto& [name, e]: state.entries()) {
            if (name.empty() || name.find('/') != std::string::npos || name == ".")
                throw model_error("checkpoint: state entry '" + name +
                                  "' is not a valid dataset name");
            const std::string what = "writing state entry " + name;
            const auto types = types_of(check, e.type);
            const hsize_t n = e.count();
            handle space(check(H5Screate_simple(1, &n, nullptr), what), H5Sclose);
            handle ds(check(H5Dcreate2(group.get(), name.c_str(), types.file, space.get(),
                                       H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                            what),
                      H5Dclose);
            if (n > 0)
                check(
                    H5Dwrite(ds.get(), types.memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, e.data.data()),
                    what);
            check(ds.reset(), what);
        }
        check(group.reset(), "closing group state");
        check(file.reset(), "closing the file");
    }
    seal_file(temp.path, writer_name);
    std::error_code ec;
    std::filesystem::rename(temp.path, target, ec);
    if (ec)
        throw io_error(std::string(writer_name) + ": cannot rename " + temp.path.string() + " to " +
                       target.string() + ": " + ec.message());
    temp.armed = false;
}

namespace {

// Opens a checkpoint after checking its seal, and reads and checks its format attributes.
handle open_checkpoint(const checker& check, const std::filesystem::path& path, attributes& attrs) {
    verify_seal(path);
    handle file(check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "opening"), H5Fclose);
    attrs = read_root_attributes(check, file.get());
    check_format(attrs, path);
    return file;
}

} // namespace

attributes read_checkpoint_attributes(const std::filesystem::path& path) {
    return as_checkpoint_error([&] {
        attributes attrs;
        open_checkpoint(checker{&path, writer_name}, path, attrs);
        return attrs;
    });
}

state_archive read_checkpoint(const std::filesystem::path& path, attributes* meta) {
    return as_checkpoint_error([&] {
        const checker check{&path, writer_name};
        attributes attrs;
        const auto file = open_checkpoint(check, path, attrs);
        handle group(check(H5Gopen2(file.get(), state_group, H5P_DEFAULT), "opening group state"),
                     H5Gclose);
        std::vector<std::string> names;
        auto collect = [](hid_t, const char* name, const H5L_info_t*, void* out) -> herr_t {
            static_cast<std::vector<std::string>*>(out)->emplace_back(name);
            return 0;
        };
        hsize_t idx = 0;
        check(H5Literate(group.get(), H5_INDEX_NAME, H5_ITER_INC, &idx, collect, &names),
              "listing group state");
        state_archive state;
        for (const auto& name: names) {
            const std::string what = "reading state entry " + name;
            handle ds(check(H5Dopen2(group.get(), name.c_str(), H5P_DEFAULT), what), H5Dclose);
            handle dtype(check(H5Dget_type(ds.get()), what), H5Tclose);
            state_archive::entry e;
            if (!entry_type_of(dtype.get(), e.type))
                refuse(path, "state entry " + name, "a type tradeeco writes", "another HDF5 type");
            handle space(check(H5Dget_space(ds.get()), what), H5Sclose);
            const auto n = check(H5Sget_simple_extent_npoints(space.get()), what);
            e.data.resize(std::size_t(n) * value_size(e.type));
            const auto types = types_of(check, e.type);
            if (n > 0)
                check(H5Dread(ds.get(), types.memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, e.data.data()),
                      what);
            state.insert(name, std::move(e));
        }
        const auto& expected = text_attribute(attrs, "payload_sha256", path);
        const auto found = state.sha256();
        if (found != expected) refuse(path, "damaged state (payload SHA-256)", expected, found);
        if (meta) *meta = std::move(attrs);
        return state;
    });
}

} // namespace tradeeco::sim
