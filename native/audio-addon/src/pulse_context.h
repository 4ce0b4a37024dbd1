// A libpulse threaded main loop plus a connected context. Each stream and route watcher owns one,
// so closing one never touches another's thread.
#pragma once
#ifdef HANDSFREE_HAVE_PULSE

#include <pulse/pulseaudio.h>

#include <functional>
#include <string>

#include "common.h"

namespace handsfree {

class PulseContext {
 public:
  PulseContext() = default;
  ~PulseContext() { close(); }
  PulseContext(const PulseContext&) = delete;
  PulseContext& operator=(const PulseContext&) = delete;

  // Starts the loop thread and connects (server from PULSE_SERVER / the usual discovery).
  bool connect(const char* client_name, int timeout_ms, std::string* error);
  void close();  // idempotent; joins the loop thread

  pa_threaded_mainloop* loop() const { return loop_; }
  pa_context* context() const { return ctx_; }
  void lock() { pa_threaded_mainloop_lock(loop_); }
  void unlock() { pa_threaded_mainloop_unlock(loop_); }
  // Waits (lock held) until op finishes or timeout; cancels op on timeout. Unrefs op.
  bool wait_operation(pa_operation* op, int timeout_ms);
  // Waits (lock held) until done() or timeout. Whoever changes what done() reads must call
  // signal() (state/operation callbacks do); a timer bounds the wait.
  bool wait_until(const std::function<bool()>& done, int timeout_ms);
  void signal() { pa_threaded_mainloop_signal(loop_, 0); }
  std::string last_error() const;

 private:
  static void on_state(pa_context* c, void* user);
  pa_threaded_mainloop* loop_ = nullptr;
  pa_context* ctx_ = nullptr;
};

// Classification from a PulseAudio property list (device.bus, device.api, bluez profile keys).
void classify_pulse_proplist(pa_proplist* props, DeviceInfo* d);

}  // namespace handsfree

#endif
