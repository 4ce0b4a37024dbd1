// Acoustic echo cancellation over speexdsp (MDF echo canceller + the preprocessor's residual echo
// suppression). Synchronous and device-free: the caller hands in each mic frame together with the
// frame of what the speaker played at the same time (the reference), and gets the mic frame with
// the echo removed. Runs wherever the caller runs (main process or the audio child process).
#pragma once
#include <napi.h>

#include <cstdint>

struct SpeexEchoState_;
struct SpeexPreprocessState_;

namespace handsfree {

// JS: new EchoCanceller({ sampleRateHz, frameSamples, filterSamples, suppressDb, activeSuppressDb })
//   .process(mic: Int16Array, ref: Int16Array) → Int16Array (frameSamples long)
//   .reset(); .close()
class EchoCanceller : public Napi::ObjectWrap<EchoCanceller> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit EchoCanceller(const Napi::CallbackInfo& info);
  ~EchoCanceller() override;

 private:
  Napi::Value Process(const Napi::CallbackInfo& info);
  Napi::Value Reset(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  void destroy();

  SpeexEchoState_* echo_ = nullptr;
  SpeexPreprocessState_* pre_ = nullptr;
  int frame_ = 0;
};

}  // namespace handsfree
