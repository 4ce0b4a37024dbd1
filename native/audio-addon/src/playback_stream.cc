#include "playback_stream.h"

#include <algorithm>
#include <chrono>

#include "napi_util.h"

namespace handsfree {

struct PlaybackEvent {
  std::string type;  // writable | drained | device-lost | moved
  std::string device;
  std::string detail;
  int64_t ns = 0;
};

void playback_call_js(Napi::Env env, Napi::Function callback, std::nullptr_t*, PlaybackEvent* raw) {
  std::unique_ptr<PlaybackEvent> ev(raw);
  if (env == nullptr || callback.IsEmpty()) return;
  Napi::Object o = Napi::Object::New(env);
  o.Set("type", ev->type);
  o.Set("device", ev->device);
  o.Set("detail", ev->detail);
  o.Set("timestampMs", Napi::Number::New(env, ns_to_ms(ev->ns)));
  callback.Call({o});
}

Napi::Function PlaybackStream::Define(Napi::Env env) {
  return DefineClass(env, "PlaybackHandle",
                     {
                         InstanceMethod("write", &PlaybackStream::Write),
                         InstanceMethod("stop", &PlaybackStream::Stop),
                         InstanceMethod("close", &PlaybackStream::Close),
                         InstanceMethod("wantWritable", &PlaybackStream::WantWritable),
                         InstanceMethod("wantDrained", &PlaybackStream::WantDrained),
                         InstanceMethod("position", &PlaybackStream::Position),
                         InstanceMethod("stats", &PlaybackStream::Stats),
                         InstanceMethod("info", &PlaybackStream::Info),
                     });
}

PlaybackStream::PlaybackStream(const Napi::CallbackInfo& info) : Napi::ObjectWrap<PlaybackStream>(info) {
  Napi::Env env = info.Env();
  env_ = env;
  if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsFunction()) {
    Napi::TypeError::New(env, "PlaybackHandle(options, onEvent)").ThrowAsJavaScriptException();
    return;
  }
  Napi::Object o = info[0].As<Napi::Object>();
  backend_name_ = get_string(o, "backend", "portaudio");
  const std::string device = get_string(o, "device", "");
  rate_ = get_int(o, "sampleRateHz", 16000);
  channels_ = get_int(o, "channels", 1);
  const int buffer_ms = get_int(o, "bufferMs", 20);
  const int ring_ms = get_int(o, "ringMs", 500);
  if (rate_ < 8000 || rate_ > 192000 || channels_ < 1 || channels_ > 2 || ring_ms < 20) {
    Napi::RangeError::New(env, "PlaybackHandle: option out of range").ThrowAsJavaScriptException();
    return;
  }
  shared_.reset(new PlaybackShared(static_cast<size_t>(rate_) * channels_ * ring_ms / 1000));
  writable_threshold_frames_ = shared_->ring.capacity() / static_cast<size_t>(channels_) / 2;
#ifdef HANDSFREE_HAVE_PULSE
  if (backend_name_ == "pulse") backend_ = make_pulse_playback(shared_.get());
#endif
  if (!backend_) {
    backend_name_ = "portaudio";
    backend_ = make_portaudio_playback(shared_.get());
  }
  std::string error;
  if (!backend_->open(device, rate_, channels_, buffer_ms, &device_, &error)) {
    backend_->close();
    Napi::Error::New(env, error).ThrowAsJavaScriptException();
    return;
  }
  tsfn_ = PlaybackTsfn::New(env, info[1].As<Napi::Function>(), "handsfree-playback", 16, 1, nullptr);
  if (!backend_->start(&error)) {
    backend_->close();
    tsfn_.Release();
    Napi::Error::New(env, error).ThrowAsJavaScriptException();
    return;
  }
  closed_ = false;
  monitor_ = std::thread([this] { monitor_main(); });
  napi_add_env_cleanup_hook(env, &PlaybackStream::cleanup_hook, this);
  hook_added_ = true;
}

PlaybackStream::~PlaybackStream() { shutdown(); }

void PlaybackStream::cleanup_hook(void* arg) {
  auto* self = static_cast<PlaybackStream*>(arg);
  self->hook_added_ = false;
  self->shutdown();
}

void PlaybackStream::shutdown() {
  if (closed_) return;
  closed_ = true;
  stop_.store(true);
  if (monitor_.joinable()) monitor_.join();
  backend_->close();
  if (hook_added_) {
    napi_remove_env_cleanup_hook(env_, &PlaybackStream::cleanup_hook, this);
    hook_added_ = false;
  }
}

// Frames of user audio that have left the speaker: consumed by the device minus what is still
// queued in the device/server (silence written after the last audio is queued behind it).
uint64_t PlaybackStream::played_frames() {
  const uint64_t consumed = shared_->user_frames_consumed.load();
  const int64_t lat_frames = latency_us_.load() * rate_ / 1'000'000;
  const int64_t silence = static_cast<int64_t>(shared_->silence_frames_since_audio.load());
  const int64_t pending = std::max<int64_t>(0, lat_frames - silence);
  return consumed > static_cast<uint64_t>(pending) ? consumed - static_cast<uint64_t>(pending) : 0;
}

