// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

namespace kaya::tour {

// An HTML report with one section per topic of the course, written as <dir>/index.html.
// Sections hold HTML fragments: paragraphs, tables (table_html), figures (image files beside
// index.html) and, last, a finding: what the numbers above it show, written from them.
class Report {
public:
    explicit Report(std::string title) : title_(std::move(title)) {}
    // heading: the course's topic, e.g. "Overfitting and early stopping".
    void add_section(const std::string& heading, const std::string& html);
    // Writes index.html (atomically) into dir and returns its path.
    std::string write(const std::string& dir) const;

    static std::string escape(const std::string& s);
    // A table with a header row; cells are escaped.
    static std::string table_html(const std::vector<std::string>& header,
                                  const std::vector<std::vector<std::string>>& rows);
    static std::string figure(const std::string& file, const std::string& caption);
    // The closing paragraph of a section: "What this shows: ..." (text is escaped).
    static std::string finding(const std::string& text);
    // A number for a table cell or a sentence, printf-style ("%.4g" unless told).
    static std::string number(double v, const char* format = "%.4g");

private:
    struct Section {
        std::string heading, html;
    };
    std::string title_;
    std::vector<Section> sections_;
};

}  // namespace kaya::tour
