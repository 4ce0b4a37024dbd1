// Small helpers for reading already-validated option objects (lib/ validates and names arguments;
// these only guard against misuse of the raw binding).
#pragma once
#include <napi.h>

#include <string>

#include "common.h"

namespace handsfree {

inline int get_int(const Napi::Object& o, const char* key, int fallback) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().Int32Value() : fallback;
}

inline bool get_bool(const Napi::Object& o, const char* key, bool fallback) {
  Napi::Value v = o.Get(key);
  return v.IsBoolean() ? v.As<Napi::Boolean>().Value() : fallback;
}

inline std::string get_string(const Napi::Object& o, const char* key, const std::string& fallback) {
  Napi::Value v = o.Get(key);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : fallback;
}

inline double ns_to_ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }

inline Napi::Object stats_to_js(Napi::Env env, const StreamStats& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("overruns", Napi::Number::New(env, static_cast<double>(s.overruns.load())));
  o.Set("underruns", Napi::Number::New(env, static_cast<double>(s.underruns.load())));
  o.Set("ringOverflowFrames", Napi::Number::New(env, static_cast<double>(s.ring_overflow_frames.load())));
  o.Set("starvedFrames", Napi::Number::New(env, static_cast<double>(s.starved_frames.load())));
  o.Set("callbacks", Napi::Number::New(env, static_cast<double>(s.callbacks.load())));
  o.Set("deviceFrames", Napi::Number::New(env, static_cast<double>(s.device_frames.load())));
  o.Set("droppedChunks", Napi::Number::New(env, static_cast<double>(s.dropped_chunks.load())));
  o.Set("deliveredChunks", Napi::Number::New(env, static_cast<double>(s.delivered_chunks.load())));
  const int64_t lat = s.reported_latency_us.load();
  o.Set("reportedLatencyMs", lat >= 0 ? Napi::Number::New(env, lat / 1000.0) : env.Null());
  o.Set("firstCallbackMs", Napi::Number::New(env, ns_to_ms(s.first_callback_ns.load())));
  o.Set("lastCallbackMs", Napi::Number::New(env, ns_to_ms(s.last_callback_ns.load())));
  Napi::Array upper = Napi::Array::New(env);
  Napi::Array counts = Napi::Array::New(env);
  uint32_t j = 0;
  for (int i = 0; i < DurationHistogram::kBuckets; ++i) {
    uint64_t c = s.callback_duration.count(i);
    if (!c) continue;
    upper.Set(j, Napi::Number::New(env, DurationHistogram::bucket_upper_us(i)));
    counts.Set(j, Napi::Number::New(env, static_cast<double>(c)));
    ++j;
  }
  Napi::Object h = Napi::Object::New(env);
  h.Set("upperUs", upper);
  h.Set("counts", counts);
  h.Set("maxUs", Napi::Number::New(env, s.callback_duration.max_ns() / 1000.0));
  o.Set("callbackDuration", h);
  return o;
}

}  // namespace handsfree
