// SPDX-License-Identifier: MIT
// The kaya command. Each subcommand lives in its own file (apps/cli/*_command.cpp) and runs from
// its callback; main parses and turns errors into messages and exit codes: 1 for bad input or
// a failed run, 130 for an interrupted run (resumable), 2 for an internal error.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "apps/cli/commands.h"
#include "apps/train/run.h"
#include "kaya/core/error.h"
#include "kaya/distributed/process_group.h"
#include "kaya/kernels/blas/gemm.h"

int main(int argc, char** argv) {
    kaya::cli::register_applications();
    CLI::App app{"Kaya: a deep-learning framework in C++ and the applications built on it"};
    app.require_subcommand(1);
    app.set_version_flag("--version", [] { return kaya::cli::system_report(); });
    kaya::cli::add_train_command(app);
    kaya::cli::add_sweep_command(app);
    kaya::cli::add_tour_command(app);
    kaya::cli::add_doctor_command(app);
    kaya::cli::add_tag_command(app);
    kaya::cli::add_translate_command(app);
    kaya::cli::add_tts_command(app);
    kaya::cli::add_predict_command(app);
    kaya::cli::add_audio_command(app);
    kaya::cli::add_classify_command(app);
    kaya::cli::add_landscape_command(app);
    kaya::cli::add_diagnose_command(app);
    kaya::cli::add_spectrum_command(app);
    auto* go = app.add_subcommand("go", "Go: play over GTP, matches between GTP engines");
    go->require_subcommand(1);
    kaya::cli::add_go_gtp_command(*go);
    kaya::cli::add_go_match_command(*go);
    kaya::cli::add_go_curve_command(*go);
    kaya::cli::add_go_rescore_command(*go);
    // Only `kaya train` knows how to share work between processes; N copies of another command
    // would each do all of it, writing the same files (`kaya doctor` only reads).
    const std::string command = argc < 2 ? "" : argv[1];
    if (const int n = kaya::distributed::launcher_world_size();
        n > 1 && command != "train" && command != "doctor") {
        std::fprintf(stderr,
                     "kaya: error: launched as %d processes (mpirun), but only `kaya train` runs "
                     "on several processes; run %s as one process\n",
                     n, command.empty() ? "this command" : ("`kaya " + command + "`").c_str());
        return 1;
    }
    try {
        // Every command's float products (kaya go gtp --matmul-precision overrides it).
        if (const char* env = std::getenv("KAYA_MATMUL_PRECISION"); env && *env) {
            try {
                kaya::kernels::set_float32_matmul_precision(kaya::kernels::parse_matmul_precision(env));
            } catch (const kaya::ValueError& e) {
                throw kaya::ValueError(std::string("KAYA_MATMUL_PRECISION: ") + e.what());
            }
        }
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const kaya::app::Interrupted& e) {
        std::fprintf(stderr, "\nkaya: %s\n", e.what());
        return 130;
    } catch (const kaya::Error& e) {
        std::fprintf(stderr, "kaya: error: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "kaya: internal error: %s\n", e.what());
        return 2;
    }
    return 0;
}
