// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "apps/translate/decode.h"
#include "apps/translate/model.h"
#include "apps/translate/translate_task.h"

namespace kaya::translate {

// Translations of sentences (normalised English), batched by length: one text a sentence, empty
// for an empty sentence; sentences longer than the model's max_len are cut and counted in
// `truncated`. The task's evaluation and `kaya translate` both use it.
std::vector<std::string> translate_sentences(Translator& model, const Tokenizers& tok,
                                             const std::vector<std::string>& sentences,
                                             const DecodeOptions& o, int64_t* truncated = nullptr);

// A trained translator as `kaya translate` uses it: the weights (model.safetensors, with the
// network's shape in its metadata) and the tokenisers (tokenizer.txt) of one run directory.
class EnglishChineseTranslator {
public:
    // dir: a run directory of task translation (or the path of its model.safetensors, with
    // tokenizer.txt beside it). IoError for missing files; ValueError when the tokeniser is not
    // the one the weights were trained with (both named), or the weights are not a translator's.
    static EnglishChineseTranslator load(const std::string& dir);

    // One output a sentence; an empty sentence gives an empty translation. Sentences longer
    // than the model's max_len are cut, and `truncated` counts them.
    std::vector<std::string> translate(const std::vector<std::string>& sentences, const DecodeOptions& o,
                                       int64_t* truncated = nullptr);
    const Tokenizers& tokenizers() const { return tok_; }
    Translator& model() { return *model_; }

private:
    Tokenizers tok_;
    std::shared_ptr<Translator> model_;
};

}  // namespace kaya::translate
