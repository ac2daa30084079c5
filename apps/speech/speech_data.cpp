// SPDX-License-Identifier: MIT
#include "apps/speech/speech_data.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "apps/speech/toy_speech.h"
#include "kaya/audio/audio_file.h"
#include "kaya/core/random.h"
#include "kaya/io/file.h"
#include "kaya/io/gzip.h"
#include "kaya/io/tar.h"
#include "kaya/ops/ops.h"

namespace kaya::speech {
namespace {

namespace fs = std::filesystem;

const std::set<std::string> kAudioExtensions = {".wav", ".flac", ".ogg", ".aiff", ".aif", ".au", ".snd"};

bool is_audio_name(const std::string& name) {
    std::string ext = fs::path(name).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return kAudioExtensions.count(ext) > 0;
}

// Decoded, mono, at `rate`; a decoding error becomes a Skipped entry.
bool decode(const std::string& bytes_or_path, bool is_path, const std::string& name, int64_t rate, Tensor& wave,
            std::vector<Skipped>& skipped) {
    try {
        audio::Audio a = is_path ? audio::load_audio(bytes_or_path) : audio::load_audio_bytes(bytes_or_path, name);
        wave = contiguous(audio::resample(audio::to_mono(a.samples), a.sample_rate, rate));
        return true;
    } catch (const Error& e) {
        skipped.push_back({name, e.what()});
        return false;
    }
}

// FSDD's recordings from its tarball or a folder of its files.
std::vector<Recording> read_fsdd(const std::string& path, int64_t rate, std::vector<Skipped>& skipped) {
    std::vector<Recording> out;
    auto add = [&](const std::string& name, const std::string& source, bool is_path) {
        const std::string base = fs::path(name).filename().string();
        Recording r;
        if (!parse_fsdd_name(base, r.label, r.speaker, r.index)) {
            skipped.push_back({name, "not an FSDD name {digit}_{speaker}_{index}.wav"});
            return;
        }
        r.name = base;
        if (decode(source, is_path, name, rate, r.wave, skipped)) out.push_back(std::move(r));
    };
    KAYA_CHECK(fs::exists(path), IoError, "data.path ", path, ": no such file or folder (the FSDD .tar.gz or a folder of its wav files)");
    if (fs::is_directory(path)) {
        std::vector<std::string> files;
        for (const auto& e : fs::recursive_directory_iterator(path)) {
            if (e.is_regular_file()) files.push_back(e.path().string());
        }
        std::sort(files.begin(), files.end());
        for (const auto& f : files) {
            if (is_audio_name(f)) add(f, f, true);
        }
    } else {
        const std::string archive = io::read_file_maybe_gzip(path);
        for (const auto& e : io::read_tar(archive, path)) {
            if (is_audio_name(e.name)) add(path + ":" + e.name, std::string(e.data), false);
        }
    }
    return out;
}

// One folder per class (sorted names are the labels).
std::vector<Recording> read_folder(const std::string& root, std::vector<std::string>& classes, int64_t rate,
                                   std::vector<Skipped>& skipped) {
    KAYA_CHECK(fs::is_directory(root), IoError, root, ": not a folder (expected one sub-folder of recordings per class)");
    if (classes.empty()) {
        for (const auto& e : fs::directory_iterator(root)) {
            if (e.is_directory()) classes.push_back(e.path().filename().string());
        }
        std::sort(classes.begin(), classes.end());
        KAYA_CHECK(!classes.empty(), ValueError, root, ": no class folders inside");
    } else {
        // A test folder's classes must be the training folder's: others cannot be scored.
        for (const auto& e : fs::directory_iterator(root)) {
            const std::string name = e.path().filename().string();
            if (e.is_directory() && std::find(classes.begin(), classes.end(), name) == classes.end()) {
                skipped.push_back({e.path().string(), "class folder '" + name + "' is not among the training classes"});
            }
        }
    }
    std::vector<Recording> out;
    for (size_t c = 0; c < classes.size(); ++c) {
        const fs::path dir = fs::path(root) / classes[c];
        if (!fs::is_directory(dir)) continue;
        std::vector<std::string> files;
        for (const auto& e : fs::directory_iterator(dir)) {
            if (e.is_regular_file()) files.push_back(e.path().string());
        }
        std::sort(files.begin(), files.end());
        for (const auto& f : files) {
            if (!is_audio_name(f)) {
                skipped.push_back({f, "not an audio file name (.wav, .flac, .ogg, .aiff, .au)"});
                continue;
            }
            Recording r;
            r.label = static_cast<int64_t>(c);
            r.index = -1;
            r.name = fs::path(f).filename().string();
            if (decode(f, true, f, rate, r.wave, skipped)) out.push_back(std::move(r));
        }
    }
    return out;
}

std::string describe_skipped(const std::vector<Skipped>& skipped) {
    if (skipped.empty()) return "";
    std::string s = "; skipped " + std::to_string(skipped.size()) + " file(s), e.g. " + skipped[0].name + ": " +
                    skipped[0].reason;
    return s;
}

void truncate(std::vector<Recording>& v, int64_t limit) {
    if (limit > 0 && static_cast<int64_t>(v.size()) > limit) v.resize(static_cast<size_t>(limit));
}

}  // namespace

bool parse_fsdd_name(const std::string& name, int64_t& digit, std::string& speaker, int64_t& index) {
    const fs::path p(name);
    if (p.extension() != ".wav") return false;
    const std::string stem = p.stem().string();
    const size_t a = stem.find('_'), b = stem.rfind('_');
    if (a == std::string::npos || b == a || a != 1 || !std::isdigit(static_cast<unsigned char>(stem[0]))) return false;
    const std::string take = stem.substr(b + 1);
    if (take.empty() || take.size() > 4 || !std::all_of(take.begin(), take.end(), ::isdigit)) return false;
    speaker = stem.substr(a + 1, b - a - 1);
    if (speaker.empty()) return false;
    digit = stem[0] - '0';
    index = std::stoll(take);
    return true;
}

SpeechDataOptions SpeechDataOptions::read(const app::Config& cfg) {
    SpeechDataOptions o;
    o.source = cfg.get_choice("data.source", o.source, {"fsdd", "folder", "toy"});
    if (o.source == "fsdd") {
        o.path = cfg.require_string("data.path");
        o.test_speaker = cfg.get_string("data.test_speaker", o.test_speaker);
    } else if (o.source == "folder") {
        o.train = cfg.require_string("data.train");
        o.test = cfg.get_string("data.test", o.test);
    } else {
        o.toy_per_class = cfg.get_int("data.toy_per_class", o.toy_per_class, 4, 10000);
        o.test_speaker = cfg.get_string("data.test_speaker", o.test_speaker);
    }
    o.sample_rate = cfg.get_int("data.sample_rate", o.sample_rate, 1000, 192000);
    o.val_fraction = cfg.get_double("data.val_fraction", o.val_fraction, 0, 1);
    if (o.val_fraction <= 0 || o.val_fraction >= 1) {
        cfg.fail("data.val_fraction", "data.val_fraction must be between 0 and 1 (exclusive): the validation "
                                      "recordings pick the epoch");
    }
    o.seed = static_cast<uint64_t>(cfg.get_int("data.seed", 0, 0));
    o.limit = cfg.get_int("data.limit", o.limit, 0);
    return o;
}

SpeechData load_speech_data(const SpeechDataOptions& o) {
    SpeechData d;
    d.sample_rate = o.sample_rate;
    std::vector<Recording> pool, test;
    std::string where;
    if (o.source == "folder") {
        pool = read_folder(o.train, d.classes, o.sample_rate, d.skipped);
        if (!o.test.empty()) test = read_folder(o.test, d.classes, o.sample_rate, d.skipped);
        where = o.train + ": " + std::to_string(d.classes.size()) + " classes";
    } else {
        std::vector<Recording> all = o.source == "fsdd" ? read_fsdd(o.path, o.sample_rate, d.skipped)
                                                        : toy_recordings(o.toy_per_class, o.sample_rate, 1);
        if (o.source == "fsdd") {
            for (int c = 0; c < 10; ++c) d.classes.push_back(std::to_string(c));
            where = o.path + ": FSDD";
        } else {
            d.classes = toy_words();
            where = "synthetic words";
        }
        std::set<std::string> speakers;
        for (const auto& r : all) speakers.insert(r.speaker);
        KAYA_CHECK(o.test_speaker.empty() || speakers.count(o.test_speaker), ValueError, "data.test_speaker '",
                   o.test_speaker, "' is not among the ", speakers.size(), " speakers of ", where);
        // Official split: takes 0-4 are the test set (FSDD's README); or one speaker held out.
        const int64_t test_takes = o.source == "fsdd" ? 5 : std::max<int64_t>(1, o.toy_per_class / 10);
        for (auto& r : all) {
            const bool is_test = o.test_speaker.empty() ? r.index < test_takes : r.speaker == o.test_speaker;
            (is_test ? test : pool).push_back(std::move(r));
        }
        if (!o.test_speaker.empty()) where += ", speaker " + o.test_speaker + " held out";
    }
    KAYA_CHECK(!pool.empty(), ValueError, where, ": no usable training recordings", describe_skipped(d.skipped));
    Generator g(o.seed);
    auto perm = to_vector<int64_t>(randperm(static_cast<int64_t>(pool.size()), &g));
    const auto n = static_cast<int64_t>(pool.size());
    const auto nval = static_cast<int64_t>(std::round(o.val_fraction * static_cast<double>(n)));
    KAYA_CHECK(nval > 0 && nval < n, ValueError, where, " has ", n, " training recordings: data.val_fraction ",
               o.val_fraction, " leaves none for training or validation");
    for (int64_t i = 0; i < n; ++i) (i < nval ? d.val : d.train).push_back(pool[perm[i]]);
    d.test = std::move(test);
    truncate(d.train, o.limit);
    truncate(d.val, o.limit);
    truncate(d.test, o.limit);
    d.description = where + ", " + std::to_string(d.train.size()) + " train / " + std::to_string(d.val.size()) +
                    " validation (of the training recordings) / " + std::to_string(d.test.size()) +
                    " test recordings at " + std::to_string(o.sample_rate) + " Hz, " +
                    std::to_string(d.classes.size()) + " classes" + describe_skipped(d.skipped);
    return d;
}

Tensor load_wave(const std::string& path, int64_t rate) {
    audio::Audio a = audio::load_audio(path);
    return contiguous(audio::resample(audio::to_mono(a.samples), a.sample_rate, rate));
}

}  // namespace kaya::speech
