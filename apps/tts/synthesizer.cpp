// SPDX-License-Identifier: MIT
#include "apps/tts/synthesizer.h"

#include <chrono>
#include <cmath>
#include <filesystem>

#include "apps/tts/fastspeech_task.h"
#include "apps/tts/tacotron_task.h"
#include "apps/tts/text.h"
#include "kaya/core/error.h"
#include "kaya/io/safetensors.h"
#include "kaya/ops/ops.h"

namespace kaya::tts {

namespace {

using Clock = std::chrono::steady_clock;

TacotronOptions tacotron_from(const std::map<std::string, std::string>& m, const std::string& src) {
    TacotronOptions o;
    sizes_from_metadata(m, src, tacotron_sizes(), o);
    return o;
}

FastSpeechOptions fastspeech_from(const std::map<std::string, std::string>& m, const std::string& src) {
    FastSpeechOptions o;
    sizes_from_metadata(m, src, fastspeech_sizes(), o);
    return o;
}

}  // namespace

Synthesizer Synthesizer::load(const std::string& run_dir, const std::string& expected) {
    const std::string path = run_dir + "/model.safetensors";
    KAYA_CHECK(std::filesystem::exists(path), IoError, run_dir, " holds no model.safetensors (train one with kaya train "
               "configs/tts_ar.toml or configs/tts_nar.toml)");
    const io::SafetensorsFile f = io::load_safetensors(path);
    const auto task = f.metadata.find("task");
    const std::string kind = task == f.metadata.end() ? "" : task->second == "tts_ar" ? "ar" : task->second == "tts_nar" ? "nar" : "";
    KAYA_CHECK(!kind.empty(), ValueError, path, " is not a text-to-speech model (task '",
               task == f.metadata.end() ? std::string("unknown") : task->second, "', expected tts_ar or tts_nar)");
    KAYA_CHECK(expected.empty() || expected == kind, ValueError, "--model ", expected, " asked for, but ", path,
               " holds the ", kind == "ar" ? "autoregressive (tts_ar)" : "non-autoregressive (tts_nar)",
               " model: use --model ", kind);
    KAYA_CHECK(f.metadata.count("symbols") && f.metadata.at("symbols") == Symbols::symbols(), ValueError, path,
               ": the model reads other symbols than this build of Kaya ('",
               f.metadata.count("symbols") ? f.metadata.at("symbols") : std::string(), "')");
    Synthesizer s;
    s.mel_ = MelConfig::from_metadata(f.metadata, path);
    if (kind == "ar") {
        TacotronOptions o = tacotron_from(f.metadata, path);
        o.n_mels = s.mel_.n_mels;
        s.ar_ = std::make_shared<Tacotron>(o);
        s.ar_->load_state_dict(f.tensors);
        s.ar_->eval();
    } else {
        FastSpeechOptions o = fastspeech_from(f.metadata, path);
        o.n_mels = s.mel_.n_mels;
        s.nar_ = std::make_shared<FastSpeech>(o);
        s.nar_->load_state_dict(f.tensors);
        s.nar_->eval();
        s.kind_ = Kind::non_autoregressive;
    }
    return s;
}

std::vector<std::string> split_sentences(const std::string& text, int64_t max_chars) {
    const auto limit = static_cast<size_t>(std::max<int64_t>(max_chars, 1));
    std::vector<std::string> out;
    std::string rest = text;
    while (rest.size() > limit) {
        size_t cut = std::string::npos;
        for (const char* marks : {".!?;", ",", " "}) {
            const size_t at = rest.find_last_of(marks, limit - 1);
            if (at != std::string::npos && at > 0) {
                cut = at + 1;
                break;
            }
        }
        if (cut == std::string::npos) cut = rest.find(' ', limit);  // One long word: keep it whole.
        if (cut == std::string::npos) break;
        std::string piece = rest.substr(0, cut);
        while (!piece.empty() && piece.back() == ' ') piece.pop_back();
        if (!piece.empty()) out.push_back(piece);
        rest = rest.substr(cut);
        while (!rest.empty() && rest.front() == ' ') rest.erase(0, 1);
    }
    if (!rest.empty()) out.push_back(rest);
    return out;
}

Synthesizer::Speech Synthesizer::say(const std::string& raw, const Options& o) const {
    KAYA_CHECK(std::isfinite(o.speed) && o.speed > 0, ValueError, "--speed must be a positive number, got ", o.speed);
    KAYA_CHECK(kind_ == Kind::non_autoregressive || o.speed == 1.0, ValueError,
               "the autoregressive model decides its own pace: --speed ", o.speed,
               " needs the non-autoregressive model (--model nar)");
    const NormalizedText t = normalize_text(raw);
    KAYA_CHECK(!t.text.empty(), ValueError, raw.empty() ? std::string("nothing to say: the text is empty")
                                                        : "nothing to say: no character of '" + raw.substr(0, 60) +
                                                              "' can be spoken");
    Speech s;
    s.dropped = t.dropped;
    s.pieces = split_sentences(t.text, o.max_chars);
    std::vector<Tensor> audio;
    const auto pause = zeros({static_cast<int64_t>(o.pause_seconds * static_cast<double>(mel_.sample_rate))});
    for (size_t i = 0; i < s.pieces.size(); ++i) {
        const std::vector<int64_t> ids = Symbols::encode(s.pieces[i]);
        const Tensor text = from_vector<int64_t>(ids, {static_cast<int64_t>(ids.size())});
        const auto t0 = Clock::now();
        Tensor mel;
        if (ar_) {
            const int64_t max_steps = (20 * text.shape()[0] + ar_->options().reduction - 1) / ar_->options().reduction;
            Tacotron::Generated g = ar_->generate(text, max_steps);
            s.unfinished += !g.stopped;
            mel = g.mel;
            s.alignments.push_back(g.alignment);
        } else {
            FastSpeech::Generated g = nar_->generate(text, o.speed);
            mel = g.mel;
            s.durations.push_back(g.durations);
        }
        const auto t1 = Clock::now();
        if (o.render) {
            if (i > 0) audio.push_back(pause);
            audio.push_back(mel_to_audio(mel, mel_, o.vocoder));
        }
        s.model_seconds += std::chrono::duration<double>(t1 - t0).count();
        s.vocoder_seconds += std::chrono::duration<double>(Clock::now() - t1).count();
        s.frames += mel.shape()[0];
        s.mels.push_back(mel);
    }
    s.samples = audio.empty() ? zeros({0}) : cat(audio, 0);
    return s;
}

}  // namespace kaya::tts
