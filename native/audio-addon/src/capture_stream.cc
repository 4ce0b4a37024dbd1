#include "capture_stream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <vector>

#include "napi_util.h"

namespace handsfree {

struct CaptureItem {
  enum Kind { kChunk, kLevel, kEvent } kind = kChunk;
  uint64_t seq = 0;
  int64_t capture_ns = 0;
  int64_t callback_ns = 0;
  int64_t sent_ns = 0;
  bool preroll = false;
  std::vector<int16_t> i16;
  std::vector<float> f32;
  double rms_dbfs = -INFINITY;
  double peak_dbfs = -INFINITY;
  std::string event;  // device-lost | moved | stalled | recovered
  std::string device;
  std::string detail;
};

static double to_dbfs(double v) { return v > 0 ? 20.0 * std::log10(v) : -INFINITY; }

static Napi::Value db_value(Napi::Env env, double db) {
  return Napi::Number::New(env, std::isfinite(db) ? db : -1000.0);
}

void capture_call_js(Napi::Env env, Napi::Function callback, std::nullptr_t*, CaptureItem* raw) {
  std::unique_ptr<CaptureItem> item(raw);
  if (env == nullptr || callback.IsEmpty()) return;  // torn down: just free the item
  const int64_t delivered = now_ns();
  Napi::Object o = Napi::Object::New(env);
  switch (item->kind) {
    case CaptureItem::kChunk: {
      o.Set("kind", "chunk");
      o.Set("seq", Napi::Number::New(env, static_cast<double>(item->seq)));
      o.Set("captureTimestampMs", Napi::Number::New(env, ns_to_ms(item->capture_ns)));
      o.Set("callbackTimestampMs", Napi::Number::New(env, ns_to_ms(item->callback_ns)));
      o.Set("sentTimestampMs", Napi::Number::New(env, ns_to_ms(item->sent_ns)));
      o.Set("deliveredTimestampMs", Napi::Number::New(env, ns_to_ms(delivered)));
      o.Set("preRoll", Napi::Boolean::New(env, item->preroll));
      o.Set("rmsDbfs", db_value(env, item->rms_dbfs));
      o.Set("peakDbfs", db_value(env, item->peak_dbfs));
      if (!item->f32.empty()) {
        auto arr = Napi::Float32Array::New(env, item->f32.size());
        std::memcpy(arr.Data(), item->f32.data(), item->f32.size() * sizeof(float));
        o.Set("data", arr);
      } else {
        auto arr = Napi::Int16Array::New(env, item->i16.size());
        std::memcpy(arr.Data(), item->i16.data(), item->i16.size() * sizeof(int16_t));
        o.Set("data", arr);
      }
      break;
    }
    case CaptureItem::kLevel:
      o.Set("kind", "level");
      o.Set("timestampMs", Napi::Number::New(env, ns_to_ms(item->capture_ns)));
      o.Set("rmsDbfs", db_value(env, item->rms_dbfs));
      o.Set("peakDbfs", db_value(env, item->peak_dbfs));
      break;
    case CaptureItem::kEvent:
      o.Set("kind", "event");
      o.Set("type", item->event);
      o.Set("device", item->device);
      o.Set("detail", item->detail);
      o.Set("timestampMs", Napi::Number::New(env, ns_to_ms(item->sent_ns)));
      break;
  }
  // Exceptions thrown by the JS listener propagate as uncaught exceptions (Node's default for
  // callbacks), which is what a listener bug should do.
  callback.Call({o});
}

Napi::Function CaptureStream::Define(Napi::Env env) {
  return DefineClass(env, "CaptureHandle",
                     {
                         InstanceMethod("close", &CaptureStream::Close),
                         InstanceMethod("setActive", &CaptureStream::SetActive),
                         InstanceMethod("setLevels", &CaptureStream::SetLevels),
                         InstanceMethod("stats", &CaptureStream::Stats),
                         InstanceMethod("info", &CaptureStream::Info),
                     });
}

CaptureStream::CaptureStream(const Napi::CallbackInfo& info) : Napi::ObjectWrap<CaptureStream>(info) {
  Napi::Env env = info.Env();
  env_ = env;
  if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsFunction()) {
    Napi::TypeError::New(env, "CaptureHandle(options, onItem)").ThrowAsJavaScriptException();
    return;
  }
  Napi::Object o = info[0].As<Napi::Object>();
  backend_name_ = get_string(o, "backend", "portaudio");
  const std::string device = get_string(o, "device", "");
  rate_ = get_int(o, "sampleRateHz", 16000);
  channels_ = get_int(o, "channels", 1);
  frame_ms_ = get_int(o, "frameMs", 20);
  preroll_ms_ = get_int(o, "preRollMs", 0);
  queue_chunks_ = get_int(o, "queueChunks", 32);
  stall_ms_ = get_int(o, "stallMs", 1500);
  const int buffer_ms = get_int(o, "bufferMs", 10);
  const int ring_ms = get_int(o, "ringMs", 2000);
  float_out_ = get_string(o, "format", "int16") == "float32";
  active_.store(!get_bool(o, "paused", false));
  if (rate_ < 8000 || rate_ > 192000 || channels_ < 1 || channels_ > 2 || frame_ms_ < 1 || frame_ms_ > 1000 ||
      queue_chunks_ < 1 || preroll_ms_ < 0) {
    Napi::RangeError::New(env, "CaptureHandle: option out of range").ThrowAsJavaScriptException();
    return;
  }

