// Shared plain-C++ types: clock, device description, lock-free stream statistics.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace handsfree {

// Monotonic nanoseconds (std::chrono::steady_clock = CLOCK_MONOTONIC on Linux, the clock libuv's
// hrtime uses, so JS can compare with process.hrtime()).
inline int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct DeviceInfo {
  std::string id;           // "pulse:<name>" or "portaudio:<host api>:<name>"
  std::string name;         // backend name (pulse source/sink name, PortAudio device name)
  std::string description;  // human-readable
  std::string host_api;     // "PulseAudio", "ALSA", "Core Audio", "Windows WASAPI", ...
  std::string backend;      // "pulse" | "portaudio"
  int max_input_channels = 0;
  int max_output_channels = 0;
  double default_sample_rate_hz = 0;
  bool is_default_input = false;
  bool is_default_output = false;
  bool is_monitor = false;
  std::string transport = "unknown";          // bluetooth | usb | builtin | virtual | unknown
  std::string bluetooth_profile = "unknown";  // a2dp | hfp | unknown
  std::string form_factor;                    // as reported, may be empty
  uint32_t pulse_index = UINT32_MAX;
};

// Histogram of durations with 4 sub-buckets per power of two of microseconds. Lock-free: the
// audio callback increments one relaxed atomic.
class DurationHistogram {
 public:
  static constexpr int kBuckets = 96;
  void record_ns(int64_t ns) {
    uint64_t us_x4 = ns > 0 ? static_cast<uint64_t>(ns) * 4 / 1000 : 0;  // quarter-microseconds
    int idx = bucket_index(us_x4);
    counts_[idx].fetch_add(1, std::memory_order_relaxed);
    int64_t prev = max_ns_.load(std::memory_order_relaxed);
    while (ns > prev && !max_ns_.compare_exchange_weak(prev, ns, std::memory_order_relaxed)) {
    }
  }
  // Upper bound of bucket i in microseconds.
  static double bucket_upper_us(int i) {
    int exp = i / 4;
    int sub = i % 4;
    double base = static_cast<double>(1ULL << exp);
    return (base + base * (sub + 1) / 4.0) / 4.0;
  }
  uint64_t count(int i) const { return counts_[i].load(std::memory_order_relaxed); }
  int64_t max_ns() const { return max_ns_.load(std::memory_order_relaxed); }

 private:
  static int bucket_index(uint64_t q) {
    if (q < 1) return 0;
    int exp = 63 - __builtin_clzll(q);
    int sub = exp >= 2 ? static_cast<int>((q >> (exp - 2)) & 3) : static_cast<int>((q << (2 - exp)) & 3);
    int idx = exp * 4 + sub;
    return idx < kBuckets ? idx : kBuckets - 1;
  }
  std::atomic<uint64_t> counts_[kBuckets] = {};
  std::atomic<int64_t> max_ns_{0};
};

struct StreamStats {
  std::atomic<uint64_t> overruns{0};        // device/server reported input overflow
  std::atomic<uint64_t> underruns{0};       // device/server reported output underflow
  std::atomic<uint64_t> ring_overflow_frames{0};  // capture: callback found the ring full
  std::atomic<uint64_t> starved_frames{0};  // playback: callback found the ring empty (silence)
  std::atomic<uint64_t> callbacks{0};
  std::atomic<uint64_t> device_frames{0};   // frames moved by the callback (device rate)
  std::atomic<uint64_t> dropped_chunks{0};  // JS queue full
  std::atomic<uint64_t> delivered_chunks{0};
  std::atomic<int64_t> reported_latency_us{-1};
  std::atomic<int64_t> last_callback_ns{0};
  std::atomic<int64_t> first_callback_ns{0};
  DurationHistogram callback_duration;

  // End-of-callback bookkeeping shared by every backend; real-time safe (relaxed atomics only).
  void note_callback(int64_t t0_ns) {
    callbacks.fetch_add(1, std::memory_order_relaxed);
    if (first_callback_ns.load(std::memory_order_relaxed) == 0) first_callback_ns.store(t0_ns, std::memory_order_relaxed);
    last_callback_ns.store(t0_ns, std::memory_order_relaxed);
    callback_duration.record_ns(now_ns() - t0_ns);
  }
};

// Timing of one capture callback, passed to the pump through its own ring.
struct TimingRecord {
  uint64_t end_frame;  // ring frames written after this callback
  int64_t callback_ns;
  int64_t adc_ns;      // estimated capture time of the last frame of this callback
};

}  // namespace handsfree
