// SPDX-License-Identifier: MIT
#include "kaya/io/gzip.h"

#include <zlib.h>

#include "kaya/core/error.h"

namespace kaya::io {

bool is_gzip(std::string_view b) { return b.size() >= 2 && uint8_t(b[0]) == 0x1f && uint8_t(b[1]) == 0x8b; }

std::string gunzip(std::string_view bytes, const std::string& source) {
    KAYA_CHECK(is_gzip(bytes), ParseError, source, ": not gzip data (no 1f 8b magic)");
    std::string out;
    z_stream z{};
    // 16 + MAX_WBITS: a gzip header and trailer around the deflate stream.
    KAYA_CHECK(inflateInit2(&z, 16 + MAX_WBITS) == Z_OK, Error, source, ": zlib could not start");
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    z.avail_in = static_cast<uInt>(bytes.size());
    char buf[1 << 16];
    int rc = Z_OK;
    while (true) {
        z.next_out = reinterpret_cast<Bytef*>(buf);
        z.avail_out = sizeof buf;
        rc = inflate(&z, Z_NO_FLUSH);
        out.append(buf, sizeof buf - z.avail_out);
        if (rc == Z_STREAM_END) {
            // Another member may follow (concatenated .gz files).
            if (z.avail_in == 0 || !is_gzip(std::string_view(reinterpret_cast<const char*>(z.next_in), z.avail_in))) break;
            inflateReset(&z);
            continue;
        }
        if (rc != Z_OK || (z.avail_in == 0 && z.avail_out != 0)) break;
    }
    const std::string msg = z.msg ? z.msg : (rc == Z_OK || rc == Z_BUF_ERROR ? "unexpected end of data" : "error");
    const size_t read = bytes.size() - z.avail_in;
    inflateEnd(&z);
    KAYA_CHECK(rc == Z_STREAM_END, ParseError, source, ": gzip data corrupt or truncated at byte ", read, " of ",
               bytes.size(), ": ", msg);
    return out;
}

}  // namespace kaya::io
