#ifdef HANDSFREE_HAVE_PULSE
#include "pulse_context.h"

#include <cstring>

namespace handsfree {

void PulseContext::on_state(pa_context*, void* user) {
  pa_threaded_mainloop_signal(static_cast<pa_threaded_mainloop*>(user), 0);
}

bool PulseContext::connect(const char* client_name, int timeout_ms, std::string* error) {
  loop_ = pa_threaded_mainloop_new();
  if (!loop_) {
    *error = "pa_threaded_mainloop_new failed";
    return false;
  }
  pa_proplist* props = pa_proplist_new();
  pa_proplist_sets(props, PA_PROP_APPLICATION_NAME, "HandsFree Dev Companion");
  pa_proplist_sets(props, PA_PROP_MEDIA_ROLE, "phone");
  ctx_ = pa_context_new_with_proplist(pa_threaded_mainloop_get_api(loop_), client_name, props);
  pa_proplist_free(props);
  if (!ctx_) {
    *error = "pa_context_new failed";
    close();
    return false;
  }
  pa_context_set_state_callback(ctx_, &PulseContext::on_state, loop_);
  if (pa_context_connect(ctx_, nullptr, PA_CONTEXT_NOAUTOSPAWN, nullptr) < 0) {
    *error = std::string("cannot connect to PulseAudio: ") + pa_strerror(pa_context_errno(ctx_));
    close();
    return false;
  }
  if (pa_threaded_mainloop_start(loop_) < 0) {
    *error = "pa_threaded_mainloop_start failed";
    close();
    return false;
  }
  lock();
  const bool ready = wait_until(
      [this] {
        pa_context_state_t st = pa_context_get_state(ctx_);
        return st == PA_CONTEXT_READY || !PA_CONTEXT_IS_GOOD(st);
      },
      timeout_ms);
  if (!ready || pa_context_get_state(ctx_) != PA_CONTEXT_READY) {
    *error = ready ? std::string("cannot connect to PulseAudio: ") + pa_strerror(pa_context_errno(ctx_))
                   : "timed out connecting to PulseAudio";
    unlock();
    close();
    return false;
  }
  unlock();
  return true;
}

namespace {
struct TimeoutFlag {
  pa_threaded_mainloop* loop;
  bool fired;
};
void on_timeout(pa_mainloop_api*, pa_time_event*, const struct timeval*, void* user) {
  auto* t = static_cast<TimeoutFlag*>(user);
  t->fired = true;
  pa_threaded_mainloop_signal(t->loop, 0);
}
void on_operation_state(pa_operation*, void* user) {
  pa_threaded_mainloop_signal(static_cast<pa_threaded_mainloop*>(user), 0);
}
}  // namespace

bool PulseContext::wait_until(const std::function<bool()>& done, int timeout_ms) {
  if (done()) return true;
  TimeoutFlag flag{loop_, false};
  pa_time_event* te = pa_context_rttime_new(ctx_, pa_rtclock_now() + static_cast<pa_usec_t>(timeout_ms) * 1000,
                                            on_timeout, &flag);
  while (!done() && !flag.fired) pa_threaded_mainloop_wait(loop_);
  if (te) pa_threaded_mainloop_get_api(loop_)->time_free(te);
  return done();
}

bool PulseContext::wait_operation(pa_operation* op, int timeout_ms) {
  if (!op) return false;
  pa_operation_set_state_callback(op, on_operation_state, loop_);
  const bool finished = wait_until(
      [this, op] {
        return pa_operation_get_state(op) != PA_OPERATION_RUNNING || !PA_CONTEXT_IS_GOOD(pa_context_get_state(ctx_));
      },
      timeout_ms);
  if (pa_operation_get_state(op) == PA_OPERATION_RUNNING) pa_operation_cancel(op);
  const bool ok = finished && pa_operation_get_state(op) == PA_OPERATION_DONE;
  pa_operation_set_state_callback(op, nullptr, nullptr);
  pa_operation_unref(op);
  return ok;
}

std::string PulseContext::last_error() const { return ctx_ ? pa_strerror(pa_context_errno(ctx_)) : "no context"; }

void PulseContext::close() {
  if (loop_) {
    pa_threaded_mainloop_stop(loop_);  // joins the loop thread; no callbacks run after this
  }
  if (ctx_) {
    pa_context_set_state_callback(ctx_, nullptr, nullptr);
    pa_context_set_subscribe_callback(ctx_, nullptr, nullptr);
    pa_context_disconnect(ctx_);
    pa_context_unref(ctx_);
    ctx_ = nullptr;
  }
  if (loop_) {
    pa_threaded_mainloop_free(loop_);
    loop_ = nullptr;
  }
}

static bool contains(const char* haystack, const char* needle) {
  return haystack && std::strstr(haystack, needle) != nullptr;
}

void classify_pulse_proplist(pa_proplist* props, DeviceInfo* d) {
  const char* bus = pa_proplist_gets(props, PA_PROP_DEVICE_BUS);
  const char* api = pa_proplist_gets(props, PA_PROP_DEVICE_API);
  const char* klass = pa_proplist_gets(props, PA_PROP_DEVICE_CLASS);
  const char* form = pa_proplist_gets(props, PA_PROP_DEVICE_FORM_FACTOR);
  if (form) d->form_factor = form;
  const bool bt = (bus && std::strcmp(bus, "bluetooth") == 0) || (api && std::strncmp(api, "bluez", 5) == 0);
  if (bt) {
    d->transport = "bluetooth";
    // PulseAudio: bluez.profile; PipeWire: api.bluez5.profile. Names as documented by each.
    const char* profile = pa_proplist_gets(props, "bluez.profile");
    if (!profile) profile = pa_proplist_gets(props, "api.bluez5.profile");
    if (contains(profile, "a2dp")) {
      d->bluetooth_profile = "a2dp";
    } else if (contains(profile, "headset") || contains(profile, "handsfree") || contains(profile, "hfp") ||
               contains(profile, "hsp")) {
      d->bluetooth_profile = "hfp";
    }
    return;
  }
  if (bus && std::strcmp(bus, "usb") == 0) {
    d->transport = "usb";
  } else if (bus && (std::strcmp(bus, "pci") == 0 || std::strcmp(bus, "isa") == 0 || std::strcmp(bus, "platform") == 0)) {
    d->transport = "builtin";
  } else if (form && std::strcmp(form, "internal") == 0) {
    d->transport = "builtin";
  } else if (klass && (std::strcmp(klass, "abstract") == 0 || std::strcmp(klass, "monitor") == 0 ||
                       std::strcmp(klass, "filter") == 0)) {
    d->transport = "virtual";
  }
}

}  // namespace handsfree
#endif
