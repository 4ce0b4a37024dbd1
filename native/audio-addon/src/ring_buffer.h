// Single-producer / single-consumer lock-free ring buffer.
// The producer is the audio callback (capture) or the JS thread (playback); it never allocates,
// locks or blocks: storage is allocated once in the constructor.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstring>
#include <memory>
#include <type_traits>

namespace handsfree {

template <typename T>
class RingBuffer {
  static_assert(std::is_trivially_copyable<T>::value, "RingBuffer holds trivially copyable items");

 public:
  // Capacity is rounded up to a power of two so indices wrap with a mask.
  explicit RingBuffer(size_t min_capacity) : capacity_(round_up_pow2(min_capacity < 2 ? 2 : min_capacity)),
                                             mask_(capacity_ - 1),
                                             data_(new T[capacity_]()) {}

  RingBuffer(const RingBuffer&) = delete;
  RingBuffer& operator=(const RingBuffer&) = delete;

  size_t capacity() const { return capacity_; }

  // Items readable now (consumer view; a lower bound for other threads).
  size_t read_available() const {
    return write_index_.load(std::memory_order_acquire) - read_index_.load(std::memory_order_acquire);
  }

  // Free slots now (producer view; a lower bound for other threads).
  size_t write_available() const { return capacity_ - read_available(); }

  // Producer: copies up to n items, returns how many were written (short when full).
  size_t write(const T* src, size_t n) {
    const size_t w = write_index_.load(std::memory_order_relaxed);
    const size_t r = read_index_.load(std::memory_order_acquire);
    const size_t free_slots = capacity_ - (w - r);
    const size_t count = std::min(n, free_slots);
    const size_t start = w & mask_;
    const size_t first = std::min(count, capacity_ - start);
    if (first) std::memcpy(data_.get() + start, src, first * sizeof(T));
    if (count > first) std::memcpy(data_.get(), src + first, (count - first) * sizeof(T));
    write_index_.store(w + count, std::memory_order_release);
    return count;
  }

  // Producer: writes n zero-valued items (used to fill holes), returns how many were written.
  size_t write_zeros(size_t n) {
    const size_t w = write_index_.load(std::memory_order_relaxed);
    const size_t r = read_index_.load(std::memory_order_acquire);
    const size_t count = std::min(n, capacity_ - (w - r));
    const size_t start = w & mask_;
    const size_t first = std::min(count, capacity_ - start);
    if (first) std::memset(static_cast<void*>(data_.get() + start), 0, first * sizeof(T));
    if (count > first) std::memset(static_cast<void*>(data_.get()), 0, (count - first) * sizeof(T));
    write_index_.store(w + count, std::memory_order_release);
    return count;
  }

  // Consumer: copies up to n items out, returns how many were read.
  size_t read(T* dst, size_t n) {
    const size_t r = read_index_.load(std::memory_order_relaxed);
    const size_t w = write_index_.load(std::memory_order_acquire);
    const size_t count = std::min(n, w - r);
    const size_t start = r & mask_;
    const size_t first = std::min(count, capacity_ - start);
    if (first) std::memcpy(dst, data_.get() + start, first * sizeof(T));
    if (count > first) std::memcpy(dst + first, data_.get(), (count - first) * sizeof(T));
    read_index_.store(r + count, std::memory_order_release);
    return count;
  }

  // Consumer: discards up to n items, returns how many were discarded.
  size_t skip(size_t n) {
    const size_t r = read_index_.load(std::memory_order_relaxed);
    const size_t w = write_index_.load(std::memory_order_acquire);
    const size_t count = std::min(n, w - r);
    read_index_.store(r + count, std::memory_order_release);
    return count;
  }

  // Totals since construction (monotonic, wrap only after 2^64 items).
  size_t total_written() const { return write_index_.load(std::memory_order_acquire); }
  size_t total_read() const { return read_index_.load(std::memory_order_acquire); }

 private:
  static size_t round_up_pow2(size_t v) {
    size_t p = 1;
    while (p < v) p <<= 1;
    return p;
  }

  const size_t capacity_;
  const size_t mask_;
  std::unique_ptr<T[]> data_;
  alignas(64) std::atomic<size_t> write_index_{0};
  alignas(64) std::atomic<size_t> read_index_{0};
};

}  // namespace handsfree
