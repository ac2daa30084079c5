// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "apps/text/conllu.h"
#include "apps/text/tagger.h"
#include "apps/train/task.h"
#include "kaya/data/dataloader.h"

namespace kaya::text {

// Where the tagger's data comes from (config keys data.*).
struct PosDataOptions {
    std::string train, dev, test;  // CoNLL-U files (.conllu or .conllu.gz) or directories.
    int64_t min_count = 2;          // Words seen fewer times in training share <unk>.
    int64_t max_sentences = 0;      // Use only the first N training sentences (0: all).
    static PosDataOptions read(const app::Config& cfg);
};

// Encoded sentences {words, chars, tags, unseen} for the DataLoader (collate_sentences pads
// them); unseen (T) int64 marks words whose form never occurs in the training data.
class SentenceDataset : public data::Dataset {
public:
    explicit SentenceDataset(std::vector<data::Example> examples) : examples_(std::move(examples)) {}
    int64_t size() const override { return static_cast<int64_t>(examples_.size()); }
    data::Example get(int64_t i) const override { return examples_.at(static_cast<size_t>(i)); }
    std::vector<int64_t> lengths() const;

private:
    std::vector<data::Example> examples_;
};

// Part-of-speech tagging on CoNLL-U treebanks (task.kind = "pos_tagger"): UPOS tags of gold
// tokens, a BiLSTM or Transformer tagger (model.encoder) over word and character features.
// The development set picks the epoch (val_accuracy); the test set is scored once. Outputs
// besides the loop's: accuracy.svg, confusion.svg (test), tags.csv (per-tag precision, recall,
// F1 on test), test_predictions.conllu, examples.txt (tagged test sentences).
class PosTask : public app::Task {
public:
    explicit PosTask(const app::Config& cfg);

    void prepare(const app::TaskEnv& env) override;
    std::string data_description() const override { return description_; }
    nn::Module& model() override { return *model_; }
    int64_t batches_per_epoch() const override { return loader_->num_batches(); }
    void visit_batches(int64_t epoch, int64_t first,
                       const std::function<bool(int64_t, const data::Example&)>& fn) override;
    Tensor training_loss(const data::Example& batch, app::Metrics& sums) override;
    app::Metrics validate() override;
    app::Selection selection() const override { return {"val_accuracy", true}; }
    app::Metrics test() override;
    std::map<std::string, std::string> model_metadata() const override;
    void finish(const std::string& dir) override;
    void write_plots(const std::string& dir, const std::vector<app::Metrics>& history) override;

    const TaggerVocab& vocab() const { return vocab_; }

private:
    struct Scores {
        double loss = 0, tokens = 0, correct = 0, unseen = 0, unseen_correct = 0;
        std::vector<double> confusion;  // gold * tags + predicted
    };
    Scores evaluate(const SentenceDataset& ds);
    Scores test_scores_;  // From test(), with the best weights: finish() draws from it.
    std::shared_ptr<SentenceDataset> encode(const std::vector<ConlluSentence>& sentences) const;

    PosDataOptions data_options_;
    TaggerOptions model_options_;
    TaggerVocab vocab_;
    std::set<std::string> train_forms_;
    std::vector<ConlluSentence> test_sentences_;
    std::shared_ptr<SentenceDataset> train_, dev_, test_;
    std::shared_ptr<Tagger> model_;
    std::unique_ptr<data::DataLoader> loader_;
    std::string description_;
};

// Registers "pos_tagger".
void register_tasks(app::TaskRegistry& registry);

}  // namespace kaya::text
