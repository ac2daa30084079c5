// SPDX-License-Identifier: MIT
#include "kaya/audio/window.h"

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "kaya/core/error.h"
#include "kaya/ops/convert.h"
#include "kaya/ops/factory.h"

namespace kaya::audio {

Tensor make_window(WindowKind kind, int64_t length, bool periodic, DType dtype, double blackman_coeff) {
    KAYA_CHECK(length >= 1, ValueError, "make_window: length must be positive, got ", length);
    std::vector<double> w(length, 1.0);
    // A one-point window is 1 whatever its formula (torch's rule; the period would be 0).
    const double period = periodic ? static_cast<double>(length) : static_cast<double>(length - 1);
    if (length > 1) {
        for (int64_t n = 0; n < length; ++n) {
            const double a = 2.0 * std::numbers::pi * static_cast<double>(n) / period;
            switch (kind) {
                case WindowKind::Hann: w[n] = 0.5 - 0.5 * std::cos(a); break;
                case WindowKind::Hamming: w[n] = 0.54 - 0.46 * std::cos(a); break;
                case WindowKind::Povey: w[n] = std::pow(0.5 - 0.5 * std::cos(a), 0.85); break;
                case WindowKind::Rectangular: w[n] = 1.0; break;
                case WindowKind::Blackman:
                    w[n] = blackman_coeff - 0.5 * std::cos(a) + (0.5 - blackman_coeff) * std::cos(2.0 * a);
                    break;
            }
        }
    }
    return to(from_vector(w, {length}), dtype);
}

WindowKind parse_window(std::string_view name) {
    if (name == "hann" || name == "hanning") return WindowKind::Hann;
    if (name == "hamming") return WindowKind::Hamming;
    if (name == "povey") return WindowKind::Povey;
    if (name == "rectangular") return WindowKind::Rectangular;
    if (name == "blackman") return WindowKind::Blackman;
    throw ValueError(detail::concat("unknown window '", name,
                                    "': expected hann, hamming, povey, rectangular or blackman"));
}

std::string_view window_name(WindowKind kind) {
    switch (kind) {
        case WindowKind::Hann: return "hann";
        case WindowKind::Hamming: return "hamming";
        case WindowKind::Povey: return "povey";
        case WindowKind::Rectangular: return "rectangular";
        case WindowKind::Blackman: return "blackman";
    }
    return "?";
}

}  // namespace kaya::audio
