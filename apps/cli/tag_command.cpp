// SPDX-License-Identifier: MIT
// kaya tag --weights MODEL [--input FILE] [--output FILE]: part-of-speech tags for plain text
// (one sentence a line, tokens separated by whitespace) or CoNLL-U, written as CoNLL-U with the
// UPOS column filled.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>

#include "apps/cli/commands.h"
#include "apps/text/conllu.h"
#include "apps/text/tagger.h"
#include "kaya/io/file.h"

namespace kaya::cli {

namespace {

struct TagArgs {
    std::string weights, input, output, format = "auto";
};

bool ends_with(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// CoNLL-U when the name says so, or when the first non-blank line is a comment or has ten
// tab-separated fields.
bool looks_like_conllu(const std::string& name, const std::string& text) {
    if (ends_with(name, ".conllu") || ends_with(name, ".conllu.gz")) return true;
    size_t start = text.find_first_not_of("\r\n");
    if (start == std::string::npos) return false;
    const std::string line = text.substr(start, text.find('\n', start) - start);
    return line[0] == '#' || std::count(line.begin(), line.end(), '\t') == 9;
}

void run(const TagArgs& a) {
    text::PosTagger tagger = text::PosTagger::load(a.weights);
    const std::string source = a.input.empty() || a.input == "-" ? "<stdin>" : a.input;
    const std::string input =
        source == "<stdin>" ? std::string(std::istreambuf_iterator<char>(std::cin), {})
                            : io::read_file_maybe_gzip(a.input);
    const bool conllu = a.format == "conllu" || (a.format == "auto" && looks_like_conllu(source, input));
    std::vector<text::ConlluSentence> sentences =
        conllu ? text::parse_conllu(input, source) : text::parse_plain_text(input, source);
    std::vector<std::vector<std::string>> forms;
    for (const auto& s : sentences) forms.push_back(s.forms());
    auto tags = tagger.tag(forms);
    for (size_t i = 0; i < sentences.size(); ++i) {
        sentences[i].set_upos(tags[i]);
        if (!conllu) {
            std::string text;
            for (const auto& f : forms[i]) text += (text.empty() ? "" : " ") + f;
            sentences[i].comments = {"# sent_id = " + std::to_string(i + 1), "# text = " + text};
        }
    }
    const std::string out = text::format_conllu(sentences);
    if (a.output.empty() || a.output == "-") {
        std::fwrite(out.data(), 1, out.size(), stdout);
    } else {
        io::write_file_atomic(a.output, out);
        std::fprintf(stderr, "tagged %zu sentences into %s\n", sentences.size(), a.output.c_str());
    }
}

}  // namespace

void add_tag_command(CLI::App& app) {
    auto args = std::make_shared<TagArgs>();
    auto* cmd = app.add_subcommand(
        "tag", "Part-of-speech tags (UPOS) for plain text or CoNLL-U, written as CoNLL-U");
    cmd->add_option("--weights", args->weights, "A tagger's model.safetensors (kaya train, task pos_tagger)")
        ->required();
    cmd->add_option("--input", args->input, "Text (one sentence a line) or CoNLL-U; default stdin");
    cmd->add_option("--output", args->output, "CoNLL-U file written atomically; default stdout");
    cmd->add_option("--format", args->format, "Input format")
        ->check(CLI::IsMember({"auto", "text", "conllu"}))
        ->capture_default_str();
    cmd->callback([args] { run(*args); });
}

}  // namespace kaya::cli
