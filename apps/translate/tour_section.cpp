// SPDX-License-Identifier: MIT
// The tour's translation section (MISSION row 16): a translator trained on the spot (the toy
// digits, or with --data and a finished `kaya train configs/translate_en_zh.toml` run, that
// run), BLEU and decoding time for beams of 1 to 8, cross-attention maps, translations next to
// their references, and the time per generated token with and without the key/value cache.
#include "apps/translate/tour_section.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>

#include "apps/train/plot.h"
#include "apps/train/run.h"
#include "apps/translate/bleu.h"
#include "apps/translate/text.h"
#include "apps/translate/toy_corpus.h"
#include "apps/translate/translator.h"
#include "kaya/io/file.h"
#include "kaya/ops/ops.h"

namespace kaya::translate {

namespace {

using tour::Report;
using tour::TourOptions;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

struct Sample {
    std::string en;
    std::vector<std::string> refs;
};

std::vector<Sample> group(const std::vector<Pair>& pairs, size_t limit) {
    std::vector<Sample> out;
    std::map<std::string, size_t> at;
    for (const auto& p : pairs) {
        auto [it, fresh] = at.emplace(p.en, out.size());
        if (fresh) {
            if (out.size() >= limit) continue;
            out.push_back({p.en, {}});
        }
        if (it->second < out.size()) out[it->second].refs.push_back(p.zh);
    }
    return out;
}

// The test pairs of a run, from its split.tsv.
std::vector<Pair> test_pairs_of(const std::string& run) {
    std::vector<Pair> out;
    const std::string tsv = io::read_file(run + "/split.tsv");
    size_t start = tsv.find('\n') + 1;
    while (start < tsv.size()) {
        size_t end = tsv.find('\n', start);
        if (end == std::string::npos) end = tsv.size();
        const std::string line = tsv.substr(start, end - start);
        start = end + 1;
        if (line.rfind("test\t", 0) != 0) continue;
        const auto c3 = line.find('\t', line.find('\t', 5) + 1);
        const auto c4 = line.find('\t', c3 + 1);
        out.push_back({line.substr(c3 + 1, c4 - c3 - 1), line.substr(c4 + 1), 0});
    }
    return out;
}

struct BeamRow {
    int64_t beam;
    double bleu, ms_per_sentence;
};

std::vector<BeamRow> beam_sweep(EnglishChineseTranslator& t, const std::vector<Sample>& samples) {
    std::vector<std::string> en;
    std::vector<std::vector<Tokens>> refs;
    for (const auto& s : samples) {
        en.push_back(s.en);
        refs.emplace_back();
        for (const auto& r : s.refs) refs.back().push_back(bleu_tokens_zh(r));
    }
    std::vector<BeamRow> rows;
    for (int64_t beam = 1; beam <= 8; ++beam) {
        const auto t0 = Clock::now();
        const auto out = t.translate(en, {.beam = beam});
        const double s = std::chrono::duration<double>(Clock::now() - t0).count();
        std::vector<Tokens> hyps;
        for (const auto& o : out) hyps.push_back(bleu_tokens_zh(o));
        rows.push_back({beam, corpus_bleu(hyps, refs).bleu, 1e3 * s / static_cast<double>(en.size())});
    }
    return rows;
}

// The last decoder layer's attention over the source while it writes its own greedy output.
std::string attention_svg(EnglishChineseTranslator& t, const std::string& en) {
    Translator& m = t.model();
    const auto ids = t.tokenizers().encode_source(normalize_english(en));
    const auto out = translate_batch(m, {ids}, {.beam = 1});
    std::vector<int64_t> tin{kBosId};
    tin.insert(tin.end(), out[0].begin(), out[0].end());
    auto& layer = (*m.decoder->layers)[m.decoder->layers->size() - 1];
    layer->record_cross_attention = true;
    {
        autograd::NoGradGuard no_grad;
        const Tensor src = source_batch({ids});
        m.decode(from_vector<int64_t>(tin, {1, static_cast<int64_t>(tin.size())}), m.encode(src), src);
    }
    layer->record_cross_attention = false;
    std::vector<double> cells;
    for (float w : to_vector<float>(layer->cross_attention)) cells.push_back(std::round(100.0 * w));
    std::vector<std::string> rows, cols;
    for (int64_t id : out[0]) rows.push_back(t.tokenizers().target.token(id));
    rows.push_back("</s>");
    for (const auto& p : t.tokenizers().source.encode_pieces(normalize_english(en))) cols.push_back(p);
    cols.push_back("</s>");
    return app::heatmap_svg(cells, rows, cols,
                            {.title = "attention (%) of each output character over the source",
                             .width = std::max(460, 140 + 60 * static_cast<int>(cols.size())),
                             .height = 120 + 34 * static_cast<int>(rows.size())});
}

// Milliseconds per generated token of the reference-size model (random weights, batch 1,
// a 32-token source), median of three, with and without the cache.
std::vector<app::Series> token_times() {
    manual_seed(0);
    Translator m({.src_vocab = 8000, .tgt_vocab = 8000, .d_model = 256, .heads = 4, .encoder_layers = 3,
                  .decoder_layers = 3, .feedforward = 1024, .dropout = 0.1, .max_len = 256});
    const Tensor src = randint(4, 8000, {1, 32});
    app::Series cached{"with the key/value cache"}, recomputed{"recomputing the prefix", {}, {}, true};
    for (int64_t steps : {8, 16, 32, 64}) {
        for (bool cache : {true, false}) {
            std::vector<double> ms;
            for (int r = 0; r < 3; ++r) {
                const auto t0 = Clock::now();
                greedy_trace(m, src, steps, cache);
                ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count() /
                             static_cast<double>(steps));
            }
            std::sort(ms.begin(), ms.end());
            app::Series& s = cache ? cached : recomputed;
            s.x.push_back(static_cast<double>(steps));
            s.y.push_back(ms[1]);
            s.markers = true;
        }
    }
    return {cached, recomputed};
}

// The run to show: a finished real run when --data is given and one exists, else the toy
// digits trained here. Returns the run directory and what it is.
std::pair<std::string, std::string> translator_run(const TourOptions& o) {
    const std::string real = "runs/translate_en_zh";
    if (!o.data_dir.empty() && fs::exists(real + "/run.json") && fs::exists(real + "/split.tsv"))
        return {real, "the run of configs/translate_en_zh.toml in " + real};
    const std::string dir = o.out_dir + "/runs/translate_toy";
    fs::remove_all(dir);
    fs::create_directories(dir);
    io::write_file_atomic(dir + "/pairs.txt", make_toy_pairs(o.full ? 4000 : 1500, 3));
    std::printf("  a Transformer translating spelt-out digits into Chinese numerals\n");
    std::fflush(stdout);
    const app::Config cfg = app::Config::parse(
        "[task]\nkind = 'translation'\n[data]\npath = '" + dir + "/pairs.txt'\nheld_out = 150\n"
        "val_sentences = 100\n[tokenizer]\nsource_vocab = 60\n[model]\nd_model = 32\nheads = 4\n"
        "encoder_layers = 2\ndecoder_layers = 2\nfeedforward = 64\ndropout = 0.0\nmax_len = 24\n"
        "[train]\noptimizer = 'adam'\nlr = 0.003\nbatch_size = 32\nepochs = 12\nschedule = 'warmup_cosine'\n"
        "schedule_unit = 'batch'\nwarmup = 30\n[eval]\nbeam = 4\n[output]\ndir = '" + dir + "/run'\n",
        "tour translation");
    const app::RunResult r = app::run_training(cfg, {.verbose = false});
    return {dir + "/run", "a toy corpus Kaya makes itself (" + r.data_description +
                              "); with --data and a finished run of configs/translate_en_zh.toml, "
                              "the real English-Chinese run is shown instead"};
}

void demo_translation(const TourOptions& o, Report& report) {
    const auto [run, what] = translator_run(o);
    EnglishChineseTranslator t = EnglishChineseTranslator::load(run);
    const std::vector<Sample> samples = group(test_pairs_of(run), 300);
    const std::vector<BeamRow> beams = beam_sweep(t, samples);
    std::vector<std::vector<std::string>> beam_rows;
    for (const auto& b : beams)
        beam_rows.push_back({std::to_string(b.beam), Report::number(b.bleu, "%.2f"),
                             Report::number(b.ms_per_sentence, "%.1f")});
    std::string html =
        "<p>Sequence to sequence (MISSION rows 15 and 16): the output has its own length, and the "
        "decoder writes it one token after another, each position seeing only the ones before it "
        "(the causal mask). Shown: " + Report::escape(what) + ". Test sentences: " +
        std::to_string(samples.size()) + ", BLEU against all their references.</p>";
    html += Report::table_html({"beam", "test BLEU", "ms per sentence"}, beam_rows);
    std::vector<std::vector<std::string>> examples;
    const auto greedy = t.translate({samples[0].en}, {.beam = 1});
    for (size_t i = 0; i < std::min<size_t>(8, samples.size()); ++i) {
        const auto out = t.translate({samples[i].en}, {.beam = 4});
        std::string refs;
        for (const auto& r : samples[i].refs) refs += (refs.empty() ? "" : " | ") + r;
        examples.push_back({samples[i].en, out[0], refs});
    }
    html += Report::table_html({"English", "translation (beam 4)", "references"}, examples);
    for (int k = 0; k < 2 && k < static_cast<int>(samples.size()); ++k) {
        const std::string file = "translate_attention_" + std::to_string(k) + ".svg";
        io::write_file_atomic(o.out_dir + "/" + file, attention_svg(t, samples[static_cast<size_t>(3 * k)].en));
        html += Report::figure(file, "cross-attention of the last decoder layer: \"" + samples[static_cast<size_t>(3 * k)].en + "\"");
    }
    const auto times = token_times();
    io::write_file_atomic(o.out_dir + "/translate_token_time.svg",
                          app::line_plot_svg(times, {.title = "greedy decoding, batch 1, 3 + 3 layers of 256",
                                                     .xlabel = "tokens generated",
                                                     .ylabel = "ms per token"}));
    html += Report::figure("translate_token_time.svg", "time per generated token against the output's length");
    const auto best = *std::max_element(beams.begin(), beams.end(), [](const auto& a, const auto& b) { return a.bleu < b.bleu; });
    html += Report::finding(
        "beam search (best at beam " + std::to_string(best.beam) + ": BLEU " + Report::number(best.bleu, "%.2f") +
        " against " + Report::number(beams[0].bleu, "%.2f") + " greedy) costs " +
        Report::number(best.ms_per_sentence / beams[0].ms_per_sentence, "%.1f") +
        " times the decoding time; the maps show which source pieces each output character draws on. "
        "With the cache a token costs " + Report::number(times[0].y.front(), "%.2f") + " ms at 8 tokens and " +
        Report::number(times[0].y.back(), "%.2f") + " ms at 64 (x" +
        Report::number(times[0].y.back() / times[0].y.front(), "%.2f") +
        "): each step adds one position to the cache; recomputing the prefix costs " +
        Report::number(times[1].y.front(), "%.2f") + " and " + Report::number(times[1].y.back(), "%.2f") +
        " ms (x" + Report::number(times[1].y.back() / times[1].y.front(), "%.2f") +
        "), every step running the decoder over the whole prefix again.");
    report.add_section("Sequence to sequence: translation, beams and the key/value cache", html);
}

}  // namespace

void add_tour_sections() { tour::add_tour_section({16, "translation", demo_translation}); }

}  // namespace kaya::translate
