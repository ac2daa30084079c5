// SPDX-License-Identifier: MIT
// Fuzz targets for the applications' text formats: TOML configs (with the strict checks and a
// real task's options), SGF game records, GTP command streams.
#include <algorithm>
#include <sstream>
#include <string_view>

#include "apps/go/gtp/gtp.h"
#include "apps/go/policy/policy.h"
#include "apps/go/match/match.h"
#include "apps/go/sgf/sgf.h"
#include "apps/mlp/mlp_task.h"
#include "apps/text/conllu.h"
#include "apps/analysis/landscape_study.h"
#include "apps/train/config.h"
#include "apps/train/run.h"
#include "apps/translate/corpus.h"
#include "apps/translate/text.h"
#include "apps/translate/translate_task.h"
#include "apps/tts/corpus.h"
#include "apps/tts/durations.h"
#include "apps/tts/synthesizer.h"
#include "apps/tts/text.h"
#include "fuzz/targets.h"
#include "kaya/ops/ops.h"

namespace kaya::fuzz {

namespace {

std::string text(const uint8_t* d, size_t n) { return {reinterpret_cast<const char*>(d), n}; }

// The first legal point, or a pass: a player that answers at once.
class FirstLegal : public go::Player {
public:
    go::Point choose(const go::Game& game, go::Color color) override {
        const int n = game.size();
        for (int i = 0; i < n * n; ++i) {
            const go::Point p = game.board().point(i % n, i / n);
            if (game.is_legal(color, p)) return p;
        }
        return go::kPass;
    }
};

}  // namespace

int fuzz_config(const uint8_t* d, size_t n) {
    static const bool registered = [] {
        mlp::register_tasks(app::task_registry());
        return true;
    }();
    (void)registered;
    return guarded([&] {
        const std::string s = text(d, n);
        app::Config cfg = app::Config::parse(s, "fuzz.toml");
        // The first line also as a command-line override.
        cfg.set(s.substr(0, s.find('\n')));
        // What kaya train does before it trains: every key read and checked, then written out;
        // the effective config must read back to the same text.
        const std::string effective = app::effective_config(cfg);
        const std::string again = app::Config::parse(effective, "effective.toml").dump();
        if (again != effective) __builtin_trap();
    });
}

int fuzz_sgf(const uint8_t* d, size_t n) {
    return guarded([&] {
        const std::vector<go::SgfNode> games = go::parse_sgf(text(d, n), "fuzz.sgf");
        for (const auto& root : games) {
            // The writer's output reads back to a tree that writes the same text.
            const std::string once = go::write_sgf(root);
            const auto reread = go::parse_sgf(once, "rewritten.sgf");
            if (reread.size() != 1 || go::write_sgf(reread.front()) != once) __builtin_trap();
            go::GameRecord rec = go::read_game(root, "fuzz.sgf");
            rec.replay(rec.moves.size());
        }
    });
}

int fuzz_match_results(const uint8_t* d, size_t n) {
    return guarded([&] {
        // A match of up to 1000 games; what parses writes back to a text that parses to the same
        // text again (the mean seconds are rounded once, to 3 decimals).
        const auto done = go::parse_results(text(d, n), "results.csv", 1000);
        const std::string once = go::results_csv(done);
        const std::string twice = go::results_csv(go::parse_results(once, "once.csv", 1000));
        if (go::results_csv(go::parse_results(twice, "twice.csv", 1000)) != twice) __builtin_trap();
    });
}

int fuzz_go_policy(const uint8_t* d, size_t n) {
    return guarded([&] {
        // A weights file either loads into a net that runs, or is refused with an error.
        auto net = go::decode_policy(text(d, n), "fuzz.safetensors");
        const int size = net->options().board;
        autograd::NoGradGuard no_grad;
        const Tensor logits = net->forward(zeros({1, net->options().planes, size, size}));
        if (logits.numel() != int64_t{size} * size) __builtin_trap();
    });
}

int fuzz_gtp(const uint8_t* d, size_t n) {
    go::GtpEngine engine(std::make_unique<FirstLegal>(), {.board_size = 9});
    std::istringstream in(text(d, n));
    std::ostringstream out;
    engine.run(in, out);
    // Every response is complete: "=" or "?", then a blank line.
    const std::string o = out.str();
    if (!o.empty() && o.substr(o.size() - 2) != "\n\n") __builtin_trap();
    return 0;
}

int fuzz_conllu(const uint8_t* d, size_t n) {
    return guarded([&] {
        // Parsed sentences written out must parse back to the same text.
        const std::string once = text::format_conllu(text::parse_conllu(text(d, n), "fuzz.conllu"));
        if (text::format_conllu(text::parse_conllu(once, "again.conllu")) != once) __builtin_trap();
        text::parse_plain_text(text(d, n), "fuzz.txt");
    });
}

int fuzz_landscape(const uint8_t* d, size_t n) {
    return guarded([&] {
        // A landscape study's table, read back for --resume: written out, it reads back the same.
        const std::string once = analysis::format_landscape_table(analysis::parse_landscape_table(text(d, n), "fuzz.csv"));
        if (analysis::format_landscape_table(analysis::parse_landscape_table(once, "again.csv")) != once) __builtin_trap();
    });
}

int fuzz_translate(const uint8_t* d, size_t n) {
    return guarded([&] {
        // As a parallel corpus: every pair's English rebuilds from its pre-tokens, Chinese
        // splits into BLEU tokens that join back to it without spaces.
        try {
            for (const auto& p : translate::parse_pairs(text(d, n), "fuzz.txt")) {
                if (translate::join_pieces(translate::pretokenize_english(p.en)) != p.en) __builtin_trap();
                std::string joined;
                for (const auto& t : translate::bleu_tokens_zh(p.zh)) joined += t;
                std::string bare;
                for (const auto& c : translate::chinese_chars(p.zh)) bare += c;
                if (joined != bare) __builtin_trap();
            }
        } catch (const ParseError&) {
        }
        // As a tokeniser file: what parses, written out, parses to the same text.
        const auto tok = translate::Tokenizers::parse(text(d, n), "tokenizer.txt");
        if (translate::Tokenizers::parse(tok.serialize(), "again.txt").serialize() != tok.serialize()) __builtin_trap();
        tok.source.decode(tok.source.encode("Where is the station?"));
    });
}

int fuzz_tts(const uint8_t* d, size_t n) {
    return guarded([&] {
        // As text to speak: normalising is stable (a corpus's normalised text reads back as it
        // is), its output is made of the model's symbols only, and cutting it into pieces
        // loses nothing but spaces.
        const std::string raw = text(d, n);
        try {
            const tts::NormalizedText t = tts::normalize_text(raw);
            if (tts::normalize_text(t.text).text != t.text) __builtin_trap();
            if (tts::Symbols::decode(tts::Symbols::encode(t.text)) != t.text) __builtin_trap();
            std::string joined, bare;
            for (const auto& piece : tts::split_sentences(t.text, 1 + static_cast<int64_t>(n % 40))) joined += piece;
            for (char c : t.text) {
                if (c != ' ') bare += c;
            }
            joined.erase(std::remove(joined.begin(), joined.end(), ' '), joined.end());
            if (joined != bare) __builtin_trap();
        } catch (const ValueError&) {  // Invalid UTF-8 is refused.
        }
        // As a durations file: what parses, written out and read back, is the same.
        const auto durations = tts::parse_durations(raw, "durations.tsv");
        std::string out;
        for (const auto& [id, v] : durations) {
            out += id + "\t";
            for (size_t i = 0; i < v.size(); ++i) out += (i ? " " : "") + std::to_string(v[i]);
            out += "\n";
        }
        if (tts::parse_durations(out, "again.tsv") != durations) __builtin_trap();
    });
}

int fuzz_tts_metadata(const uint8_t* d, size_t n) {
    // As a corpus's metadata.tsv and as LJ Speech's metadata: what parses has ids that name a
    // file inside wavs/, and written out again it reads back the same.
    const std::string raw = text(d, n);
    const auto same = [](const std::vector<tts::Utterance>& a, const std::vector<tts::Utterance>& b) {
        if (a.size() != b.size()) return false;
        for (size_t i = 0; i < a.size(); ++i) {
            if (a[i].id != b[i].id || a[i].text != b[i].text) return false;
        }
        return true;
    };
    const auto safe = [](const std::string& id) {
        return !id.empty() && id[0] != '.' && id.find('/') == std::string::npos && id.find('\\') == std::string::npos;
    };
    int rc = guarded([&] {
        const auto u = tts::parse_corpus_metadata(raw, "metadata.tsv");
        std::string out;
        for (const auto& x : u) {
            if (!safe(x.id)) __builtin_trap();
            out += x.id + "\t" + x.text + "\n";
        }
        if (!same(tts::parse_corpus_metadata(out, "again.tsv"), u)) __builtin_trap();
    });
    rc |= guarded([&] {
        const auto u = tts::parse_lj_metadata(raw, "metadata.csv");
        std::string out;
        for (const auto& x : u) {
            if (!safe(x.id)) __builtin_trap();
            out += x.id + "||" + x.text + "\r\n";  // \r\n: a text may end in '\r' itself.
        }
        if (!same(tts::parse_lj_metadata(out, "again.csv"), u)) __builtin_trap();
    });
    return rc;
}

const std::vector<NamedTarget>& targets() {
    static const std::vector<NamedTarget> all = {
        {"safetensors", fuzz_safetensors}, {"csv", fuzz_csv}, {"json", fuzz_json}, {"npy", fuzz_npy},
        {"idx", fuzz_idx},   {"tar", fuzz_tar},   {"gzip", fuzz_gzip},  {"config", fuzz_config},
        {"sgf", fuzz_sgf},   {"gtp", fuzz_gtp},   {"image", fuzz_image}, {"conllu", fuzz_conllu},
        {"audio", fuzz_audio}, {"landscape", fuzz_landscape}, {"translate", fuzz_translate}, {"tts", fuzz_tts},
        {"tts_metadata", fuzz_tts_metadata}, {"go_policy", fuzz_go_policy}, {"match_results", fuzz_match_results},
    };
    return all;
}

}  // namespace kaya::fuzz
