#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/ (small, valid and
nearly valid inputs of each format). Standard library only. Run from the repository root:
    python3 tools/make_fuzz_seeds.py
Inputs that a fuzzing campaign found are added to the same folders by hand, named finding-*.
"""
import gzip
import io
import json
import os
import struct
import tarfile

ROOT = os.path.join(os.path.dirname(__file__), "..", "fuzz", "corpus")


def put(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def safetensors(tensors, metadata=None):
    header, body = {}, b""
    if metadata:
        header["__metadata__"] = metadata
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(body), len(body) + len(raw)]}
        body += raw
    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + body


def npy(descr, shape, raw):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, str(tuple(shape)))
    header += " " * (63 - (len(header) + 10) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + raw


def main():
    floats = struct.pack("<6f", 1, 2, 3, 4, 5, 6)
    put("safetensors", "two_tensors", safetensors({"w": ("F32", [2, 3], floats), "b": ("F64", [1], struct.pack("<d", 0.5))},
                                                 {"format": "pt"}))
    put("safetensors", "empty_tensor", safetensors({"e": ("F32", [0, 4], b"")}))
    put("safetensors", "int64", safetensors({"i": ("I64", [2], struct.pack("<2q", -1, 7))}))
    put("safetensors", "truncated", safetensors({"w": ("F32", [2, 3], floats)})[:-5])

    put("csv", "header", "id,a,b,y\n0,1.5,2,3\n1,-1e3,0.25,7\n")
    put("csv", "quoted_crlf", 'a,"b,c",d\r\n1,2,3\r\n"4",5,6\r\n')
    put("csv", "repeated_names", "x,x,x\n1,2,3\n\n4,5,6\n")
    put("csv", "nonfinite", "a,b\n1,nan\ninf,2\n")

    put("json", "object", '{"a": [1, 2.5, -3e2, true, null], "b": {"c": "d\\u00e9\\n"}}')
    put("json", "array", '[[], {}, "", 0, -0.0, 1e308]')
    put("json", "nested", "[" * 20 + "]" * 20)

    put("npy", "float32", npy("<f4", [2, 3], floats))
    put("npy", "int64", npy("<i8", [3], struct.pack("<3q", 1, 2, 3)))
    put("npy", "scalar", npy("<f8", [], struct.pack("<d", 2.0)))

    idx = b"\x00\x00\x08\x03" + struct.pack(">3I", 2, 2, 2) + bytes(range(8))
    put("idx", "images", idx)
    put("idx", "labels", b"\x00\x00\x08\x01" + struct.pack(">I", 4) + bytes([0, 1, 2, 9]))
    put("idx", "gzipped_images", gzip.compress(idx, mtime=0))

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for name, data in [("games/a.sgf", b"(;GM[1]SZ[9];B[ee])"), ("games/b.sgf", b"(;GM[1])")]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            t.addfile(info, io.BytesIO(data))
    put("tar", "two_files", buf.getvalue())
    put("tar", "empty_archive", b"\0" * 1024)
    put("tar", "truncated", buf.getvalue()[:700])

    put("gzip", "text", gzip.compress(b"hello, kaya\n" * 10, mtime=0))
    put("gzip", "two_members", gzip.compress(b"a", mtime=0) + gzip.compress(b"b", mtime=0))
    put("gzip", "truncated", gzip.compress(b"0123456789" * 50, mtime=0)[:-9])

    put("config", "covid", open(os.path.join(ROOT, "..", "..", "configs", "covid.toml")).read())
    put("config", "synthetic", "[data]\nsource = 'synthetic'\nrows = 100\n[model]\nhidden = [8, 4]\n"
        "[train]\nepochs = 2\nlr = 0.01\nschedule = 'cosine'\n")
    put("config", "override_line", "train.lr=0.5\n[data]\nsource = 'synthetic'\n")
    put("config", "typo", "[train]\nepoch = 3\n[data]\nsource = 'synthetic'\n")

    put("sgf", "game", "(;FF[4]GM[1]SZ[9]KM[7.5]PB[b]PW[w]RE[B+R];B[ee];W[ce];B[gc];W[];B[tt])")
    put("sgf", "variations_setup", "(;GM[1]SZ[19]AB[dd][pd:qe]AW[dp];B[pp](;W[qq])(;W[jj]C[a \\] escaped]))")
    put("sgf", "collection", "(;GM[1]SZ[5];B[aa])(;GM[1]SZ[13]HA[2]AB[dd][jj];W[gg])")

    put("gtp", "session", "protocol_version\nboardsize 9\nclear_board\nkomi 6.5\nplay b e5\ngenmove w\n"
        "showboard\nfinal_score\nquit\n")
    put("gtp", "errors", "1 play b z99\n2 boardsize 40\nunknown_command\nkomi nan\nplay w e5\nplay b e5\n")
    put("gtp", "handicap", "boardsize 9\nfixed_handicap 4\ngenmove w\nundo\nlist_commands\n")
    put("gtp", "cleanup", "boardsize 7\nplay b d1\nplay b d2\nplay b d3\nplay b d4\nplay b d5\nplay b d6\n"
        "play b d7\nplay w b4\nkgs-genmove_cleanup b\nkgs-genmove_cleanup w\nkgs-genmove_cleanup\n")


if __name__ == "__main__":
    main()
