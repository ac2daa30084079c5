// SPDX-License-Identifier: MIT
#include "kaya/core/storage.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <vector>
#include <cstdlib>
#include <map>
#include <mutex>
#include <new>

#include "kaya/core/error.h"

namespace kaya {

namespace {

// 64-byte alignment keeps AVX-512 loads on one cache line and lets kernels assume it.
// Freed blocks are kept for reuse: small ones (up to 256 KiB) in power-of-two classes, up to
// kSmallPerClass per class, because eager ops allocate and free many same-sized temporaries
// and glibc's malloc/free/consolidate was a third of a small MLP step; large ones by size
// (best fit within 12.5% extra), up to KAYA_CACHE_MB in total, because first-touch page
// faults of fresh large blocks cost more than the op itself on the VMs we measured.
// Set when this thread's LocalCache is gone (thread exit; static tensors freed after it).
thread_local bool t_local_cache_gone = false;

// A thread's own few small blocks per size class, in front of the shared cache: threads that
// allocate and free temporaries side by side (Hessian rows, loader workers) would otherwise
// queue on the shared cache's mutex for every op. Bounded (kLocalBytes); given back to the
// system when the thread ends.
struct LocalCache {
    static constexpr size_t kLocalPerClass = 8;
    static constexpr size_t kLocalBytes = 4 << 20;
    std::array<std::array<void*, kLocalPerClass>, 20> blocks{};
    std::array<size_t, 20> count{};
    size_t bytes = 0;

    void* take(int cls, size_t size) {
        if (count[cls] == 0) return nullptr;
        bytes -= size;
        return blocks[cls][--count[cls]];
    }
    bool keep(int cls, size_t size, void* p) {
        if (count[cls] == kLocalPerClass || bytes + size > kLocalBytes) return false;
        blocks[cls][count[cls]++] = p;
        bytes += size;
        return true;
    }
    void release() {
        for (size_t c = 0; c < blocks.size(); ++c) {
            for (size_t i = 0; i < count[c]; ++i) std::free(blocks[c][i]);
            count[c] = 0;
        }
        bytes = 0;
    }
    ~LocalCache() {
        release();
        t_local_cache_gone = true;
    }
};

LocalCache* local_cache() {
    if (t_local_cache_gone) return nullptr;
    thread_local LocalCache cache;
    return &cache;
}

class CpuAllocator final : public Allocator {
public:
    CpuAllocator() {
        const char* env = std::getenv("KAYA_CACHE_MB");
        long mb = env ? std::atol(env) : 1024;
        limit_ = static_cast<size_t>(std::max(0L, mb)) << 20;
    }

    void* allocate(size_t nbytes) override {
        size_t size = round(nbytes);
        if (LocalCache* local = size <= kSmallMax ? local_cache() : nullptr) {
            if (void* p = local->take(class_of(size), size)) return p;
        }
        {
            std::lock_guard<std::mutex> lock(mu_);
            if (size <= kSmallMax) {
                auto& list = small_[class_of(size)];
                if (!list.empty()) {
                    void* p = list.back();
                    list.pop_back();
                    cached_ -= size;
                    return p;
                }
            } else {
                auto it = large_.lower_bound(size);
                if (it != large_.end() && it->first <= size + size / 8) {
                    void* p = it->second;
                    cached_ -= it->first;
                    sizes_[p] = it->first;
                    large_.erase(it);
                    return p;
                }
            }
        }
        // Linux overcommits: a block larger than the machine's memory would be granted and the
        // process killed when it is touched, so such a request is refused here.
        static const double physical =
            static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGESIZE));
        KAYA_CHECK(physical <= 0 || static_cast<double>(nbytes) <= physical, Error,
                   "CPU allocator: ", nbytes, " bytes (", static_cast<double>(nbytes) / (1 << 30),
                   " GiB) requested, more than this machine's ", physical / (1 << 30), " GiB of memory");
        void* p = std::aligned_alloc(64, size);
        KAYA_CHECK(p != nullptr, Error, "CPU allocator: out of memory allocating ", nbytes,
                   " bytes");
        if (size > kSmallMax) {
            std::lock_guard<std::mutex> lock(mu_);
            sizes_[p] = size;
        }
        return p;
    }

    void deallocate(void* ptr, size_t nbytes) noexcept override {
        size_t size = round(nbytes);
        if (LocalCache* local = size <= kSmallMax && limit_ > 0 ? local_cache() : nullptr) {
            if (local->keep(class_of(size), size, ptr)) return;
        }
        {
            std::lock_guard<std::mutex> lock(mu_);
            if (size <= kSmallMax) {
                auto& list = small_[class_of(size)];
                if (list.size() < kSmallPerClass && cached_ + size <= limit_) {
                    list.push_back(ptr);
                    cached_ += size;
                    return;
                }
            } else {
                auto it = sizes_.find(ptr);
                size = it->second;  // The block may be larger than requested (best fit).
                sizes_.erase(it);
                if (cached_ + size <= limit_) {
                    large_.emplace(size, ptr);
                    cached_ += size;
                    return;
                }
            }
        }
        std::free(ptr);
    }

    // Frees the shared cache and this thread's own blocks (other threads keep theirs, at most
    // LocalCache::kLocalBytes each, until they end).
    void empty() {
        if (LocalCache* local = local_cache()) local->release();
        std::lock_guard<std::mutex> lock(mu_);
        for (auto& [size, p] : large_) std::free(p);
        large_.clear();
        for (auto& list : small_) {
            for (void* p : list) std::free(p);
            list.clear();
        }
        cached_ = 0;
    }
    size_t cached() {
        std::lock_guard<std::mutex> lock(mu_);
        return cached_;
    }

private:
    static constexpr size_t kSmallMax = 256 * 1024;
    static constexpr size_t kSmallPerClass = 256;
    // Small sizes round up to a power of two (at least 64), large ones to 64 bytes.
    static size_t round(size_t n) {
        n = std::max<size_t>(n, 64);
        if (n <= kSmallMax) return std::bit_ceil(n);
        return (n + 63) / 64 * 64;
    }
    static int class_of(size_t pow2) { return std::countr_zero(pow2); }

    std::mutex mu_;
    std::array<std::vector<void*>, 20> small_;  // Index log2(size), 64 B .. 256 KiB.
    std::multimap<size_t, void*> large_;        // Cached large blocks by size.
    std::map<void*, size_t> sizes_;             // Live large blocks and their sizes.
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
