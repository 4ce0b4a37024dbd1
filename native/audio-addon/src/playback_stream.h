#pragma once
#include <napi.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "backend.h"

namespace handsfree {

struct PlaybackEvent;
void playback_call_js(Napi::Env env, Napi::Function callback, std::nullptr_t*, PlaybackEvent* ev);
using PlaybackTsfn = Napi::TypedThreadSafeFunction<std::nullptr_t, PlaybackEvent, playback_call_js>;

// JS: new PlaybackHandle(options, onEvent). write() copies into the ring (JS thread = producer);
// the device callback consumes it. A monitor thread reports 'writable', 'drained' and route
// events through a TSFN.
class PlaybackStream : public Napi::ObjectWrap<PlaybackStream> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit PlaybackStream(const Napi::CallbackInfo& info);
  ~PlaybackStream() override;

 private:
  Napi::Value Write(const Napi::CallbackInfo& info);
  Napi::Value Stop(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value WantWritable(const Napi::CallbackInfo& info);
  Napi::Value WantDrained(const Napi::CallbackInfo& info);
  Napi::Value Position(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value Info(const Napi::CallbackInfo& info);

  void shutdown();
  void monitor_main();
  uint64_t played_frames();
  static void cleanup_hook(void* arg);

  napi_env env_ = nullptr;
  bool closed_ = true;
  bool hook_added_ = false;
  std::unique_ptr<PlaybackShared> shared_;
  std::unique_ptr<PlaybackBackend> backend_;
  PlaybackTsfn tsfn_;
  std::thread monitor_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> want_writable_{false};
  std::atomic<bool> want_drained_{false};
  std::atomic<uint64_t> written_frames_{0};
  std::atomic<int64_t> latency_us_{0};
  DeviceFormat device_;
  std::string backend_name_;
  std::vector<float> scratch_;
  size_t writable_threshold_frames_ = 0;
  int rate_ = 16000;
  int channels_ = 1;
};

}  // namespace handsfree
