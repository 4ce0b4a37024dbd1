#include "echo_canceller.h"

#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>

#include <vector>

#include "napi_util.h"

namespace handsfree {

Napi::Function EchoCanceller::Define(Napi::Env env) {
  return DefineClass(env, "EchoCanceller",
                     {InstanceMethod<&EchoCanceller::Process>("process"), InstanceMethod<&EchoCanceller::Reset>("reset"),
                      InstanceMethod<&EchoCanceller::Close>("close")});
}

EchoCanceller::EchoCanceller(const Napi::CallbackInfo& info) : Napi::ObjectWrap<EchoCanceller>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) {
    Napi::TypeError::New(env, "EchoCanceller: options object required").ThrowAsJavaScriptException();
    return;
  }
  Napi::Object o = info[0].As<Napi::Object>();
  // lib/echo.ts validates ranges; these are last-line guards against misuse of the raw binding.
  const int rate = get_int(o, "sampleRateHz", 16000);
  frame_ = get_int(o, "frameSamples", 320);
  const int filter = get_int(o, "filterSamples", 4800);
  const int suppress = get_int(o, "suppressDb", -40);
  const int active = get_int(o, "activeSuppressDb", -15);
  if (rate < 8000 || rate > 48000 || frame_ < 16 || frame_ > 4096 || filter < frame_ || filter > rate * 2) {
    Napi::RangeError::New(env, "EchoCanceller: invalid sampleRateHz/frameSamples/filterSamples").ThrowAsJavaScriptException();
    return;
  }
  echo_ = speex_echo_state_init(frame_, filter);
  pre_ = speex_preprocess_state_init(frame_, rate);
  if (!echo_ || !pre_) {
    destroy();
    Napi::Error::New(env, "EchoCanceller: speexdsp could not allocate its state").ThrowAsJavaScriptException();
    return;
  }
  int r = rate;
  speex_echo_ctl(echo_, SPEEX_ECHO_SET_SAMPLING_RATE, &r);
  // Only the residual echo suppression: no denoise, AGC or dereverb, so the user's voice reaches the
  // recognizer as it was spoken.
  int off = 0;
  speex_preprocess_ctl(pre_, SPEEX_PREPROCESS_SET_DENOISE, &off);
  speex_preprocess_ctl(pre_, SPEEX_PREPROCESS_SET_AGC, &off);
  speex_preprocess_ctl(pre_, SPEEX_PREPROCESS_SET_DEREVERB, &off);
  speex_preprocess_ctl(pre_, SPEEX_PREPROCESS_SET_ECHO_STATE, echo_);
  int s = suppress, a = active;
  speex_preprocess_ctl(pre_, SPEEX_PREPROCESS_SET_ECHO_SUPPRESS, &s);
  speex_preprocess_ctl(pre_, SPEEX_PREPROCESS_SET_ECHO_SUPPRESS_ACTIVE, &a);
}

EchoCanceller::~EchoCanceller() { destroy(); }

void EchoCanceller::destroy() {
  if (pre_) speex_preprocess_state_destroy(pre_);
  if (echo_) speex_echo_state_destroy(echo_);
  pre_ = nullptr;
  echo_ = nullptr;
}

Napi::Value EchoCanceller::Process(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!echo_) {
    Napi::Error::New(env, "EchoCanceller is closed").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (info.Length() < 2 || !info[0].IsTypedArray() || !info[1].IsTypedArray() ||
      info[0].As<Napi::TypedArray>().TypedArrayType() != napi_int16_array ||
      info[1].As<Napi::TypedArray>().TypedArrayType() != napi_int16_array) {
    Napi::TypeError::New(env, "EchoCanceller.process(mic: Int16Array, ref: Int16Array)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Int16Array mic = info[0].As<Napi::Int16Array>();
  Napi::Int16Array ref = info[1].As<Napi::Int16Array>();
  if (static_cast<int>(mic.ElementLength()) != frame_ || static_cast<int>(ref.ElementLength()) != frame_) {
    Napi::RangeError::New(env, "EchoCanceller.process: mic and ref must be frameSamples long").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Int16Array out = Napi::Int16Array::New(env, frame_);
  speex_echo_cancellation(echo_, mic.Data(), ref.Data(), out.Data());
  speex_preprocess_run(pre_, out.Data());
  return out;
}

Napi::Value EchoCanceller::Reset(const Napi::CallbackInfo& info) {
  if (echo_) speex_echo_state_reset(echo_);
  return info.Env().Undefined();
}

Napi::Value EchoCanceller::Close(const Napi::CallbackInfo& info) {
  destroy();
  return info.Env().Undefined();
}

}  // namespace handsfree
