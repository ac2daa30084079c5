// SPDX-License-Identifier: MIT
#include "kaya/core/storage.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <new>

#include "kaya/core/error.h"

namespace kaya {

namespace {

// 64-byte alignment keeps AVX-512 loads on one cache line and lets kernels assume it. Large
// blocks are cached by size after free and handed out again (best fit within 12.5% extra).
class CpuAllocator final : public Allocator {
public:
    CpuAllocator() {
        const char* env = std::getenv("KAYA_CACHE_MB");
        long mb = env ? std::atol(env) : 1024;
        limit_ = static_cast<size_t>(std::max(0L, mb)) << 20;
    }
    ~CpuAllocator() override { empty(); }

    void* allocate(size_t nbytes) override {
        size_t rounded = round(nbytes);
        if (rounded >= kCacheMin) {
            std::lock_guard<std::mutex> lock(mu_);
            auto it = free_.lower_bound(rounded);
            if (it != free_.end() && it->first <= rounded + rounded / 8) {
                void* p = it->second;
                cached_ -= it->first;
                sizes_[p] = it->first;
                free_.erase(it);
                return p;
            }
        }
        void* p = std::aligned_alloc(64, rounded);
        KAYA_CHECK(p != nullptr, Error, "CPU allocator: out of memory allocating ", nbytes,
                   " bytes");
        if (rounded >= kCacheMin) {
            std::lock_guard<std::mutex> lock(mu_);
            sizes_[p] = rounded;
        }
        return p;
    }

    void deallocate(void* ptr, size_t nbytes) noexcept override {
        if (round(nbytes) >= kCacheMin) {
            std::lock_guard<std::mutex> lock(mu_);
            auto it = sizes_.find(ptr);
            size_t size = it->second;
            sizes_.erase(it);
            if (cached_ + size <= limit_) {
                free_.emplace(size, ptr);
                cached_ += size;
                return;
            }
        }
        std::free(ptr);
    }

    void empty() {
        std::lock_guard<std::mutex> lock(mu_);
        for (auto& [size, p] : free_) std::free(p);
        free_.clear();
        cached_ = 0;
    }
    size_t cached() {
        std::lock_guard<std::mutex> lock(mu_);
        return cached_;
    }

private:
    static constexpr size_t kCacheMin = 256 * 1024;
    static size_t round(size_t n) { return (std::max<size_t>(n, 1) + 63) / 64 * 64; }

    std::mutex mu_;
    std::multimap<size_t, void*> free_;   // Cached blocks by size.
    std::map<void*, size_t> sizes_;       // Live large blocks and their rounded sizes.
    size_t cached_ = 0;
    size_t limit_ = 0;
};

CpuAllocator& cpu_allocator() {
    // Leaked on purpose: tensors in static objects may be freed after it would be destroyed.
    static auto* a = new CpuAllocator();
    return *a;
}

}  // namespace

std::string device_name(Device d) {
    switch (d.type) {
        case DeviceType::CPU: return "cpu";
    }
    return "unknown";
}

Allocator& allocator_for(Device d) {
    KAYA_CHECK(d.type == DeviceType::CPU, NotImplemented, "no backend built for device ",
               device_name(d));
    return cpu_allocator();
}

void empty_cache() { cpu_allocator().empty(); }
size_t cached_bytes() { return cpu_allocator().cached(); }

Storage::Storage(size_t nbytes, Device device) : nbytes_(nbytes), device_(device) {
    data_ = allocator_for(device).allocate(nbytes);
}

Storage::~Storage() { allocator_for(device_).deallocate(data_, nbytes_); }

}  // namespace kaya