void PlaybackStream::monitor_main() {
  bool failed_reported = false;
  int tick = 0;
  auto send = [this](const char* type, const std::string& device, const std::string& detail) {
    PlaybackEvent* ev = new PlaybackEvent{type, device, detail, now_ns()};
    if (tsfn_.NonBlockingCall(ev) != napi_ok) {
      delete ev;
      return false;
    }
    return true;
  };
  while (!stop_.load()) {
    if ((tick++ % 4) == 0) {
      const int64_t lat = backend_->latency_us();
      if (lat >= 0) latency_us_.store(lat);
    }
    // Clear the request before sending so a request made by JS in response is never lost.
    if (shared_->ring.write_available() / static_cast<size_t>(channels_) >= writable_threshold_frames_ &&
        want_writable_.exchange(false)) {
      if (!send("writable", "", "")) want_writable_.store(true);
    }
    if (shared_->ring.read_available() == 0 && played_frames() >= written_frames_.load() &&
        want_drained_.exchange(false)) {
      if (!send("drained", "", "")) want_drained_.store(true);
    }
    std::string dev;
    if (shared_->moved.exchange(false)) {
      {
        std::lock_guard<std::mutex> lock(shared_->info_mutex);
        dev = shared_->current_device;
      }
      send("moved", dev, "the audio server moved the stream");
    }
    if (!failed_reported && shared_->failed.load()) {
      failed_reported = true;
      std::string why;
      {
        std::lock_guard<std::mutex> lock(shared_->info_mutex);
        dev = shared_->current_device;
        why = shared_->failure;
      }
      send("device-lost", dev, why);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  tsfn_.Release();
}

Napi::Value PlaybackStream::Write(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (closed_) {
    Napi::Error::New(env, "playback stream is closed").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (info.Length() < 1 || !info[0].IsTypedArray()) {
    Napi::TypeError::New(env, "write(pcm): pcm must be an Int16Array or Float32Array").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::TypedArray ta = info[0].As<Napi::TypedArray>();
  const size_t offset_frames = info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().Int64Value() : 0;
  const size_t total = ta.ElementLength();
  const size_t start = offset_frames * static_cast<size_t>(channels_);
  if (start > total) return Napi::Number::New(env, 0);
  const size_t free_frames = shared_->ring.write_available() / static_cast<size_t>(channels_);
  const size_t frames = std::min(free_frames, (total - start) / static_cast<size_t>(channels_));
  const size_t samples = frames * static_cast<size_t>(channels_);
  size_t written = 0;
  if (ta.TypedArrayType() == napi_float32_array) {
    written = shared_->ring.write(ta.As<Napi::Float32Array>().Data() + start, samples);
  } else if (ta.TypedArrayType() == napi_int16_array) {
    const int16_t* src = ta.As<Napi::Int16Array>().Data() + start;
    scratch_.resize(samples);
    for (size_t i = 0; i < samples; ++i) scratch_[i] = static_cast<float>(src[i]) / 32768.0f;
    written = shared_->ring.write(scratch_.data(), samples);
  } else {
    Napi::TypeError::New(env, "write(pcm): pcm must be an Int16Array or Float32Array").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  written_frames_.fetch_add(written / static_cast<size_t>(channels_));
  return Napi::Number::New(env, static_cast<double>(written / static_cast<size_t>(channels_)));
}

Napi::Value PlaybackStream::Stop(const Napi::CallbackInfo& info) {
  if (!closed_) {
    // Barge-in: drop everything queued here and in the device/server. What was played stays
    // counted; the rest counts as finished so a pending drain() resolves.
    const uint64_t played = played_frames();
    shared_->flush_requested.store(true);
    backend_->flush();
    shared_->user_frames_consumed.store(played);
    shared_->silence_frames_since_audio.store(1u << 30);
    written_frames_.store(played);
  }
  return info.Env().Undefined();
}

Napi::Value PlaybackStream::Close(const Napi::CallbackInfo& info) {
  shutdown();
  return info.Env().Undefined();
}

Napi::Value PlaybackStream::WantWritable(const Napi::CallbackInfo& info) {
  want_writable_.store(true);
  return info.Env().Undefined();
}

Napi::Value PlaybackStream::WantDrained(const Napi::CallbackInfo& info) {
  want_drained_.store(true);
  return info.Env().Undefined();
}

Napi::Value PlaybackStream::Position(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  const uint64_t played = shared_ ? played_frames() : 0;
  o.Set("writtenFrames", Napi::Number::New(env, static_cast<double>(written_frames_.load())));
  o.Set("queuedFrames",
        Napi::Number::New(env, shared_ ? static_cast<double>(shared_->ring.read_available() / channels_) : 0));
  o.Set("playedFrames", Napi::Number::New(env, static_cast<double>(played)));
  o.Set("playedMs", Napi::Number::New(env, static_cast<double>(played) * 1000.0 / rate_));
  o.Set("latencyMs", Napi::Number::New(env, latency_us_.load() / 1000.0));
  return o;
}

Napi::Value PlaybackStream::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!shared_) return env.Null();
  Napi::Object o = stats_to_js(env, shared_->stats);
  o.Set("reportedLatencyMs", Napi::Number::New(env, latency_us_.load() / 1000.0));
  return o;
}

Napi::Value PlaybackStream::Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("backend", backend_name_);
  o.Set("deviceId", device_.device_id);
  o.Set("deviceName", device_.device_name);
  o.Set("sampleRateHz", rate_);
  o.Set("channels", channels_);
  o.Set("ringFrames", Napi::Number::New(env, shared_ ? static_cast<double>(shared_->ring.capacity() / channels_) : 0));
  o.Set("closed", Napi::Boolean::New(env, closed_));
  return o;
}

}  // namespace handsfree
