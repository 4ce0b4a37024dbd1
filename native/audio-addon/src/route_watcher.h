#pragma once
#include <napi.h>

#include <atomic>
#include <thread>

namespace handsfree {

struct RouteItem;
void route_call_js(Napi::Env env, Napi::Function callback, std::nullptr_t*, RouteItem* item);
using RouteTsfn = Napi::TypedThreadSafeFunction<std::nullptr_t, RouteItem, route_call_js>;

// JS: new RouteWatcher(onItem). Sends a snapshot of default devices and all devices (with
// transport/profile) at start and after every change the platform reports. Diffing snapshots into
// route events is done in TypeScript (lib/routes.ts), where it is unit-tested.
class RouteWatcher : public Napi::ObjectWrap<RouteWatcher> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit RouteWatcher(const Napi::CallbackInfo& info);
  ~RouteWatcher() override;
  std::atomic<bool> dirty_{true};

 private:
  Napi::Value Close(const Napi::CallbackInfo& info);
  void shutdown();
  void thread_main();
  static void cleanup_hook(void* arg);

  napi_env env_ = nullptr;
  bool closed_ = true;
  bool hook_added_ = false;
  RouteTsfn tsfn_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
};

}  // namespace handsfree
