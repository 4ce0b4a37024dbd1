// PortAudio backend. The stream callbacks follow PortAudio's real-time rules: they copy between the
// device buffers and the preallocated rings, update relaxed atomics and return. No allocation,
// locks, logging or Node-API.
#include <portaudio.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "backend.h"
#include "portaudio_backend.h"

namespace handsfree {
namespace {

// Pa_Initialize/Pa_Terminate are reference counted by PortAudio but not thread-safe.
std::mutex g_pa_mutex;

class PaSession {
 public:
  PaSession() {
    std::lock_guard<std::mutex> lock(g_pa_mutex);
    err_ = Pa_Initialize();
  }
  ~PaSession() {
    if (err_ == paNoError) {
      std::lock_guard<std::mutex> lock(g_pa_mutex);
      Pa_Terminate();
    }
  }
  PaError error() const { return err_; }

 private:
  PaError err_;
};

std::string device_id(const PaDeviceInfo* info) {
  const PaHostApiInfo* api = Pa_GetHostApiInfo(info->hostApi);
  return std::string("portaudio:") + (api ? api->name : "?") + ":" + info->name;
}

// Accepts "portaudio:<api>:<name>", "<api>:<name>" or "<name>"; empty = default.
PaDeviceIndex find_device(const std::string& wanted, bool input) {
  if (wanted.empty()) return input ? Pa_GetDefaultInputDevice() : Pa_GetDefaultOutputDevice();
  int n = Pa_GetDeviceCount();
  for (int i = 0; i < n; ++i) {
    const PaDeviceInfo* info = Pa_GetDeviceInfo(i);
    if (!info) continue;
    if ((input ? info->maxInputChannels : info->maxOutputChannels) <= 0) continue;
    std::string id = device_id(info);
    if (wanted == id || wanted == id.substr(10) || wanted == info->name) return i;
  }
  return paNoDevice;
}

std::string pa_error_text(PaError err) { return Pa_GetErrorText(err); }

// What a capture and a playback stream share: the PortAudio session, the stream, and the steps
// around the parts that differ (format choice, stream parameters, callback).
template <typename Shared>
class PaStreamOwner {
 protected:
  explicit PaStreamOwner(Shared* shared) : shared_(shared) {}

  // Initialises PortAudio and finds the device; null (with `error`) when either fails.
  const PaDeviceInfo* begin_open(const std::string& device, bool input, PaDeviceIndex* idx, std::string* error) {
    session_.reset(new PaSession());
    if (session_->error() != paNoError) {
      *error = "PortAudio failed to initialise: " + pa_error_text(session_->error());
      return nullptr;
    }
    *idx = find_device(device, input);
    if (*idx == paNoDevice) {
      const std::string kind = input ? "input" : "output";
      *error = device.empty() ? "no default " + kind + " device" : kind + " device not found: " + device;
      return nullptr;
    }
    return Pa_GetDeviceInfo(*idx);
  }

  // After Pa_OpenStream returned `err`: installs the finished callback and fills `out`.
  bool finish_open(PaError err, bool input, PaStreamFinishedCallback* finished, const PaDeviceInfo* info, int rate_hz,
                   int channels, DeviceFormat* out, std::string* error) {
    if (err != paNoError) {
      stream_ = nullptr;
      *error = std::string("Pa_OpenStream(") + (input ? "input" : "output") + ") failed: " + pa_error_text(err);
      return false;
    }
    Pa_SetStreamFinishedCallback(stream_, finished);
    out->sample_rate_hz = rate_hz;
    out->channels = channels;
    out->device_name = info->name;
    out->device_id = device_id(info);
    {
      std::lock_guard<std::mutex> lock(shared_->info_mutex);
      shared_->current_device = out->device_id;
    }
    return true;
  }

  bool start_stream(bool input, std::string* error) {
    PaError err = Pa_StartStream(stream_);
    if (err != paNoError) {
      *error = std::string("Pa_StartStream(") + (input ? "input" : "output") + ") failed: " + pa_error_text(err);
      return false;
    }
    return true;
  }

  // Idempotent; `closing_` tells the finished callback this end was asked for.
  void close_stream() {
    if (stream_) {
      closing_.store(true);
      Pa_AbortStream(stream_);
      Pa_CloseStream(stream_);
      stream_ = nullptr;
    }
    session_.reset();
  }

  // PortAudio calls this when the stream ends; an end nobody asked for is a device failure.
  template <typename Self>
  static void finished(void* user) {
    auto* self = static_cast<Self*>(user);
    if (!self->closing_.load()) self->shared_->failed.store(true);
  }

  Shared* shared_;
  std::unique_ptr<PaSession> session_;
  PaStream* stream_ = nullptr;
  std::atomic<bool> closing_{false};
};

class PortAudioCapture final : public CaptureBackend, private PaStreamOwner<CaptureShared> {
  friend class PaStreamOwner<CaptureShared>;

