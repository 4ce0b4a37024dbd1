// libpulse stream backend (Linux). Debian's PortAudio has no PulseAudio host API and its
// ALSA→pulse-plugin path ran below real time here (see bench/), so on Linux streams talk to
// PulseAudio directly. Stream callbacks run on the context's loop thread and follow the same rules
// as a PortAudio callback: copy into/out of the preallocated ring, update atomics, return.
#ifdef HANDSFREE_HAVE_PULSE
#include <pulse/pulseaudio.h>

#include <algorithm>
#include <cstring>

#include "backend.h"
#include "pulse_context.h"

namespace handsfree {
namespace {

constexpr int kConnectTimeoutMs = 3000;

struct SpecQuery {
  bool found = false;
  pa_sample_spec spec{};
  std::string name;
};

// Source and sink info callbacks alike: remember the device's format and name.
template <typename Info>
void on_device_info(pa_context*, const Info* i, int eol, void* user) {
  auto* q = static_cast<SpecQuery*>(user);
  if (eol || !i) return;
  q->found = true;
  q->spec = i->sample_spec;
  q->name = i->name;
}

// Waits (lock held) for a stream to become READY or fail; stream state callbacks signal.
bool wait_stream_ready(PulseContext* pc, pa_stream* s, int timeout_ms, std::string* error) {
  pc->wait_until([s] { return pa_stream_get_state(s) != PA_STREAM_CREATING; }, timeout_ms);
  pa_stream_state_t st = pa_stream_get_state(s);
  if (st == PA_STREAM_READY) return true;
  *error = st == PA_STREAM_CREATING ? "timed out waiting for the PulseAudio stream"
                                    : "PulseAudio stream failed: " + pc->last_error();
  return false;
}

// Stream state and device moves, for capture and playback alike (libpulse loop thread; never a
// real-time callback, so the mutex is fine): a failed/terminated stream after start is reported
// to the owner's threads, and so is the server moving the stream to another device.
template <typename Shared>
void report_stream_state(pa_stream* s, PulseContext& pc, Shared& shared, const std::atomic<bool>& ready,
                         const std::atomic<bool>& closing, const char* what) {
  pc.signal();
  pa_stream_state_t st = pa_stream_get_state(s);
  if ((st == PA_STREAM_FAILED || st == PA_STREAM_TERMINATED) && ready.load() && !closing.load()) {
    {
      std::lock_guard<std::mutex> lock(shared.info_mutex);
      shared.failure = std::string(what) + " stream ended: " + pc.last_error();
    }
    shared.failed.store(true);
  }
}

template <typename Shared>
void report_stream_moved(pa_stream* s, Shared& shared) {
  const char* name = pa_stream_get_device_name(s);
  {
    std::lock_guard<std::mutex> lock(shared.info_mutex);
    shared.current_device = std::string("pulse:") + (name ? name : "?");
  }
  shared.moved.store(true);
}

// What a capture and a playback stream share: the context, the stream, and the open/close steps
// around the parts that differ (format choice, buffer attributes, connect call, callbacks).
template <typename Shared>
class PulseStream {
 protected:
  explicit PulseStream(Shared* shared) : shared_(shared) {}

  // Connects the context and looks up the device; on success the context lock is held.
  bool begin_open(const char* client, bool source, const std::string& device, SpecQuery* q, std::string* error) {
    if (!pc_.connect(client, kConnectTimeoutMs, error)) return false;
    pc_.lock();
    const char* dev = device.empty() ? (source ? "@DEFAULT_SOURCE@" : "@DEFAULT_SINK@") : device.c_str();
    pa_operation* op = source ? pa_context_get_source_info_by_name(pc_.context(), dev, on_device_info<pa_source_info>, q)
                              : pa_context_get_sink_info_by_name(pc_.context(), dev, on_device_info<pa_sink_info>, q);
    if (!pc_.wait_operation(op, 2000) || !q->found) {
      const std::string kind = source ? "source" : "sink";
      return fail_open(error, device.empty() ? "no default PulseAudio " + kind : "PulseAudio " + kind + " not found: " + device);
    }
    return true;
  }

  // Releases the lock taken by begin_open() and reports why opening failed.
  bool fail_open(std::string* error, std::string message) {
    pc_.unlock();
    *error = std::move(message);
    return false;
  }

  bool new_stream(const char* name, const pa_sample_spec& spec, std::string* error) {
    stream_ = pa_stream_new(pc_.context(), name, &spec, nullptr);
    return stream_ ? true : fail_open(error, "pa_stream_new failed: " + pc_.last_error());
  }

