// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "apps/tts/fastspeech.h"
#include "apps/tts/features.h"
#include "apps/tts/tacotron.h"

namespace kaya::tts {

// Text to speech with a trained run (task tts_ar or tts_nar): what `kaya tts` and the report use.
class Synthesizer {
public:
    enum class Kind { autoregressive, non_autoregressive };
    // Reads RUN_DIR/model.safetensors. `expected` "ar", "nar" or "" (either): a model of the other
    // kind is refused, naming both. ValueError / ParseError naming the file for a run of another
    // task or damaged metadata.
    static Synthesizer load(const std::string& run_dir, const std::string& expected = "");

    struct Options {
        double speed = 1.0;           // Non-autoregressive only (> 0); the other kind refuses != 1.
        int64_t max_chars = 160;      // Longer text is said sentence by sentence (. ! ? ;).
        double pause_seconds = 0.25;  // Between those pieces.
        VocoderOptions vocoder;
        bool render = true;  // false: the mel frames only, no audio (samples empty): to time a model alone
    };
    struct Speech {
        Tensor samples;                   // (T) float32 at sample_rate
        std::vector<Tensor> mels;         // Log-mel of each piece said
        std::vector<Tensor> alignments;   // Autoregressive: attention (steps, L) of each piece
        std::vector<std::vector<int64_t>> durations;  // Non-autoregressive: frames per character
        std::vector<std::string> pieces;  // The normalised text of each piece
        std::string dropped;              // Characters that could not be said (warned about)
        double model_seconds = 0, vocoder_seconds = 0;
        int64_t frames = 0;
        int64_t unfinished = 0;           // Autoregressive pieces the length limit ended
    };
    // ValueError for empty text (or text with nothing speakable) and a bad speed.
    Speech say(const std::string& text, const Options& options) const;

    Kind kind() const { return kind_; }
    int64_t reduction() const { return ar_ ? ar_->options().reduction : nar_->options().reduction; }
    const MelConfig& mel() const { return mel_; }

private:
    Kind kind_ = Kind::autoregressive;
    MelConfig mel_;
    std::shared_ptr<Tacotron> ar_;
    std::shared_ptr<FastSpeech> nar_;
};

// Text cut into pieces of at most max_chars at sentence ends (. ! ? ;), then at commas, then at
// spaces; a single word longer than that stays whole.
std::vector<std::string> split_sentences(const std::string& normalized, int64_t max_chars);

}  // namespace kaya::tts
