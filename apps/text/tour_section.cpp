// SPDX-License-Identifier: MIT
#include "apps/text/tour_section.h"

#include <cstdio>
#include <filesystem>
#include <sstream>

#include "apps/text/pos_task.h"
#include "apps/text/toy_corpus.h"
#include "apps/train/run.h"
#include "kaya/io/file.h"

namespace kaya::text {

using tour::Report;
using tour::TourOptions;

namespace {

std::string percent(double v) { return Report::number(100 * v, "%.1f") + "%"; }

// The tagged test sentences of a run (examples.txt: word/TAG, "(gold X)" after a mistake) as
// HTML, mistakes in red.
std::string tagged_html(const std::string& path, int max_lines) {
    std::istringstream in(io::read_file(path));
    std::string html = "<pre>", line;
    for (int n = 0; n < max_lines && std::getline(in, line); ++n) {
        std::istringstream words(line);
        std::string w;
        while (words >> w) {
            const bool wrong = w.find("(gold") != std::string::npos;
            if (wrong) {
                std::string gold;
                words >> gold;  // "X)"
                w += " " + gold;
            }
            html += (wrong ? "<span style='color:#c00'>" + Report::escape(w) + "</span>" : Report::escape(w)) + " ";
        }
        html += "\n";
    }
    return html + "</pre>";
}

}  // namespace

void demo_pos_tagging(const TourOptions& o, Report& report) {
    const std::string dir = o.out_dir + "/runs/pos_toy";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const int64_t n_train = o.full ? 3000 : 800;
    io::write_file_atomic(dir + "/train.conllu", format_conllu(make_toy_corpus(n_train, 1)));
    io::write_file_atomic(dir + "/dev.conllu", format_conllu(make_toy_corpus(200, 2)));
    io::write_file_atomic(dir + "/test.conllu", format_conllu(make_toy_corpus(300, 3)));
    std::printf("  a BiLSTM tagger on %lld sentences of the toy corpus\n", static_cast<long long>(n_train));
    std::fflush(stdout);
    app::Config cfg = app::Config::parse(
        "[task]\nkind = 'pos_tagger'\n[data]\ntrain = '" + dir + "/train.conllu'\ndev = '" + dir +
            "/dev.conllu'\ntest = '" + dir + "/test.conllu'\n[model]\nword_dim = 32\nchar_dim = 16\n"
            "char_hidden = 32\nhidden = 64\nlayers = 1\ndropout = 0.2\n[train]\nlr = 0.005\n"
            "batch_size = 16\nepochs = " + std::to_string(o.full ? 10 : 5) + "\nseed = 0\n[output]\ndir = '" +
            dir + "/run'\n",
        "tour pos tagger");
    app::RunResult run = app::run_training(cfg, {.verbose = false});
    const app::Metrics& t = run.test;
    for (const char* f : {"confusion.svg", "accuracy.svg"}) {
        io::write_file_atomic(o.out_dir + "/pos_" + std::string(f), io::read_file(dir + "/run/" + f));
    }
    std::string html =
        "<p>Part-of-speech tagging (MISSION row 15, sequence labelling: one output per input "
        "word). The data is a small English-like corpus Kaya makes itself (" +
        run.data_description +
        "): ambiguous words such as <i>book</i>, <i>can</i>, <i>saw</i> and <i>duck</i> are a "
        "noun or a verb by context, and many words are made up from random syllables, so the "
        "test sentences hold words the training data never had. The tagger reads each word's "
        "embedding and a character BiLSTM's summary of its spelling, then a bidirectional LSTM "
        "over the sentence gives every word a distribution over tags (<code>kaya train</code> "
        "with <code>task.kind = \"pos_tagger\"</code>; the real treebank, UD English-EWT, is in "
        "README).</p>";
    const double n = t.get("test_tokens"), u = t.get("test_unseen_tokens");
    const double seen = (t.get("test_accuracy") * n - t.get("test_unseen_accuracy") * u) / (n - u);
    html += Report::table_html(
        {"test words", "accuracy", "words seen in training", "accuracy on them", "words unseen in training",
         "accuracy on them"},
        {{Report::number(n, "%.0f"), percent(t.get("test_accuracy")), Report::number(n - u, "%.0f"),
          percent(seen), Report::number(u, "%.0f"), percent(t.get("test_unseen_accuracy"))}});
    html += Report::figure("pos_accuracy.svg", "development accuracy per epoch");
    html += Report::figure("pos_confusion.svg", "gold tags (rows) against predicted tags (columns), test set");
    html += "<p>Test sentences as tagged (a mistake in red, with the gold tag):</p>" +
            tagged_html(dir + "/run/examples.txt", 6);
    html += Report::finding(
        "the tagger labels " + percent(seen) + " of the held-out words it saw in training and " +
        percent(t.get("test_unseen_accuracy")) + " of the " + Report::number(u, "%.0f") +
        " it never saw: for those only the spelling (a suffix such as -tion or -ly, a capital) "
        "and the neighbours can tell, which is what the character model and the bidirectional "
        "context supply; a made-up word without a suffix is where it still errs. Ambiguous words "
        "(book, can, duck) are resolved by the words around them.");
    report.add_section("Sequence labelling: part-of-speech tagging", html);
}

void add_tour_sections() { tour::add_tour_section({15, "part-of-speech tagging", demo_pos_tagging}); }

}  // namespace kaya::text