  // After pa_stream_connect_* returned `rc`: waits for READY, fills `out` and releases the lock.
  bool finish_open(int rc, const char* connect_call, int rate_hz, int channels, const std::string& fallback_name,
                   DeviceFormat* out, std::string* error) {
    if (rc < 0 || !wait_stream_ready(&pc_, stream_, 3000, error)) {
      if (error->empty()) *error = std::string(connect_call) + " failed: " + pc_.last_error();
      pc_.unlock();
      return false;
    }
    out->sample_rate_hz = rate_hz;
    out->channels = channels;
    const char* name = pa_stream_get_device_name(stream_);
    out->device_name = name ? name : fallback_name;
    out->device_id = "pulse:" + out->device_name;
    {
      std::lock_guard<std::mutex> lock(shared_->info_mutex);
      shared_->current_device = out->device_id;
    }
    ready_.store(true);
    pc_.unlock();
    return true;
  }

  // Idempotent: detaches every callback before disconnecting, so none runs on a dying owner.
  void close_stream() {
    if (pc_.loop()) {
      pc_.lock();
      if (stream_) {
        closing_.store(true);
        pa_stream_set_read_callback(stream_, nullptr, nullptr);
        pa_stream_set_write_callback(stream_, nullptr, nullptr);
        pa_stream_set_state_callback(stream_, nullptr, nullptr);
        pa_stream_set_overflow_callback(stream_, nullptr, nullptr);
        pa_stream_set_underflow_callback(stream_, nullptr, nullptr);
        pa_stream_set_moved_callback(stream_, nullptr, nullptr);
        pa_stream_disconnect(stream_);
        pa_stream_unref(stream_);
        stream_ = nullptr;
      }
      pc_.unlock();
    }
    pc_.close();
  }

  Shared* shared_;
  PulseContext pc_;
  pa_stream* stream_ = nullptr;
  std::atomic<bool> ready_{false};
  std::atomic<bool> closing_{false};
};

class PulseCapture final : public CaptureBackend, private PulseStream<CaptureShared> {
 public:
  explicit PulseCapture(CaptureShared* shared) : PulseStream(shared) {}
  ~PulseCapture() override { close(); }
  const char* name() const override { return "pulse"; }

  bool open(const std::string& device, int /*preferred_rate_hz*/, int preferred_channels, int buffer_ms,
            DeviceFormat* out, std::string* error) override {
    SpecQuery q;
    if (!begin_open("handsfree-capture", true, device, &q, error)) return false;
    // Channel remixing is left to the server; rate conversion is ours (speexdsp on the pump) so
    // the device's true rate is known and narrowband routes are visible.
    channels_ = std::max(1, std::min<int>(preferred_channels, q.spec.channels));
    rate_ = static_cast<int>(q.spec.rate);
    shared_->allocate_ring(rate_, channels_);
    pa_sample_spec spec{PA_SAMPLE_FLOAT32NE, static_cast<uint32_t>(rate_), static_cast<uint8_t>(channels_)};
    if (!new_stream("capture", spec, error)) return false;
    pa_stream_set_read_callback(stream_, &PulseCapture::on_read, this);
    pa_stream_set_state_callback(stream_, &PulseCapture::on_state, this);
    pa_stream_set_overflow_callback(stream_, &PulseCapture::on_overflow, this);
    pa_stream_set_moved_callback(stream_, &PulseCapture::on_moved, this);
    pa_buffer_attr attr;
    attr.maxlength = static_cast<uint32_t>(-1);
    attr.tlength = static_cast<uint32_t>(-1);
    attr.prebuf = static_cast<uint32_t>(-1);
    attr.minreq = static_cast<uint32_t>(-1);
    attr.fragsize = static_cast<uint32_t>(pa_usec_to_bytes(static_cast<pa_usec_t>(std::max(buffer_ms, 1)) * 1000, &spec));
    const pa_stream_flags_t flags = static_cast<pa_stream_flags_t>(
        PA_STREAM_ADJUST_LATENCY | PA_STREAM_AUTO_TIMING_UPDATE | PA_STREAM_INTERPOLATE_TIMING);
    const int rc = pa_stream_connect_record(stream_, q.name.c_str(), &attr, flags);
    // Ask for timing info now so the reported latency is known from the first reads.
    if (rc >= 0) {
      if (pa_operation* op = pa_stream_update_timing_info(stream_, nullptr, nullptr)) pa_operation_unref(op);
    }
    return finish_open(rc, "pa_stream_connect_record", rate_, channels_, q.name, out, error);
  }

