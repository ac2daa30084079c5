// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "kaya/core/device.h"

namespace kaya {

// A block of device memory shared by a tensor and all its views. It also carries the version
// counter that in-place ops bump, so autograd can detect that a saved tensor (or any view of
// the same memory) was modified after it was saved, as PyTorch's version counter does.
class Storage {
public:
    // Allocates nbytes (64-byte aligned on the CPU); memory is uninitialised.
    Storage(size_t nbytes, Device device);
    ~Storage();
    Storage(const Storage&) = delete;
    Storage& operator=(const Storage&) = delete;

    void* data() const { return data_; }
    size_t nbytes() const { return nbytes_; }
    Device device() const { return device_; }
    uint64_t version() const { return version_; }
    void bump_version() { ++version_; }

private:
    void* data_ = nullptr;
    size_t nbytes_ = 0;
    Device device_;
    uint64_t version_ = 0;
};

}  // namespace kaya
