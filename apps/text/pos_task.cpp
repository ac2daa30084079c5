// SPDX-License-Identifier: MIT
#include "apps/text/pos_task.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>

#include "apps/train/plot.h"
#include "kaya/io/file.h"
#include "kaya/ops/ops.h"

namespace kaya::text {

namespace {

const std::string kEwt = "../shared/data/pos/ud_english_ewt/en_ewt-ud-";

std::vector<ConlluSentence> load(const std::string& path) {
    if (!std::filesystem::is_directory(path)) return read_conllu(path);
    std::vector<std::string> skipped;
    auto s = read_conllu_dir(path, &skipped);
    for (const auto& why : skipped) std::fprintf(stderr, "warning: %s\n", why.c_str());
    KAYA_CHECK(!s.empty(), IoError, path, ": no readable .conllu or .conllu.gz file");
    return s;
}

}  // namespace

PosDataOptions PosDataOptions::read(const app::Config& cfg) {
    PosDataOptions o;
    o.train = cfg.get_string("data.train", kEwt + "train.conllu.gz");
    o.dev = cfg.get_string("data.dev", kEwt + "dev.conllu.gz");
    o.test = cfg.get_string("data.test", kEwt + "test.conllu.gz");
    o.min_count = cfg.get_int("data.min_count", 2, 1);
    o.max_sentences = cfg.get_int("data.max_sentences", 0, 0);
    return o;
}

std::vector<int64_t> SentenceDataset::lengths() const {
    std::vector<int64_t> v;
    for (const auto& e : examples_) v.push_back(e[0].shape()[0]);
    return v;
}

PosTask::PosTask(const app::Config& cfg) : data_options_(PosDataOptions::read(cfg)) {
    TaggerOptions& m = model_options_;
    m.encoder = cfg.get_choice("model.encoder", m.encoder, {"bilstm", "transformer"});
    m.word_dim = cfg.get_int("model.word_dim", m.word_dim, 1, 4096);
    m.char_dim = cfg.get_int("model.char_dim", m.char_dim, 0, 1024);
    m.char_hidden = cfg.get_int("model.char_hidden", m.char_hidden, 1, 4096);
    m.hidden = cfg.get_int("model.hidden", m.hidden, 1, 8192);
    m.layers = cfg.get_int("model.layers", m.layers, 1, 64);
    m.heads = cfg.get_int("model.heads", m.heads, 1, 64);
    m.feedforward = cfg.get_int("model.feedforward", m.feedforward, 1, 65536);
    m.dropout = cfg.get_double("model.dropout", m.dropout, 0.0, 0.95);
    m.word_dropout = cfg.get_double("model.word_dropout", m.word_dropout, 0.0, 0.95);
    m.max_chars = cfg.get_int("model.max_chars", m.max_chars, 2, 256);
    if (m.encoder == "transformer" && m.hidden % m.heads != 0) {
        cfg.fail("model.heads", "model.hidden (" + std::to_string(m.hidden) +
                                    ") must be a multiple of model.heads (" +
                                    std::to_string(m.heads) + ")");
    }
}

std::shared_ptr<SentenceDataset> PosTask::encode(const std::vector<ConlluSentence>& sentences) const {
    std::vector<data::Example> out;
    for (const auto& s : sentences) {
        auto forms = s.forms();
        data::Example e = encode_sentence(vocab_, model_options_, forms, s.upos());
        std::vector<int64_t> unseen;
        for (const auto& f : forms) unseen.push_back(train_forms_.count(f) ? 0 : 1);
        e.push_back(from_vector<int64_t>(unseen, {static_cast<int64_t>(unseen.size())}));
        out.push_back(std::move(e));
    }
    return std::make_shared<SentenceDataset>(std::move(out));
}

void PosTask::prepare(const app::TaskEnv& env) {
    std::vector<ConlluSentence> train = load(data_options_.train);
    if (data_options_.max_sentences > 0 && static_cast<int64_t>(train.size()) > data_options_.max_sentences) {
        train.resize(static_cast<size_t>(data_options_.max_sentences));
    }
    std::vector<ConlluSentence> dev = load(data_options_.dev);
    test_sentences_ = load(data_options_.test);
    std::unordered_map<std::string, int64_t> words, chars;
    std::set<std::string> tags;
    int64_t tokens = 0;
    for (const auto& s : train) {
        for (const auto& l : s.lines) {
            if (l.kind != ConlluLine::Kind::Word) continue;
            ++words[lower_ascii(l.form())];
            for (const auto& c : utf8_chars(l.form())) ++chars[c];
            tags.insert(l.upos());
            train_forms_.insert(l.form());
            ++tokens;
        }
    }
    vocab_.words = Vocabulary::build(words, data_options_.min_count, {"<pad>", "<unk>"}, "<unk>");
    vocab_.chars = Vocabulary::build(chars, 1, {"<pad>", "<unk>"}, "<unk>");
    vocab_.tags = Vocabulary({}, "");
    for (const auto& t : tags) vocab_.tags.add(t);
    train_ = encode(train);
    dev_ = encode(dev);
    test_ = encode(test_sentences_);
    model_ = std::make_shared<Tagger>(model_options_, vocab_.words.size(), vocab_.chars.size(),
                                      vocab_.tags.size());
    loader_ = std::make_unique<data::DataLoader>(
        train_, data::DataLoaderOptions{.batch_size = env.batch_size, .shuffle = true,
                                        .seed = env.seed, .lengths = train_->lengths(),
                                        .collate = collate_sentences,
                                        .shard = env.rank, .shards = env.world_size});
    description_ = app::with_commas(static_cast<int64_t>(train.size())) + " training sentences (" + app::with_commas(tokens) +
                   " words), " + app::with_commas(static_cast<int64_t>(dev.size())) + " development, " +
                   app::with_commas(static_cast<int64_t>(test_sentences_.size())) + " test; " +
                   std::to_string(vocab_.tags.size()) + " tags, " + app::with_commas(vocab_.words.size()) +
                   " words (seen at least " + std::to_string(data_options_.min_count) +
                   " times), " + app::with_commas(vocab_.chars.size()) + " characters";
}

void PosTask::visit_batches(int64_t epoch, int64_t first,
                            const std::function<bool(int64_t, const data::Example&)>& fn) {
    app::visit_loader_batches(*loader_, epoch, first, fn);
}

Tensor PosTask::training_loss(const data::Example& b, app::Metrics&) {
    Tensor scores = model_->forward(b[0], b[1], b[4], b[3]);
    return nn::cross_entropy(reshape(scores, {-1, vocab_.tags.size()}), reshape(b[2], {-1}));
}

PosTask::Scores PosTask::evaluate(const SentenceDataset& ds) {
    data::DataLoader loader(std::shared_ptr<const data::Dataset>(&ds, [](const data::Dataset*) {}),
                            {.batch_size = 128, .prefetch = false, .lengths = ds.lengths(),
                             .collate = collate_sentences});
    const int64_t K = vocab_.tags.size();
    Scores s;
    s.confusion.assign(static_cast<size_t>(K * K), 0.0);
    for (const auto& b : loader.epoch(0)) {
        Tensor scores = reshape(model_->forward(b[0], b[1], b[4], b[3]), {-1, K});
        Tensor gold = reshape(b[2], {-1});
        s.loss += nn::cross_entropy(scores, gold, {.reduction = nn::Reduction::Sum}).item<double>();
        auto g = to_vector<int64_t>(gold);
        auto p = to_vector<int64_t>(argmax(scores, 1));
        auto unseen = to_vector<int64_t>(reshape(b[5], {-1}));
        for (size_t i = 0; i < g.size(); ++i) {
            if (g[i] < 0) continue;  // Padding, or a tag the training data never had.
            const bool ok = g[i] == p[i];
            s.tokens += 1;
            s.correct += ok;
            s.confusion[static_cast<size_t>(g[i] * K + p[i])] += 1;
            if (unseen[i]) {
                s.unseen += 1;
                s.unseen_correct += ok;
            }
        }
    }
    return s;
}

app::Metrics PosTask::validate() {
    Scores s = evaluate(*dev_);
    return {{"val_loss", s.loss / s.tokens},
            {"val_accuracy", s.correct / s.tokens},
            {"val_unseen_accuracy", s.unseen ? s.unseen_correct / s.unseen : 0.0}};
}

app::Metrics PosTask::test() {
    test_scores_ = evaluate(*test_);
    const Scores& s = test_scores_;
    return {{"test_loss", s.loss / s.tokens},
            {"test_accuracy", s.correct / s.tokens},
            {"test_unseen_accuracy", s.unseen ? s.unseen_correct / s.unseen : 0.0},
            {"test_tokens", s.tokens},
            {"test_unseen_tokens", s.unseen}};
}

std::map<std::string, std::string> PosTask::model_metadata() const {
    return tagger_metadata(model_options_, vocab_);
}

void PosTask::finish(const std::string& dir) {
    autograd::NoGradGuard no_grad;
    model_->eval();
    // The loop scored the test set with these weights just before (test()).
    if (test_scores_.confusion.empty()) test_scores_ = evaluate(*test_);
    const Scores& s = test_scores_;
    const auto& tags = vocab_.tags.tokens();
    const int64_t K = vocab_.tags.size();
    io::write_file_atomic(dir + "/confusion.svg",
                          app::heatmap_svg(s.confusion, tags, tags,
                                           {.title = "UPOS confusion on the test set",
                                            .xlabel = "predicted", .ylabel = "gold"}));
    std::ostringstream csv;
    csv << "tag,support,precision,recall,f1\n";
    for (int64_t k = 0; k < K; ++k) {
        double tp = s.confusion[static_cast<size_t>(k * K + k)], gold = 0, pred = 0;
        for (int64_t j = 0; j < K; ++j) {
            gold += s.confusion[static_cast<size_t>(k * K + j)];
            pred += s.confusion[static_cast<size_t>(j * K + k)];
        }
        const double p = pred ? tp / pred : 0, r = gold ? tp / gold : 0;
        csv << tags[static_cast<size_t>(k)] << "," << gold << "," << p << "," << r << ","
            << (p + r > 0 ? 2 * p * r / (p + r) : 0) << "\n";
    }
    io::write_file_atomic(dir + "/tags.csv", csv.str());
    PosTagger tagger(model_, vocab_);
    std::vector<std::vector<std::string>> forms;
    for (const auto& t : test_sentences_) forms.push_back(t.forms());
    auto predicted = tagger.tag(forms);
    std::vector<ConlluSentence> out = test_sentences_;
    std::ostringstream examples;
    for (size_t i = 0; i < out.size(); ++i) {
        const auto gold = out[i].upos();
        out[i].set_upos(predicted[i]);
        if (i < 12) {
            for (size_t k = 0; k < forms[i].size(); ++k) {
                examples << forms[i][k] << "/" << predicted[i][k]
                         << (predicted[i][k] != gold[k] ? "(gold " + gold[k] + ")" : "")
                         << (k + 1 < forms[i].size() ? " " : "\n");
            }
        }
    }
    io::write_file_atomic(dir + "/test_predictions.conllu", format_conllu(out));
    io::write_file_atomic(dir + "/examples.txt", examples.str());
}

void PosTask::write_plots(const std::string& dir, const std::vector<app::Metrics>& history) {
    app::Series all{"development, all words"}, unseen{"development, words unseen in training", {}, {}, true};
    for (const auto& m : history) {
        all.x.push_back(m.get("epoch"));
        all.y.push_back(100 * m.get("val_accuracy"));
        unseen.x.push_back(m.get("epoch"));
        unseen.y.push_back(100 * m.get("val_unseen_accuracy"));
    }
    io::write_file_atomic(dir + "/accuracy.svg",
                          app::line_plot_svg({all, unseen}, {.title = "UPOS tagging accuracy",
                                                             .xlabel = "epoch",
                                                             .ylabel = "accuracy (%)"}));
}

void register_tasks(app::TaskRegistry& registry) {
    registry.add("pos_tagger",
                 [](const app::Config& cfg) { return std::make_unique<PosTask>(cfg); },
                 "a part-of-speech tagger (BiLSTM or Transformer) on CoNLL-U treebanks");
}

}  // namespace kaya::text
