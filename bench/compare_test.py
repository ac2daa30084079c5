#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Tests of compare.py's program-by-program rounds: the regex built from a program's benchmark
names must select exactly those names, in Python's re (the PyTorch peer's filter) and in a Google
Benchmark program (Kaya's programs and the libtorch peer), where BM_Exp/1000 is a prefix of
BM_Exp/100000. Run by ctest when Python 3 is installed (bench/CMakeLists.txt)."""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402


class ExactTest(unittest.TestCase):
    def test_python_re_selects_only_the_names(self):
        rx = compare.exact(["BM_Exp/1000", "BM_TransformerEncoderLayer"])
        for name in ("BM_Exp/1000", "BM_Exp/1000/real_time", "BM_TransformerEncoderLayer"):
            self.assertTrue(re.search(rx, name), name)
        for name in ("BM_Exp/100000", "BM_Exp/100", "XBM_Exp/1000", "BM_Exp/1000/0",
                     "BM_TransformerEncoderLayer2", "BM_Exp/1000/real_timex"):
            self.assertFalse(re.search(rx, name), name)

    def test_escapes_regex_characters(self):
        self.assertTrue(re.search(compare.exact(["BM_A.b+c"]), "BM_A.b+c"))
        self.assertFalse(re.search(compare.exact(["BM_A.b+c"]), "BM_Axbbc"))

    def test_google_benchmark_program_selects_each_name_alone(self):
        exe = os.environ.get("KAYA_ELEMENTWISE_BENCH")
        if not exe:
            self.skipTest("KAYA_ELEMENTWISE_BENCH (the path of build/bench/elementwise_bench) not set")
        names = compare.list_benchmarks(exe, "")
        self.assertIn("BM_Exp/1000", names)
        self.assertIn("BM_Exp/100000", names)
        for name in names:
            self.assertEqual(compare.list_benchmarks(exe, compare.exact([name])), [name])
        pair = [names[0], names[-1]]
        self.assertEqual(compare.list_benchmarks(exe, compare.exact(pair)), pair)
        self.assertEqual(compare.list_benchmarks(exe, "NoSuchBenchmark"), [])


if __name__ == "__main__":
    unittest.main()
