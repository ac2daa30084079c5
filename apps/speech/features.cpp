// SPDX-License-Identifier: MIT
#include "apps/speech/features.h"

#include "apps/train/metadata.h"
#include "kaya/audio/kaldi.h"
#include "kaya/audio/mel.h"
#include "kaya/ops/ops.h"

namespace kaya::speech {

FeatureOptions FeatureOptions::read(const app::Config& cfg, const FeatureOptions& defaults) {
    FeatureOptions o = defaults;
    o.kind = cfg.get_choice("features.kind", o.kind, {"mfcc", "fbank"});
    o.num_mel_bins = cfg.get_int("features.num_mel_bins", o.num_mel_bins, 4, 256);
    o.num_ceps = cfg.get_int("features.num_ceps", o.num_ceps, 1, 256);
    if (o.kind == "mfcc" && o.num_ceps > o.num_mel_bins) {
        cfg.fail("features.num_ceps", "features.num_ceps must not exceed features.num_mel_bins");
    }
    o.deltas = cfg.get_int("features.deltas", o.deltas, 0, 2);
    o.cmvn = cfg.get_bool("features.cmvn", o.cmvn);
    o.frame_length_ms = cfg.get_double("features.frame_length_ms", o.frame_length_ms, 1, 1000);
    o.frame_shift_ms = cfg.get_double("features.frame_shift_ms", o.frame_shift_ms, 0.1, 1000);
    o.low_freq = cfg.get_double("features.low_freq", o.low_freq, 0, 1e6);
    o.high_freq = cfg.get_double("features.high_freq", o.high_freq, -1e6, 1e6);
    return o;
}

std::string FeatureOptions::describe() const {
    std::string s = std::to_string(dim()) + " " + (kind == "mfcc" ? "MFCC" : "log mel") + " features (" +
                    std::to_string(base_dim()) + (deltas == 0 ? "" : deltas == 1 ? " + deltas" : " + deltas + delta-deltas") +
                    (cmvn ? ", mean/variance normalised" : "") + ") of ";
    auto ms = [](double v) {
        std::string t = std::to_string(v);
        t.erase(t.find_last_not_of('0') + 1);
        if (!t.empty() && t.back() == '.') t.pop_back();
        return t;
    };
    return s + ms(frame_length_ms) + " ms frames every " + ms(frame_shift_ms) + " ms";
}

std::map<std::string, std::string> FeatureOptions::metadata() const {
    return {{"features.kind", kind},
            {"features.num_mel_bins", std::to_string(num_mel_bins)},
            {"features.num_ceps", std::to_string(num_ceps)},
            {"features.deltas", std::to_string(deltas)},
            {"features.cmvn", cmvn ? "1" : "0"},
            {"features.frame_length_ms", std::to_string(frame_length_ms)},
            {"features.frame_shift_ms", std::to_string(frame_shift_ms)},
            {"features.low_freq", std::to_string(low_freq)},
            {"features.high_freq", std::to_string(high_freq)}};
}

FeatureOptions FeatureOptions::from_metadata(const std::map<std::string, std::string>& m, const std::string& source) {
    const app::MetadataReader r(m, source, "a speech classifier's weights");
    FeatureOptions o;
    o.kind = r.text("features.kind");
    KAYA_CHECK(o.kind == "mfcc" || o.kind == "fbank", ParseError, source, ": unknown features.kind '", o.kind, "'");
    o.num_mel_bins = r.number<int64_t>("features.num_mel_bins");
    o.num_ceps = r.number<int64_t>("features.num_ceps");
    o.deltas = r.number<int64_t>("features.deltas");
    o.cmvn = r.number<int64_t>("features.cmvn") != 0;
    o.frame_length_ms = r.number<double>("features.frame_length_ms");
    o.frame_shift_ms = r.number<double>("features.frame_shift_ms");
    o.low_freq = r.number<double>("features.low_freq");
    o.high_freq = r.number<double>("features.high_freq");
    KAYA_CHECK(o.num_mel_bins > 3 && o.num_mel_bins <= 256 && o.num_ceps >= 1 && o.num_ceps <= o.num_mel_bins &&
                   o.deltas >= 0 && o.deltas <= 2,
               ParseError, source, ": metadata gives invalid feature sizes");
    return o;
}

Tensor compute_features(const Tensor& wave, int64_t sample_rate, const FeatureOptions& o, const std::string& name) {
    autograd::NoGradGuard no_grad;
    audio::KaldiOptions k;
    k.sample_frequency = static_cast<double>(sample_rate);
    k.frame_length_ms = o.frame_length_ms;
    k.frame_shift_ms = o.frame_shift_ms;
    k.num_mel_bins = o.num_mel_bins;
    k.num_ceps = o.num_ceps;
    k.low_freq = o.low_freq;
    k.high_freq = o.high_freq;
    Tensor base;
    try {
        base = o.kind == "mfcc" ? audio::kaldi_mfcc(wave, k) : audio::kaldi_fbank(wave, k);  // (frames, d)
    } catch (const Error& e) {
        throw ValueError(name + ": " + e.what());
    }
    Tensor feats = transpose(base, 0, 1);  // (d, frames): deltas and CMVN run along time.
    std::vector<Tensor> parts{feats};
    for (int64_t i = 0; i < o.deltas; ++i) parts.push_back(audio::compute_deltas(parts.back()));
    Tensor all = cat(parts, 0);
    if (o.cmvn) all = audio::cmvn(all, -1, true);
    return contiguous(transpose(all, 0, 1));
}

}  // namespace kaya::speech
