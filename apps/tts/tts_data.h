// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "apps/train/config.h"
#include "apps/tts/features.h"
#include "kaya/data/dataloader.h"

namespace kaya::tts {

// Where a speech task's corpus comes from (config keys data.*). A corpus directory that does
// not exist yet is made first: `sentences_from` (LJ Speech's metadata, or "toy" for the
// embedded sentences) picks the sentences, espeak-ng speaks them.
struct TtsDataOptions {
    std::string corpus = "runs/tts_corpus";  // data.corpus
    // data.metadata: Kaya's metadata.tsv (made when missing), or an LJ Speech metadata file of
    // the corpus directory (real recordings, e.g. ../shared/data/tts/ljspeech_lj001 with
    // metadata_lj001.csv), read as it is.
    std::string metadata = "metadata.tsv";
    std::string sentences_from = "../shared/data/tts/ljspeech_lj001/metadata_all_13100.csv.gz";
    int64_t sentences = 3000;                // data.sentences
    int64_t min_chars = 20, max_chars = 140;  // data.min_chars, data.max_chars
    int64_t dev = 100, test = 200;           // data.dev, data.test: sentences held out
    uint64_t seed = 0;                       // data.seed: the choice of sentences and the split
    std::string voice = "en-us";             // data.voice, data.words_per_minute: espeak-ng's
    int64_t words_per_minute = 175;
    static TtsDataOptions read(const app::Config& cfg);
};

// One utterance ready for a model: its text as symbol ids (ending in kEnd) and its log-mel
// frames.
struct SpeechItem {
    std::string id, text;
    Tensor ids;  // (L) int64
    Tensor mel;  // (T, n_mels) float32
};

struct SpeechCorpus {
    std::vector<SpeechItem> train, dev, test;  // Split by sentence, seeded.
    std::string description;
};

// Reads (making it first if needed) the corpus and computes every utterance's log-mel.
SpeechCorpus load_speech_corpus(const TtsDataOptions& options, const MelConfig& mel, bool verbose);

// A split's items as examples {ids (L), mel (T, C)} (plus durations (L) when given).
class SpeechDataset : public data::Dataset {
public:
    SpeechDataset(const std::vector<SpeechItem>& items, std::vector<Tensor> durations = {});
    int64_t size() const override { return static_cast<int64_t>(examples_.size()); }
    data::Example get(int64_t i) const override { return examples_.at(static_cast<size_t>(i)); }
    std::vector<int64_t> frame_counts() const;  // For length bucketing.

private:
    std::vector<data::Example> examples_;
};

// Batches of SpeechDataset examples: {text (N, L) padded with 0, text lengths (N), mel (N, T, C)
// padded with `silence`, mel lengths (N)} and, when the examples have durations, durations
// (N, L) padded with 0.
data::Collate speech_collate(double silence);

}  // namespace kaya::tts