 public:
  explicit PortAudioCapture(CaptureShared* shared) : PaStreamOwner(shared) {}
  ~PortAudioCapture() override { close(); }

  const char* name() const override { return "portaudio"; }

  bool open(const std::string& device, int preferred_rate_hz, int preferred_channels, int buffer_ms,
            DeviceFormat* out, std::string* error) override {
    PaDeviceIndex idx = paNoDevice;
    const PaDeviceInfo* info = begin_open(device, true, &idx, error);
    if (!info) return false;
    channels_ = std::max(1, std::min(preferred_channels, info->maxInputChannels));
    PaStreamParameters params{};
    params.device = idx;
    params.channelCount = channels_;
    params.sampleFormat = paFloat32;
    params.suggestedLatency = info->defaultLowInputLatency;
    double rate = preferred_rate_hz;
    if (Pa_IsFormatSupported(&params, nullptr, rate) != paFormatIsSupported) rate = info->defaultSampleRate;
    rate_ = static_cast<int>(rate);
    shared_->allocate_ring(rate_, channels_);
    unsigned long frames = static_cast<unsigned long>(rate_ * std::max(buffer_ms, 1) / 1000);
    PaError err = Pa_OpenStream(&stream_, &params, nullptr, rate, frames, paNoFlag, &PortAudioCapture::callback, this);
    return finish_open(err, true, &PaStreamOwner::finished<PortAudioCapture>, info, rate_, channels_, out, error);
  }

  bool start(std::string* error) override { return start_stream(true, error); }

  void close() override { close_stream(); }

  int64_t latency_us() override {
    if (!stream_) return -1;
    const PaStreamInfo* si = Pa_GetStreamInfo(stream_);
    return si ? static_cast<int64_t>(si->inputLatency * 1e6) : -1;
  }

 private:
  static int callback(const void* input, void*, unsigned long frames, const PaStreamCallbackTimeInfo* time_info,
                      PaStreamCallbackFlags flags, void* user) {
    auto* self = static_cast<PortAudioCapture*>(user);
    CaptureShared* sh = self->shared_;
    const int64_t t0 = now_ns();
    if (flags & paInputOverflow) sh->stats.overruns.fetch_add(1, std::memory_order_relaxed);
    const size_t samples = frames * static_cast<size_t>(self->channels_);
    size_t written = input ? sh->ring->write(static_cast<const float*>(input), samples) : sh->ring->write_zeros(samples);
    if (written < samples) {
      sh->stats.ring_overflow_frames.fetch_add((samples - written) / self->channels_, std::memory_order_relaxed);
    }
    double age_s = 0;
    if (time_info && time_info->currentTime > 0 && time_info->inputBufferAdcTime > 0) {
      age_s = time_info->currentTime - time_info->inputBufferAdcTime;
      if (age_s < 0 || age_s > 1.0) age_s = 0;
    }
    // adc time of the last frame of this buffer
    const int64_t adc_last = t0 - static_cast<int64_t>(age_s * 1e9) +
                             static_cast<int64_t>((frames > 0 ? frames - 1 : 0) * 1e9 / self->rate_);
    TimingRecord rec{sh->ring->total_written() / static_cast<size_t>(self->channels_), t0, std::min(adc_last, t0)};
    sh->timing.write(&rec, 1);
    sh->stats.device_frames.fetch_add(frames, std::memory_order_relaxed);
    sh->stats.note_callback(t0);
    return paContinue;
  }

  int channels_ = 1;
  int rate_ = 16000;
};

class PortAudioPlayback final : public PlaybackBackend, private PaStreamOwner<PlaybackShared> {
  friend class PaStreamOwner<PlaybackShared>;

 public:
  explicit PortAudioPlayback(PlaybackShared* shared) : PaStreamOwner(shared) {}
  ~PortAudioPlayback() override { close(); }

  const char* name() const override { return "portaudio"; }

  bool open(const std::string& device, int rate_hz, int channels, int buffer_ms, DeviceFormat* out,
            std::string* error) override {
    PaDeviceIndex idx = paNoDevice;
    const PaDeviceInfo* info = begin_open(device, false, &idx, error);
    if (!info) return false;
    if (info->maxOutputChannels < channels) {
      *error = "output device has " + std::to_string(info->maxOutputChannels) + " channel(s), " +
               std::to_string(channels) + " requested";
      return false;
    }
    channels_ = channels;
    PaStreamParameters params{};
    params.device = idx;
    params.channelCount = channels;
    params.sampleFormat = paFloat32;
    params.suggestedLatency = info->defaultLowOutputLatency;
    PaError err = Pa_IsFormatSupported(nullptr, &params, rate_hz);
    if (err != paFormatIsSupported) {
      *error = "output device does not support " + std::to_string(rate_hz) + " Hz: " + pa_error_text(err);
      return false;
    }
    unsigned long frames = static_cast<unsigned long>(rate_hz * std::max(buffer_ms, 1) / 1000);
    err = Pa_OpenStream(&stream_, nullptr, &params, rate_hz, frames, paNoFlag, &PortAudioPlayback::callback, this);
    return finish_open(err, false, &PaStreamOwner::finished<PortAudioPlayback>, info, rate_hz, channels, out, error);
  }

