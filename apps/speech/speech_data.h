// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

#include "apps/train/config.h"
#include "kaya/core/tensor.h"

namespace kaya::speech {

// One labelled recording, mono at the data's sample rate.
struct Recording {
    Tensor wave;  // (T) float32 in [-1, 1]
    int64_t label = 0;
    std::string speaker;  // "" when the source does not say.
    int64_t index = 0;    // FSDD's take number (0-49); -1 otherwise.
    std::string name;     // File name, for errors and reports.
};

// The [data] keys of the speech tasks.
//   source = "fsdd"      the Free Spoken Digit Dataset: data.path is its .tar.gz or a folder of
//                        its {digit}_{speaker}_{index}.wav files; the official split puts takes
//                        0-4 in the test set, or data.test_speaker = "theo" tests on one speaker
//                        and trains on the other five (speaker-independent)
//   source = "folder"    a user's recordings: data.train (and data.test) hold one folder per
//                        class of audio files in any format and rate libsndfile reads
//   source = "toy"       spoken-digit-like sounds the project synthesises (toy_speech.h):
//                        data.toy_per_class recordings of each of ten "words" (speakers toy0-3;
//                        data.test_speaker holds one out as for FSDD)
//   sample_rate = 8000   every recording is mixed to mono and resampled to this rate
//   val_fraction = 0.1   of the training recordings, held out to pick the epoch; seed
//   limit = 0            use only the first N recordings of each split (quick runs)
struct SpeechDataOptions {
    std::string source = "fsdd";
    std::string path, train, test, test_speaker;
    int64_t sample_rate = 8000;
    double val_fraction = 0.1;
    uint64_t seed = 0;
    int64_t limit = 0;
    int64_t toy_per_class = 40;

    static SpeechDataOptions read(const app::Config& cfg);
};

// A file a load skipped, and why.
struct Skipped {
    std::string name, reason;
};

struct SpeechData {
    std::vector<Recording> train, val, test;
    std::vector<std::string> classes;
    std::vector<Skipped> skipped;
    int64_t sample_rate = 8000;
    std::string description;  // One line for logs and the report.
};

// Loads, splits and describes the recordings. Files that cannot be decoded or whose names do
// not follow the source's pattern are skipped and listed (also in `description`); ValueError
// when nothing usable is left or a split is empty.
SpeechData load_speech_data(const SpeechDataOptions& options);

// FSDD's file name {digit}_{speaker}_{index}.wav parsed, or false when it does not match.
bool parse_fsdd_name(const std::string& name, int64_t& digit, std::string& speaker, int64_t& index);

// A user's recording as the tasks hear theirs: decoded, mixed to mono, resampled to `rate`.
Tensor load_wave(const std::string& path, int64_t rate);

}  // namespace kaya::speech
