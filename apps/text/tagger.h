// SPDX-License-Identifier: MIT
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "apps/text/vocab.h"
#include "kaya/data/dataset.h"
#include "kaya/nn/nn.h"

namespace kaya::text {

// The tagger's architecture (config keys model.*).
struct TaggerOptions {
    std::string encoder = "bilstm";  // "bilstm" or "transformer".
    int64_t word_dim = 100;          // Embedding of the lower-cased word.
    int64_t char_dim = 32;           // Character embedding; 0 turns character features off.
    int64_t char_hidden = 64;        // Character BiLSTM units per direction.
    int64_t hidden = 256;            // BiLSTM units per direction, or the Transformer's d_model.
    int64_t layers = 2;
    int64_t heads = 4;               // Transformer only.
    int64_t feedforward = 1024;      // Transformer only.
    double dropout = 0.33;
    double word_dropout = 0.1;       // Training: a word id becomes <unk> with this probability.
    int64_t max_chars = 24;          // Longer words keep their first and last max_chars / 2.
};

// Vocabularies of a tagger: words (lower-cased, "<pad>" 0, "<unk>" 1), characters (same
// specials) and tags (no unknown).
struct TaggerVocab {
    Vocabulary words, chars, tags;
};

// A part-of-speech tagger: word embedding and a character BiLSTM's final states (the honest
// way to tag words never seen in training: their spelling, e.g. suffixes and capitals),
// concatenated, then a 2-layer BiLSTM (Plank et al. 2016) or a pre-norm Transformer encoder
// with sinusoidal positions, then a linear layer to the tag scores.
class Tagger : public nn::Module {
public:
    Tagger(const TaggerOptions& options, int64_t words, int64_t chars, int64_t tags);

    // words (B, T) int64; chars (U, C) int64, the distinct spellings of the batch (0 =
    // padding); slots (B, T) int64, each word's row of chars; lengths (B) -> scores (B, T, tags).
    Tensor forward(const Tensor& words, const Tensor& chars, const Tensor& slots,
                   const Tensor& lengths);
    using Module::forward;  // The one-input form is not a tagger call: NotImplemented.
    std::string type_name() const override { return "Tagger"; }
    const TaggerOptions& options() const { return options_; }

private:
    Tensor char_features(const Tensor& chars, const Tensor& slots);
    TaggerOptions options_;
    std::shared_ptr<nn::Embedding> word_embedding_, char_embedding_;
    std::shared_ptr<nn::LSTM> char_lstm_, lstm_;
    std::shared_ptr<nn::Linear> input_proj_, output_;
    std::shared_ptr<nn::SinusoidalPositionalEncoding> positions_;
    std::shared_ptr<nn::TransformerEncoder> transformer_;
    std::shared_ptr<nn::Dropout> dropout_;
};

// One sentence as the tagger's tensors: {words (T), chars (T, C), tags (T)}; tags are -100
// (ignored) when `tags` is empty or a tag is not in the vocabulary.
data::Example encode_sentence(const TaggerVocab& vocab, const TaggerOptions& options,
                              const std::vector<std::string>& forms,
                              const std::vector<std::string>& tags);
// Pads encoded sentences into a batch {words (B, T), chars (U, C) of the U distinct spellings
// (row 0: padding), tags (B, T), lengths (B), slots (B, T) (each word's row of chars)},
// followed by any extra per-word fields of the examples (field 3 on), padded with 0.
data::Example collate_sentences(const std::vector<data::Example>& sentences);

// Safetensors metadata of a tagger (options and vocabularies), and back (ParseError naming
// `source` when a key is missing or malformed).
std::map<std::string, std::string> tagger_metadata(const TaggerOptions& options,
                                                   const TaggerVocab& vocab);
TaggerOptions tagger_options_from(const std::map<std::string, std::string>& metadata,
                                  const std::string& source);
TaggerVocab tagger_vocab_from(const std::map<std::string, std::string>& metadata,
                              const std::string& source);

// A trained tagger with its vocabularies: what `kaya tag` loads from a weights file.
class PosTagger {
public:
    PosTagger(std::shared_ptr<Tagger> model, TaggerVocab vocab);
    // Reads a model.safetensors written by `kaya train` (task.kind = "pos_tagger").
    // ParseError naming the file for another kind of file; ValueError naming the tensor,
    // expected and got, when the weights do not fit the stored options.
    static PosTagger load(const std::string& path);

    // Tags for each sentence (its word forms), in batches.
    std::vector<std::vector<std::string>> tag(const std::vector<std::vector<std::string>>& sentences);
    const TaggerVocab& vocab() const { return vocab_; }
    Tagger& model() { return *model_; }

private:
    std::shared_ptr<Tagger> model_;
    TaggerVocab vocab_;
};

}  // namespace kaya::text
