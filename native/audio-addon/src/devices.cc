#include "devices.h"

#include <string>
#include <vector>

#include "portaudio_backend.h"
#ifdef HANDSFREE_HAVE_PULSE
#include "pulse_routes.h"
#endif

namespace handsfree {

Napi::Object device_to_js(Napi::Env env, const DeviceInfo& d) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("id", d.id);
  o.Set("name", d.name);
  o.Set("description", d.description);
  o.Set("hostApi", d.host_api);
  o.Set("backend", d.backend);
  o.Set("maxInputChannels", d.max_input_channels);
  o.Set("maxOutputChannels", d.max_output_channels);
  o.Set("defaultSampleRateHz", d.default_sample_rate_hz);
  o.Set("isDefaultInput", Napi::Boolean::New(env, d.is_default_input));
  o.Set("isDefaultOutput", Napi::Boolean::New(env, d.is_default_output));
  o.Set("isMonitor", Napi::Boolean::New(env, d.is_monitor));
  o.Set("transport", d.transport);
  o.Set("bluetoothProfile", d.bluetooth_profile);
  o.Set("formFactor", d.form_factor);
  return o;
}

namespace {

class ListDevicesWorker : public Napi::AsyncWorker {
 public:
  ListDevicesWorker(Napi::Env env, bool want_portaudio, bool want_pulse)
      : Napi::AsyncWorker(env, "handsfree-list-devices"),
        deferred_(Napi::Promise::Deferred::New(env)),
        want_portaudio_(want_portaudio),
        want_pulse_(want_pulse) {}

  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute() override {
#ifdef HANDSFREE_HAVE_PULSE
    if (want_pulse_) {
      PulseSnapshot snap;
      std::string err;
      if (pulse_snapshot(&snap, &err)) {
        devices_.insert(devices_.end(), snap.devices.begin(), snap.devices.end());
      } else {
        errors_.push_back("pulse: " + err);
      }
    }
#else
    if (want_pulse_) errors_.push_back("pulse: not compiled in on this platform");
#endif
    if (want_portaudio_) {
      std::string err;
      if (!portaudio_list_devices(&devices_, &err)) errors_.push_back("portaudio: " + err);
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Object r = Napi::Object::New(env);
    Napi::Array list = Napi::Array::New(env, devices_.size());
    for (size_t i = 0; i < devices_.size(); ++i) list.Set(static_cast<uint32_t>(i), device_to_js(env, devices_[i]));
    Napi::Array errs = Napi::Array::New(env, errors_.size());
    for (size_t i = 0; i < errors_.size(); ++i) errs.Set(static_cast<uint32_t>(i), errors_[i]);
    r.Set("devices", list);
    r.Set("errors", errs);
    deferred_.Resolve(r);
  }

  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  bool want_portaudio_;
  bool want_pulse_;
  std::vector<DeviceInfo> devices_;
  std::vector<std::string> errors_;
};

}  // namespace

Napi::Value ListDevices(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bool pa = true, pulse = true;
  if (info.Length() > 0 && info[0].IsObject()) {
    Napi::Object o = info[0].As<Napi::Object>();
    if (o.Get("portaudio").IsBoolean()) pa = o.Get("portaudio").As<Napi::Boolean>().Value();
    if (o.Get("pulse").IsBoolean()) pulse = o.Get("pulse").As<Napi::Boolean>().Value();
  }
  auto* w = new ListDevicesWorker(env, pa, pulse);
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

}  // namespace handsfree
