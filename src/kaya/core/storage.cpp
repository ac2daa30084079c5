// SPDX-License-Identifier: MIT
#include "kaya/core/storage.h"

#include <cstdlib>
#include <new>

#include "kaya/core/error.h"

namespace kaya {

namespace {

// 64-byte alignment keeps AVX-512 loads on one cache line and lets kernels assume it.
class CpuAllocator final : public Allocator {
public:
    void* allocate(size_t nbytes) override {
        size_t rounded = (std::max<size_t>(nbytes, 1) + 63) / 64 * 64;
        void* p = std::aligned_alloc(64, rounded);
        KAYA_CHECK(p != nullptr, Error, "CPU allocator: out of memory allocating ", nbytes,
                   " bytes");
        return p;
    }
    void deallocate(void* ptr) noexcept override { std::free(ptr); }
};

}  // namespace

std::string device_name(Device d) {
    switch (d.type) {
        case DeviceType::CPU: return "cpu";
    }
    return "unknown";
}

Allocator& allocator_for(Device d) {
    static CpuAllocator cpu;
    KAYA_CHECK(d.type == DeviceType::CPU, NotImplemented, "no backend built for device ",
               device_name(d));
    return cpu;
}

Storage::Storage(size_t nbytes, Device device) : nbytes_(nbytes), device_(device) {
    data_ = allocator_for(device).allocate(nbytes);
}

Storage::~Storage() { allocator_for(device_).deallocate(data_); }

}  // namespace kaya
