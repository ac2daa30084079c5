// SPDX-License-Identifier: MIT
#include "apps/translate/translate_task.h"

#include <chrono>
#include <cstdio>
#include <map>
#include <numeric>
#include <sstream>

#include "apps/translate/text.h"
#include "apps/translate/translator.h"
#include "kaya/data/collate.h"
#include "kaya/io/file.h"
#include "kaya/ops/ops.h"

namespace kaya::translate {

namespace {

const std::vector<std::string> kSpecials = {"<pad>", "<unk>", "<s>", "</s>"};
const char* kTargetMarker = "kaya-target-vocab ";
using Clock = std::chrono::steady_clock;

Tensor ids_tensor(const std::vector<int64_t>& v) {
    return from_vector<int64_t>(v, {static_cast<int64_t>(v.size())});
}

// The distinct English sentences of `pairs` in first-seen order, each with all its translations:
// what BLEU translates once and scores against every reference.
struct SourceGroups {
    std::vector<std::string> sources;
    std::vector<std::vector<std::string>> references;
};

SourceGroups group_by_source(const std::vector<Pair>& pairs) {
    SourceGroups g;
    std::map<std::string, size_t> index;
    for (const auto& p : pairs) {
        auto [it, fresh] = index.emplace(p.en, g.sources.size());
        if (fresh) {
            g.sources.push_back(p.en);
            g.references.emplace_back();
        }
        g.references[it->second].push_back(p.zh);
    }
    return g;
}

std::vector<std::vector<Tokens>> reference_tokens(const SourceGroups& g) {
    std::vector<std::vector<Tokens>> refs;
    for (const auto& rs : g.references) {
        refs.emplace_back();
        for (const auto& r : rs) refs.back().push_back(bleu_tokens_zh(r));
    }
    return refs;
}

}  // namespace

Tokenizers Tokenizers::learn(const std::vector<Pair>& train, int64_t source_vocab, int64_t target_min_count) {
    std::vector<std::string> en;
    std::unordered_map<std::string, int64_t> chars;
    for (const auto& p : train) {
        en.push_back(p.en);
        for (const auto& c : chinese_chars(p.zh)) ++chars[c];
    }
    return {Bpe::learn(en, source_vocab), text::Vocabulary::build(chars, target_min_count, kSpecials, "<unk>")};
}

std::vector<int64_t> Tokenizers::encode_target(const std::string& zh) const {
    std::vector<int64_t> out;
    for (const auto& c : chinese_chars(zh)) out.push_back(target.index(c));
    return out;
}

std::string Tokenizers::decode_target(const std::vector<int64_t>& ids) const {
    std::string s;
    for (int64_t i : ids) {
        if (i == kPadId || i == kBosId || i == kEosId) continue;
        s += target.token(i);
    }
    return s;
}

std::string Tokenizers::serialize() const {
    std::string s = source.serialize() + kTargetMarker + std::to_string(target.size()) + "\n";
    for (const auto& t : target.tokens()) s += t + "\n";
    return s;
}

Tokenizers Tokenizers::parse(std::string_view text, const std::string& src) {
    const size_t at = text.find(std::string("\n") + kTargetMarker);
    KAYA_CHECK(at != std::string_view::npos, ParseError, src,
               ": no target vocabulary (a line 'kaya-target-vocab N') after the source tokeniser");
    Tokenizers t;
    t.source = Bpe::parse(text.substr(0, at + 1), src);
    std::istringstream in{std::string(text.substr(at + 1))};
    std::string line;
    std::getline(in, line);
    size_t n = 0;
    try {
        n = static_cast<size_t>(std::stoll(line.substr(std::string(kTargetMarker).size())));
    } catch (const std::logic_error&) {
        throw ParseError(src + ": bad target vocabulary size in '" + line + "'");
    }
    std::vector<std::string> tokens;
    while (tokens.size() < n && std::getline(in, line)) tokens.push_back(line);
    KAYA_CHECK(tokens.size() == n && n >= kSpecials.size() &&
                   std::equal(kSpecials.begin(), kSpecials.end(), tokens.begin()),
               ParseError, src, ": the target vocabulary should hold ", n, " tokens starting with <pad> <unk> <s> </s>, found ",
               tokens.size());
    t.target = text::Vocabulary::from_tokens(tokens, "<unk>");
    return t;
}

std::string Tokenizers::fingerprint() const {
    uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : serialize()) h = (h ^ c) * 1099511628211ULL;
    char buf[20];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

std::vector<int64_t> PairDataset::lengths() const {
    std::vector<int64_t> out;
    for (const auto& e : examples_) out.push_back(std::max(e[0].numel(), e[1].numel()));
    return out;
}

TranslateDataOptions TranslateDataOptions::read(const app::Config& cfg) {
    TranslateDataOptions o;
    o.path = cfg.get_string("data.path", "../shared/data/translation/cmn.txt");
    o.held_out = cfg.get_int("data.held_out", o.held_out, 1, 1 << 20);
    o.seed = static_cast<uint64_t>(cfg.get_int("data.seed", 0, 0, INT64_MAX));
    o.max_pairs = cfg.get_int("data.max_pairs", 0, 0, INT64_MAX);
    o.val_sentences = cfg.get_int("data.val_sentences", o.val_sentences, 1, 1 << 20);
    o.source_vocab = cfg.get_int("tokenizer.source_vocab", o.source_vocab, 50, 1 << 20);
    o.target_min_count = cfg.get_int("tokenizer.target_min_count", o.target_min_count, 1, 1 << 20);
    return o;
}

TranslationTask::TranslationTask(const app::Config& cfg) : data_(TranslateDataOptions::read(cfg)) {
    TranslatorOptions& m = model_options_;
    m.d_model = cfg.get_int("model.d_model", m.d_model, 8, 8192);
    m.heads = cfg.get_int("model.heads", m.heads, 1, 256);
    if (m.d_model % m.heads != 0)
        cfg.fail("model.heads", "model.heads (" + std::to_string(m.heads) + ") must divide model.d_model (" +
                                    std::to_string(m.d_model) + ")");
    m.encoder_layers = cfg.get_int("model.encoder_layers", m.encoder_layers, 1, 64);
    m.decoder_layers = cfg.get_int("model.decoder_layers", m.decoder_layers, 1, 64);
    m.feedforward = cfg.get_int("model.feedforward", m.feedforward, 1, 1 << 16);
    m.dropout = cfg.get_double("model.dropout", m.dropout, 0, 0.9);
    m.max_len = cfg.get_int("model.max_len", 128, 8, 4096);
    m.tie_output = cfg.get_bool("model.tie_output", m.tie_output);
    m.norm_first = cfg.get_bool("model.norm_first", m.norm_first);
    label_smoothing_ = cfg.get_double("train.label_smoothing", label_smoothing_, 0, 0.9);
    test_beam_ = cfg.get_int("eval.beam", test_beam_, 1, 64);
    length_penalty_ = cfg.get_double("eval.length_penalty", length_penalty_, 0, 5);
}

std::shared_ptr<PairDataset> TranslationTask::encode(const std::vector<Pair>& pairs) const {
    std::vector<data::Example> ex;
    const auto room = static_cast<size_t>(model_options_.max_len - 1);  // </s> or <s> takes one.
    for (const auto& p : pairs) {
        std::vector<int64_t> src = tok_.encode_source(p.en), tgt = tok_.encode_target(p.zh);
        if (src.size() > room || tgt.size() > room) {
            src.resize(std::min(src.size(), room));
            tgt.resize(std::min(tgt.size(), room));
        }
        std::vector<int64_t> tin{kBosId}, tout = tgt;
        tin.insert(tin.end(), tgt.begin(), tgt.end());
        tout.push_back(kEosId);
        src.push_back(kEosId);
        ex.push_back({ids_tensor(src), ids_tensor(tin), ids_tensor(tout)});
    }
    return std::make_shared<PairDataset>(std::move(ex));
}

void TranslationTask::prepare(const app::TaskEnv& env) {
    const auto t0 = Clock::now();
    const std::vector<Pair> pairs = read_pairs(data_.path);
    split_ = split_pairs(pairs, data_.held_out, data_.seed);
    if (data_.max_pairs > 0 && static_cast<int64_t>(split_.train.size()) > data_.max_pairs)
        split_.train.resize(static_cast<size_t>(data_.max_pairs));
    tok_ = Tokenizers::learn(split_.train, data_.source_vocab, data_.target_min_count);
    const size_t room = static_cast<size_t>(model_options_.max_len - 1);
    for (const auto* part : {&split_.train, &split_.dev, &split_.test}) {
        for (const auto& p : *part)
            truncated_ += tok_.encode_source(p.en).size() > room || chinese_chars(p.zh).size() > room;
    }
    train_ = encode(split_.train);
    dev_ = encode(split_.dev);
    val_pairs_.assign(split_.dev.begin(),
                      split_.dev.begin() + std::min<std::ptrdiff_t>(static_cast<std::ptrdiff_t>(split_.dev.size()),
                                                                    data_.val_sentences));
    model_options_.src_vocab = tok_.source.size();
    model_options_.tgt_vocab = tok_.target.size();
    model_ = std::make_shared<Translator>(model_options_);
    loader_ = std::make_unique<data::DataLoader>(
        train_, data::DataLoaderOptions{.batch_size = env.batch_size, .shuffle = true, .seed = env.seed,
                                        .lengths = train_->lengths(), .collate = data::pad_collate({0, 0, 0}),
                                        .shard = env.rank, .shards = env.world_size});
    ScriptCounts scripts;
    for (const auto& p : pairs) scripts.add(p.zh);
    char buf[640];
    std::snprintf(buf, sizeof buf,
                  "%s: %zu pairs (Chinese script: %s); train %zu / dev %zu / test %zu (split by English sentence, seed %llu); "
                  "English BPE of %lld tokens, %lld Chinese characters; %lld pairs longer than %lld "
                  "tokens truncated; read and tokenised in %.1f s",
                  data_.path.c_str(), pairs.size(), scripts.format().c_str(), split_.train.size(), split_.dev.size(), split_.test.size(),
                  static_cast<unsigned long long>(data_.seed), static_cast<long long>(tok_.source.size()),
                  static_cast<long long>(tok_.target.size()), static_cast<long long>(truncated_),
                  static_cast<long long>(room), std::chrono::duration<double>(Clock::now() - t0).count());
    description_ = buf;
}

void TranslationTask::visit_batches(int64_t epoch, int64_t first,
                                    const std::function<bool(int64_t, const data::Example&)>& fn) {
    app::visit_loader_batches(*loader_, epoch, first, fn);
}

Tensor TranslationTask::training_loss(const data::Example& batch, app::Metrics& sums) {
    Tensor logits = model_->forward(batch[0], batch[1]);
    const int64_t V = logits.shape()[2];
    return nn::cross_entropy(reshape(logits, {-1, V}), reshape(batch[2], {-1}),
                             {.ignore_index = kPadId, .label_smoothing = label_smoothing_});
}

double TranslationTask::loss_of(const PairDataset& ds) {
    data::DataLoader loader(std::shared_ptr<const data::Dataset>(&ds, [](const data::Dataset*) {}),
                            {.batch_size = 128, .prefetch = false, .collate = data::pad_collate({0, 0, 0})});
    double total = 0, tokens = 0;
    for (const auto& b : loader.epoch(0)) {
        Tensor logits = model_->forward(b[0], b[1]);
        const Tensor gold = reshape(b[2], {-1});
        total += nn::cross_entropy(reshape(logits, {-1, logits.shape()[2]}), gold,
                                   {.ignore_index = kPadId, .reduction = nn::Reduction::Sum})
                     .item<double>();
        tokens += static_cast<double>(sum(ne(gold, 0.0)).item<int64_t>());
    }
    return total / tokens;
}

BleuScore TranslationTask::bleu_of(const std::vector<Pair>& pairs, const DecodeOptions& o,
                                   std::vector<std::string>* outputs) {
    const SourceGroups groups = group_by_source(pairs);
    const std::vector<std::string> text = translate_sentences(*model_, tok_, groups.sources, o);
    std::vector<Tokens> hyps;
    for (const auto& t : text) hyps.push_back(bleu_tokens_zh(t));
    if (outputs) *outputs = text;
    return corpus_bleu(hyps, reference_tokens(groups));
}

app::Metrics TranslationTask::validate() {
    const BleuScore b = bleu_of(val_pairs_, {.beam = 1, .length_penalty = length_penalty_});
    return {{"val_loss", loss_of(*dev_)}, {"val_bleu", b.bleu}};
}

app::Metrics TranslationTask::test() {
    app::Metrics m;
    const auto t0 = Clock::now();
    const BleuScore g = bleu_of(split_.test, {.beam = 1, .length_penalty = length_penalty_}, &test_greedy_);
    const double greedy_s = std::chrono::duration<double>(Clock::now() - t0).count();
    const auto t1 = Clock::now();
    const BleuScore b = bleu_of(split_.test, {.beam = test_beam_, .length_penalty = length_penalty_}, &test_beam_out_);
    const double beam_s = std::chrono::duration<double>(Clock::now() - t1).count();
    const auto n = static_cast<double>(test_greedy_.size());
    m.set("test_sentences", n);
    m.set("test_bleu_greedy", g.bleu);
    m.set("test_bleu_beam", b.bleu);
    m.set("beam", static_cast<double>(test_beam_));
    m.set("test_bp_greedy", g.brevity_penalty);
    m.set("test_bp_beam", b.brevity_penalty);
    m.set("greedy_ms_per_sentence", 1e3 * greedy_s / n);
    m.set("beam_ms_per_sentence", 1e3 * beam_s / n);
    add_script_metrics(m);
    return m;
}

void TranslationTask::add_script_metrics(app::Metrics& m) const {
    // The corpus mixes the two scripts; the model mostly writes the one most of its training
    // targets use. Beam BLEU apart for sentences whose references are traditional and simplified,
    // and how many of the beam's outputs are in each script.
    const SourceGroups groups = group_by_source(split_.test);
    const std::vector<std::vector<Tokens>> refs = reference_tokens(groups);
    std::map<ChineseScript, std::pair<std::vector<Tokens>, std::vector<std::vector<Tokens>>>> by_script;
    ScriptCounts outputs, references;
    for (size_t i = 0; i < groups.sources.size() && i < test_beam_out_.size(); ++i) {
        std::string all;
        for (const auto& r : groups.references[i]) all += r;
        references.add(all);
        outputs.add(test_beam_out_[i]);
        auto& [h, r] = by_script[chinese_script(all)];
        h.push_back(bleu_tokens_zh(test_beam_out_[i]));
        r.push_back(refs[i]);
    }
    m.set("test_references_traditional", static_cast<double>(references.traditional));
    m.set("test_references_simplified", static_cast<double>(references.simplified));
    m.set("test_outputs_traditional", static_cast<double>(outputs.traditional));
    m.set("test_outputs_simplified", static_cast<double>(outputs.simplified));
    for (const auto& [script, name] : {std::pair{ChineseScript::traditional, "traditional"},
                                       {ChineseScript::simplified, "simplified"}}) {
        const auto it = by_script.find(script);
        if (it != by_script.end())
            m.set(std::string("test_bleu_beam_") + name + "_references",
                  corpus_bleu(it->second.first, it->second.second).bleu);
    }
}

std::map<std::string, std::string> TranslationTask::model_metadata() const {
    const TranslatorOptions& o = model_options_;
    return {{"format", "pt"},
            {"task", "translation"},
            {"tokenizer", tok_.fingerprint()},
            {"d_model", std::to_string(o.d_model)},
            {"heads", std::to_string(o.heads)},
            {"encoder_layers", std::to_string(o.encoder_layers)},
            {"decoder_layers", std::to_string(o.decoder_layers)},
            {"feedforward", std::to_string(o.feedforward)},
            {"max_len", std::to_string(o.max_len)},
            {"tie_output", o.tie_output ? "true" : "false"},
            {"norm_first", o.norm_first ? "true" : "false"}};
}

void TranslationTask::write_inputs(const std::string& dir) {
    io::write_file_atomic(dir + "/tokenizer.txt", tok_.serialize());
    // The split as token ids (part, source ids, target ids, English, Chinese), so that another
    // toolkit (tools/translate_pytorch.py) trains on exactly the same data.
    std::string tsv = "part\tsource_ids\ttarget_ids\tenglish\tchinese\n";
    auto ids = [](const std::vector<int64_t>& v) {
        std::string s;
        for (int64_t i : v) s += (s.empty() ? "" : " ") + std::to_string(i);
        return s;
    };
    for (const auto& [name, part] : {std::pair{"train", &split_.train}, {"dev", &split_.dev}, {"test", &split_.test}}) {
        for (const auto& p : *part)
            tsv += std::string(name) + "\t" + ids(tok_.encode_source(p.en)) + "\t" + ids(tok_.encode_target(p.zh)) +
                   "\t" + p.en + "\t" + p.zh + "\n";
    }
    io::write_file_atomic(dir + "/split.tsv", tsv);
}

void TranslationTask::finish(const std::string& dir) {
    // Distinct test sentences in the order bleu_of saw them, with their translations.
    const SourceGroups groups = group_by_source(split_.test);
    std::string tsv = "english\tgreedy\tbeam\treferences\n";
    for (size_t i = 0; i < groups.sources.size() && i < test_greedy_.size(); ++i) {
        std::string r;
        for (const auto& x : groups.references[i]) r += (r.empty() ? "" : " | ") + x;
        tsv += groups.sources[i] + "\t" + test_greedy_[i] + "\t" +
               (i < test_beam_out_.size() ? test_beam_out_[i] : "") + "\t" + r + "\n";
    }
    io::write_file_atomic(dir + "/test_translations.tsv", tsv);
}

void register_tasks(app::TaskRegistry& registry) {
    registry.add("translation",
                 [](const app::Config& cfg) { return std::make_unique<TranslationTask>(cfg); },
                 "English to Chinese translation with an encoder-decoder Transformer");
}

}  // namespace kaya::translate
