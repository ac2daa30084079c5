// SPDX-License-Identifier: MIT
#include "apps/tts/durations.h"

#include <sstream>

#include "kaya/core/error.h"
#include "kaya/io/file.h"
#include "kaya/ops/ops.h"

namespace kaya::tts {

std::vector<int64_t> durations_from_alignment(const Tensor& alignment, int64_t frames, int64_t reduction) {
    KAYA_CHECK(alignment.dim() == 2 && reduction >= 1 && frames >= 1, ShapeError,
               "durations_from_alignment: expected an alignment (steps, L), frames >= 1 and reduction >= 1, got ",
               describe(alignment), ", ", frames, ", ", reduction);
    const int64_t steps = (frames + reduction - 1) / reduction;
    KAYA_CHECK(alignment.shape()[0] >= steps, ShapeError, "durations_from_alignment: ", frames, " frames need ", steps,
               " steps of ", reduction, ", the alignment has ", alignment.shape()[0]);
    const std::vector<int64_t> focus = to_vector<int64_t>(argmax(narrow(alignment, 0, 0, steps), 1));
    std::vector<int64_t> d(static_cast<size_t>(alignment.shape()[1]), 0);
    for (int64_t s = 0; s < steps; ++s)
        d[static_cast<size_t>(focus[static_cast<size_t>(s)])] += std::min(reduction, frames - s * reduction);
    return d;
}

double focus_rate(const Tensor& alignment) {
    KAYA_CHECK(alignment.dim() == 2 && alignment.shape()[0] > 0, ShapeError,
               "focus_rate: expected an alignment (steps, L), got ", describe(alignment));
    return mean(amax(to(alignment, DType::Float64), {1})).item<double>();
}

void write_durations(const std::string& path, const std::map<std::string, std::vector<int64_t>>& durations) {
    std::string out;
    for (const auto& [id, d] : durations) {
        out += id + "\t";
        for (size_t i = 0; i < d.size(); ++i) out += (i ? " " : "") + std::to_string(d[i]);
        out += "\n";
    }
    io::write_file_atomic(path, out);
}

std::map<std::string, std::vector<int64_t>> read_durations(const std::string& path) {
    return parse_durations(io::read_file(path), path);
}

std::map<std::string, std::vector<int64_t>> parse_durations(const std::string& text, const std::string& path) {
    std::istringstream in(text);
    std::map<std::string, std::vector<int64_t>> out;
    std::string line;
    for (int64_t number = 1; std::getline(in, line); ++number) {
        if (line.empty()) continue;
        const size_t tab = line.find('\t');
        KAYA_CHECK(tab != std::string::npos && tab > 0, ParseError, path, ":", number,
                   ": expected 'id<TAB>durations'");
        std::vector<int64_t> d;
        std::istringstream nums(line.substr(tab + 1));
        std::string tok;
        while (nums >> tok) {
            size_t used = 0;
            int64_t v = -1;
            try {
                v = std::stoll(tok, &used);
            } catch (const std::logic_error&) {
            }
            KAYA_CHECK(used == tok.size() && v >= 0, ParseError, path, ":", number, ": '", tok,
                       "' is not a duration (a whole number of frames >= 0)");
            d.push_back(v);
        }
        KAYA_CHECK(!d.empty(), ParseError, path, ":", number, ": no durations");
        KAYA_CHECK(out.emplace(line.substr(0, tab), std::move(d)).second, ParseError, path, ":", number, ": id '",
                   line.substr(0, tab), "' appears twice");
    }
    KAYA_CHECK(!out.empty(), ParseError, path, ": no durations");
    return out;
}

}  // namespace kaya::tts
