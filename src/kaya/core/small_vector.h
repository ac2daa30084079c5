// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iterator>

namespace kaya {

// A vector of int64 that stores up to kInline elements inside the object, so the shapes and
// strides of ordinary tensors need no heap allocation (each op creates several tensors; with
// std::vector their shapes were a large share of per-op overhead). Larger sizes spill to the
// heap. Offers the subset of std::vector's interface the library uses.
class SmallVector {
public:
    static constexpr size_t kInline = 6;
    using value_type = int64_t;
    using iterator = int64_t*;
    using const_iterator = const int64_t*;
    using size_type = size_t;
    using reference = int64_t&;
    using const_reference = const int64_t&;

    SmallVector() = default;
    explicit SmallVector(size_t n, int64_t v = 0) { assign_fill(n, v); }
    SmallVector(std::initializer_list<int64_t> il) { assign_range(il.begin(), il.end()); }
    template <class It, class = typename std::iterator_traits<It>::iterator_category>
    SmallVector(It first, It last) {
        reserve(static_cast<size_t>(std::distance(first, last)));
        for (; first != last; ++first) push_back(*first);
    }
    SmallVector(const SmallVector& o) { assign_range(o.begin(), o.end()); }
    SmallVector(SmallVector&& o) noexcept { steal(o); }
    SmallVector& operator=(const SmallVector& o) {
        if (this != &o) {
            size_ = 0;
            assign_range(o.begin(), o.end());
        }
        return *this;
    }
    SmallVector& operator=(SmallVector&& o) noexcept {
        if (this != &o) {
            release();
            steal(o);
        }
        return *this;
    }
    ~SmallVector() { release(); }

    size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    int64_t* data() { return ptr(); }
    const int64_t* data() const { return ptr(); }
    iterator begin() { return ptr(); }
    iterator end() { return ptr() + size_; }
    const_iterator begin() const { return ptr(); }
    const_iterator end() const { return ptr() + size_; }
    std::reverse_iterator<const_iterator> rbegin() const { return std::reverse_iterator(end()); }
    std::reverse_iterator<const_iterator> rend() const { return std::reverse_iterator(begin()); }
    int64_t& operator[](size_t i) { return ptr()[i]; }
    const int64_t& operator[](size_t i) const { return ptr()[i]; }
    int64_t& back() { return ptr()[size_ - 1]; }
    const int64_t& back() const { return ptr()[size_ - 1]; }

    void reserve(size_t n) {
        if (n <= capacity()) return;
        auto* fresh = new int64_t[n];
        std::copy(begin(), end(), fresh);
        release();
        heap_ = fresh;
        heap_capacity_ = n;
    }
    void clear() { size_ = 0; }
    void push_back(int64_t v) {
        if (size_ == capacity()) reserve(std::max<size_t>(2 * capacity(), kInline));
        ptr()[size_++] = v;
    }
    void emplace_back(int64_t v) { push_back(v); }
    void pop_back() { --size_; }
    void resize(size_t n, int64_t v = 0) {
        reserve(n);
        for (size_t i = size_; i < n; ++i) ptr()[i] = v;
        size_ = n;
    }
    iterator insert(const_iterator pos, int64_t v) { return insert(pos, &v, &v + 1); }
    iterator insert(const_iterator pos, std::initializer_list<int64_t> il) {
        return insert(pos, il.begin(), il.end());
    }
    template <class It>
    iterator insert(const_iterator pos, It first, It last) {
        // Copy the source first: it may point into this vector.
        SmallVector src;
        for (; first != last; ++first) src.push_back(*first);
        size_t at = static_cast<size_t>(pos - begin()), n = src.size();
        reserve(size_ + n);
        std::copy_backward(begin() + at, end(), end() + n);
        std::copy(src.begin(), src.end(), begin() + at);
        size_ += n;
        return begin() + at;
    }
    iterator erase(const_iterator pos) {
        size_t at = static_cast<size_t>(pos - begin());
        std::copy(begin() + at + 1, end(), begin() + at);
        --size_;
        return begin() + at;
    }

    friend bool operator==(const SmallVector& a, const SmallVector& b) {
        return a.size_ == b.size_ && std::equal(a.begin(), a.end(), b.begin());
    }

private:
    size_t capacity() const { return heap_ ? heap_capacity_ : kInline; }
    int64_t* ptr() { return heap_ ? heap_ : inline_; }
    const int64_t* ptr() const { return heap_ ? heap_ : inline_; }
    void release() {
        delete[] heap_;
        heap_ = nullptr;
        heap_capacity_ = 0;
    }
    void steal(SmallVector& o) {
        size_ = o.size_;
        if (o.heap_) {
            heap_ = o.heap_;
            heap_capacity_ = o.heap_capacity_;
            o.heap_ = nullptr;
            o.heap_capacity_ = 0;
        } else {
            std::copy(o.inline_, o.inline_ + o.size_, inline_);
        }
        o.size_ = 0;
    }
    template <class It>
    void assign_range(It first, It last) {
        reserve(static_cast<size_t>(last - first));
        std::copy(first, last, ptr());
        size_ = static_cast<size_t>(last - first);
    }
    void assign_fill(size_t n, int64_t v) {
        reserve(n);
        std::fill(ptr(), ptr() + n, v);
        size_ = n;
    }

    int64_t inline_[kInline];
    int64_t* heap_ = nullptr;
    size_t heap_capacity_ = 0;
    size_t size_ = 0;
};

}  // namespace kaya
