// SPDX-License-Identifier: MIT
#pragma once

#include <string>

#include "kaya/core/error.h"

namespace kaya::test {

// The message of the kaya::Error that f throws, or "" when it returns. Any other exception
// propagates (and fails the test).
template <class F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace kaya::test
