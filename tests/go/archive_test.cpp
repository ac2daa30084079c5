// SPDX-License-Identifier: MIT
// Games from a .tar.gz archive, a directory or one file; a corrupt archive is refused.
#include "apps/go/data/archive.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "kaya/core/error.h"
#include "kaya/io/file.h"

namespace kaya::go {
namespace {

namespace fs = std::filesystem;

TEST(GoArchive, LoadsTarGzDirectoriesAndFiles) {
    fs::path dir = fs::temp_directory_path() / ("kaya_archive_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "games" / "sub");
    std::ofstream(dir / "games" / "a.sgf")
        << "(;SZ[9];B[ee];W[cc])\n(;SZ[9];B[aa];W[aa])";  // 2nd illegal.
    std::ofstream(dir / "games" / "sub" / "b.sgf") << "(;SZ[9];B[dd])";
    std::ofstream(dir / "games" / "readme.txt") << "not a game";
    const std::string tgz = (dir / "games.tar.gz").string();
    ASSERT_EQ(std::system(("tar czf " + tgz + " -C " + dir.string() + " games").c_str()), 0);

    SgfCollection from_tar = load_games(tgz);
    EXPECT_EQ(from_tar.games.size(), 2u);
    ASSERT_EQ(from_tar.skipped.size(), 1u);
    EXPECT_NE(from_tar.skipped[0].file.find("games/a.sgf game 2"), std::string::npos)
        << from_tar.skipped[0].file;
    EXPECT_EQ(from_tar.games[1].moves.size(), 1u);  // games/sub/b.sgf comes after games/a.sgf.

    SgfCollection from_dir = load_games((dir / "games").string());
    EXPECT_EQ(from_dir.games.size(), 2u);
    EXPECT_EQ(load_games((dir / "games" / "sub" / "b.sgf").string()).games.size(), 1u);

    // A truncated archive fails with a clear error, not a crash.
    std::string bytes = io::read_file(tgz);
    const std::string cut = (dir / "cut.tar.gz").string();
    std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    EXPECT_THROW(load_games(cut), Error);
    std::ofstream((dir / "junk.tar").string(), std::ios::binary) << std::string(1024, 'x');
    EXPECT_THROW(load_games((dir / "junk.tar").string()), ParseError);
    EXPECT_THROW(load_games((dir / "missing.tar.gz").string()), IoError);
    fs::remove_all(dir);
}

}  // namespace
}  // namespace kaya::go
