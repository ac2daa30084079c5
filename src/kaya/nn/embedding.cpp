// SPDX-License-Identifier: MIT
#include "kaya/nn/embedding.h"

#include <cmath>
#include <sstream>

#include "kaya/autograd/grad_mode.h"
#include "kaya/nn/init.h"
#include "kaya/ops/ops.h"

namespace kaya::nn {

Embedding::Embedding(EmbeddingOptions o) : options_(o) {
    KAYA_CHECK(o.num > 0 && o.dim > 0, ValueError,
               "Embedding: num and dim must be positive, got num=", o.num, ", dim=", o.dim);
    KAYA_CHECK(is_floating(o.dtype), DTypeError, "Embedding: dtype must be floating, got ",
               dtype_name(o.dtype));
    if (o.padding_idx) {
        KAYA_CHECK(*o.padding_idx >= -o.num && *o.padding_idx < o.num, ValueError,
                   "Embedding: padding_idx ", *o.padding_idx, " is out of range for ", o.num,
                   " embeddings");
        // PyTorch stores the non-negative form.
        if (*options_.padding_idx < 0) *options_.padding_idx += o.num;
    }
    KAYA_CHECK(!o.max_norm || *o.max_norm > 0, ValueError,
               "Embedding: max_norm must be positive, got ", o.max_norm.value_or(0));
    weight = register_parameter("weight", empty({o.num, o.dim}, o.dtype));
    init::normal_(weight, 0.0, 1.0, o.gen);
    if (options_.padding_idx) {
        autograd::NoGradGuard no_grad;
        Tensor row = select(weight, 0, *options_.padding_idx);
        fill_(row, 0.0);
    }
}

Tensor Embedding::forward(const Tensor& indices) {
    if (options_.max_norm) {
        // torch.embedding_renorm_: rows about to be read whose norm exceeds max_norm are
        // scaled to it, in place and outside the graph.
        autograd::NoGradGuard no_grad;
        KAYA_CHECK(indices.dtype() == DType::Int64, DTypeError,
                   "Embedding: indices must be an int64 tensor, got ", describe(indices));
        Tensor flat = reshape(indices, {-1});
        Tensor used = gt(scatter_add(zeros({options_.num}, DType::Int64), 0, flat,
                                     ones(flat.shape(), DType::Int64)),
                         0);
        Tensor norms = norm(weight, options_.norm_type, {1}, true);
        Tensor over = logical_and(unsqueeze(used, 1), gt(norms, *options_.max_norm));
        Tensor factor = where(over, div(full_like(norms, *options_.max_norm), add(norms, 1e-7)), 1.0);
        mul_(weight, factor);
    }
    return embedding(indices, weight, options_.padding_idx);
}

std::string Embedding::extra_repr() const {
    std::ostringstream os;
    os << options_.num << ", " << options_.dim;
    if (options_.padding_idx) os << ", padding_idx=" << *options_.padding_idx;
    if (options_.max_norm) os << ", max_norm=" << *options_.max_norm;
    return os.str();
}

namespace {

// Adds the first T rows of a (max_len, d) table to x (B, T, d) or (T, d).
Tensor add_positions(const char* who, const Tensor& x, const Tensor& table, int64_t dim,
                     int64_t max_len) {
    KAYA_CHECK((x.dim() == 2 || x.dim() == 3) && x.shape()[x.dim() - 1] == dim, ShapeError, who,
               ": expected input (batch, length, ", dim, ") or (length, ", dim, "), got ",
               describe(x));
    const int64_t T = x.shape()[x.dim() - 2];
    KAYA_CHECK(T <= max_len, ValueError, who, ": sequence of length ", T,
               " is longer than max_len ", max_len);
    return add(x, narrow(table, 0, 0, T));
}

}  // namespace

SinusoidalPositionalEncoding::SinusoidalPositionalEncoding(int64_t dim, int64_t max_len, DType dtype)
    : dim_(dim), max_len_(max_len) {
    KAYA_CHECK(dim > 0 && max_len > 0, ValueError,
               "SinusoidalPositionalEncoding: dim and max_len must be positive, got dim=", dim,
               ", max_len=", max_len);
    std::vector<double> v(static_cast<size_t>(max_len * dim));
    for (int64_t t = 0; t < max_len; ++t) {
        for (int64_t i = 0; i < dim; ++i) {
            // Pairs (2i, 2i+1) share one frequency 10000^(-2i/d).
            const double freq = std::pow(10000.0, -static_cast<double>(i - i % 2) / dim);
            const double a = static_cast<double>(t) * freq;
            v[static_cast<size_t>(t * dim + i)] = i % 2 == 0 ? std::sin(a) : std::cos(a);
        }
    }
    table_ = to(from_vector<double>(v, {max_len, dim}), dtype);
}

Tensor SinusoidalPositionalEncoding::forward(const Tensor& x) {
    return add_positions("SinusoidalPositionalEncoding", x, table_, dim_, max_len_);
}

Tensor SinusoidalPositionalEncoding::table(int64_t length) const {
    KAYA_CHECK(length >= 0 && length <= max_len_, ValueError,
               "SinusoidalPositionalEncoding: length ", length, " is outside [0, ", max_len_, "]");
    return narrow(table_, 0, 0, length);
}

std::string SinusoidalPositionalEncoding::extra_repr() const {
    return "dim=" + std::to_string(dim_) + ", max_len=" + std::to_string(max_len_);
}

LearnedPositionalEncoding::LearnedPositionalEncoding(int64_t dim, int64_t max_len, DType dtype,
                                                     Generator* gen)
    : dim_(dim), max_len_(max_len) {
    KAYA_CHECK(dim > 0 && max_len > 0, ValueError,
               "LearnedPositionalEncoding: dim and max_len must be positive, got dim=", dim,
               ", max_len=", max_len);
    weight = register_parameter("weight", empty({max_len, dim}, dtype));
    init::normal_(weight, 0.0, 0.02, gen);
}

Tensor LearnedPositionalEncoding::forward(const Tensor& x) {
    return add_positions("LearnedPositionalEncoding", x, weight, dim_, max_len_);
}

std::string LearnedPositionalEncoding::extra_repr() const {
    return "dim=" + std::to_string(dim_) + ", max_len=" + std::to_string(max_len_);
}

}  // namespace kaya::nn
