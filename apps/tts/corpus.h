// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "apps/tts/espeak.h"

namespace kaya::tts {

// One sentence of a corpus: its id (the WAV's name) and its text, normalised (normalize_text).
struct Utterance {
    std::string id;
    std::string text;
};

// LJ Speech's metadata ("id|raw text|normalised text" lines, plain or gzip): the third column
// (numbers already in words) as it is. ParseError naming file:line for a malformed line or an
// id that cannot name a WAV file (letters, digits, '-', '_' and '.', not first).
std::vector<Utterance> read_lj_metadata(const std::string& path);
std::vector<Utterance> parse_lj_metadata(const std::string& text, const std::string& source);

// A corpus's metadata.tsv ("id<TAB>text" lines): ParseError naming source:line for a malformed
// line, an id that cannot name a WAV file or appears twice, or text that is not normalised.
std::vector<Utterance> parse_corpus_metadata(const std::string& text, const std::string& source);

// Which sentences to speak: those normalize_text keeps whole (nothing dropped), of min_chars to
// max_chars characters once normalised, each text once, `count` of them chosen at random
// (seeded), kept in their file order, their text normalised.
struct SentenceFilter {
    int64_t count = 3000;
    int64_t min_chars = 20;
    int64_t max_chars = 140;
    uint64_t seed = 0;
};
std::vector<Utterance> select_sentences(const std::vector<Utterance>& all, const SentenceFilter& filter);

// Short distinct sentences from a small grammar ("the old miller sees a red boat.", questions,
// commas): the embedded default of tests and `kaya tour`, no data file needed. At most 2,000.
std::vector<Utterance> toy_sentences(int64_t count, uint64_t seed);

// Makes (or completes) a corpus directory: metadata.tsv ("id<TAB>text" per line), wavs/<id>.wav
// spoken by espeak-ng, corpus.json (voice, rate, espeak-ng's version, count). WAVs already there
// are kept, so a killed run goes on where it stopped; metadata.tsv is written first, atomically.
// Shows progress (rate, ETA) when `verbose` and stderr is a terminal.
void make_espeak_corpus(const std::vector<Utterance>& sentences, const std::string& dir, const EspeakOptions& options,
                        bool verbose);

// A corpus directory's utterances. ParseError naming metadata.tsv:line for a malformed line, a
// duplicate id or text that is not normalised; IoError for a missing WAV.
// With `metadata` naming another file of the directory, that file is read as LJ Speech's
// "id|raw|normalised" (plain or .gz): real recordings in dir/wavs, the text normalised, and
// utterances with characters that cannot be said left out (counted in `left_out`).
std::vector<Utterance> read_corpus(const std::string& dir, const std::string& metadata = "metadata.tsv",
                                   int64_t* left_out = nullptr);

}  // namespace kaya::tts
