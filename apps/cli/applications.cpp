// SPDX-License-Identifier: MIT
#include "apps/analysis/tour_section.h"
#include "apps/cli/commands.h"
#include "apps/go/train/policy_task.h"
#include "apps/go/train/tour_section.h"
#include "apps/mlp/mlp_task.h"
#include "apps/mlp/tour_sections.h"
#include "apps/speech/speech_task.h"
#include "apps/speech/tour_section.h"
#include "apps/text/pos_task.h"
#include "apps/text/tour_section.h"
#include "apps/tour/course_demos.h"
#include "apps/train/task.h"
#include "apps/vision/cnn_task.h"
#include "apps/translate/tour_section.h"
#include "apps/translate/translate_task.h"
#include "apps/tts/tasks.h"
#include "apps/tts/tour_section.h"
#include "apps/vision/tour_section.h"

namespace kaya::cli {

void register_applications() {
    struct Application {
        void (*register_tasks)(app::TaskRegistry&);
        void (*add_tour_sections)();
    };
    // A new application adds one line here (its folder under apps/ holds the rest).
    const Application applications[] = {
        {nullptr, tour::add_course_sections},
        {mlp::register_tasks, mlp::add_tour_sections},
        {go::register_tasks, go::add_tour_sections},
        {text::register_tasks, text::add_tour_sections},
        {vision::register_tasks, vision::add_tour_sections},
        {speech::register_tasks, speech::add_tour_sections},
        {translate::register_tasks, translate::add_tour_sections},
        {tts::register_tasks, tts::add_tour_sections},
        {nullptr, analysis::add_tour_sections},
    };
    for (const auto& a : applications) {
        if (a.register_tasks) a.register_tasks(app::task_registry());
        if (a.add_tour_sections) a.add_tour_sections();
    }
}

}  // namespace kaya::cli
