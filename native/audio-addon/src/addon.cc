// Module entry: only exports. Streams are ObjectWraps; device listing is an AsyncWorker.
#include <napi.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "capture_stream.h"
#include "common.h"
#include "devices.h"
#include "echo_canceller.h"
#include "playback_stream.h"
#include "portaudio_backend.h"
#include "route_watcher.h"

namespace handsfree {

static Napi::Value NowMs(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(now_ns()) / 1e6);
}

// For leak tests: hand free heap pages back to the OS so RSS reflects live memory, not glibc's
// per-thread arenas and caches. Returns false where unsupported.
static Napi::Value MallocTrim(const Napi::CallbackInfo& info) {
#if defined(__GLIBC__)
  malloc_trim(0);
  return Napi::Boolean::New(info.Env(), true);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("CaptureHandle", CaptureStream::Define(env));
  exports.Set("PlaybackHandle", PlaybackStream::Define(env));
  exports.Set("RouteWatcher", RouteWatcher::Define(env));
  exports.Set("EchoCanceller", EchoCanceller::Define(env));
  exports.Set("listDevices", Napi::Function::New(env, ListDevices, "listDevices"));
  exports.Set("nowMs", Napi::Function::New(env, NowMs, "nowMs"));
  exports.Set("mallocTrim", Napi::Function::New(env, MallocTrim, "mallocTrim"));
  Napi::Array backends = Napi::Array::New(env);
  uint32_t n = 0;
#ifdef HANDSFREE_HAVE_PULSE
  backends.Set(n++, "pulse");
#endif
  backends.Set(n++, "portaudio");
  exports.Set("backends", backends);
  exports.Set("portaudioVersion", portaudio_version());
#if defined(HANDSFREE_HAVE_PULSE)
  exports.Set("routeSupport", "pulse");
#else
  exports.Set("routeSupport", "none");
#endif
  exports.Set("napiVersion", NAPI_VERSION);
  return exports;
}

}  // namespace handsfree

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return handsfree::Init(env, exports); }

NODE_API_MODULE(handsfree_audio, InitModule)
