// SPDX-License-Identifier: MIT
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace kaya {

// Base of every error the library throws on misuse. Messages name the function, what it
// expected and what it got (shapes as [2, 3], dtypes by name).
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Incompatible or invalid shapes: matmul inner sizes, broadcasting, view sizes.
class ShapeError : public Error {
public:
    using Error::Error;
};

// Wrong or unsupported dtype for an op (e.g. exp of an int64 tensor).
class DTypeError : public Error {
public:
    using Error::Error;
};

// A value outside its domain: negative size, bad option, modified saved tensor.
class ValueError : public Error {
public:
    using Error::Error;
};

// Index or dimension out of range.
class IndexError : public Error {
public:
    using Error::Error;
};

// File could not be read or written.
class IoError : public Error {
public:
    using Error::Error;
};

// A file was read but its contents do not follow the format; message carries file:line:col.
class ParseError : public IoError {
public:
    using IoError::IoError;
};

// A valid request the library does not support (yet), e.g. an op on a device without a kernel.
class NotImplemented : public Error {
public:
    using Error::Error;
};

namespace detail {
template <class... Args>
std::string concat(const Args&... args) {
    std::ostringstream os;
    (os << ... << args);
    return os.str();
}
}  // namespace detail

}  // namespace kaya

// Throws ErrorType with the concatenated message when cond is false. The message is built
// only on failure, so the arguments may be expensive to format.
#define KAYA_CHECK(cond, ErrorType, ...)                                  \
    do {                                                                  \
        if (!(cond)) [[unlikely]] {                                       \
            throw ErrorType(::kaya::detail::concat(__VA_ARGS__));         \
        }                                                                 \
    } while (0)

// Internal invariant; compiled out of release builds. Never used for user input.
#ifdef NDEBUG
#define KAYA_ASSERT(cond) ((void)0)
#else
#define KAYA_ASSERT(cond)                                                                    \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            throw std::logic_error(::kaya::detail::concat(__FILE__, ":", __LINE__,           \
                                                          ": internal assertion failed: ", #cond)); \
        }                                                                                    \
    } while (0)
#endif
