#include "route_watcher.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "devices.h"
#ifdef HANDSFREE_HAVE_PULSE
#include "pulse_routes.h"
#endif

namespace handsfree {

struct RouteItem {
  bool error = false;
  std::string message;
  std::string default_input;
  std::string default_output;
  std::vector<DeviceInfo> devices;
  int64_t ns = 0;
};

void route_call_js(Napi::Env env, Napi::Function callback, std::nullptr_t*, RouteItem* raw) {
  std::unique_ptr<RouteItem> item(raw);
  if (env == nullptr || callback.IsEmpty()) return;
  Napi::Object o = Napi::Object::New(env);
  o.Set("timestampMs", Napi::Number::New(env, static_cast<double>(item->ns) / 1e6));
  if (item->error) {
    o.Set("kind", "error");
    o.Set("message", item->message);
  } else {
    o.Set("kind", "snapshot");
    o.Set("defaultInputId", item->default_input.empty() ? Napi::Value(env.Null()) : Napi::String::New(env, item->default_input));
    o.Set("defaultOutputId",
          item->default_output.empty() ? Napi::Value(env.Null()) : Napi::String::New(env, item->default_output));
    Napi::Array list = Napi::Array::New(env, item->devices.size());
    for (size_t i = 0; i < item->devices.size(); ++i) {
      list.Set(static_cast<uint32_t>(i), device_to_js(env, item->devices[i]));
    }
    o.Set("devices", list);
  }
  callback.Call({o});
}

Napi::Function RouteWatcher::Define(Napi::Env env) {
  return DefineClass(env, "RouteWatcher", {InstanceMethod("close", &RouteWatcher::Close)});
}

RouteWatcher::RouteWatcher(const Napi::CallbackInfo& info) : Napi::ObjectWrap<RouteWatcher>(info) {
  Napi::Env env = info.Env();
  env_ = env;
  if (info.Length() < 1 || !info[0].IsFunction()) {
    Napi::TypeError::New(env, "RouteWatcher(onItem)").ThrowAsJavaScriptException();
    return;
  }
#ifndef HANDSFREE_HAVE_PULSE
  Napi::Error::New(env, "route watching is not available on this platform build").ThrowAsJavaScriptException();
  return;
#else
  tsfn_ = RouteTsfn::New(env, info[0].As<Napi::Function>(), "handsfree-routes", 16, 1, nullptr);
  closed_ = false;
  thread_ = std::thread([this] { thread_main(); });
  napi_add_env_cleanup_hook(env, &RouteWatcher::cleanup_hook, this);
  hook_added_ = true;
#endif
}

RouteWatcher::~RouteWatcher() { shutdown(); }

void RouteWatcher::cleanup_hook(void* arg) {
  auto* self = static_cast<RouteWatcher*>(arg);
  self->hook_added_ = false;
  self->shutdown();
}

void RouteWatcher::shutdown() {
  if (closed_) return;
  closed_ = true;
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
  if (hook_added_) {
    napi_remove_env_cleanup_hook(env_, &RouteWatcher::cleanup_hook, this);
    hook_added_ = false;
  }
}

Napi::Value RouteWatcher::Close(const Napi::CallbackInfo& info) {
  shutdown();
  return info.Env().Undefined();
}

#ifdef HANDSFREE_HAVE_PULSE
static void on_subscribe(pa_context*, pa_subscription_event_type_t, uint32_t, void* user) {
  static_cast<RouteWatcher*>(user)->dirty_.store(true);
}
#endif

void RouteWatcher::thread_main() {
#ifdef HANDSFREE_HAVE_PULSE
  auto send_error = [this](const std::string& msg) {
    RouteItem* it = new RouteItem();
    it->error = true;
    it->message = msg;
    it->ns = now_ns();
    if (tsfn_.NonBlockingCall(it) != napi_ok) delete it;
  };
  std::unique_ptr<PulseContext> pc;
  bool reported_down = false;
  while (!stop_.load()) {
    if (!pc) {
      std::unique_ptr<PulseContext> fresh(new PulseContext());
      std::string err;
      if (fresh->connect("handsfree-routes", 2000, &err)) {
        fresh->lock();
        pa_context_set_subscribe_callback(fresh->context(), on_subscribe, this);
        pa_operation* op = pa_context_subscribe(
            fresh->context(),
            static_cast<pa_subscription_mask_t>(PA_SUBSCRIPTION_MASK_SINK | PA_SUBSCRIPTION_MASK_SOURCE |
                                                PA_SUBSCRIPTION_MASK_SERVER | PA_SUBSCRIPTION_MASK_CARD),
            nullptr, nullptr);
        fresh->wait_operation(op, 2000);
        fresh->unlock();
        pc = std::move(fresh);
        dirty_.store(true);
        reported_down = false;
      } else {
        if (!reported_down) send_error(err);
        reported_down = true;
        for (int i = 0; i < 100 && !stop_.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
    }
    if (dirty_.exchange(false)) {
      PulseSnapshot snap;
      std::string err;
      pc->lock();
      const bool ok = pulse_snapshot_locked(pc.get(), &snap, 2000, &err);
      const bool alive = PA_CONTEXT_IS_GOOD(pa_context_get_state(pc->context()));
      pc->unlock();
      if (ok) {
        RouteItem* it = new RouteItem();
        it->default_input = snap.default_source.empty() ? "" : "pulse:" + snap.default_source;
        it->default_output = snap.default_sink.empty() ? "" : "pulse:" + snap.default_sink;
        it->devices = std::move(snap.devices);
        it->ns = now_ns();
        if (tsfn_.NonBlockingCall(it) != napi_ok) {
          delete it;
          dirty_.store(true);  // JS is busy: try again with a fresh snapshot
        }
      } else if (!alive) {
        send_error("lost the PulseAudio connection: " + err);
        reported_down = true;
        pc.reset();
        continue;
      }
    } else {
      pc->lock();
      const bool alive = PA_CONTEXT_IS_GOOD(pa_context_get_state(pc->context()));
      pc->unlock();
      if (!alive) {
        send_error("lost the PulseAudio connection");
        reported_down = true;
        pc.reset();
        continue;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pc.reset();
#endif
  tsfn_.Release();
}

}  // namespace handsfree
