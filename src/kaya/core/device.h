// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <string>

namespace kaya {

// Where a tensor's memory lives. Only the CPU backend is built; the field exists so that a GPU
// backend adds an enumerator and an Allocator, and ops refuse foreign devices with a clear
// NotImplemented instead of reading device memory on the host.
enum class DeviceType { CPU };

struct Device {
    DeviceType type = DeviceType::CPU;
    int index = 0;
    bool operator==(const Device&) const = default;
};

inline constexpr Device kCPU{};

std::string device_name(Device d);

// The backend boundary for memory: one Allocator per device type. Kernels for a device are
// reached through the ops' device check (see ops/checks.h).
class Allocator {
public:
    virtual ~Allocator() = default;
    virtual void* allocate(size_t nbytes) = 0;
    // nbytes is the size passed to allocate().
    virtual void deallocate(void* ptr, size_t nbytes) noexcept = 0;
};

// The allocator for a device; throws NotImplemented for devices without a backend.
Allocator& allocator_for(Device d);

// The CPU allocator keeps freed blocks for reuse (up to KAYA_CACHE_MB in total, default
// 1024 MiB): touching fresh pages is the dominant cost of large eager ops (on the VMs we
// measured, first-touch page faults made a 40 MB add 70x slower than the add itself), and
// malloc/free of small temporaries dominated small ones. empty_cache() returns the cached
// blocks to the system.
void empty_cache();
// Bytes currently held in the CPU cache (not in use by any tensor).
size_t cached_bytes();

}  // namespace kaya
