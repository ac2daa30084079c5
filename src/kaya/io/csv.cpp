// SPDX-License-Identifier: MIT
#include "kaya/io/csv.h"

#include <charconv>
#include <cmath>
#include <map>

#include "kaya/io/file.h"
#include "kaya/ops/convert.h"
#include "kaya/ops/factory.h"
#include "kaya/ops/index.h"

namespace kaya::io {

std::vector<std::string> split_csv_line(std::string_view line, char delim, const std::string& src,
                                        int64_t line_no) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
        char c = line[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < line.size() && line[i + 1] == '"') {
                    fields.back() += '"';
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                fields.back() += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == delim) {
            fields.emplace_back();
        } else {
            fields.back() += c;
        }
    }
    KAYA_CHECK(!quoted, ParseError, src, ":", line_no, ": unclosed quote");
    return fields;
}

namespace {
std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}
}  // namespace

CsvTable parse_csv(std::string_view text, const std::string& src, CsvOptions o) {
    CsvTable table;
    std::vector<double> values;
    int64_t line_no = 0;
    size_t ncols = 0;
    bool have_header = false;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (trim(line).empty()) continue;
        auto fields = split_csv_line(line, o.delimiter, src, line_no);
        if (o.header && !have_header) {
            // Repeated names get ".1", ".2", ... as pandas does (the COVID data repeats its
            // per-day feature names).
            std::map<std::string, int> seen;
            for (auto& f : fields) {
                std::string name(trim(f));
                int k = seen[name]++;
                table.columns.push_back(k ? name + "." + std::to_string(k) : name);
            }
            ncols = fields.size();
            have_header = true;
            continue;
        }
        if (ncols == 0) {
            ncols = fields.size();
            for (size_t i = 0; i < ncols; ++i) table.columns.push_back(std::to_string(i));
        }
        KAYA_CHECK(fields.size() == ncols, ParseError, src, ":", line_no, ": expected ", ncols,
                   " fields, got ", fields.size());
        // Column numbers in messages count characters from 1, as editors do.
        size_t col_pos = 1;
        const size_t row_start = values.size();
        bool finite = true;
        for (size_t c = 0; c < ncols; ++c) {
            std::string_view f = trim(fields[c]);
            double v = 0;
            auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
            KAYA_CHECK(!f.empty() && ec == std::errc() && p == f.data() + f.size(), ParseError, src,
                       ":", line_no, ":", col_pos, ": expected a number in column '",
                       table.columns[c], "', got '", std::string(f), "'");
            // NaN would train silently and infinity give NaN losses: refuse them here, where
            // the line and column are known.
            KAYA_CHECK(std::isfinite(v) || o.drop_nonfinite, ParseError, src, ":", line_no, ":",
                       col_pos, ": expected a finite number in column '", table.columns[c],
                       "', got '", std::string(f), "'");
            finite = finite && std::isfinite(v);
            values.push_back(v);
            col_pos += fields[c].size() + 1;
        }
        if (!finite) {
            values.resize(row_start);
            ++table.dropped_rows;
        }
    }
    KAYA_CHECK(ncols > 0, ParseError, src, ": no columns (empty file?)");
    int64_t rows = static_cast<int64_t>(values.size() / ncols);
    table.values = from_vector(values, {rows, static_cast<int64_t>(ncols)});
    return table;
}

CsvTable read_csv(const std::string& path, CsvOptions o) { return parse_csv(read_file(path), path, o); }

int64_t CsvTable::column(const std::string& name) const {
    for (size_t i = 0; i < columns.size(); ++i) {
        if (columns[i] == name) return static_cast<int64_t>(i);
    }
    std::string known;
    for (size_t i = 0; i < columns.size() && i < 20; ++i) known += (i ? ", " : "") + columns[i];
    if (columns.size() > 20) known += ", ...";
    throw ValueError("csv: no column named '" + name + "' (columns: " + known + ")");
}

Tensor CsvTable::select(const std::vector<std::string>& names, DType dtype) const {
    std::vector<int64_t> idx;
    for (const auto& n : names) idx.push_back(column(n));
    Tensor i = from_vector(idx, {static_cast<int64_t>(idx.size())});
    return to(index_select(values, 1, i), dtype);
}

std::string csv_field(std::string_view field) {
    if (field.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(field);
    std::string q = "\"";
    for (char c : field) {
        if (c == '"') q += '"';
        q += c;
    }
    return q + "\"";
}

}  // namespace kaya::io
