// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <vector>

#include "apps/text/conllu.h"

namespace kaya::text {

// A small tagged English-like corpus the project makes itself (the tour's and the tests'
// embedded default; the real treebank is ../shared or the user's own files). Sentences come
// from a little grammar (noun phrases, verb phrases, prepositional phrases, coordination) with
// UPOS tags; some words are ambiguous ("book", "can", "saw", "duck") and are told apart only by
// context, and many nouns, verbs, adjectives, adverbs and names are made up from random
// syllables, with a telling suffix or a capital or (a third of them) bare, so the test
// sentences hold words never seen in training that only their spelling or their neighbours can
// tag. Deterministic for a seed.
std::vector<ConlluSentence> make_toy_corpus(int64_t sentences, uint64_t seed);

}  // namespace kaya::text
