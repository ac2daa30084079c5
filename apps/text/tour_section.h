// SPDX-License-Identifier: MIT
#pragma once

#include "apps/tour/tour.h"

namespace kaya::text {

// Row 15 in the tour: a BiLSTM part-of-speech tagger trained on the toy corpus the project
// makes (toy_corpus.h), scored on held-out sentences, with words never seen in training
// counted apart; confusion matrix and tagged sentences.
void demo_pos_tagging(const tour::TourOptions& options, tour::Report& report);
void add_tour_sections();

}  // namespace kaya::text
