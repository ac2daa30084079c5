// SPDX-License-Identifier: MIT
#include "apps/translate/decode.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "kaya/ops/ops.h"

namespace kaya::translate {

namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// Logits of the next token for every row, from the cache or by recomputing the prefix.
class NextToken {
public:
    NextToken(Translator& m, const Tensor& src, bool cache) : m_(m), src_(src), use_cache_(cache) {
        memory_ = m_.encode(src_);
    }
    // prefix (R, t + 1) of ids starting with <s>: logits (R, V) for position t + 1.
    Tensor next(const std::vector<std::vector<int64_t>>& prefix) {
        const auto R = static_cast<int64_t>(prefix.size()), T = static_cast<int64_t>(prefix[0].size());
        if (use_cache_) {
            std::vector<int64_t> last;
            for (const auto& p : prefix) last.push_back(p.back());
            return m_.step(from_vector<int64_t>(last, {R, 1}), T - 1, memory_, src_, cache_);
        }
        std::vector<int64_t> flat;
        for (const auto& p : prefix) flat.insert(flat.end(), p.begin(), p.end());
        Tensor logits = m_.decode(from_vector<int64_t>(flat, {R, T}), memory_, src_);
        return squeeze(narrow(logits, 1, T - 1, 1), 1);
    }
    // Rows now continue rows `order` of before (beam search).
    void reorder(const std::vector<int64_t>& order) {
        const Tensor idx = from_vector<int64_t>(order, {static_cast<int64_t>(order.size())});
        memory_ = index_select(memory_, 0, idx);
        src_ = index_select(src_, 0, idx);
        for (auto* caches : {&cache_.self, &cache_.cross}) {
            for (auto& c : *caches) {
                if (c.length() == 0) continue;
                c.keys = index_select(c.keys, 0, idx);
                c.values = index_select(c.values, 0, idx);
            }
        }
    }

private:
    Translator& m_;
    Tensor src_, memory_;
    bool use_cache_;
    nn::TransformerDecoder::Cache cache_;
};

// <pad> and <s> are never output: -inf added to their logits (V columns).
Tensor banned(const Tensor& logits) {
    const int64_t V = logits.shape()[1];
    std::vector<double> add_to(static_cast<size_t>(V), 0.0);
    add_to[kPadId] = add_to[kBosId] = kNegInf;
    return add(logits, to(from_vector<double>(add_to, {1, V}), logits.dtype()));
}

int64_t longest_output(const DecodeOptions& o, int64_t source_len, int64_t max_len) {
    const auto n = static_cast<int64_t>(o.max_len_a * static_cast<double>(source_len)) + o.max_len_b;
    return std::max<int64_t>(1, std::min(n, max_len - 1));
}

double normalised(double score, size_t length, double alpha) {
    return score / std::pow((5.0 + static_cast<double>(length)) / 6.0, alpha);
}

std::vector<std::vector<int64_t>> greedy(Translator& model, const std::vector<std::vector<int64_t>>& sources,
                                         const DecodeOptions& o) {
    const auto N = sources.size();
    const Tensor src = source_batch(sources);
    std::vector<int64_t> limit(N);
    int64_t steps = 0;
    for (size_t i = 0; i < N; ++i) {
        limit[i] = longest_output(o, static_cast<int64_t>(sources[i].size()) + 1, model.options().max_len);
        steps = std::max(steps, limit[i]);
    }
    NextToken next(model, src, o.cache);
    std::vector<std::vector<int64_t>> prefix(N, {kBosId}), out(N);
    std::vector<bool> done(N, false);
    for (int64_t t = 0; t < steps; ++t) {
        const auto best = to_vector<int64_t>(argmax(banned(next.next(prefix)), 1));
        bool all = true;
        for (size_t i = 0; i < N; ++i) {
            prefix[i].push_back(best[i]);
            if (!done[i]) {
                if (best[i] == kEosId || t + 1 >= limit[i]) done[i] = true;
                if (best[i] != kEosId) out[i].push_back(best[i]);
            }
            all = all && done[i];
        }
        if (all) break;
    }
    return out;
}

struct Finished {
    std::vector<int64_t> tokens;
    double score;
};

// One step of one sentence's beams: the best `beam` continuations; </s> among them finishes a
// hypothesis. Returns (source row, token, score) of the continuing beams.
struct Continuation {
    int64_t row, token;
    double score;
};

std::vector<Continuation> expand(const std::vector<float>& lp, int64_t V, int64_t first_row, int64_t beam,
                                 const std::vector<double>& scores, const std::vector<std::vector<int64_t>>& prefix,
                                 double alpha, bool last_step, std::vector<Finished>& finished) {
    std::vector<std::pair<double, int64_t>> cand;  // (score, row * V + token)
    for (int64_t k = 0; k < beam; ++k) {
        const int64_t row = first_row + k;
        if (scores[static_cast<size_t>(row)] == kNegInf) continue;
        for (int64_t v = 0; v < V; ++v) {
            if (v == kPadId || v == kBosId) continue;  // Never output.
            const double s = scores[static_cast<size_t>(row)] + lp[static_cast<size_t>(row * V + v)];
            cand.emplace_back(s, row * V + v);
        }
    }
    const auto take = std::min<size_t>(cand.size(), static_cast<size_t>(2 * beam));
    std::partial_sort(cand.begin(), cand.begin() + static_cast<std::ptrdiff_t>(take), cand.end(),
                      [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<Continuation> next;
    for (size_t c = 0; c < take && static_cast<int64_t>(next.size()) < beam; ++c) {
        const int64_t row = cand[c].second / V, token = cand[c].second % V;
        std::vector<int64_t> tokens(prefix[static_cast<size_t>(row)].begin() + 1, prefix[static_cast<size_t>(row)].end());
        if (token == kEosId || last_step) {
            // </s> counts only among the best `beam` candidates, as in fairseq.
            if (token != kEosId) tokens.push_back(token);
            if (static_cast<int64_t>(c) < beam)
                finished.push_back({tokens, normalised(cand[c].first, tokens.size() + 1, alpha)});
            continue;
        }
        next.push_back({row, token, cand[c].first});
    }
    return next;
}

std::vector<int64_t> beam_one_batch_best(const std::vector<Finished>& f) {
    size_t best = 0;
    for (size_t i = 1; i < f.size(); ++i) best = f[i].score > f[best].score ? i : best;
    return f.empty() ? std::vector<int64_t>{} : f[best].tokens;
}

std::vector<std::vector<int64_t>> beam_search(Translator& model,
                                              const std::vector<std::vector<int64_t>>& sources,
                                              const DecodeOptions& o) {
    const auto N = static_cast<int64_t>(sources.size()), K = o.beam;
    std::vector<std::vector<int64_t>> rows_src;  // Each source K times.
    std::vector<int64_t> limit(static_cast<size_t>(N));
    int64_t steps = 0;
    for (int64_t i = 0; i < N; ++i) {
        for (int64_t k = 0; k < K; ++k) rows_src.push_back(sources[static_cast<size_t>(i)]);
        limit[static_cast<size_t>(i)] =
            longest_output(o, static_cast<int64_t>(sources[static_cast<size_t>(i)].size()) + 1, model.options().max_len);
        steps = std::max(steps, limit[static_cast<size_t>(i)]);
    }
    NextToken next(model, source_batch(rows_src), o.cache);
    const auto R = static_cast<size_t>(N * K);
    std::vector<std::vector<int64_t>> prefix(R, {kBosId});
    std::vector<double> scores(R, kNegInf);
    for (int64_t i = 0; i < N; ++i) scores[static_cast<size_t>(i * K)] = 0;  // One live beam at first.
    std::vector<std::vector<Finished>> finished(static_cast<size_t>(N));
    std::vector<bool> done(static_cast<size_t>(N), false);
    for (int64_t t = 0; t < steps; ++t) {
        Tensor lp_t = log_softmax(to(next.next(prefix), DType::Float32), 1);
        const int64_t V = lp_t.shape()[1];
        const auto lp = to_vector<float>(lp_t);
        std::vector<int64_t> order(R);
        std::vector<std::vector<int64_t>> new_prefix(R);
        std::vector<double> new_scores(R, kNegInf);
        bool all = true;
        for (int64_t i = 0; i < N; ++i) {
            auto& fin = finished[static_cast<size_t>(i)];
            std::vector<Continuation> cont;
            if (!done[static_cast<size_t>(i)])
                cont = expand(lp, V, i * K, K, scores, prefix, o.length_penalty, t + 1 >= limit[static_cast<size_t>(i)], fin);
            if (static_cast<int64_t>(fin.size()) >= K || cont.empty()) done[static_cast<size_t>(i)] = true;
            for (int64_t k = 0; k < K; ++k) {
                const auto r = static_cast<size_t>(i * K + k);
                if (!done[static_cast<size_t>(i)] && k < static_cast<int64_t>(cont.size())) {
                    const Continuation& c = cont[static_cast<size_t>(k)];
                    order[r] = c.row;
                    new_prefix[r] = prefix[static_cast<size_t>(c.row)];
                    new_prefix[r].push_back(c.token);
                    new_scores[r] = c.score;
                } else {
                    order[r] = static_cast<int64_t>(r);  // A dead row keeps its place.
                    new_prefix[r] = prefix[r];
                    new_prefix[r].push_back(kPadId);
                }
            }
            all = all && done[static_cast<size_t>(i)];
        }
        if (all) break;
        next.reorder(order);
        prefix = std::move(new_prefix);
        scores = std::move(new_scores);
    }
    std::vector<std::vector<int64_t>> out;
    for (const auto& f : finished) out.push_back(beam_one_batch_best(f));
    return out;
}

}  // namespace

Tensor source_batch(const std::vector<std::vector<int64_t>>& sources) {
    KAYA_CHECK(!sources.empty(), ValueError, "source_batch: no sentences");
    size_t S = 0;
    for (const auto& s : sources) S = std::max(S, s.size() + 1);
    std::vector<int64_t> flat(sources.size() * S, kPadId);
    for (size_t i = 0; i < sources.size(); ++i) {
        std::copy(sources[i].begin(), sources[i].end(), flat.begin() + static_cast<std::ptrdiff_t>(i * S));
        flat[i * S + sources[i].size()] = kEosId;
    }
    return from_vector<int64_t>(flat, {static_cast<int64_t>(sources.size()), static_cast<int64_t>(S)});
}

std::vector<std::vector<int64_t>> translate_batch(Translator& model,
                                                  const std::vector<std::vector<int64_t>>& sources,
                                                  const DecodeOptions& o) {
    KAYA_CHECK(o.beam >= 1, ValueError, "translate: beam must be at least 1, got ", o.beam);
    if (sources.empty()) return {};
    autograd::NoGradGuard no_grad;
    const bool was_training = model.is_training();
    model.eval();
    auto out = o.beam == 1 ? greedy(model, sources, o) : beam_search(model, sources, o);
    if (was_training) model.train();
    return out;
}

GreedyTrace greedy_trace(Translator& model, const Tensor& src, int64_t steps, bool cache) {
    autograd::NoGradGuard no_grad;
    model.eval();
    const auto N = static_cast<size_t>(src.shape()[0]);
    NextToken next(model, src, cache);
    GreedyTrace trace;
    std::vector<std::vector<int64_t>> prefix(N, {kBosId});
    std::vector<Tensor> logits;
    for (int64_t t = 0; t < steps; ++t) {
        Tensor l = next.next(prefix);
        logits.push_back(l);
        const auto best = to_vector<int64_t>(argmax(banned(l), 1));
        for (size_t i = 0; i < N; ++i) prefix[i].push_back(best[i]);
    }
    for (auto& p : prefix) trace.tokens.emplace_back(p.begin() + 1, p.end());
    trace.logits = stack(logits, 1);
    return trace;
}

}  // namespace kaya::translate