  shared_.reset(new CaptureShared(ring_ms, 1024));
#ifdef HANDSFREE_HAVE_PULSE
  if (backend_name_ == "pulse") backend_ = make_pulse_capture(shared_.get());
#endif
  if (!backend_) {
    backend_name_ = "portaudio";
    backend_ = make_portaudio_capture(shared_.get());
  }
  std::string error;
  if (!backend_->open(device, rate_, channels_, buffer_ms, &device_, &error)) {
    backend_->close();
    Napi::Error::New(env, error).ThrowAsJavaScriptException();
    return;
  }
  if (device_.sample_rate_hz != rate_) {
    resampler_.reset(new Resampler(channels_, device_.sample_rate_hz, rate_, 5, &error));
    if (!resampler_->ok()) {
      backend_->close();
      Napi::Error::New(env, error).ThrowAsJavaScriptException();
      return;
    }
  }
  tsfn_ = CaptureTsfn::New(env, info[1].As<Napi::Function>(), "handsfree-capture", static_cast<size_t>(queue_chunks_),
                           1, nullptr);
  if (!backend_->start(&error)) {
    backend_->close();
    tsfn_.Release();
    Napi::Error::New(env, error).ThrowAsJavaScriptException();
    return;
  }
  closed_ = false;
  pump_ = std::thread([this] { pump_main(); });
  napi_add_env_cleanup_hook(env, &CaptureStream::cleanup_hook, this);
  hook_added_ = true;
}

CaptureStream::~CaptureStream() { shutdown(); }

void CaptureStream::cleanup_hook(void* arg) {
  auto* self = static_cast<CaptureStream*>(arg);
  self->hook_added_ = false;  // Node removes it after running it
  self->shutdown();
}

void CaptureStream::shutdown() {
  if (closed_) return;
  closed_ = true;
  stop_.store(true);
  if (pump_.joinable()) pump_.join();  // the pump never blocks on JS, so this returns promptly
  backend_->close();
  // Release the device-side memory now; the JS object may live on until GC.
  backend_.reset();
  resampler_.reset();
  shared_->ring.reset();
  if (hook_added_) {
    napi_remove_env_cleanup_hook(env_, &CaptureStream::cleanup_hook, this);
    hook_added_ = false;
  }
}

bool CaptureStream::send(std::unique_ptr<CaptureItem>& item) {
  item->sent_ns = now_ns();
  napi_status st = tsfn_.NonBlockingCall(item.get());
  if (st == napi_ok) {
    item.release();
    return true;
  }
  return false;
}

