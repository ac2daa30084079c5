// SPDX-License-Identifier: MIT
#include "apps/translate/translator.h"

#include <algorithm>
#include <filesystem>

#include "apps/translate/text.h"
#include "kaya/io/file.h"
#include "kaya/io/safetensors.h"

namespace kaya::translate {

namespace {

namespace fs = std::filesystem;

int64_t meta_int(const io::SafetensorsFile& f, const std::string& key, const std::string& path) {
    auto it = f.metadata.find(key);
    KAYA_CHECK(it != f.metadata.end(), ValueError, path, ": metadata '", key,
               "' missing: not the weights of a translation run (kaya train, task translation)");
    try {
        return std::stoll(it->second);
    } catch (const std::logic_error&) {
        throw ValueError(path + ": metadata '" + key + "' is not a number: '" + it->second + "'");
    }
}

}  // namespace

EnglishChineseTranslator EnglishChineseTranslator::load(const std::string& where) {
    const bool is_dir = fs::is_directory(where);
    const std::string dir = is_dir ? where : fs::path(where).parent_path().string();
    const std::string weights = is_dir ? where + "/model.safetensors" : where;
    const std::string tokenizer = (dir.empty() ? std::string(".") : dir) + "/tokenizer.txt";
    KAYA_CHECK(fs::exists(weights), IoError, weights, ": no such file (a run directory of kaya train holds it)");
    KAYA_CHECK(fs::exists(tokenizer), IoError, tokenizer,
               ": no such file (the tokeniser is saved beside the weights)");
    const io::SafetensorsFile f = io::load_safetensors(weights);
    auto task = f.metadata.find("task");
    KAYA_CHECK(task != f.metadata.end() && task->second == "translation", ValueError, weights,
               ": not the weights of a translation run (task ",
               task == f.metadata.end() ? std::string("unknown") : task->second, ")");
    EnglishChineseTranslator t;
    t.tok_ = Tokenizers::parse(io::read_file(tokenizer), tokenizer);
    const std::string expected = f.metadata.count("tokenizer") ? f.metadata.at("tokenizer") : "";
    KAYA_CHECK(expected == t.tok_.fingerprint(), ValueError, tokenizer, " (fingerprint ", t.tok_.fingerprint(),
               ") is not the tokeniser ", weights, " was trained with (fingerprint ", expected, ")");
    TranslatorOptions o;
    o.src_vocab = t.tok_.source.size();
    o.tgt_vocab = t.tok_.target.size();
    o.d_model = meta_int(f, "d_model", weights);
    o.heads = meta_int(f, "heads", weights);
    o.encoder_layers = meta_int(f, "encoder_layers", weights);
    o.decoder_layers = meta_int(f, "decoder_layers", weights);
    o.feedforward = meta_int(f, "feedforward", weights);
    o.max_len = meta_int(f, "max_len", weights);
    o.tie_output = f.metadata.count("tie_output") && f.metadata.at("tie_output") == "true";
    o.norm_first = f.metadata.count("norm_first") && f.metadata.at("norm_first") == "true";
    o.dropout = 0;
    t.model_ = std::make_shared<Translator>(o);
    t.model_->load_state_dict(f.tensors);
    t.model_->eval();
    return t;
}

std::vector<std::string> translate_sentences(Translator& model, const Tokenizers& tok,
                                             const std::vector<std::string>& sentences,
                                             const DecodeOptions& o, int64_t* truncated) {
    const auto room = static_cast<size_t>(model.options().max_len - 1);
    std::vector<std::vector<int64_t>> ids(sentences.size());
    std::vector<size_t> todo;
    for (size_t i = 0; i < sentences.size(); ++i) {
        ids[i] = tok.encode_source(sentences[i]);
        if (ids[i].size() > room) {
            ids[i].resize(room);
            if (truncated) ++*truncated;
        }
        if (!ids[i].empty()) todo.push_back(i);
    }
    // Similar lengths together: less padding.
    std::stable_sort(todo.begin(), todo.end(), [&](size_t a, size_t b) { return ids[a].size() < ids[b].size(); });
    std::vector<std::string> out(sentences.size());
    const size_t batch = o.beam > 1 ? 16 : 64;
    for (size_t s = 0; s < todo.size(); s += batch) {
        std::vector<std::vector<int64_t>> chunk;
        for (size_t k = s; k < std::min(todo.size(), s + batch); ++k) chunk.push_back(ids[todo[k]]);
        const auto res = translate_batch(model, chunk, o);
        for (size_t k = 0; k < res.size(); ++k) out[todo[s + k]] = tok.decode_target(res[k]);
    }
    return out;
}

std::vector<std::string> EnglishChineseTranslator::translate(const std::vector<std::string>& sentences,
                                                             const DecodeOptions& o, int64_t* truncated) {
    std::vector<std::string> normalised;
    for (const auto& s : sentences) normalised.push_back(normalize_english(s));
    return translate_sentences(*model_, tok_, normalised, o, truncated);
}

}  // namespace kaya::translate
