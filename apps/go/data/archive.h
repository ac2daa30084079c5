// SPDX-License-Identifier: MIT
#pragma once

#include <string>

#include "apps/go/sgf/sgf.h"

namespace kaya::go {

// Games from wherever they are: a directory (searched recursively), a .tar, .tar.gz or .tgz
// archive of .sgf files (read in memory, e.g. ../shared/data/go/tom9d_sgf.tar.gz), or one
// .sgf file. Unusable files and games are skipped with the reason (SgfCollection::skipped);
// IoError when the path does not exist, ParseError when an archive is corrupt.
SgfCollection load_games(const std::string& path);

}  // namespace kaya::go
