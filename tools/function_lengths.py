#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Lists C++ functions longer than a limit (STYLE.md section 8: split functions over ~80 lines).

Usage: python3 tools/function_lengths.py [--max 80] [DIR_OR_FILE ...]   (default: apps src)
Exits 1 when a function is longer than --max. A function is a brace block opened at namespace
or class scope after a parameter list; its length runs from the line of its name to its
closing brace. Comments, strings and character literals are skipped.
"""
import argparse
import os
import re
import sys


def strip(text):
    """Comments, string and char literals replaced by spaces, newlines kept."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith('R"', i):
            m = re.match(r'R"([^(]*)\(', text[i:])
            end = text.find(")" + m.group(1) + '"', i) if m else -1
            j = n if end < 0 else end + len(m.group(1)) + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(" " * (j + 1 - i))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


SCOPE = re.compile(r"\b(namespace|class|struct|union|enum)\b[^()]*$")
CONTROL = re.compile(r"^\s*(if|for|while|switch|catch|do|else)\b")


def functions(path):
    text = strip(open(path, encoding="utf-8", errors="replace").read())
    stack, header_start, results = [], 0, []
    line = 1
    for i, c in enumerate(text):
        if c == "\n":
            line += 1
        elif c in ";}{":
            if c == "{":
                header = text[header_start:i]
                at_scope = all(kind == "scope" for kind, _, _ in stack)
                if at_scope and SCOPE.search(header.strip()) or (at_scope and header.strip().endswith("=")):
                    stack.append(("scope", 0, ""))
                elif at_scope and ")" in header and not CONTROL.match(header):
                    lead = len(header) - len(header.lstrip())
                    start = line - header.count("\n") + header[:lead].count("\n")
                    name = re.findall(r"([~\w:]+)\s*\(", header)
                    stack.append(("func", start, name[0] if name else "?"))
                else:
                    stack.append(("block", 0, ""))
            elif c == "}" and stack:
                kind, start, name = stack.pop()
                if kind == "func":
                    results.append((line - start + 1, start, name))
            header_start = i + 1
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--max", type=int, default=80)
    ap.add_argument("paths", nargs="*", default=["apps", "src"])
    args = ap.parse_args()
    files = []
    for p in args.paths:
        if os.path.isfile(p):
            files.append(p)
        for root, _, names in os.walk(p):
            files += [os.path.join(root, f) for f in names if f.endswith((".cpp", ".h"))]
    longest, over = [], 0
    for f in sorted(files):
        for length, start, name in functions(f):
            longest.append((length, f"{f}:{start}", name))
    longest.sort(reverse=True)
    for length, where, name in longest:
        if length > args.max:
            over += 1
            print(f"{length:5d}  {where}  {name}")
    if longest:
        print(f"longest: {longest[0][0]} lines ({longest[0][1]} {longest[0][2]}); {over} over {args.max}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
