// SPDX-License-Identifier: MIT
#include "support/op_cases.h"

#include <cmath>

#include "kaya/ops/ops.h"

namespace kaya::test {

std::vector<OpCase> op_cases() {
    using V = const std::vector<Tensor>&;
    return {
        // Binary arithmetic, same shape and broadcast.
        {"add", {{3, 4}, {3, 4}}, [](V x) { return add(x[0], x[1]); }},
        {"add_broadcast", {{3, 1, 4}, {2, 4}}, [](V x) { return add(x[0], x[1]); }},
        {"add_scalar", {{3, 4}}, [](V x) { return add(x[0], 2.5); }},
        {"sub_broadcast", {{2, 3}, {3}}, [](V x) { return sub(x[0], x[1]); }},
        {"rsub", {{2, 3}}, [](V x) { return rsub(x[0], 1.5); }},
        {"mul", {{3, 4}, {3, 4}}, [](V x) { return mul(x[0], x[1]); }},
        {"mul_broadcast", {{4, 1}, {1, 5}}, [](V x) { return mul(x[0], x[1]); }},
        {"div", {{3, 4}, {3, 4}}, [](V x) { return div(x[0], x[1]); }, 0.5, 2.0},
        {"div_broadcast", {{2, 3}, {2, 1}}, [](V x) { return div(x[0], x[1]); }, 0.5, 2.0},
        {"pow", {{3, 4}, {3, 4}}, [](V x) { return pow(x[0], x[1]); }, 0.5, 2.0},
        {"pow_scalar", {{3, 4}}, [](V x) { return pow(x[0], 3); }},
        {"pow_fractional", {{3, 4}}, [](V x) { return pow(x[0], 1.7); }, 0.5, 2.0},
        {"maximum", {{3, 4}, {3, 4}}, [](V x) { return maximum(x[0], x[1]); }},
        {"minimum_broadcast", {{3, 4}, {4}}, [](V x) { return minimum(x[0], x[1]); }},
        // Unary.
        {"neg", {{3, 4}}, [](V x) { return neg(x[0]); }},
        {"exp", {{3, 4}}, [](V x) { return exp(x[0]); }},
        {"log", {{3, 4}}, [](V x) { return log(x[0]); }, 0.5, 2.0},
        {"sqrt", {{3, 4}}, [](V x) { return sqrt(x[0]); }, 0.5, 2.0},
        {"rsqrt", {{3, 4}}, [](V x) { return rsqrt(x[0]); }, 0.5, 2.0},
        {"abs", {{3, 4}}, [](V x) { return abs(x[0]); }},
        {"sign", {{3, 4}}, [](V x) { return mul(sign(x[0]), x[0]); }},
        {"sin", {{3, 4}}, [](V x) { return sin(x[0]); }},
        {"cos", {{3, 4}}, [](V x) { return cos(x[0]); }},
        {"tanh", {{3, 4}}, [](V x) { return tanh(x[0]); }},
        {"sigmoid", {{3, 4}}, [](V x) { return sigmoid(x[0]); }, -4, 4},
        {"relu", {{3, 4}}, [](V x) { return relu(x[0]); }},
        {"clamp", {{4, 5}}, [](V x) { return clamp(x[0], -0.5, 0.5); }},
        {"clamp_min", {{4, 5}}, [](V x) { return clamp(x[0], 0.1, std::nullopt); }},
        {"where", {{3, 4}, {3, 4}}, [](V x) { return where(gt(x[0], x[1]), mul(x[0], x[1]), x[1]); }},
        {"where_broadcast", {{3, 4}, {4}}, [](V x) { return where(gt(x[0], 0), x[0], x[1]); }},
        {"to_float64", {{3, 4}}, [](V x) { return mul(to(x[0], DType::Float64), x[0]); }},
        {"clone", {{3, 4}}, [](V x) { return mul(clone(x[0]), x[0]); }},
        {"contiguous", {{3, 4}}, [](V x) { return exp(contiguous(x[0])); }},
        {"erf", {{3, 4}}, [](V x) { return erf(x[0]); }, -2, 2},
        {"log1p", {{3, 4}}, [](V x) { return log1p(x[0]); }, -0.5, 2},
        {"gelu", {{3, 4}}, [](V x) { return gelu(x[0]); }, -3, 3},
        {"gelu_tanh", {{3, 4}}, [](V x) { return gelu(x[0], true); }, -3, 3},
        {"silu", {{3, 4}}, [](V x) { return silu(x[0]); }, -3, 3},
        {"hardsigmoid", {{3, 4}}, [](V x) { return hardsigmoid(x[0]); }, -5, 5},
        {"softplus", {{3, 4}}, [](V x) { return softplus(x[0]); }, -5, 5},
        {"logsigmoid", {{3, 4}}, [](V x) { return logsigmoid(x[0]); }, -5, 5},
        // Reductions.
        {"sum_all", {{3, 4}}, [](V x) { return sum(mul(x[0], x[0])); }},
        {"sum_dim", {{3, 4, 2}}, [](V x) { return sum(mul(x[0], x[0]), {1}); }},
        {"sum_dims_keepdim", {{3, 4, 2}}, [](V x) { return sum(exp(x[0]), {0, 2}, true); }},
        {"mean", {{3, 4}}, [](V x) { return mean(mul(x[0], x[0]), {-1}); }},
        {"var", {{3, 5}}, [](V x) { return var(x[0], {1}); }},
        {"var_all_unbiased0", {{3, 5}}, [](V x) { return var(x[0], {}, 0); }},
        {"std", {{3, 5}}, [](V x) { return std(x[0], {0}, 1, true); }},
        {"max_dim", {{3, 5}}, [](V x) { return mul(max(x[0], 1).values, 2.0); }},
        {"min_dim_keepdim", {{3, 5}}, [](V x) { return min(x[0], 0, true).values; }},
        {"max_all", {{3, 5}}, [](V x) { return max(x[0]); }},
        {"amax", {{3, 4, 2}}, [](V x) { return amax(x[0], {0, 2}); }},
        {"logsumexp", {{3, 5}}, [](V x) { return logsumexp(x[0], {1}); }},
        {"norm2", {{3, 5}}, [](V x) { return norm(x[0]); }},
        {"norm1_dim", {{3, 5}}, [](V x) { return norm(x[0], 1.0, {1}); }},
        {"norm3", {{3, 5}}, [](V x) { return norm(x[0], 3.0, {0}, true); }},
        {"norm_inf", {{3, 5}}, [](V x) { return norm(x[0], INFINITY, {1}); }},
        {"softmax", {{3, 5}}, [](V x) { return softmax(x[0], 1); }},
        {"softmax_3d_last", {{2, 3, 4}}, [](V x) { return softmax(x[0], -1); }},
        {"softmax_dim0", {{4, 3}}, [](V x) { return softmax(x[0], 0); }},
        {"log_softmax", {{3, 5}}, [](V x) { return log_softmax(x[0], 0); }},
        // Linear algebra.
        {"mm", {{3, 4}, {4, 2}}, [](V x) { return mm(x[0], x[1]); }},
        {"bmm", {{2, 3, 4}, {2, 4, 2}}, [](V x) { return bmm(x[0], x[1]); }},
        {"matmul_vec_vec", {{4}, {4}}, [](V x) { return matmul(x[0], x[1]); }},
        {"matmul_mat_vec", {{3, 4}, {4}}, [](V x) { return matmul(x[0], x[1]); }},
        {"matmul_vec_mat", {{4}, {4, 3}}, [](V x) { return matmul(x[0], x[1]); }},
        {"matmul_batch_mat", {{2, 3, 4}, {4, 2}}, [](V x) { return matmul(x[0], x[1]); }},
        {"matmul_broadcast", {{2, 1, 3, 4}, {3, 4, 2}}, [](V x) { return matmul(x[0], x[1]); }},
        {"linear", {{3, 4}, {2, 4}, {2}}, [](V x) { return linear(x[0], x[1], x[2]); }},
        {"linear_batched_nobias", {{2, 3, 4}, {5, 4}}, [](V x) { return linear(x[0], x[1]); }},
        // Convolutions: padding, stride, dilation, groups, 1x1, unbatched and the two gradient ops.
        {"conv2d", {{2, 3, 5, 5}, {4, 3, 3, 3}, {4}},
         [](V x) { return conv2d(x[0], x[1], x[2], {.padding = {1, 1}}); }},
        {"conv2d_5x5_pad2", {{1, 2, 5, 5}, {3, 2, 5, 5}},
         [](V x) { return conv2d(x[0], x[1], Tensor(), {.padding = {2, 2}}); }},
        {"conv2d_stride_dilation", {{2, 2, 7, 6}, {3, 2, 2, 3}, {3}},
         [](V x) {
             return conv2d(x[0], x[1], x[2], {.stride = {2, 1}, .padding = {1, 2}, .dilation = {2, 1}});
         }},
        {"conv2d_groups", {{2, 4, 5, 4}, {6, 2, 3, 2}},
         [](V x) { return conv2d(x[0], x[1], Tensor(), {.stride = {1, 2}, .groups = 2}); }},
        {"conv2d_add_relu", {{2, 3, 5, 5}, {4, 3, 3, 3}, {4}, {2, 4, 5, 5}},
         [](V x) { return conv2d(x[0], x[1], x[2], {.padding = {1, 1}}, {.add = x[3], .relu = true}); }},
        {"conv2d_add_per_channel", {{2, 3, 5, 5}, {4, 3, 3, 3}, {2, 4, 1, 1}},
         [](V x) { return conv2d(x[0], x[1], Tensor(), {.padding = {1, 1}}, {.add = x[2]}); }},
        {"conv2d_pointwise", {{2, 3, 4, 4}, {5, 3, 1, 1}, {5}}, [](V x) { return conv2d(x[0], x[1], x[2]); }},
        {"conv1d", {{2, 3, 7}, {4, 3, 3}, {4}}, [](V x) { return conv1d(x[0], x[1], x[2], {.padding = 1}); }},
        {"conv1d_stride_dilation_groups", {{2, 4, 9}, {6, 2, 3}},
         [](V x) { return conv1d(x[0], x[1], Tensor(), {.stride = 2, .padding = 2, .dilation = 2, .groups = 2}); }},
        {"conv2d_unbatched", {{2, 4, 4}, {3, 2, 3, 3}},
         [](V x) { return conv2d(x[0], x[1], Tensor(), {.padding = {1, 0}}); }},
        {"conv2d_input_grad", {{4, 3, 3, 3}, {2, 4, 3, 2}},
         [](V x) { return conv2d_input_grad({2, 3, 6, 5}, x[0], x[1], {.stride = {2, 2}, .padding = {1, 0}}); }},
        {"conv2d_weight_grad", {{2, 4, 5, 5}, {2, 6, 5, 5}},
         [](V x) { return conv2d_weight_grad(x[0], {6, 2, 3, 3}, x[1], {.padding = {1, 1}, .groups = 2}); }},
        {"outer", {{3}, {4}}, [](V x) { return outer(x[0], x[1]); }},
        {"dot", {{5}, {5}}, [](V x) { return dot(x[0], x[1]); }},
        // Views and joins.
        {"view", {{3, 4}}, [](V x) { return mul(reshape(x[0], {2, 6}), 3.0); }},
        {"reshape_infer", {{3, 4}}, [](V x) { return exp(reshape(x[0], {-1})); }},
        {"permute", {{2, 3, 4}}, [](V x) { return mul(permute(x[0], {2, 0, 1}), x[0].size(0)); }},
        {"transpose", {{3, 4}}, [](V x) { return mul(transpose(x[0], 0, 1), transpose(x[0], 0, 1)); }},
        {"narrow", {{5, 4}}, [](V x) { return exp(narrow(x[0], 0, 1, 3)); }},
        {"slice_step", {{7, 3}}, [](V x) { return exp(slice(x[0], 0, 1, 7, 2)); }},
        {"select", {{3, 4}}, [](V x) { return exp(select(x[0], 1, -1)); }},
        {"expand", {{3, 1}}, [](V x) { return mul(expand(x[0], {2, 3, 4}), 2.0); }},
        {"squeeze_unsqueeze", {{3, 1, 4}}, [](V x) { return unsqueeze(squeeze(exp(x[0])), 0); }},
        {"flatten", {{2, 3, 4}}, [](V x) { return exp(flatten(x[0], 1)); }},
        {"cat", {{2, 3}, {4, 3}}, [](V x) { return exp(cat({x[0], x[1]}, 0)); }},
        {"stack", {{2, 3}, {2, 3}}, [](V x) { return mul(stack({x[0], x[1]}, 1), 2.0); }},
        {"split", {{5, 3}}, [](V x) { auto p = split(x[0], 2, 0); return add(mul(p.at(0), p.at(1)), exp(p.at(2))); }},
        {"chunk", {{2, 6}}, [](V x) { auto p = chunk(x[0], 3, 1); return mul(p.at(0), p.at(2)); }},
        // Indexing.
        {"index_select", {{4, 3}}, [](V x) { return exp(index_select(x[0], 0, from_vector<int64_t>({2, 0, 2}, {3}))); }},
        {"gather", {{3, 4}}, [](V x) { return exp(gather(x[0], 1, from_vector<int64_t>({0, 3, 3, 1, 2, 0}, {3, 2}))); }},
        {"scatter_add", {{3, 4}, {2, 4}}, [](V x) { return exp(scatter_add(x[0], 0, from_vector<int64_t>({0, 2, 1, 0, 0, 0, 2, 2}, {2, 4}), x[1])); }},
        {"tril", {{4, 4}}, [](V x) { return mul(tril(x[0]), x[0]); }},
        {"triu_offset", {{3, 5}}, [](V x) { return mul(triu(x[0], 1), x[0]); }},
        {"masked_fill", {{3, 4}}, [](V x) { return exp(masked_fill(x[0], gt(x[0], 0.2), 0.0)); }},
        {"embedding", {{5, 3}}, [](V x) { return exp(embedding(from_vector<int64_t>({1, 4, 0, 1}, {2, 2}), x[0])); }},
        // The padding row gets no gradient although the output reads it: masked out here so
        // that finite differences agree (tests/nn checks the zero gradient itself).
        {"embedding_padding", {{5, 3}}, [](V x) {
             Tensor idx = from_vector<int64_t>({1, 4, 2, 1, 3, 2}, {3, 2});
             return mul(exp(embedding(idx, x[0], 2)), unsqueeze(ne(idx, 2), -1));
         }},
        // Attention: plain, a key-padding mask with the causal mask, an additive mask.
        {"attention", {{2, 3, 4}, {2, 5, 4}, {2, 5, 3}},
         [](V x) { return scaled_dot_product_attention(x[0], x[1], x[2]); }},
        {"attention_masked_causal", {{2, 4, 4}, {2, 4, 4}, {2, 4, 2}},
         [](V x) {
             Tensor keys = from_vector<bool>({true, true, true, false, true, true, false, false}, {2, 1, 4});
             return scaled_dot_product_attention(x[0], x[1], x[2], {.mask = keys, .is_causal = true});
         }},
        {"attention_float_mask", {{3, 4}, {5, 4}, {5, 2}, {3, 5}},
         [](V x) { return scaled_dot_product_attention(x[0], x[1], x[2], {.mask = x[3], .scale = 0.7}); }},
        // Recurrences (fused kernels; gradgradcheck runs their step-by-step form): all results
        // flattened into one output. Sequence 1 ends after step 2 of 3.
        {"lstm_recurrence", {{3, 2, 8}, {8, 2}, {2, 2}, {2, 2}},
         [](V x) {
             Tensor valid = from_vector<bool>({true, true, true, true, true, false}, {3, 2});
             auto r = lstm_recurrence(x[0], x[1], x[2], x[3], valid);
             return cat({reshape(r.output, {-1}), reshape(r.h_n, {-1}), reshape(r.c_n, {-1})});
         }},
        {"gru_recurrence", {{3, 2, 6}, {6, 2}, {6}, {2, 2}},
         [](V x) {
             Tensor valid = from_vector<bool>({true, true, true, true, true, false}, {3, 2});
             auto r = gru_recurrence(x[0], x[1], x[2], x[3], valid);
             return cat({reshape(r.output, {-1}), reshape(r.h_n, {-1})});
         }},
        {"lstm_recurrence_full_length", {{4, 1, 4}, {4, 1}, {1, 1}, {1, 1}},
         [](V x) {
             auto r = lstm_recurrence(x[0], x[1], x[2], x[3]);
             return cat({reshape(r.output, {-1}), reshape(r.c_n, {-1})});
         }},
        // Pooling: windows with stride, padding, dilation, ceil_mode, unbatched input.
        {"max_pool2d", {{2, 2, 5, 6}}, [](V x) { return max_pool2d(x[0], {.kernel_size = {2, 2}}); }},
        {"max_pool2d_pad_dilation_ceil", {{1, 2, 7, 6}},
         [](V x) {
             return max_pool2d(x[0], {.kernel_size = {3, 2}, .stride = std::array<int64_t, 2>{2, 1},
                                      .padding = {1, 1}, .dilation = {1, 2}, .ceil_mode = true});
         }},
        {"max_pool2d_unbatched", {{2, 4, 5}}, [](V x) { return exp(max_pool2d(x[0], {.kernel_size = {2, 3}, .stride = std::array<int64_t, 2>{1, 2}})); }},
        {"avg_pool2d_pad", {{2, 2, 5, 6}},
         [](V x) { return avg_pool2d(x[0], {.kernel_size = {2, 3}, .stride = std::array<int64_t, 2>{2, 2}, .padding = {1, 1}}); }},
        {"avg_pool2d_ceil_exclude_pad", {{1, 3, 6, 5}},
         [](V x) {
             return avg_pool2d(x[0], {.kernel_size = {3, 3}, .stride = std::array<int64_t, 2>{2, 2}, .padding = {1, 1},
                                      .ceil_mode = true, .count_include_pad = false});
         }},
        {"avg_pool2d_backward", {{2, 2, 3, 3}},
         [](V x) {
             return avg_pool2d_backward(x[0], {2, 2, 5, 6},
                                        {.kernel_size = {2, 3}, .stride = std::array<int64_t, 2>{2, 2}, .padding = {1, 1}});
         }},
        {"adaptive_avg_pool2d", {{2, 2, 5, 7}}, [](V x) { return adaptive_avg_pool2d(x[0], {3, 4}); }},
        {"adaptive_avg_pool2d_global", {{2, 3, 4, 4}}, [](V x) { return exp(adaptive_avg_pool2d(x[0], {1, 1})); }},
        {"batch_norm_training", {{4, 3, 2, 2}, {3}, {3}},
         [](V x) { return batch_norm(x[0], Tensor(), Tensor(), x[1], x[2], true); }},
        {"batch_norm_rows", {{6, 5}, {5}, {5}},
         [](V x) { return batch_norm(x[0], Tensor(), Tensor(), x[1], x[2], true); }},
        {"amax_trailing", {{3, 4, 2}}, [](V x) { return amax(x[0], {1, 2}); }},
        {"batch_norm_1d_plain", {{5, 2, 3}}, [](V x) { return batch_norm(x[0], Tensor(), Tensor(), Tensor(), Tensor(), true, 0.1, 1e-3); }},
        // Evaluation: the running statistics are constants, the gradient a per-channel scale.
        {"batch_norm_eval", {{4, 3, 2, 2}, {3}, {3}},
         [](V x) {
             const DType t = x[0].dtype();
             return batch_norm(x[0], to(from_vector<double>({0.2, -0.1, 0.05}, {3}), t),
                               to(from_vector<double>({1.5, 0.7, 2.0}, {3}), t), x[1], x[2], false);
         }},
        // Fourier transforms and framing: even, odd, zero-padded and trimmed lengths.
        {"rfft", {{3, 8}}, [](V x) { return rfft(x[0]); }},
        {"rfft_odd_padded", {{2, 7}}, [](V x) { return rfft(x[0], 9); }},
        {"rfft_trimmed", {{2, 10}}, [](V x) { return rfft(x[0], 6); }},
        {"irfft", {{3, 5, 2}}, [](V x) { return irfft(x[0]); }},
        {"irfft_odd", {{2, 4, 2}}, [](V x) { return irfft(x[0], 7); }},
        {"irfft_padded", {{2, 3, 2}}, [](V x) { return irfft(x[0], 10); }},
        {"unfold", {{3, 10}}, [](V x) { return unfold(x[0], 1, 4, 3); }},
        {"unfold_dim0_overlap", {{7, 2}}, [](V x) { return unfold(x[0], 0, 3, 2); }},
        // Normalisation.
        {"layer_norm", {{3, 5}, {5}, {5}}, [](V x) { return layer_norm(x[0], {5}, x[1], x[2]); }},
        {"layer_norm_2d_plain", {{2, 3, 4}}, [](V x) { return layer_norm(x[0], {3, 4}); }},
        {"layer_norm_weight_only", {{4, 6}, {6}}, [](V x) { return layer_norm(x[0], {6}, x[1], Tensor(), 1e-3); }},
    };
}

}  // namespace kaya::test
