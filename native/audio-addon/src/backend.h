// Stream backends behind one interface: PortAudio (all platforms) and libpulse (Linux).
// Backends only move samples between the device and the preallocated rings; conversion,
// resampling and delivery to JS happen on the stream's pump thread.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "common.h"
#include "ring_buffer.h"

namespace handsfree {

// State shared between a backend's real-time side and the owning stream's threads.
struct CaptureShared {
  CaptureShared(int ring_ms, size_t timing_records) : ring_ms(ring_ms), timing(timing_records) {}
  // Called by the backend once the device format is known, before any callback can run.
  void allocate_ring(int rate_hz, int channels) {
    ring.reset(new RingBuffer<float>(static_cast<size_t>(rate_hz) * static_cast<size_t>(channels) *
                                     static_cast<size_t>(ring_ms) / 1000));
  }
  const int ring_ms;
  std::unique_ptr<RingBuffer<float>> ring;  // interleaved float samples at the device rate/channels
  RingBuffer<TimingRecord> timing;  // one record per callback
  StreamStats stats;
  std::atomic<bool> failed{false};  // stream died (device removed, server gone)
  std::atomic<bool> moved{false};   // server moved the stream to another device
  std::mutex info_mutex;            // guards the strings below (never taken by a callback)
  std::string failure;
  std::string current_device;
};

struct PlaybackShared {
  explicit PlaybackShared(size_t ring_samples) : ring(ring_samples) {}
  RingBuffer<float> ring;  // interleaved float samples at the stream rate/channels
  StreamStats stats;
  std::atomic<bool> flush_requested{false};  // stop(): callback discards the ring
  std::atomic<uint64_t> user_frames_consumed{0};
  std::atomic<uint64_t> silence_frames_since_audio{0};
  std::atomic<bool> failed{false};
  std::atomic<bool> moved{false};
  std::mutex info_mutex;
  std::string failure;
  std::string current_device;
};

struct DeviceFormat {
  int sample_rate_hz = 0;
  int channels = 0;
  std::string device_name;  // resolved backend device name
  std::string device_id;
};

class CaptureBackend {
 public:
  virtual ~CaptureBackend() = default;
  // device: backend device name, empty = default. preferred_rate_hz: used when the device can run
  // at it natively (PortAudio); otherwise the device's own rate is used and the pump resamples.
  virtual bool open(const std::string& device, int preferred_rate_hz, int preferred_channels, int buffer_ms,
                    DeviceFormat* out, std::string* error) = 0;
  virtual bool start(std::string* error) = 0;
  virtual void close() = 0;  // idempotent, bounded time
  virtual const char* name() const = 0;
  // Reported device latency (input), microseconds; -1 unknown. Called off the RT thread.
  virtual int64_t latency_us() = 0;
};

class PlaybackBackend {
 public:
  virtual ~PlaybackBackend() = default;
  virtual bool open(const std::string& device, int rate_hz, int channels, int buffer_ms, DeviceFormat* out,
                    std::string* error) = 0;
  virtual bool start(std::string* error) = 0;
  virtual void flush() = 0;  // drop audio queued in the device/server (barge-in)
  virtual void close() = 0;
  virtual const char* name() const = 0;
  virtual int64_t latency_us() = 0;  // audio written to the device but not yet played
};

std::unique_ptr<CaptureBackend> make_portaudio_capture(CaptureShared* shared);
std::unique_ptr<PlaybackBackend> make_portaudio_playback(PlaybackShared* shared);
#ifdef HANDSFREE_HAVE_PULSE
std::unique_ptr<CaptureBackend> make_pulse_capture(CaptureShared* shared);
std::unique_ptr<PlaybackBackend> make_pulse_playback(PlaybackShared* shared);
#endif

}  // namespace handsfree
