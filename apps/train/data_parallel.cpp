// SPDX-License-Identifier: MIT
#include "apps/train/data_parallel.h"

#include <cmath>
#include <cstdio>
#include <exception>
#include <sstream>

#include "kaya/core/random.h"
#include "kaya/io/file.h"

namespace kaya::app {

ParallelSettings ParallelSettings::read(const Config& cfg) {
    ParallelSettings s;
    s.bucket_mb = cfg.get_double("distributed.bucket_mb", s.bucket_mb, 1e-3, 4096);
    s.overlap = cfg.get_bool("distributed.overlap", s.overlap);
    s.timeout_minutes = cfg.get_double("distributed.timeout_minutes", s.timeout_minutes, 0.05, 1e6);
    return s;
}

std::string encode_metrics(const Metrics& m) {
    std::string s;
    for (const auto& [n, v] : m.items()) {
        char buf[40];
        std::snprintf(buf, sizeof buf, "\t%.17g\n", v);
        s += n + buf;
    }
    return s;
}

Metrics decode_metrics(const std::string& s) {
    Metrics m;
    std::istringstream in(s);
    for (std::string line; std::getline(in, line);) {
        const auto tab = line.rfind('\t');
        KAYA_CHECK(tab != std::string::npos, ParseError, "metrics from another process: bad line '",
                   line, "'");
        m.set(line.substr(0, tab), std::strtod(line.c_str() + tab + 1, nullptr));
    }
    return m;
}

DataParallel::DataParallel(distributed::ProcessGroup& group, const ParallelSettings& settings)
    : group_(group), settings_(settings) {
    group_.set_timeout(60 * settings_.timeout_minutes);
}

void DataParallel::together(const std::function<void()>& fn) {
    try {
        fn();
    } catch (...) {
        group_.fail_together();
        throw;
    }
}

void DataParallel::on_root(const std::string& what, const std::function<void()>& fn) {
    std::exception_ptr error;
    std::string message;
    if (root()) {
        try {
            fn();
        } catch (const std::exception& e) {
            error = std::current_exception();
            message = e.what();
            if (message.empty()) message = "error";
        }
    }
    message = group_.broadcast_string(message, 0, what);
    if (message.empty()) return;
    group_.fail_together();
    if (error) std::rethrow_exception(error);
    throw Error(message);  // Process 0 reports it; the others end quietly.
}

void DataParallel::check_batch_size(int64_t batch_size) {
    together([&] {
        KAYA_CHECK(batch_size % size() == 0, ValueError, "train.batch_size ", batch_size,
                   " cannot be shared by ", size(), " processes: each takes an equal part of "
                   "every batch, so the batch size must be a multiple of the number of processes "
                   "(e.g. ", (batch_size / size() + 1) * size(), ")");
    });
}

// "line 12: 'lr = 0.1' where process 0 has 'lr = 0.01'".
static std::string first_difference(const std::string& ref, const std::string& mine) {
    std::istringstream a(ref), b(mine);
    std::string la, lb;
    for (int line = 1;; ++line) {
        const bool ha = static_cast<bool>(std::getline(a, la));
        const bool hb = static_cast<bool>(std::getline(b, lb));
        if (!ha && !hb) return "the same lines";
        if (!ha) la = "(end)";
        if (!hb) lb = "(end)";
        if (la != lb || !ha || !hb)
            return "line " + std::to_string(line) + ": '" + lb + "' where process 0 has '" + la + "'";
    }
}

void DataParallel::check_same(const std::string& text, const std::string& what) {
    const std::string ref = group_.broadcast_string(text, 0, what);
    std::vector<double> differs(static_cast<size_t>(size()), 0.0);
    if (text != ref) differs[static_cast<size_t>(rank())] = 1;
    differs = group_.allreduce_sum(differs, what);
    int first = -1, count = 0;
    for (int r = 0; r < size(); ++r) {
        if (differs[static_cast<size_t>(r)] == 0) continue;
        if (first < 0) first = r;
        ++count;
    }
    if (first < 0) return;
    const std::string diff =
        group_.broadcast_string(rank() == first ? first_difference(ref, text) : "", first, what);
    group_.fail_together();
    throw ValueError("the " + what + " differs between processes (" + std::to_string(count) +
                     " of " + std::to_string(size()) + " differ from process 0's); process " +
                     std::to_string(first) + " has " + diff +
                     ". Every process must run the same config on the same data");
}

std::string DataParallel::file_from_root(const std::string& path) {
    std::string bytes;
    on_root("reading " + path, [&] { bytes = io::read_file(path); });
    return group_.broadcast_string(bytes, 0, "sending " + path);
}

void DataParallel::attach(nn::Module& model) {
    std::vector<Tensor> state;
    for (auto& [n, t] : model.state_dict()) state.push_back(t);
    distributed::broadcast_tensors(group_, state, 0);
    reducer_ = std::make_unique<distributed::GradientReducer>(
        group_, model.parameters(),
        distributed::ReducerOptions{.bucket_mb = settings_.bucket_mb, .overlap = settings_.overlap});
}

void DataParallel::begin_step(uint64_t seed, int64_t step, int64_t examples) {
    const uint64_t stream = Generator::mix(seed ^ (0x9e3779b97f4a7c15ULL * static_cast<uint64_t>(rank() + 1)));
    default_generator().manual_seed(Generator::mix(stream + static_cast<uint64_t>(step)));
    reducer_->begin(static_cast<double>(examples));
}

std::vector<double> DataParallel::end_step(const std::vector<double>& values) {
    return reducer_->finish(values);
}

void DataParallel::sync_buffers(nn::Module& model) {
    std::vector<Tensor> buffers;
    for (auto& [n, t] : model.named_buffers()) buffers.push_back(t);
    if (!buffers.empty()) distributed::broadcast_tensors(group_, buffers, 0);
}

Metrics DataParallel::sum(const Metrics& local) {
    Metrics total;
    for (int r = 0; r < size(); ++r) {
        const std::string s =
            group_.broadcast_string(r == rank() ? encode_metrics(local) : "", r, "running sums");
        const Metrics theirs = decode_metrics(s);
        for (const auto& [n, v] : theirs.items()) total.add(n, v);
    }
    return total;
}

Metrics DataParallel::from_root(const Metrics& row) {
    return decode_metrics(group_.broadcast_string(root() ? encode_metrics(row) : "", 0, "epoch results"));
}

std::string DataParallel::report(double train_seconds) const {
    const auto& s = reducer_->stats();
    const double kib = static_cast<double>(s.bytes) / 1024;
    char amount[32], buf[400];
    std::snprintf(amount, sizeof amount, kib < 1024 ? "%.1f KiB" : "%.2f MiB", kib < 1024 ? kib : kib / 1024);
    std::snprintf(buf, sizeof buf,
                  "data-parallel: %d processes (%s), %s of gradients in %lld bucket%s a step, "
                  "all-reduced %s; process 0 waited for the others and for communication %.1f%% "
                  "of its training time",
                  size(), group_.backend().c_str(), amount, static_cast<long long>(s.buckets),
                  s.buckets == 1 ? "" : "s", settings_.overlap ? "during backward" : "after backward",
                  train_seconds > 0 ? 100 * s.wait_seconds / train_seconds : 0.0);
    return buf;
}

}  // namespace kaya::app
