// SPDX-License-Identifier: MIT
// kaya translate --weights RUN_DIR [--beam N] ["English sentence" ...] [--input FILE]
// [--output FILE]: English to Chinese with a model of task translation; without sentences or
// --input, one sentence a line from stdin. One translation a line out, in order.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>

#include "apps/cli/commands.h"
#include "apps/text/utf8.h"
#include "apps/translate/translator.h"
#include "kaya/io/file.h"

namespace kaya::cli {

namespace {

struct TranslateArgs {
    std::string weights, input, output;
    std::vector<std::string> sentences;
    int64_t beam = 4;
    double length_penalty = 1.0;
};

void run(const TranslateArgs& a) {
    auto t = translate::EnglishChineseTranslator::load(a.weights);
    std::vector<std::string> sentences;
    if (!a.sentences.empty()) {
        // Each argument is one sentence (an empty one gives an empty line).
        for (size_t i = 0; i < a.sentences.size(); ++i) {
            const size_t bad = text::find_invalid_utf8(a.sentences[i]);
            KAYA_CHECK(bad == std::string::npos, ParseError, "argument ", i + 1, ", byte ", bad + 1,
                       ": invalid UTF-8");
            sentences.push_back(a.sentences[i]);
        }
    } else {
        const std::string source = a.input.empty() || a.input == "-" ? "<stdin>" : a.input;
        const std::string text = source == "<stdin>" ? std::string(std::istreambuf_iterator<char>(std::cin), {})
                                                     : io::read_file_maybe_gzip(a.input);
        sentences = text::lines_of(text, source);
    }
    int64_t truncated = 0;
    const auto out = t.translate(sentences, {.beam = a.beam, .length_penalty = a.length_penalty}, &truncated);
    if (truncated > 0)
        std::fprintf(stderr, "kaya: warning: %lld sentence%s longer than the model's %lld tokens cut\n",
                     static_cast<long long>(truncated), truncated == 1 ? "" : "s",
                     static_cast<long long>(t.model().options().max_len - 1));
    std::string text;
    for (const auto& o : out) text += o + "\n";
    if (a.output.empty() || a.output == "-") {
        std::fwrite(text.data(), 1, text.size(), stdout);
    } else {
        io::write_file_atomic(a.output, text);
        std::fprintf(stderr, "translated %zu sentences into %s\n", out.size(), a.output.c_str());
    }
}

}  // namespace

void add_translate_command(CLI::App& app) {
    auto args = std::make_shared<TranslateArgs>();
    auto* cmd = app.add_subcommand("translate", "English to Chinese with a trained translator (task translation)");
    cmd->add_option("sentences", args->sentences, "Sentences to translate (default: --input or stdin, one a line)");
    cmd->add_option("--weights", args->weights, "A translation run's directory (model.safetensors, tokenizer.txt)")
        ->required();
    cmd->add_option("--input", args->input, "One English sentence a line ('-': stdin)");
    cmd->add_option("--output", args->output, "Written atomically; default stdout");
    cmd->add_option("--beam", args->beam, "Beam size (1: greedy)")->check(CLI::Range(1, 64))->capture_default_str();
    cmd->add_option("--length-penalty", args->length_penalty, "GNMT's alpha")
        ->check(CLI::Range(0.0, 5.0))
        ->capture_default_str();
    cmd->callback([args] { run(*args); });
}

}  // namespace kaya::cli
