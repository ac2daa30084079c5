// SPDX-License-Identifier: MIT
#include "apps/tour/report.h"

#include <cstdio>
#include <sstream>

#include "kaya/io/file.h"

namespace kaya::tour {

std::string Report::escape(const std::string& s) {
    std::string o;
    for (char c : s) {
        if (c == '<')
            o += "&lt;";
        else if (c == '>')
            o += "&gt;";
        else if (c == '&')
            o += "&amp;";
        else
            o += c;
    }
    return o;
}

void Report::add_section(const std::string& heading, const std::string& html) {
    sections_.push_back({heading, html});
}

std::string Report::finding(const std::string& text) {
    return "<p class='finding'><b>What this shows.</b> " + escape(text) + "</p>";
}

std::string Report::table_html(const std::vector<std::string>& header,
                               const std::vector<std::vector<std::string>>& rows) {
    std::ostringstream os;
    os << "<table><tr>";
    for (const auto& h : header) os << "<th>" << escape(h) << "</th>";
    os << "</tr>";
    for (const auto& r : rows) {
        os << "<tr>";
        for (const auto& c : r) os << "<td>" << escape(c) << "</td>";
        os << "</tr>";
    }
    os << "</table>";
    return os.str();
}

std::string Report::figure(const std::string& file, const std::string& caption) {
    return "<figure><img src='" + escape(file) + "' alt='" + escape(caption) + "'><figcaption>" +
           escape(caption) + "</figcaption></figure>";
}

std::string Report::write(const std::string& dir) const {
    std::ostringstream os;
    os << "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>" << escape(title_)
       << "</title><style>body{font-family:sans-serif;max-width:980px;margin:2em auto;padding:0 "
          "1em;"
          "color:#222}h1{border-bottom:2px solid #8b5a2b}h2{color:#8b5a2b;margin-top:2em}"
          "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px "
          "10px;"
          "text-align:right}th{background:#f4ede4}figure{display:inline-block;margin:0.5em}"
          "figcaption{font-size:0.85em;color:#555}nav a{margin-right:1em}"
          ".finding{background:#f4ede4;border-left:4px solid #8b5a2b;padding:0.5em 1em}"
          "</style></head><body><h1>"
       << escape(title_) << "</h1><nav>";
    for (size_t i = 0; i < sections_.size(); ++i) {
        os << "<a href='#s" << i << "'>" << escape(sections_[i].heading) << "</a>";
    }
    os << "</nav>";
    for (size_t i = 0; i < sections_.size(); ++i) {
        const auto& s = sections_[i];
        os << "<section id='s" << i << "'><h2>" << escape(s.heading) << "</h2>" << s.html
           << "</section>\n";
    }
    os << "</body></html>\n";
    std::string path = dir + "/index.html";
    io::write_file_atomic(path, os.str());
    return path;
}

std::string Report::number(double v, const char* format) {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

}  // namespace kaya::tour