  // The stream is connected uncorked (one round trip fewer); data flows into the ring already.
  bool start(std::string*) override { return true; }

  void close() override { close_stream(); }

  int64_t latency_us() override { return shared_->stats.reported_latency_us.load(); }

 private:
  static void on_read(pa_stream* s, size_t, void* user) {
    auto* self = static_cast<PulseCapture*>(user);
    CaptureShared* sh = self->shared_;
    const int64_t t0 = now_ns();
    const size_t frame_bytes = sizeof(float) * static_cast<size_t>(self->channels_);
    uint64_t frames_total = 0;
    for (;;) {
      const void* data = nullptr;
      size_t nbytes = 0;
      if (pa_stream_peek(s, &data, &nbytes) < 0 || nbytes == 0) break;
      const size_t samples = nbytes / sizeof(float);
      size_t written = data ? sh->ring->write(static_cast<const float*>(data), samples) : sh->ring->write_zeros(samples);
      if (written < samples) {
        sh->stats.ring_overflow_frames.fetch_add((samples - written) / self->channels_, std::memory_order_relaxed);
      }
      frames_total += nbytes / frame_bytes;
      pa_stream_drop(s);
    }
    pa_usec_t lat = 0;
    int negative = 0;
    int64_t lat_ns = 0;
    if (pa_stream_get_latency(s, &lat, &negative) == 0) {
      // On a monitor source the latency is negative while captured samples are not yet played
      // (a loaded machine with a queue on the sink): the capture is then ahead, so report 0.
      if (negative) lat = 0;
      lat_ns = static_cast<int64_t>(lat) * 1000;
      sh->stats.reported_latency_us.store(static_cast<int64_t>(lat), std::memory_order_relaxed);
    }
    if (lat_ns > 1'000'000'000) lat_ns = 0;
    TimingRecord rec{sh->ring->total_written() / static_cast<size_t>(self->channels_), t0, t0 - lat_ns};
    sh->timing.write(&rec, 1);
    sh->stats.device_frames.fetch_add(frames_total, std::memory_order_relaxed);
    sh->stats.note_callback(t0);
  }

  static void on_state(pa_stream* s, void* user) {
    auto* self = static_cast<PulseCapture*>(user);
    report_stream_state(s, self->pc_, *self->shared_, self->ready_, self->closing_, "capture");
  }

  static void on_overflow(pa_stream*, void* user) {
    static_cast<PulseCapture*>(user)->shared_->stats.overruns.fetch_add(1, std::memory_order_relaxed);
  }

  static void on_moved(pa_stream* s, void* user) { report_stream_moved(s, *static_cast<PulseCapture*>(user)->shared_); }

  int channels_ = 1;
  int rate_ = 16000;
};

class PulsePlayback final : public PlaybackBackend, private PulseStream<PlaybackShared> {
 public:
  explicit PulsePlayback(PlaybackShared* shared) : PulseStream(shared) {}
  ~PulsePlayback() override { close(); }
  const char* name() const override { return "pulse"; }

  bool open(const std::string& device, int rate_hz, int channels, int buffer_ms, DeviceFormat* out,
            std::string* error) override {
    SpecQuery q;
    if (!begin_open("handsfree-playback", false, device, &q, error)) return false;
    channels_ = channels;
    pa_sample_spec spec{PA_SAMPLE_FLOAT32NE, static_cast<uint32_t>(rate_hz), static_cast<uint8_t>(channels)};
    if (!pa_sample_spec_valid(&spec)) {
      return fail_open(error, "unsupported playback format: " + std::to_string(rate_hz) + " Hz, " + std::to_string(channels) + " ch");
    }
    if (!new_stream("playback", spec, error)) return false;
    pa_stream_set_write_callback(stream_, &PulsePlayback::on_write, this);
    pa_stream_set_state_callback(stream_, &PulsePlayback::on_state, this);
    pa_stream_set_underflow_callback(stream_, &PulsePlayback::on_underflow, this);
    pa_stream_set_moved_callback(stream_, &PulsePlayback::on_moved, this);
    pa_buffer_attr attr;
    attr.maxlength = static_cast<uint32_t>(-1);
    attr.tlength = static_cast<uint32_t>(pa_usec_to_bytes(static_cast<pa_usec_t>(std::max(buffer_ms, 1)) * 2000, &spec));
    attr.prebuf = 0;  // never wait for a prebuffer: the write callback always fills (silence if idle)
    attr.minreq = static_cast<uint32_t>(pa_usec_to_bytes(static_cast<pa_usec_t>(std::max(buffer_ms, 1)) * 1000, &spec));
    attr.fragsize = static_cast<uint32_t>(-1);
    const pa_stream_flags_t flags = static_cast<pa_stream_flags_t>(
        PA_STREAM_ADJUST_LATENCY | PA_STREAM_AUTO_TIMING_UPDATE | PA_STREAM_INTERPOLATE_TIMING);
    const int rc = pa_stream_connect_playback(stream_, q.name.c_str(), &attr, flags, nullptr, nullptr);
    return finish_open(rc, "pa_stream_connect_playback", rate_hz, channels, q.name, out, error);
  }

