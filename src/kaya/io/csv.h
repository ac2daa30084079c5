// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kaya/core/tensor.h"

namespace kaya::io {

struct CsvOptions {
    char delimiter = ',';
    bool header = true;  // First line names the columns; without it they are "0", "1", ...
    // NaN and infinite fields ("nan", "inf") are errors; with this set, rows holding one are
    // skipped and counted in CsvTable::dropped_rows instead.
    bool drop_nonfinite = false;
};

// A numeric table read from CSV.
struct CsvTable {
    std::vector<std::string> columns;
    Tensor values;  // (rows, columns) float64
    int64_t dropped_rows = 0;  // Rows skipped for a non-finite field (CsvOptions::drop_nonfinite).

    // Index of a column; ValueError listing the available names when absent.
    int64_t column(const std::string& name) const;
    // The named columns as a (rows, k) tensor of `dtype`.
    Tensor select(const std::vector<std::string>& names, DType dtype = kDefaultDType) const;
    int64_t rows() const { return values.shape()[0]; }
};

// Reads a CSV of numbers (RFC 4180 quoting allowed, CRLF or LF, blank lines skipped; repeated
// header names become name.1, name.2, ... as in pandas). A bad
// field throws ParseError "file:line:column: expected a number in column 'x', got 'abc'" (NaN
// and infinity included, unless drop_nonfinite); a row with the wrong number of fields names
// the line and both counts.
CsvTable read_csv(const std::string& path, CsvOptions options = {});
CsvTable parse_csv(std::string_view text, const std::string& source, CsvOptions options = {});

// One field as CSV text: as it is, or in double quotes with "" for a quote when it holds a
// comma, a quote or a line break (RFC 4180; split_csv_line reads it back).
std::string csv_field(std::string_view field);

// Splits one CSV line into fields (quotes removed, "" unescaped); ParseError on an unclosed
// quote, naming source:line.
std::vector<std::string> split_csv_line(std::string_view line, char delimiter,
                                        const std::string& source, int64_t line_no);

}  // namespace kaya::io
