// SPDX-License-Identifier: MIT
// The shipped networks (models/go_policy_6x64.safetensors and models/go_residual9d_vsgnugo_6x64b4.safetensors,
// see models/README.md), built into the binary so that `kaya go gtp` plays without a weights file.
#include "apps/go/policy/policy.h"

// KAYA_SHIPPED_POLICY and KAYA_SHIPPED_SEARCH_NET are the files' absolute paths, set by
// apps/CMakeLists.txt, which also rebuilds this file when the weights change.
asm(R"(
    .section .rodata
    .balign 64
    .global kaya_shipped_policy_begin
kaya_shipped_policy_begin:
    .incbin ")" KAYA_SHIPPED_POLICY R"("
    .global kaya_shipped_policy_end
kaya_shipped_policy_end:
    .balign 64
    .global kaya_shipped_search_begin
kaya_shipped_search_begin:
    .incbin ")" KAYA_SHIPPED_SEARCH_NET R"("
    .global kaya_shipped_search_end
kaya_shipped_search_end:
    .previous
)");

extern "C" const char kaya_shipped_policy_begin[];
extern "C" const char kaya_shipped_policy_end[];
extern "C" const char kaya_shipped_search_begin[];
extern "C" const char kaya_shipped_search_end[];

namespace kaya::go {

std::string_view shipped_policy_bytes() {
    return {kaya_shipped_policy_begin, static_cast<size_t>(kaya_shipped_policy_end - kaya_shipped_policy_begin)};
}

std::shared_ptr<PolicyNet> load_shipped_policy() {
    return decode_policy(shipped_policy_bytes(), "the built-in network (models/go_policy_6x64.safetensors)");
}

std::string_view shipped_search_net_bytes() {
    return {kaya_shipped_search_begin, static_cast<size_t>(kaya_shipped_search_end - kaya_shipped_search_begin)};
}

std::shared_ptr<PolicyNet> load_shipped_search_net() {
    return decode_policy(shipped_search_net_bytes(), "the built-in search network (models/go_residual9d_vsgnugo_6x64b4.safetensors)");
}

}  // namespace kaya::go