  bool start(std::string*) override { return true; }

  void flush() override {
    if (!pc_.loop()) return;
    pc_.lock();  // the write callback runs under this lock, so the ring's consumer is idle here
    shared_->ring.skip(shared_->ring.read_available());
    shared_->flush_requested.store(false);
    if (stream_) {
      pa_operation* op = pa_stream_flush(stream_, nullptr, nullptr);
      if (op) pa_operation_unref(op);
    }
    pc_.unlock();
  }

  void close() override { close_stream(); }

  int64_t latency_us() override {
    if (!pc_.loop() || !stream_) return -1;
    pc_.lock();
    pa_usec_t lat = 0;
    int negative = 0;
    int64_t r = -1;
    if (stream_ && pa_stream_get_latency(stream_, &lat, &negative) == 0) r = negative ? 0 : static_cast<int64_t>(lat);
    pc_.unlock();
    if (r >= 0) shared_->stats.reported_latency_us.store(r);
    return r;
  }

 private:
  static void on_write(pa_stream* s, size_t nbytes, void* user) {
    auto* self = static_cast<PulsePlayback*>(user);
    PlaybackShared* sh = self->shared_;
    const int64_t t0 = now_ns();
    if (sh->flush_requested.exchange(false, std::memory_order_acq_rel)) sh->ring.skip(sh->ring.read_available());
    const size_t ch = static_cast<size_t>(self->channels_);
    while (nbytes > 0) {
      void* buf = nullptr;
      size_t len = nbytes;
      if (pa_stream_begin_write(s, &buf, &len) < 0 || !buf || len == 0) break;
      len -= len % (sizeof(float) * ch);
      if (len == 0) {
        pa_stream_cancel_write(s);
        break;
      }
      const size_t samples = len / sizeof(float);
      float* out = static_cast<float*>(buf);
      size_t got = sh->ring.read(out, samples);
      if (got < samples) {
        std::memset(out + got, 0, (samples - got) * sizeof(float));
        sh->stats.starved_frames.fetch_add((samples - got) / ch, std::memory_order_relaxed);
      }
      if (got > 0) {
        sh->user_frames_consumed.fetch_add(got / ch, std::memory_order_relaxed);
        sh->silence_frames_since_audio.store((samples - got) / ch, std::memory_order_relaxed);
      } else {
        sh->silence_frames_since_audio.fetch_add(samples / ch, std::memory_order_relaxed);
      }
      sh->stats.device_frames.fetch_add(samples / ch, std::memory_order_relaxed);
      pa_stream_write(s, buf, len, nullptr, 0, PA_SEEK_RELATIVE);
      nbytes = nbytes > len ? nbytes - len : 0;
    }
    sh->stats.note_callback(t0);
  }

  static void on_state(pa_stream* s, void* user) {
    auto* self = static_cast<PulsePlayback*>(user);
    report_stream_state(s, self->pc_, *self->shared_, self->ready_, self->closing_, "playback");
  }

  static void on_underflow(pa_stream*, void* user) {
    static_cast<PulsePlayback*>(user)->shared_->stats.underruns.fetch_add(1, std::memory_order_relaxed);
  }

  static void on_moved(pa_stream* s, void* user) { report_stream_moved(s, *static_cast<PulsePlayback*>(user)->shared_); }

  int channels_ = 1;
};

}  // namespace

std::unique_ptr<CaptureBackend> make_pulse_capture(CaptureShared* shared) {
  return std::unique_ptr<CaptureBackend>(new PulseCapture(shared));
}
std::unique_ptr<PlaybackBackend> make_pulse_playback(PlaybackShared* shared) {
  return std::unique_ptr<PlaybackBackend>(new PulsePlayback(shared));
}

}  // namespace handsfree
#endif
