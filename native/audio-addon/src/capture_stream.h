#pragma once
#include <napi.h>

#include <atomic>
#include <deque>
#include <memory>
#include <string>
#include <thread>

#include "backend.h"
#include "resampler.h"

namespace handsfree {

struct CaptureItem;
void capture_call_js(Napi::Env env, Napi::Function callback, std::nullptr_t*, CaptureItem* item);
using CaptureTsfn = Napi::TypedThreadSafeFunction<std::nullptr_t, CaptureItem, capture_call_js>;

// JS: new CaptureHandle(options, onItem). Opens and starts the device; a pump thread converts,
// resamples and delivers chunks with NonBlockingCall (drops are counted, never waited for).
class CaptureStream : public Napi::ObjectWrap<CaptureStream> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit CaptureStream(const Napi::CallbackInfo& info);
  ~CaptureStream() override;

 private:
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value SetActive(const Napi::CallbackInfo& info);
  Napi::Value SetLevels(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value Info(const Napi::CallbackInfo& info);

  void shutdown();
  void pump_main();
  bool send(std::unique_ptr<CaptureItem>& item);
  static void cleanup_hook(void* arg);

  napi_env env_ = nullptr;
  bool closed_ = true;
  bool hook_added_ = false;
  std::unique_ptr<CaptureShared> shared_;
  std::unique_ptr<CaptureBackend> backend_;
  std::unique_ptr<Resampler> resampler_;
  CaptureTsfn tsfn_;
  std::thread pump_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> active_{true};
  std::atomic<bool> levels_{false};
  DeviceFormat device_;
  std::string backend_name_;
  int rate_ = 16000;
  int channels_ = 1;
  int frame_ms_ = 20;
  int preroll_ms_ = 0;
  int stall_ms_ = 1500;
  bool float_out_ = false;
  int queue_chunks_ = 32;
};

}  // namespace handsfree
