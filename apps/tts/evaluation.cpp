// SPDX-License-Identifier: MIT
#include "apps/tts/evaluation.h"

#include <algorithm>
#include <numeric>

#include "apps/tts/scores.h"

namespace kaya::tts {

app::Metrics evaluate_free_running(const std::vector<SpeechItem>& items, const Synthesize& say,
                                   const std::string& prefix, int64_t longest) {
    std::vector<size_t> by_length(items.size());
    std::iota(by_length.begin(), by_length.end(), size_t{0});
    std::stable_sort(by_length.begin(), by_length.end(),
                     [&](size_t a, size_t b) { return items[a].text.size() > items[b].text.size(); });
    std::vector<bool> judged(items.size(), false);
    for (size_t k = 0; k < by_length.size() && static_cast<int64_t>(k) < longest; ++k) judged[by_length[k]] = true;
    double mcd = 0, l1 = 0, ratio = 0, frames = 0, seconds = 0;
    int64_t failures = 0, skipped = 0, repeated = 0, early = 0, never = 0, count = 0;
    for (size_t i = 0; i < items.size(); ++i) {
        const Synthesis s = say(items[i]);
        const SpeechDistance d = speech_distance(s.mel, items[i].mel);
        mcd += d.mcd;
        l1 += d.mel_l1;
        ratio += d.length_ratio;
        frames += static_cast<double>(s.mel.shape()[0]);
        seconds += s.seconds;
        if (!judged[i]) continue;
        ++count;
        AttentionFailures f;
        if (s.alignment.defined()) f = attention_failures(s.alignment, s.stopped);
        else f.never_stopped = !s.stopped;
        failures += !f.ok();
        skipped += f.skipped;
        repeated += f.repeated;
        early += f.stopped_early;
        never += f.never_stopped;
    }
    const auto n = static_cast<double>(std::max<size_t>(items.size(), 1));
    return {{prefix + "_mcd", mcd / n},
            {prefix + "_gen_mel_l1", l1 / n},
            {prefix + "_length_ratio", ratio / n},
            {prefix + "_frames_per_second", seconds > 0 ? frames / seconds : 0.0},
            {prefix + "_longest", static_cast<double>(count)},
            {prefix + "_failures", static_cast<double>(failures)},
            {prefix + "_skipped", static_cast<double>(skipped)},
            {prefix + "_repeated", static_cast<double>(repeated)},
            {prefix + "_stopped_early", static_cast<double>(early)},
            {prefix + "_never_stopped", static_cast<double>(never)}};
}

}  // namespace kaya::tts
