// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "apps/text/vocab.h"
#include "apps/train/task.h"
#include "apps/translate/bleu.h"
#include "apps/translate/bpe.h"
#include "apps/translate/corpus.h"
#include "apps/translate/decode.h"
#include "apps/translate/model.h"
#include "kaya/data/dataloader.h"

namespace kaya::translate {

// The tokenisers of both sides: English subwords (BPE), Chinese characters.
struct Tokenizers {
    Bpe source;
    text::Vocabulary target;  // <pad> <unk> <s> </s>, then characters.

    static Tokenizers learn(const std::vector<Pair>& train, int64_t source_vocab, int64_t target_min_count);
    std::vector<int64_t> encode_source(const std::string& en) const { return source.encode(en); }
    std::vector<int64_t> encode_target(const std::string& zh) const;
    std::string decode_target(const std::vector<int64_t>& ids) const;
    // Both as one text file (tokenizer.txt beside the weights), and back; a fingerprint for the
    // weights' metadata.
    std::string serialize() const;
    static Tokenizers parse(std::string_view text, const std::string& source);
    std::string fingerprint() const;
};

// Encoded pairs {src ids, tgt_in = <s> + tgt, tgt_out = tgt + </s>} for the DataLoader.
class PairDataset : public data::Dataset {
public:
    explicit PairDataset(std::vector<data::Example> examples) : examples_(std::move(examples)) {}
    int64_t size() const override { return static_cast<int64_t>(examples_.size()); }
    data::Example get(int64_t i) const override { return examples_.at(static_cast<size_t>(i)); }
    std::vector<int64_t> lengths() const;  // Target lengths (bucketing).

private:
    std::vector<data::Example> examples_;
};

struct TranslateDataOptions {
    std::string path;            // data.path: "English<TAB>Chinese" lines.
    int64_t held_out = 1000;     // data.held_out: pairs for dev and for test each.
    uint64_t seed = 0;           // data.seed: the split.
    int64_t max_pairs = 0;       // data.max_pairs: only the first N training pairs (0: all).
    int64_t source_vocab = 8000; // tokenizer.source_vocab: BPE vocabulary size.
    int64_t target_min_count = 1;  // tokenizer.target_min_count: rarer characters are <unk>.
    int64_t val_sentences = 500; // data.val_sentences: dev pairs translated for val_bleu.
    static TranslateDataOptions read(const app::Config& cfg);
};

// English to Chinese translation (task.kind = "translation"): the Translator trained with
// teacher forcing and label-smoothed cross-entropy; val_bleu (greedy, on part of dev) picks
// the epoch; the test set is translated once, greedy and with a beam (test_bleu_greedy,
// test_bleu_beam). Outputs besides the loop's: tokenizer.txt, split.tsv (every pair as token
// ids), test_translations.tsv.
class TranslationTask : public app::Task {
public:
    explicit TranslationTask(const app::Config& cfg);
    void prepare(const app::TaskEnv& env) override;
    std::string data_description() const override { return description_; }
    nn::Module& model() override { return *model_; }
    int64_t batches_per_epoch() const override { return loader_->num_batches(); }
    void visit_batches(int64_t epoch, int64_t first,
                       const std::function<bool(int64_t, const data::Example&)>& fn) override;
    Tensor training_loss(const data::Example& batch, app::Metrics& sums) override;
    app::Metrics validate() override;
    app::Selection selection() const override { return {"val_bleu", true}; }
    app::Metrics test() override;
    std::map<std::string, std::string> model_metadata() const override;
    void write_inputs(const std::string& dir) override;
    void finish(const std::string& dir) override;

    const Tokenizers& tokenizers() const { return tok_; }

private:
    std::shared_ptr<PairDataset> encode(const std::vector<Pair>& pairs) const;
    // Loss per target token and BLEU of `pairs` (greedy, or `beam`).
    BleuScore bleu_of(const std::vector<Pair>& pairs, const DecodeOptions& o,
                      std::vector<std::string>* outputs = nullptr);
    double loss_of(const PairDataset& ds);
    void add_script_metrics(app::Metrics& m) const;

    TranslateDataOptions data_;
    TranslatorOptions model_options_;
    double label_smoothing_ = 0.1;
    int64_t test_beam_ = 4;
    double length_penalty_ = 1.0;
    Tokenizers tok_;
    Split split_;
    std::vector<Pair> val_pairs_;
    std::shared_ptr<PairDataset> train_, dev_;
    std::shared_ptr<Translator> model_;
    std::unique_ptr<data::DataLoader> loader_;
    std::vector<std::string> test_greedy_, test_beam_out_;
    int64_t truncated_ = 0;
    std::string description_;
};

void register_tasks(app::TaskRegistry& registry);

}  // namespace kaya::translate
