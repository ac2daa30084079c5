// SPDX-License-Identifier: MIT
#pragma once

#include <optional>

#include "kaya/core/random.h"
#include "kaya/nn/module.h"

namespace kaya::nn {

struct EmbeddingOptions {
    int64_t num = 0;                      // num_embeddings: rows of the table.
    int64_t dim = 0;                      // embedding_dim.
    std::optional<int64_t> padding_idx;   // This row starts at 0 and gets no gradient.
    std::optional<double> max_norm;       // Looked-up rows with a larger norm are rescaled.
    double norm_type = 2.0;               // The p of max_norm's p-norm.
    DType dtype = kDefaultDType;
    Generator* gen = nullptr;             // For the initialisation N(0, 1).
};

// A lookup table of learnable vectors (torch.nn.Embedding): parameter `weight` (num, dim);
// int64 indices (*) -> (*, dim). With max_norm, each looked-up row whose norm exceeds it is
// scaled down in place before the lookup (PyTorch's renorm, outside the graph). Throws
// IndexError for indices outside [0, num), DTypeError for non-int64 indices.
class Embedding : public Module {
public:
    explicit Embedding(EmbeddingOptions options);
    Embedding(int64_t num, int64_t dim) : Embedding(EmbeddingOptions{.num = num, .dim = dim}) {}

    Tensor forward(const Tensor& indices) override;
    std::string type_name() const override { return "Embedding"; }
    std::string extra_repr() const override;

    Tensor weight;  // (num, dim)

private:
    EmbeddingOptions options_;
};

// The fixed sinusoids of Vaswani et al. (2017), section 3.5:
//   pe[t, 2i] = sin(t / 10000^(2i/d)), pe[t, 2i+1] = cos(t / 10000^(2i/d)),
// added to a batch_first input (B, T, d) or an unbatched (T, d). No parameters; T may not
// exceed max_len (ValueError).
class SinusoidalPositionalEncoding : public Module {
public:
    SinusoidalPositionalEncoding(int64_t dim, int64_t max_len = 4096, DType dtype = kDefaultDType);

    Tensor forward(const Tensor& x) override;
    // The (T, d) table itself.
    Tensor table(int64_t length) const;
    std::string type_name() const override { return "SinusoidalPositionalEncoding"; }
    std::string extra_repr() const override;

private:
    int64_t dim_, max_len_;
    Tensor table_;  // (max_len, dim), not a parameter or buffer: recomputed from the options.
};

// A learned position table, parameter `weight` (max_len, dim) drawn from N(0, 0.02^2) as in
// BERT and GPT-2, added to (B, T, d) or (T, d) inputs.
class LearnedPositionalEncoding : public Module {
public:
    LearnedPositionalEncoding(int64_t dim, int64_t max_len, DType dtype = kDefaultDType,
                              Generator* gen = nullptr);

    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "LearnedPositionalEncoding"; }
    std::string extra_repr() const override;

    Tensor weight;  // (max_len, dim)

private:
    int64_t dim_, max_len_;
};

}  // namespace kaya::nn