void CaptureStream::pump_main() {
  const int dev_rate = device_.sample_rate_hz;
  const int dev_ch = device_.channels;
  const size_t block_frames = static_cast<size_t>(dev_rate) / 100;  // 10 ms blocks
  const size_t chunk_frames = static_cast<size_t>(rate_) * static_cast<size_t>(frame_ms_) / 1000;
  const size_t chunk_samples = chunk_frames * static_cast<size_t>(channels_);
  const size_t preroll_max = preroll_ms_ > 0 ? static_cast<size_t>((preroll_ms_ + frame_ms_ - 1) / frame_ms_) : 0;
  const double dev_per_out = static_cast<double>(dev_rate) / rate_;
  const auto poll = std::chrono::microseconds(std::min(5000, std::max(1000, frame_ms_ * 1000 / 8)));

  std::vector<float> raw(block_frames * static_cast<size_t>(dev_ch));
  std::vector<float> conv;
  conv.reserve(block_frames * static_cast<size_t>(channels_));
  std::vector<float> acc;
  acc.reserve(chunk_samples * 8);
  std::deque<TimingRecord> timings;
  std::deque<std::unique_ptr<CaptureItem>> preroll;
  std::deque<std::unique_ptr<CaptureItem>> pending_events;
  uint64_t seq = 0;
  uint64_t out_frames = 0;
  bool was_active = active_.load();
  bool stalled = false;
  bool failed_reported = false;
  double level_sum_sq = 0, level_peak = 0;
  size_t level_samples = 0;
  const size_t level_window = static_cast<size_t>(rate_) * static_cast<size_t>(channels_) / 20;  // 50 ms: <= 20 Hz

  auto queue_event = [&](const char* type, const std::string& device, const std::string& detail) {
    std::unique_ptr<CaptureItem> ev(new CaptureItem());
    ev->kind = CaptureItem::kEvent;
    ev->event = type;
    ev->device = device;
    ev->detail = detail;
    pending_events.push_back(std::move(ev));
  };

  while (!stop_.load(std::memory_order_acquire)) {
    TimingRecord rec;
    while (shared_->timing.read(&rec, 1) == 1) {
      timings.push_back(rec);
      if (timings.size() > 1024) timings.pop_front();
    }
    for (;;) {
      size_t n = shared_->ring->read(raw.data(), raw.size());
      if (n == 0) break;
      const size_t frames = n / static_cast<size_t>(dev_ch);
      conv.clear();
      for (size_t f = 0; f < frames; ++f) {
        const float* in = &raw[f * static_cast<size_t>(dev_ch)];
        if (channels_ == 1) {
          float s = 0;
          for (int c = 0; c < dev_ch; ++c) s += in[c];
          conv.push_back(s / static_cast<float>(dev_ch));
        } else {
          conv.push_back(in[0]);
          conv.push_back(dev_ch > 1 ? in[1] : in[0]);
        }
      }
      if (resampler_) {
        resampler_->process(conv.data(), frames, &acc);
      } else {
        acc.insert(acc.end(), conv.begin(), conv.end());
      }
    }

    size_t offset = 0;
    const bool active = active_.load(std::memory_order_acquire);
    if (active && !was_active) {
      // Deliver the pre-roll first so the start of the utterance is not lost.
      while (!preroll.empty()) {
        std::unique_ptr<CaptureItem> it = std::move(preroll.front());
        preroll.pop_front();
        if (send(it)) {
          shared_->stats.delivered_chunks.fetch_add(1, std::memory_order_relaxed);
        } else {
          shared_->stats.dropped_chunks.fetch_add(1, std::memory_order_relaxed);
        }
      }
    }
    if (!active) preroll.resize(std::min(preroll.size(), preroll_max));
    was_active = active;

    while (acc.size() - offset >= chunk_samples) {
      const float* src = acc.data() + offset;
      std::unique_ptr<CaptureItem> item(new CaptureItem());
      item->seq = seq++;
      double sum_sq = 0, peak = 0;
      for (size_t i = 0; i < chunk_samples; ++i) {
        const double v = src[i];
        sum_sq += v * v;
        peak = std::max(peak, std::fabs(v));
      }
      item->rms_dbfs = to_dbfs(std::sqrt(sum_sq / static_cast<double>(chunk_samples)));
      item->peak_dbfs = to_dbfs(peak);
      if (float_out_) {
        item->f32.assign(src, src + chunk_samples);
      } else {
        item->i16.resize(chunk_samples);
        for (size_t i = 0; i < chunk_samples; ++i) {
          const float v = std::max(-1.0f, std::min(1.0f, src[i]));
          item->i16[i] = static_cast<int16_t>(std::lrint(v * 32767.0f));
        }
      }
      // Map the chunk to device frames and find the callback that delivered its last frame.
      const double d_first = static_cast<double>(out_frames) * dev_per_out;
      const double d_last = static_cast<double>(out_frames + chunk_frames) * dev_per_out - 1;
      const TimingRecord* r = timings.empty() ? nullptr : &timings.back();
      for (const auto& t : timings) {
        if (static_cast<double>(t.end_frame) > d_last) {
          r = &t;
          break;
        }
      }
      if (r) {
        const double frames_before_end = static_cast<double>(r->end_frame) - 1 - d_first;
        item->capture_ns = r->adc_ns - static_cast<int64_t>(frames_before_end * 1e9 / dev_rate);
        item->callback_ns = r->callback_ns;
      } else {
        item->capture_ns = item->callback_ns = now_ns();
      }
      while (timings.size() > 1 && static_cast<double>(timings[1].end_frame) <= d_last) timings.pop_front();
      out_frames += chunk_frames;
      offset += chunk_samples;

      if (levels_.load(std::memory_order_relaxed)) {
        level_sum_sq += sum_sq;
        level_peak = std::max(level_peak, peak);
        level_samples += chunk_samples;
        if (level_samples >= level_window) {
          std::unique_ptr<CaptureItem> lv(new CaptureItem());
          lv->kind = CaptureItem::kLevel;
          lv->capture_ns = item->capture_ns;
          lv->rms_dbfs = to_dbfs(std::sqrt(level_sum_sq / static_cast<double>(level_samples)));
          lv->peak_dbfs = to_dbfs(level_peak);
          send(lv);  // a level sample lost to a full queue is not worth counting
          level_sum_sq = level_peak = 0;
          level_samples = 0;
        }
      }

      if (active) {
        if (send(item)) {
          shared_->stats.delivered_chunks.fetch_add(1, std::memory_order_relaxed);
        } else {
          shared_->stats.dropped_chunks.fetch_add(1, std::memory_order_relaxed);
        }
      } else if (preroll_max > 0) {
        item->preroll = true;
        preroll.push_back(std::move(item));
        if (preroll.size() > preroll_max) preroll.pop_front();
      }
    }
    if (offset) acc.erase(acc.begin(), acc.begin() + static_cast<std::ptrdiff_t>(offset));

    // Route / health events observed by the backend.
    if (shared_->moved.exchange(false)) {
      std::string dev;
      {
        std::lock_guard<std::mutex> lock(shared_->info_mutex);
        dev = shared_->current_device;
      }
      queue_event("moved", dev, "the audio server moved the stream");
    }
    if (!failed_reported && shared_->failed.load()) {
      failed_reported = true;
      std::string dev, why;
      {
        std::lock_guard<std::mutex> lock(shared_->info_mutex);
        dev = shared_->current_device;
        why = shared_->failure;
      }
      queue_event("device-lost", dev, why);
    }
    const int64_t last_cb = shared_->stats.last_callback_ns.load(std::memory_order_relaxed);
    const int64_t since = now_ns() - (last_cb ? last_cb : shared_->stats.first_callback_ns.load());
    if (!stalled && last_cb && since > static_cast<int64_t>(stall_ms_) * 1'000'000) {
      stalled = true;
      std::string dev;
      {
        std::lock_guard<std::mutex> lock(shared_->info_mutex);
        dev = shared_->current_device;
      }
      queue_event("stalled", dev, "no audio from the device for " + std::to_string(stall_ms_) + " ms");
    } else if (stalled && since < static_cast<int64_t>(stall_ms_) * 1'000'000) {
      stalled = false;
      queue_event("recovered", "", "audio is flowing again");
    }
    while (!pending_events.empty()) {
      if (!send(pending_events.front())) break;  // queue full: retry next round, never drop events
      pending_events.pop_front();
    }
    std::this_thread::sleep_for(poll);
  }
  tsfn_.Release();
}

