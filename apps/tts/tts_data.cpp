// SPDX-License-Identifier: MIT
#include "apps/tts/tts_data.h"

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "apps/train/progress.h"
#include "apps/tts/corpus.h"
#include "apps/tts/text.h"
#include "kaya/audio/audio_file.h"
#include "kaya/core/error.h"
#include "kaya/core/random.h"
#include "kaya/data/collate.h"
#include "kaya/ops/ops.h"

namespace kaya::tts {

namespace fs = std::filesystem;

TtsDataOptions TtsDataOptions::read(const app::Config& cfg) {
    TtsDataOptions o;
    o.corpus = cfg.get_string("data.corpus", o.corpus);
    o.metadata = cfg.get_string("data.metadata", o.metadata);
    o.sentences_from = cfg.get_string("data.sentences_from", o.sentences_from);
    o.sentences = cfg.get_int("data.sentences", o.sentences, 3, 100000);
    o.min_chars = cfg.get_int("data.min_chars", o.min_chars, 1, 10000);
    o.max_chars = cfg.get_int("data.max_chars", o.max_chars, o.min_chars, 10000);
    o.dev = cfg.get_int("data.dev", o.dev, 1, 100000);
    o.test = cfg.get_int("data.test", o.test, 1, 100000);
    o.seed = static_cast<uint64_t>(cfg.get_int("data.seed", 0, 0, INT64_MAX));
    o.voice = cfg.get_string("data.voice", o.voice);
    o.words_per_minute = cfg.get_int("data.words_per_minute", o.words_per_minute, 80, 450);
    return o;
}

namespace {

void make_corpus_if_missing(const TtsDataOptions& o, bool verbose) {
    if (o.metadata != "metadata.tsv") return;  // Someone else's recordings: read as they are.
    if (fs::exists(o.corpus + "/metadata.tsv") && fs::exists(o.corpus + "/corpus.json")) return;
    const std::vector<Utterance> sentences =
        o.sentences_from == "toy"
            ? toy_sentences(o.sentences, o.seed)
            : select_sentences(read_lj_metadata(o.sentences_from),
                               {.count = o.sentences, .min_chars = o.min_chars, .max_chars = o.max_chars,
                                .seed = o.seed});
    if (verbose)
        std::fprintf(stderr, "making the speech corpus %s: espeak-ng speaks %zu sentences\n", o.corpus.c_str(),
                     sentences.size());
    make_espeak_corpus(sentences, o.corpus, {.voice = o.voice, .words_per_minute = o.words_per_minute}, verbose);
}

}  // namespace

SpeechCorpus load_speech_corpus(const TtsDataOptions& o, const MelConfig& mel, bool verbose) {
    const auto t0 = std::chrono::steady_clock::now();
    make_corpus_if_missing(o, verbose);
    int64_t left_out = 0;
    const std::vector<Utterance> utterances = read_corpus(o.corpus, o.metadata, &left_out);
    KAYA_CHECK(static_cast<int64_t>(utterances.size()) > o.dev + o.test, ValueError, o.corpus, " holds ",
               utterances.size(), " sentences: too few for data.dev = ", o.dev, " and data.test = ", o.test,
               " held out and some to train on");
    std::vector<SpeechItem> items;
    app::Progress progress("features", static_cast<int64_t>(utterances.size()), "utterances");
    progress.set_enabled(verbose && progress.enabled());
    double seconds = 0;
    for (const auto& u : utterances) {
        const std::string wav = o.corpus + "/wavs/" + u.id + ".wav";
        audio::Audio a = audio::load_audio(wav);
        Tensor samples = audio::to_mono(a.samples);
        if (a.sample_rate != mel.sample_rate) samples = audio::resample(samples, a.sample_rate, mel.sample_rate);
        seconds += static_cast<double>(samples.shape()[0]) / static_cast<double>(mel.sample_rate);
        const std::vector<int64_t> ids = Symbols::encode(u.text);
        items.push_back({u.id, u.text, from_vector<int64_t>(ids, {static_cast<int64_t>(ids.size())}),
                         log_mel(samples, mel)});
        progress.update(static_cast<int64_t>(items.size()));
    }
    progress.finish();
    // Seeded split by sentence (each text is one sentence): test, then dev, then the rest.
    std::vector<size_t> order(items.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    Generator g(o.seed ^ 0x5eed5917ULL);
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[g.bits(i) % i]);
    std::vector<bool> in_test(items.size()), in_dev(items.size());
    for (size_t k = 0; k < order.size(); ++k) {
        if (static_cast<int64_t>(k) < o.test) in_test[order[k]] = true;
        else if (static_cast<int64_t>(k) < o.test + o.dev) in_dev[order[k]] = true;
    }
    SpeechCorpus c;
    for (size_t i = 0; i < items.size(); ++i) (in_test[i] ? c.test : in_dev[i] ? c.dev : c.train).push_back(items[i]);
    char buf[400];
    std::snprintf(buf, sizeof buf,
                  "%s: %zu sentences, %.1f minutes of speech; train %zu / dev %zu / test %zu (seed %llu); log-mel "
                  "%lld bands, %.1f frames a second; read in %.1f s",
                  o.corpus.c_str(), items.size(), seconds / 60, c.train.size(), c.dev.size(), c.test.size(),
                  static_cast<unsigned long long>(o.seed), static_cast<long long>(mel.n_mels),
                  mel.frames_per_second(),
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    c.description = buf;
    if (left_out > 0) c.description += "; " + std::to_string(left_out) + " utterances left out (characters the models cannot say)";
    return c;
}

SpeechDataset::SpeechDataset(const std::vector<SpeechItem>& items, std::vector<Tensor> durations) {
    KAYA_CHECK(durations.empty() || durations.size() == items.size(), ValueError, "SpeechDataset: ",
               durations.size(), " duration rows for ", items.size(), " utterances");
    for (size_t i = 0; i < items.size(); ++i) {
        data::Example e{items[i].ids, items[i].mel};
        if (!durations.empty()) e.push_back(durations[i]);
        examples_.push_back(std::move(e));
    }
}

std::vector<int64_t> SpeechDataset::frame_counts() const {
    std::vector<int64_t> out;
    for (const auto& e : examples_) out.push_back(e[1].shape()[0]);
    return out;
}

data::Collate speech_collate(double silence) {
    return [silence](const std::vector<data::Example>& batch) {
        std::vector<Tensor> text, mel, durations;
        for (const auto& e : batch) {
            text.push_back(e.at(0));
            mel.push_back(e.at(1));
            if (e.size() > 2) durations.push_back(e[2]);
        }
        data::Example out{data::pad_sequence(text, true, 0.0), data::sequence_lengths(text),
                          data::pad_sequence(mel, true, silence), data::sequence_lengths(mel)};
        if (!durations.empty()) out.push_back(data::pad_sequence(durations, true, 0.0));
        return out;
    };
}

}  // namespace kaya::tts
