// SPDX-License-Identifier: MIT
#include "kaya/data/collate.h"

#include <algorithm>

#include "kaya/ops/ops.h"

namespace kaya::data {

Tensor pad_sequence(const std::vector<Tensor>& seqs, bool batch_first, double value) {
    KAYA_CHECK(!seqs.empty(), ValueError, "pad_sequence: no sequences");
    int64_t longest = 0;
    for (size_t i = 0; i < seqs.size(); ++i) {
        const Tensor& s = seqs[i];
        KAYA_CHECK(s.defined() && s.dim() >= 1, ShapeError, "pad_sequence: sequence ", i,
                   " must have at least one dim, got ", s.defined() ? describe(s) : "undefined");
        KAYA_CHECK(s.dtype() == seqs[0].dtype(), DTypeError, "pad_sequence: sequence ", i, " is ",
                   describe(s), " but sequence 0 is ", describe(seqs[0]));
        bool same = s.dim() == seqs[0].dim();
        for (int64_t d = 1; same && d < s.dim(); ++d) same = s.shape()[d] == seqs[0].shape()[d];
        KAYA_CHECK(same, ShapeError, "pad_sequence: sequence ", i, " is ", describe(s),
                   " but sequence 0 is ", describe(seqs[0]), " (only dim 0 may differ)");
        longest = std::max(longest, s.shape()[0]);
    }
    std::vector<Tensor> padded;
    for (const Tensor& s : seqs) {
        const int64_t missing = longest - s.shape()[0];
        if (missing == 0) {
            padded.push_back(s);
            continue;
        }
        Shape tail = s.shape();
        tail[0] = missing;
        padded.push_back(cat({s, full(tail, value, s.dtype())}, 0));
    }
    return stack(padded, batch_first ? 0 : 1);
}

Tensor sequence_lengths(const std::vector<Tensor>& seqs) {
    std::vector<int64_t> v;
    for (const Tensor& s : seqs) v.push_back(s.dim() ? s.shape()[0] : 1);
    return from_vector<int64_t>(v, {static_cast<int64_t>(v.size())});
}

Collate pad_collate(std::vector<double> padding_values) {
    return [values = std::move(padding_values)](const std::vector<Example>& examples) {
        KAYA_CHECK(!examples.empty(), ValueError, "pad_collate: empty batch");
        const size_t fields = examples[0].size();
        Example out;
        for (size_t k = 0; k < fields; ++k) {
            std::vector<Tensor> seqs;
            for (const auto& e : examples) {
                KAYA_CHECK(e.size() == fields, ValueError, "pad_collate: examples have ",
                           fields, " and ", e.size(), " fields");
                seqs.push_back(e[k]);
            }
            out.push_back(pad_sequence(seqs, true, k < values.size() ? values[k] : 0.0));
        }
        std::vector<Tensor> first;
        for (const auto& e : examples) first.push_back(e[0]);
        out.push_back(sequence_lengths(first));
        return out;
    };
}

}  // namespace kaya::data
