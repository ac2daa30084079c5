// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

namespace kaya::app {

// An HTML report with one section per MISSION row, written as <dir>/index.html. Sections hold
// HTML fragments: paragraphs, tables (table_html) and figures (image files beside index.html).
class Report {
public:
    explicit Report(std::string title) : title_(std::move(title)) {}
    // row: the MISSION row numbers the section covers, e.g. "1, 10".
    void add_section(const std::string& row, const std::string& heading, const std::string& html);
    // Writes index.html (atomically) into dir and returns its path.
    std::string write(const std::string& dir) const;

    static std::string escape(const std::string& s);
    // A table with a header row; cells are escaped.
    static std::string table_html(const std::vector<std::string>& header,
                                  const std::vector<std::vector<std::string>>& rows);
    static std::string figure(const std::string& file, const std::string& caption);
    // A number for a table cell or a sentence, printf-style ("%.4g" unless told).
    static std::string number(double v, const char* format = "%.4g");

private:
    struct Section {
        std::string row, heading, html;
    };
    std::string title_;
    std::vector<Section> sections_;
};

}  // namespace kaya::app
