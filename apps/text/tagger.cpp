// SPDX-License-Identifier: MIT
#include "apps/text/tagger.h"

#include <algorithm>
#include <sstream>

#include "apps/train/metadata.h"
#include "kaya/data/collate.h"
#include "kaya/io/safetensors.h"
#include "kaya/ops/ops.h"

namespace kaya::text {

namespace {

constexpr int64_t kPad = 0, kUnk = 1;

}  // namespace

Tagger::Tagger(const TaggerOptions& o, int64_t words, int64_t chars, int64_t tags) : options_(o) {
    KAYA_CHECK(o.encoder == "bilstm" || o.encoder == "transformer", ValueError,
               "Tagger: encoder must be \"bilstm\" or \"transformer\", got \"", o.encoder, "\"");
    word_embedding_ = register_module(
        "word_embedding", std::make_shared<nn::Embedding>(nn::EmbeddingOptions{
                              .num = words, .dim = o.word_dim, .padding_idx = kPad}));
    int64_t in = o.word_dim;
    if (o.char_dim > 0) {
        char_embedding_ = register_module(
            "char_embedding", std::make_shared<nn::Embedding>(nn::EmbeddingOptions{
                                  .num = chars, .dim = o.char_dim, .padding_idx = kPad}));
        char_lstm_ = register_module(
            "char_lstm", std::make_shared<nn::LSTM>(nn::RNNOptions{.input_size = o.char_dim,
                                                                   .hidden_size = o.char_hidden,
                                                                   .batch_first = true,
                                                                   .bidirectional = true}));
        in += 2 * o.char_hidden;
    }
    dropout_ = register_module("dropout", std::make_shared<nn::Dropout>(o.dropout));
    if (o.encoder == "bilstm") {
        lstm_ = register_module(
            "lstm", std::make_shared<nn::LSTM>(nn::RNNOptions{.input_size = in,
                                                              .hidden_size = o.hidden,
                                                              .num_layers = o.layers,
                                                              .batch_first = true,
                                                              .dropout = o.dropout,
                                                              .bidirectional = true}));
        output_ = register_module("output", std::make_shared<nn::Linear>(2 * o.hidden, tags));
        return;
    }
    input_proj_ = register_module("input_proj", std::make_shared<nn::Linear>(in, o.hidden));
    positions_ = register_module("positions",
                                 std::make_shared<nn::SinusoidalPositionalEncoding>(o.hidden, 1024));
    transformer_ = register_module(
        "transformer",
        std::make_shared<nn::TransformerEncoder>(
            nn::TransformerLayerOptions{.d_model = o.hidden, .nhead = o.heads,
                                        .dim_feedforward = o.feedforward, .dropout = o.dropout,
                                        .activation = "gelu", .batch_first = true,
                                        .norm_first = true},
            o.layers, true));
    output_ = register_module("output", std::make_shared<nn::Linear>(o.hidden, tags));
}

// The character BiLSTM's last forward and backward states of each distinct spelling
// (U, C), gathered into the word slots: (B, T, 2 Hc).
Tensor Tagger::char_features(const Tensor& chars, const Tensor& slots) {
    Tensor len = sum(ne(chars, kPad), {1});
    len = where(gt(len, 0), len, 1);  // Row 0 (padding slots): one pad character, unused.
    nn::RNNOutput r = char_lstm_->forward((*char_embedding_)(chars), len);
    Tensor both = cat({select(r.h_n, 0, 0), select(r.h_n, 0, 1)}, 1);  // (U, 2 Hc)
    Shape shape = slots.shape();
    shape.push_back(2 * options_.char_hidden);
    return reshape(index_select(both, 0, reshape(slots, {-1})), shape);
}

Tensor Tagger::forward(const Tensor& words, const Tensor& chars, const Tensor& slots,
                       const Tensor& lengths) {
    KAYA_CHECK(words.dim() == 2 && chars.dim() == 2 && slots.shape() == words.shape() &&
                   lengths.dim() == 1 && lengths.shape()[0] == words.shape()[0],
               ShapeError,
               "Tagger: expected words (B, T), chars (U, C), slots (B, T) and lengths (B), got ",
               describe(words), ", ", describe(chars), ", ", describe(slots), ", ",
               describe(lengths));
    Tensor w = words;
    if (is_training() && options_.word_dropout > 0) {
        // Word dropout (Kiperwasser and Goldberg 2016): the <unk> row learns to stand for
        // words never seen, with the character features carrying them.
        Tensor drop = logical_and(gt(bernoulli(full(w.shape(), options_.word_dropout)), 0.5),
                                  ne(w, kPad));
        w = where(drop, full(w.shape(), static_cast<double>(kUnk), DType::Int64), w);
    }
    Tensor x = (*word_embedding_)(w);
    if (char_lstm_) x = cat({x, char_features(chars, slots)}, -1);
    x = (*dropout_)(x);
    if (lstm_) {
        Tensor h = lstm_->forward(x, lengths).output;
        return (*output_)((*dropout_)(h));
    }
    const int64_t T = words.shape()[1];
    Tensor padding = ge(reshape(arange(T), {1, T}), unsqueeze(lengths, 1));
    Tensor h = transformer_->forward((*positions_)((*input_proj_)(x)), {.key_padding_mask = padding});
    return (*output_)((*dropout_)(h));
}

data::Example encode_sentence(const TaggerVocab& vocab, const TaggerOptions& o,
                              const std::vector<std::string>& forms,
                              const std::vector<std::string>& tags) {
    const int64_t T = static_cast<int64_t>(forms.size());
    KAYA_CHECK(T > 0, ValueError, "encode_sentence: a sentence without words");
    std::vector<int64_t> words, tag_ids;
    std::vector<std::vector<int64_t>> chars;
    size_t C = 1;
    for (size_t i = 0; i < forms.size(); ++i) {
        words.push_back(vocab.words.index(lower_ascii(forms[i])));
        std::vector<std::string> cs = utf8_chars(forms[i]);
        const auto keep = static_cast<size_t>(std::max<int64_t>(o.max_chars, 2));
        if (cs.size() > keep) {
            // Prefix and suffix carry the morphology; the middle of a long word adds little.
            cs.erase(cs.begin() + static_cast<std::ptrdiff_t>(keep / 2),
                     cs.end() - static_cast<std::ptrdiff_t>(keep - keep / 2));
        }
        std::vector<int64_t> ids;
        for (const auto& c : cs) ids.push_back(vocab.chars.index(c));
        C = std::max(C, ids.size());
        chars.push_back(std::move(ids));
        tag_ids.push_back(i < tags.size() && vocab.tags.contains(tags[i]) ? vocab.tags.index(tags[i]) : -100);
    }
    std::vector<int64_t> flat(static_cast<size_t>(T) * C, kPad);
    for (size_t i = 0; i < chars.size(); ++i) std::copy(chars[i].begin(), chars[i].end(), flat.begin() + i * C);
    return {from_vector<int64_t>(words, {T}),
            from_vector<int64_t>(flat, {T, static_cast<int64_t>(C)}),
            from_vector<int64_t>(tag_ids, {T})};
}

data::Example collate_sentences(const std::vector<data::Example>& sentences) {
    KAYA_CHECK(!sentences.empty(), ValueError, "collate_sentences: empty batch");
    // Each distinct spelling once: the character BiLSTM runs over the batch's distinct words
    // (row 0 stands for padding slots), not over every slot.
    std::map<std::vector<int64_t>, int64_t> spelling_ids;
    std::vector<std::vector<int64_t>> spellings{{kPad}};
    std::vector<Tensor> words, tags, slots;
    size_t C = 1;
    for (const auto& s : sentences) {
        words.push_back(s[0]);
        tags.push_back(s[2]);
        const int64_t T = s[1].shape()[0], width = s[1].shape()[1];
        auto flat = to_vector<int64_t>(s[1]);
        std::vector<int64_t> slot(static_cast<size_t>(T));
        for (int64_t t = 0; t < T; ++t) {
            std::vector<int64_t> row(flat.begin() + t * width, flat.begin() + (t + 1) * width);
            while (row.size() > 1 && row.back() == kPad) row.pop_back();
            auto [it, fresh] = spelling_ids.emplace(row, static_cast<int64_t>(spellings.size()));
            if (fresh) {
                C = std::max(C, row.size());
                spellings.push_back(row);
            }
            slot[static_cast<size_t>(t)] = it->second;
        }
        slots.push_back(from_vector<int64_t>(slot, {T}));
    }
    std::vector<int64_t> chars(spellings.size() * C, kPad);
    for (size_t u = 0; u < spellings.size(); ++u) {
        std::copy(spellings[u].begin(), spellings[u].end(), chars.begin() + static_cast<std::ptrdiff_t>(u * C));
    }
    data::Example out{data::pad_sequence(words, true, kPad),
                      from_vector<int64_t>(chars, {static_cast<int64_t>(spellings.size()), static_cast<int64_t>(C)}),
                      data::pad_sequence(tags, true, -100), data::sequence_lengths(words),
                      data::pad_sequence(slots, true, 0)};
    // Extra per-word fields (e.g. flags for evaluation) follow, padded with 0.
    for (size_t k = 3; k < sentences[0].size(); ++k) {
        std::vector<Tensor> extra;
        for (const auto& s : sentences) extra.push_back(s[k]);
        out.push_back(data::pad_sequence(extra, true, 0));
    }
    return out;
}

namespace {

app::MetadataReader tagger_reader(const std::map<std::string, std::string>& m, const std::string& source) {
    return {m, source, "a Kaya POS tagger file (written by `kaya train` with task.kind = \"pos_tagger\")"};
}

}  // namespace

std::map<std::string, std::string> tagger_metadata(const TaggerOptions& o, const TaggerVocab& v) {
    auto str = [](auto x) {
        std::ostringstream os;
        os.precision(17);
        os << x;
        return os.str();
    };
    return {{"format", "pt"},
            {"kaya.task", "pos_tagger"},
            {"tagger.encoder", o.encoder},
            {"tagger.word_dim", str(o.word_dim)},
            {"tagger.char_dim", str(o.char_dim)},
            {"tagger.char_hidden", str(o.char_hidden)},
            {"tagger.hidden", str(o.hidden)},
            {"tagger.layers", str(o.layers)},
            {"tagger.heads", str(o.heads)},
            {"tagger.feedforward", str(o.feedforward)},
            {"tagger.dropout", str(o.dropout)},
            {"tagger.word_dropout", str(o.word_dropout)},
            {"tagger.max_chars", str(o.max_chars)},
            {"vocab.words", app::join_lines(v.words.tokens())},
            {"vocab.chars", app::join_lines(v.chars.tokens())},
            {"vocab.tags", app::join_lines(v.tags.tokens())}};
}

TaggerOptions tagger_options_from(const std::map<std::string, std::string>& m, const std::string& source) {
    const app::MetadataReader r = tagger_reader(m, source);
    KAYA_CHECK(r.text("kaya.task") == "pos_tagger", ParseError, source,
               ": not a Kaya POS tagger file (kaya.task is '", m.at("kaya.task"), "')");
    TaggerOptions o;
    o.encoder = r.text("tagger.encoder");
    o.word_dim = r.number<int64_t>("tagger.word_dim");
    o.char_dim = r.number<int64_t>("tagger.char_dim");
    o.char_hidden = r.number<int64_t>("tagger.char_hidden");
    o.hidden = r.number<int64_t>("tagger.hidden");
    o.layers = r.number<int64_t>("tagger.layers");
    o.heads = r.number<int64_t>("tagger.heads");
    o.feedforward = r.number<int64_t>("tagger.feedforward");
    o.dropout = r.number<double>("tagger.dropout");
    o.word_dropout = r.number<double>("tagger.word_dropout");
    o.max_chars = r.number<int64_t>("tagger.max_chars");
    return o;
}

TaggerVocab tagger_vocab_from(const std::map<std::string, std::string>& m, const std::string& source) {
    try {
        const app::MetadataReader r = tagger_reader(m, source);
        return {Vocabulary::from_tokens(app::split_lines(r.text("vocab.words")), "<unk>"),
                Vocabulary::from_tokens(app::split_lines(r.text("vocab.chars")), "<unk>"),
                Vocabulary::from_tokens(app::split_lines(r.text("vocab.tags")), "")};
    } catch (const ParseError&) {
        throw;
    } catch (const Error& e) {
        throw ParseError(source + ": " + e.what());
    }
}

PosTagger::PosTagger(std::shared_ptr<Tagger> model, TaggerVocab vocab)
    : model_(std::move(model)), vocab_(std::move(vocab)) {}

PosTagger PosTagger::load(const std::string& path) {
    io::SafetensorsFile f = io::load_safetensors(path);
    TaggerOptions o = tagger_options_from(f.metadata, path);
    TaggerVocab v = tagger_vocab_from(f.metadata, path);
    auto model = std::make_shared<Tagger>(o, v.words.size(), v.chars.size(), v.tags.size());
    try {
        model->load_state_dict(f.tensors);
    } catch (const Error& e) {
        throw ValueError(path + ": the weights do not fit the tagger its metadata describes: " + e.what());
    }
    model->eval();
    return PosTagger(std::move(model), std::move(v));
}

std::vector<std::vector<std::string>> PosTagger::tag(const std::vector<std::vector<std::string>>& sentences) {
    autograd::NoGradGuard no_grad;
    model_->eval();
    std::vector<std::vector<std::string>> out;
    const size_t batch = 64;
    for (size_t start = 0; start < sentences.size(); start += batch) {
        std::vector<data::Example> encoded;
        const size_t end = std::min(sentences.size(), start + batch);
        for (size_t i = start; i < end; ++i) {
            encoded.push_back(encode_sentence(vocab_, model_->options(), sentences[i], {}));
        }
        data::Example b = collate_sentences(encoded);
        Tensor best = argmax(model_->forward(b[0], b[1], b[4], b[3]), -1);  // (B, T)
        for (size_t i = start; i < end; ++i) {
            auto ids = to_vector<int64_t>(select(best, 0, static_cast<int64_t>(i - start)));
            std::vector<std::string> tags;
            for (size_t k = 0; k < sentences[i].size(); ++k) tags.push_back(vocab_.tags.token(ids[k]));
            out.push_back(std::move(tags));
        }
    }
    return out;
}

}  // namespace kaya::text
