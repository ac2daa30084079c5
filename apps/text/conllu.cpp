// SPDX-License-Identifier: MIT
#include "apps/text/conllu.h"

#include <algorithm>
#include <filesystem>

#include "apps/text/utf8.h"
#include "kaya/core/error.h"
#include "kaya/io/file.h"

namespace kaya::text {

namespace {

[[noreturn]] void fail(const std::string& source, int64_t line, size_t column,
                       const std::string& message) {
    throw ParseError(source + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " +
                     message);
}

bool all_digits(std::string_view s) {
    return !s.empty() && s.size() <= 9 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Lines of the text with their 1-based numbers; a final '\r' (Windows files) is dropped.
template <class F>
void for_each_line(std::string_view text, F&& f) {
    int64_t number = 0;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        f(++number, line);
        start = end + 1;
    }
}

void check_utf8(std::string_view line, const std::string& source, int64_t number) {
    const size_t bad = find_invalid_utf8(line);
    if (bad != std::string_view::npos) fail(source, number, bad + 1, "invalid UTF-8 byte");
}

// Fills `out` from one token line, checking the ID's form and sequence.
void parse_token_line(std::string_view line, const std::string& source, int64_t number,
                      int64_t& next_word, ConlluLine& out) {
    size_t start = 0, k = 0;
    while (true) {
        const size_t tab = line.find('\t', start);
        const std::string_view field = line.substr(start, tab == std::string_view::npos ? line.npos : tab - start);
        if (k == 10) {
            fail(source, number, start + 1,
                 "expected 10 tab-separated fields, got more (is a FORM or MISC holding a tab?)");
        }
        if (field.empty()) fail(source, number, start + 1, "empty field " + std::to_string(k + 1) + " (use '_')");
        out.fields[k++] = std::string(field);
        if (tab == std::string_view::npos) break;
        start = tab + 1;
    }
    if (k != 10) {
        fail(source, number, line.size() + 1,
             "expected 10 tab-separated fields, got " + std::to_string(k));
    }
    const std::string& id = out.fields[0];
    const size_t dash = id.find('-'), dot = id.find('.');
    if (dash != std::string::npos) {
        if (!all_digits(std::string_view(id).substr(0, dash)) ||
            !all_digits(std::string_view(id).substr(dash + 1))) {
            fail(source, number, 1, "ID '" + id + "' is not an integer, a range a-b or a decimal a.b");
        }
        out.kind = ConlluLine::Kind::MultiWord;
        return;
    }
    if (dot != std::string::npos) {
        if (!all_digits(std::string_view(id).substr(0, dot)) ||
            !all_digits(std::string_view(id).substr(dot + 1))) {
            fail(source, number, 1, "ID '" + id + "' is not an integer, a range a-b or a decimal a.b");
        }
        out.kind = ConlluLine::Kind::Empty;
        return;
    }
    if (!all_digits(id)) fail(source, number, 1, "ID '" + id + "' is not an integer, a range a-b or a decimal a.b");
    if (std::stoll(id) != next_word) {
        fail(source, number, 1, "word ID " + id + " out of sequence, expected " + std::to_string(next_word));
    }
    ++next_word;
    out.kind = ConlluLine::Kind::Word;
}

}  // namespace

std::vector<std::string> ConlluSentence::forms() const {
    std::vector<std::string> out;
    for (const auto& l : lines) {
        if (l.kind == ConlluLine::Kind::Word) out.push_back(l.form());
    }
    return out;
}

std::vector<std::string> ConlluSentence::upos() const {
    std::vector<std::string> out;
    for (const auto& l : lines) {
        if (l.kind == ConlluLine::Kind::Word) out.push_back(l.upos());
    }
    return out;
}

void ConlluSentence::set_upos(const std::vector<std::string>& tags) {
    size_t k = 0;
    for (auto& l : lines) {
        if (l.kind != ConlluLine::Kind::Word) continue;
        KAYA_CHECK(k < tags.size(), ValueError, "set_upos: ", tags.size(), " tags for more words");
        l.fields[3] = tags[k++];
    }
    KAYA_CHECK(k == tags.size(), ValueError, "set_upos: ", tags.size(), " tags for ", k, " words");
}

std::vector<ConlluSentence> parse_conllu(std::string_view text, const std::string& source) {
    std::vector<ConlluSentence> out;
    ConlluSentence cur;
    int64_t next_word = 1;
    int64_t last = 0;
    auto finish = [&](int64_t number) {
        if (cur.lines.empty() && cur.comments.empty()) return;
        if (next_word == 1) {
            fail(source, cur.first_line, 1, "sentence without word lines (ending at line " +
                                                std::to_string(number) + ")");
        }
        out.push_back(std::move(cur));
        cur = ConlluSentence();
        next_word = 1;
    };
    for_each_line(text, [&](int64_t number, std::string_view line) {
        last = number;
        check_utf8(line, source, number);
        if (line.empty()) {
            finish(number);
            return;
        }
        if (cur.lines.empty() && cur.comments.empty()) cur.first_line = number;
        if (line[0] == '#') {
            if (!cur.lines.empty()) fail(source, number, 1, "comment line inside a sentence's token lines");
            cur.comments.emplace_back(line);
            return;
        }
        ConlluLine l;
        parse_token_line(line, source, number, next_word, l);
        cur.lines.push_back(std::move(l));
    });
    finish(last);
    return out;
}

std::vector<ConlluSentence> read_conllu(const std::string& path) {
    return parse_conllu(io::read_file_maybe_gzip(path), path);
}

std::vector<ConlluSentence> read_conllu_dir(const std::string& dir, std::vector<std::string>* skipped) {
    namespace fs = std::filesystem;
    KAYA_CHECK(fs::is_directory(dir), IoError, "read_conllu_dir: ", dir, " is not a directory");
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(dir)) {
        const std::string name = e.path().filename().string();
        auto ends = [&](const std::string& s) {
            return name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
        };
        if (e.is_regular_file() && (ends(".conllu") || ends(".conllu.gz"))) files.push_back(e.path().string());
    }
    std::sort(files.begin(), files.end());
    std::vector<ConlluSentence> out;
    for (const auto& f : files) {
        try {
            auto s = read_conllu(f);
            out.insert(out.end(), std::make_move_iterator(s.begin()), std::make_move_iterator(s.end()));
        } catch (const Error& e) {
            if (skipped) skipped->push_back(f + " skipped: " + e.what());
        }
    }
    return out;
}

std::vector<ConlluSentence> parse_plain_text(std::string_view text, const std::string& source) {
    std::vector<ConlluSentence> out;
    for_each_line(text, [&](int64_t number, std::string_view line) {
        check_utf8(line, source, number);
        ConlluSentence s;
        s.first_line = number;
        size_t i = 0;
        while (i < line.size()) {
            while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
            const size_t start = i;
            while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
            if (i == start) break;
            ConlluLine l;
            l.fields.fill("_");
            l.fields[0] = std::to_string(s.lines.size() + 1);
            l.fields[1] = std::string(line.substr(start, i - start));
            s.lines.push_back(std::move(l));
        }
        if (!s.lines.empty()) out.push_back(std::move(s));
    });
    return out;
}

std::string format_conllu(const std::vector<ConlluSentence>& sentences) {
    std::string out;
    for (const auto& s : sentences) {
        for (const auto& c : s.comments) out += c + "\n";
        for (const auto& l : s.lines) {
            for (size_t k = 0; k < 10; ++k) out += (k ? "\t" : "") + l.fields[k];
            out += "\n";
        }
        out += "\n";
    }
    return out;
}

}  // namespace kaya::text
