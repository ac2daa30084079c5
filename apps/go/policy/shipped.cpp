// SPDX-License-Identifier: MIT
// The shipped policy network (models/go_policy_6x64.safetensors, see models/README.md), built
// into the binary so that `kaya go gtp` plays without a weights file.
#include "apps/go/policy/policy.h"

// KAYA_SHIPPED_POLICY is the file's absolute path, set by apps/CMakeLists.txt, which also
// rebuilds this file when the weights change.
asm(R"(
    .section .rodata
    .balign 64
    .global kaya_shipped_policy_begin
kaya_shipped_policy_begin:
    .incbin ")" KAYA_SHIPPED_POLICY R"("
    .global kaya_shipped_policy_end
kaya_shipped_policy_end:
    .previous
)");

extern "C" const char kaya_shipped_policy_begin[];
extern "C" const char kaya_shipped_policy_end[];

namespace kaya::go {

std::string_view shipped_policy_bytes() {
    return {kaya_shipped_policy_begin, static_cast<size_t>(kaya_shipped_policy_end - kaya_shipped_policy_begin)};
}

std::shared_ptr<PolicyNet> load_shipped_policy() {
    return decode_policy(shipped_policy_bytes(), "the built-in network (models/go_policy_6x64.safetensors)");
}

}  // namespace kaya::go