Napi::Value CaptureStream::Close(const Napi::CallbackInfo& info) {
  shutdown();
  return info.Env().Undefined();
}

Napi::Value CaptureStream::SetActive(const Napi::CallbackInfo& info) {
  active_.store(info.Length() > 0 && info[0].ToBoolean().Value(), std::memory_order_release);
  return info.Env().Undefined();
}

Napi::Value CaptureStream::SetLevels(const Napi::CallbackInfo& info) {
  levels_.store(info.Length() > 0 && info[0].ToBoolean().Value());
  return info.Env().Undefined();
}

Napi::Value CaptureStream::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!shared_) return env.Null();
  Napi::Object o = stats_to_js(env, shared_->stats);
  if (!closed_ && backend_) {
    const int64_t lat = backend_->latency_us();
    if (lat >= 0) o.Set("reportedLatencyMs", Napi::Number::New(env, lat / 1000.0));
  }
  o.Set("ringFillFrames",
        Napi::Number::New(env, static_cast<double>((shared_->ring ? shared_->ring->read_available() : 0) / std::max(1, device_.channels))));
  return o;
}

Napi::Value CaptureStream::Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("backend", backend_name_);
  o.Set("deviceId", device_.device_id);
  o.Set("deviceName", device_.device_name);
  o.Set("deviceSampleRateHz", device_.sample_rate_hz);
  o.Set("deviceChannels", device_.channels);
  o.Set("sampleRateHz", rate_);
  o.Set("channels", channels_);
  o.Set("frameMs", frame_ms_);
  o.Set("resampling", Napi::Boolean::New(env, resampler_ != nullptr));
  o.Set("closed", Napi::Boolean::New(env, closed_));
  return o;
}

}  // namespace handsfree
