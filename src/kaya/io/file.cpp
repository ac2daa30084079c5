// SPDX-License-Identifier: MIT
#include "kaya/io/file.h"

#include "kaya/io/gzip.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <zlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "kaya/core/error.h"

namespace kaya::io {

std::string read_file(const std::string& path) {
    // A device or a pipe (/dev/zero, /dev/stdin) could be read forever: only regular files.
    struct stat st {};
    KAYA_CHECK(::stat(path.c_str(), &st) == 0, IoError, path, ": cannot open for reading: ", std::strerror(errno));
    KAYA_CHECK(S_ISREG(st.st_mode), IoError, path, ": not a regular file");
    std::ifstream in(path, std::ios::binary);
    KAYA_CHECK(in.good(), IoError, path, ": cannot open for reading: ", std::strerror(errno));
    std::ostringstream ss;
    ss << in.rdbuf();
    KAYA_CHECK(!in.bad(), IoError, path, ": read error");
    return ss.str();
}

namespace {
std::string dir_of(const std::string& path) {
    size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}
}  // namespace

void write_file_atomic(const std::string& path, std::string_view bytes) {
    std::string tmp = path + ".tmp." + std::to_string(::getpid());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    KAYA_CHECK(fd >= 0, IoError, tmp, ": cannot create: ", std::strerror(errno));
    size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int err = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            throw IoError(tmp + ": write failed: " + std::strerror(err));
        }
        done += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        throw IoError(tmp + ": fsync/close failed: " + std::strerror(err));
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        throw IoError(path + ": cannot rename temporary file into place: " + std::strerror(err));
    }
    // Persist the rename itself.
    int dfd = ::open(dir_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

std::string read_file_maybe_gzip(const std::string& path) {
    std::string bytes = read_file(path);
    return is_gzip(bytes) ? gunzip(bytes, path) : bytes;
}

}  // namespace kaya::io
