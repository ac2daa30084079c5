// SPDX-License-Identifier: MIT
#include "apps/tts/espeak.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "kaya/core/error.h"
#include "kaya/io/process.h"

namespace kaya::tts {

namespace {

void check_installed(const EspeakOptions& o) {
    KAYA_CHECK(io::program_exists(o.program), IoError, "'", o.program,
               "' not found: the text-to-speech corpus is spoken by espeak-ng (apt-get install espeak-ng; "
               "scripts/setup.sh installs it)");
}

}  // namespace

std::string espeak_version(const EspeakOptions& o) {
    check_installed(o);
    const io::ProcessResult r = io::run_process({o.program, "--version"}, "", o.timeout_seconds);
    KAYA_CHECK(r.exit_status == 0, IoError, o.program, " --version failed (exit status ", r.exit_status, "): ", r.err);
    std::string line = r.out.substr(0, r.out.find('\n'));
    return line.substr(0, line.find("  Data at"));  // The version, without the data directory.
}

void espeak_to_wav(const std::string& text, const std::string& wav_path, const EspeakOptions& o) {
    check_installed(o);
    KAYA_CHECK(!text.empty(), ValueError, "espeak-ng: nothing to say for ", wav_path);
    const std::string tmp = wav_path + ".tmp" + std::to_string(::getpid());
    // The text goes through stdin, so nothing in it can be taken for an option.
    const io::ProcessResult r =
        io::run_process({o.program, "-v", o.voice, "-s", std::to_string(o.words_per_minute), "-w", tmp, "--stdin"},
                        text + "\n", o.timeout_seconds);
    std::error_code ec;
    if (r.exit_status != 0 || !std::filesystem::exists(tmp) || std::filesystem::file_size(tmp, ec) <= 44) {
        std::filesystem::remove(tmp, ec);
        throw IoError(o.program + " made no audio for '" + text.substr(0, 80) + "' (exit status " +
                      std::to_string(r.exit_status) + "): " + r.err.substr(0, 300));
    }
    std::filesystem::rename(tmp, wav_path, ec);
    KAYA_CHECK(!ec, IoError, "cannot rename ", tmp, " to ", wav_path, ": ", ec.message());
}

}  // namespace kaya::tts
