// Device properties and route changes from PulseAudio (PortAudio cannot see them).
#ifdef HANDSFREE_HAVE_PULSE
#include "pulse_routes.h"

#include <cstring>

namespace handsfree {
namespace {

void on_server_info(pa_context*, const pa_server_info* i, void* user) {
  auto* s = static_cast<PulseSnapshot*>(user);
  if (!i) return;
  s->server_name = i->server_name ? i->server_name : "";
  s->default_source = i->default_source_name ? i->default_source_name : "";
  s->default_sink = i->default_sink_name ? i->default_sink_name : "";
}

void on_source(pa_context*, const pa_source_info* i, int eol, void* user) {
  if (eol || !i) return;
  auto* list = static_cast<std::vector<DeviceInfo>*>(user);
  DeviceInfo d;
  d.id = std::string("pulse:") + i->name;
  d.name = i->name;
  d.description = i->description ? i->description : i->name;
  d.host_api = "PulseAudio";
  d.backend = "pulse";
  d.max_input_channels = i->sample_spec.channels;
  d.default_sample_rate_hz = i->sample_spec.rate;
  d.pulse_index = i->index;
  d.is_monitor = i->monitor_of_sink != PA_INVALID_INDEX;
  classify_pulse_proplist(i->proplist, &d);
  if (d.is_monitor) d.transport = "virtual";  // captures what a sink plays, whatever the sink is
  list->push_back(std::move(d));
}

void on_sink(pa_context*, const pa_sink_info* i, int eol, void* user) {
  if (eol || !i) return;
  auto* list = static_cast<std::vector<DeviceInfo>*>(user);
  DeviceInfo d;
  d.id = std::string("pulse:") + i->name;
  d.name = i->name;
  d.description = i->description ? i->description : i->name;
  d.host_api = "PulseAudio";
  d.backend = "pulse";
  d.max_output_channels = i->sample_spec.channels;
  d.default_sample_rate_hz = i->sample_spec.rate;
  d.pulse_index = i->index;
  classify_pulse_proplist(i->proplist, &d);
  list->push_back(std::move(d));
}

}  // namespace

bool pulse_snapshot_locked(PulseContext* pc, PulseSnapshot* out, int timeout_ms, std::string* error) {
  pa_context* c = pc->context();
  std::vector<DeviceInfo> sources, sinks;
  if (!pc->wait_operation(pa_context_get_server_info(c, on_server_info, out), timeout_ms) ||
      !pc->wait_operation(pa_context_get_source_info_list(c, on_source, &sources), timeout_ms) ||
      !pc->wait_operation(pa_context_get_sink_info_list(c, on_sink, &sinks), timeout_ms)) {
    *error = "PulseAudio query failed: " + pc->last_error();
    return false;
  }
  for (auto& d : sources) d.is_default_input = d.name == out->default_source;
  for (auto& d : sinks) d.is_default_output = d.name == out->default_sink;
  out->devices = std::move(sources);
  out->devices.insert(out->devices.end(), sinks.begin(), sinks.end());
  return true;
}

bool pulse_snapshot(PulseSnapshot* out, std::string* error) {
  PulseContext pc;
  if (!pc.connect("handsfree-devices", 3000, error)) return false;
  pc.lock();
  bool ok = pulse_snapshot_locked(&pc, out, 2000, error);
  pc.unlock();
  pc.close();
  return ok;
}

}  // namespace handsfree
#endif
