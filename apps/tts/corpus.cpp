// SPDX-License-Identifier: MIT
#include "apps/tts/corpus.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

#include "apps/text/utf8.h"
#include "apps/train/progress.h"
#include "apps/tts/text.h"
#include "kaya/core/error.h"
#include "kaya/core/random.h"
#include "kaya/io/file.h"
#include "kaya/io/json.h"

namespace kaya::tts {

namespace fs = std::filesystem;

namespace {

// An id names its WAV (wavs/<id>.wav): no path separators, no leading dot, nothing a shell or
// another system would read differently.
void check_id(const std::string& id, const std::string& source, int64_t line) {
    bool ok = !id.empty() && id.size() <= 200 && id[0] != '.';
    for (char c : id) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.');
    KAYA_CHECK(ok, ParseError, source, ":", line, ": id '", id.substr(0, 80),
               "' cannot name a WAV file (letters, digits, '-', '_' and '.', not first)");
}

}  // namespace

std::vector<Utterance> parse_lj_metadata(const std::string& content, const std::string& source) {
    std::vector<Utterance> out;
    text::for_each_line(content, source, [&](int64_t n, std::string_view line) {
        if (line.empty()) return;
        const size_t a = line.find('|'), b = a == std::string_view::npos ? a : line.find('|', a + 1);
        KAYA_CHECK(b != std::string_view::npos && a > 0, ParseError, source, ":", n,
                   ": expected 'id|text|normalised text', got '", line.substr(0, 80), "'");
        Utterance u{std::string(line.substr(0, a)), std::string(line.substr(b + 1))};
        check_id(u.id, source, n);
        out.push_back(std::move(u));
    });
    KAYA_CHECK(!out.empty(), ParseError, source, ": no utterances");
    return out;
}

std::vector<Utterance> read_lj_metadata(const std::string& path) {
    return parse_lj_metadata(io::read_file_maybe_gzip(path), path);
}

std::vector<Utterance> parse_corpus_metadata(const std::string& content, const std::string& source) {
    std::vector<Utterance> out;
    std::set<std::string> ids;
    text::for_each_line(content, source, [&](int64_t n, std::string_view line) {
        if (line.empty()) return;
        const size_t tab = line.find('\t');
        KAYA_CHECK(tab != std::string_view::npos && tab > 0 && tab + 1 < line.size(), ParseError, source, ":", n,
                   ": expected 'id<TAB>text'");
        Utterance u{std::string(line.substr(0, tab)), std::string(line.substr(tab + 1))};
        check_id(u.id, source, n);
        KAYA_CHECK(ids.insert(u.id).second, ParseError, source, ":", n, ": id '", u.id, "' appears twice");
        const std::string normal = normalize_text(u.text).text;
        KAYA_CHECK(normal == u.text, ParseError, source, ":", n, ": text '", u.text,
                   "' is not normalised (it should read '", normal, "')");
        out.push_back(std::move(u));
    });
    KAYA_CHECK(!out.empty(), ParseError, source, ": no utterances");
    return out;
}

std::vector<Utterance> select_sentences(const std::vector<Utterance>& all, const SentenceFilter& f) {
    std::vector<size_t> keep;
    std::vector<std::string> plain(all.size());
    std::set<std::string> seen;  // A text said twice is one sentence (it may not be in two parts).
    for (size_t i = 0; i < all.size(); ++i) {
        const NormalizedText t = normalize_text(all[i].text);
        plain[i] = t.text;
        const auto n = static_cast<int64_t>(t.text.size());
        if (t.dropped.empty() && n >= f.min_chars && n <= f.max_chars && seen.insert(t.text).second) keep.push_back(i);
    }
    // A seeded shuffle (Fisher-Yates on the counter-based generator), the first `count` kept.
    Generator g(f.seed);
    for (size_t i = keep.size(); i > 1; --i) std::swap(keep[i - 1], keep[g.bits(i) % i]);
    keep.resize(std::min(keep.size(), static_cast<size_t>(std::max<int64_t>(f.count, 0))));
    std::sort(keep.begin(), keep.end());
    std::vector<Utterance> out;
    for (size_t i : keep) out.push_back({all[i].id, plain[i]});
    return out;
}

std::vector<Utterance> toy_sentences(int64_t count, uint64_t seed) {
    static const char* subjects[] = {"the old miller", "a young girl", "my brother", "the tall sailor", "our teacher",
                                     "the little dog", "a quiet man", "her mother", "the farmer", "his friend"};
    static const char* verbs[] = {"sees", "paints", "finds", "carries", "likes", "sells", "keeps", "wants", "opens",
                                  "brings"};
    static const char* objects[] = {"a red boat", "the green door", "some fresh bread", "a heavy box",
                                    "the blue kite", "an apple", "the silver key", "a small book", "the warm coat",
                                    "a wooden chair"};
    static const char* endings[] = {".", "?", ", and smiles.", " today.", " again!"};
    KAYA_CHECK(count >= 0 && count <= 2000, ValueError, "toy_sentences: count must be in [0, 2000], got ", count);
    Generator g(seed);
    std::set<std::string> seen;
    std::vector<Utterance> out;
    for (uint64_t c = 0; static_cast<int64_t>(out.size()) < count; c += 4) {
        std::string s = std::string(subjects[g.bits(c) % 10]) + " " + verbs[g.bits(c + 1) % 10] + " " +
                        objects[g.bits(c + 2) % 10] + endings[g.bits(c + 3) % 5];
        if (!seen.insert(s).second) continue;
        char id[16];
        std::snprintf(id, sizeof id, "toy%04zu", out.size());
        out.push_back({id, s});
    }
    return out;
}

void make_espeak_corpus(const std::vector<Utterance>& sentences, const std::string& dir, const EspeakOptions& o,
                        bool verbose) {
    KAYA_CHECK(!sentences.empty(), ValueError, "make_espeak_corpus: no sentences for ", dir);
    const std::string version = espeak_version(o);
    fs::create_directories(dir + "/wavs");
    std::string tsv;
    for (const auto& u : sentences) tsv += u.id + "\t" + u.text + "\n";
    io::write_file_atomic(dir + "/metadata.tsv", tsv);
    app::Progress progress("speaking", static_cast<int64_t>(sentences.size()), "sentences");
    progress.set_enabled(verbose && progress.enabled());
    for (size_t i = 0; i < sentences.size(); ++i) {
        const std::string wav = dir + "/wavs/" + sentences[i].id + ".wav";
        if (!fs::exists(wav)) espeak_to_wav(sentences[i].text, wav, o);
        progress.update(static_cast<int64_t>(i + 1));
    }
    progress.finish();
    io::write_file_atomic(dir + "/corpus.json",
                          "{\"speaker\": " + io::json_quote(version) + ", \"voice\": " + io::json_quote(o.voice) +
                              ", \"words_per_minute\": " + std::to_string(o.words_per_minute) +
                              ", \"sentences\": " + std::to_string(sentences.size()) + "}\n");
}

namespace {

std::vector<Utterance> read_lj_corpus(const std::string& dir, const std::string& metadata, int64_t* left_out) {
    std::vector<Utterance> out;
    int64_t dropped = 0;
    for (const auto& u : read_lj_metadata(dir + "/" + metadata)) {
        const NormalizedText t = normalize_text(u.text);
        if (!t.dropped.empty() || t.text.empty()) {
            ++dropped;
            continue;
        }
        KAYA_CHECK(fs::exists(dir + "/wavs/" + u.id + ".wav"), IoError, dir, "/", metadata, ": ", dir, "/wavs/", u.id,
                   ".wav is missing");
        out.push_back({u.id, t.text});
    }
    if (left_out) *left_out = dropped;
    KAYA_CHECK(!out.empty(), ParseError, dir, "/", metadata, ": no utterance that can be said");
    return out;
}

}  // namespace

std::vector<Utterance> read_corpus(const std::string& dir, const std::string& metadata, int64_t* left_out) {
    if (metadata != "metadata.tsv") return read_lj_corpus(dir, metadata, left_out);
    if (left_out) *left_out = 0;
    const std::string path = dir + "/metadata.tsv";
    KAYA_CHECK(fs::exists(path), IoError, dir, " is not a speech corpus: no metadata.tsv (kaya train configs/tts_ar.toml makes one in data.corpus)");
    std::vector<Utterance> out = parse_corpus_metadata(io::read_file(path), path);
    for (const auto& u : out) {
        KAYA_CHECK(fs::exists(dir + "/wavs/" + u.id + ".wav"), IoError, path, ": ", dir, "/wavs/", u.id,
                   ".wav is missing (delete corpus.json there: the next kaya train speaks the missing sentences)");
    }
    return out;
}

}  // namespace kaya::tts