  bool start(std::string* error) override { return start_stream(false, error); }

  void flush() override {
    // The callback honours flush_requested; restarting the stream also drops what the host API
    // has queued, which is what makes stop() audible immediately.
    if (!stream_) return;
    Pa_AbortStream(stream_);
    shared_->ring.skip(shared_->ring.read_available());
    shared_->flush_requested.store(false);
    Pa_StartStream(stream_);
  }

  void close() override { close_stream(); }

  int64_t latency_us() override {
    if (!stream_) return -1;
    const PaStreamInfo* si = Pa_GetStreamInfo(stream_);
    return si ? static_cast<int64_t>(si->outputLatency * 1e6) : -1;
  }

 private:
  static int callback(const void*, void* output, unsigned long frames, const PaStreamCallbackTimeInfo*,
                      PaStreamCallbackFlags flags, void* user) {
    auto* self = static_cast<PortAudioPlayback*>(user);
    PlaybackShared* sh = self->shared_;
    const int64_t t0 = now_ns();
    if (flags & paOutputUnderflow) sh->stats.underruns.fetch_add(1, std::memory_order_relaxed);
    if (sh->flush_requested.exchange(false, std::memory_order_acq_rel)) sh->ring.skip(sh->ring.read_available());
    const size_t ch = static_cast<size_t>(self->channels_);
    const size_t samples = frames * ch;
    float* out = static_cast<float*>(output);
    size_t got = sh->ring.read(out, samples);
    if (got < samples) {
      std::memset(out + got, 0, (samples - got) * sizeof(float));
      sh->stats.starved_frames.fetch_add((samples - got) / ch, std::memory_order_relaxed);
    }
    if (got > 0) {
      sh->user_frames_consumed.fetch_add(got / ch, std::memory_order_relaxed);
      sh->silence_frames_since_audio.store((samples - got) / ch, std::memory_order_relaxed);
    } else {
      sh->silence_frames_since_audio.fetch_add(frames, std::memory_order_relaxed);
    }
    sh->stats.device_frames.fetch_add(frames, std::memory_order_relaxed);
    sh->stats.note_callback(t0);
    return paContinue;
  }

  int channels_ = 1;
};

}  // namespace

std::unique_ptr<CaptureBackend> make_portaudio_capture(CaptureShared* shared) {
  return std::unique_ptr<CaptureBackend>(new PortAudioCapture(shared));
}
std::unique_ptr<PlaybackBackend> make_portaudio_playback(PlaybackShared* shared) {
  return std::unique_ptr<PlaybackBackend>(new PortAudioPlayback(shared));
}

bool portaudio_list_devices(std::vector<DeviceInfo>* out, std::string* error) {
  PaSession session;
  if (session.error() != paNoError) {
    *error = "PortAudio failed to initialise: " + pa_error_text(session.error());
    return false;
  }
  const PaDeviceIndex def_in = Pa_GetDefaultInputDevice();
  const PaDeviceIndex def_out = Pa_GetDefaultOutputDevice();
  const int n = Pa_GetDeviceCount();
  for (int i = 0; i < n; ++i) {
    const PaDeviceInfo* info = Pa_GetDeviceInfo(i);
    if (!info) continue;
    const PaHostApiInfo* api = Pa_GetHostApiInfo(info->hostApi);
    DeviceInfo d;
    d.id = device_id(info);
    d.name = info->name;
    d.description = info->name;
    d.host_api = api ? api->name : "unknown";
    d.backend = "portaudio";
    d.max_input_channels = info->maxInputChannels;
    d.max_output_channels = info->maxOutputChannels;
    d.default_sample_rate_hz = info->defaultSampleRate;
    d.is_default_input = i == def_in;
    d.is_default_output = i == def_out;
    // ALSA's "pulse" PCM is the PulseAudio plugin: a software route, not a device. Anything else
    // PortAudio cannot classify; route-aware code asks the platform API instead.
    if (d.host_api == "ALSA" && d.name == "pulse") d.transport = "virtual";
    out->push_back(std::move(d));
  }
  return true;
}

std::string portaudio_version() { return Pa_GetVersionText(); }

}  // namespace handsfree
