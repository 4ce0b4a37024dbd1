#pragma once
#ifdef HANDSFREE_HAVE_PULSE
#include <string>
#include <vector>

#include "common.h"
#include "pulse_context.h"

namespace handsfree {

struct PulseSnapshot {
  std::string server_name;
  std::string default_source;
  std::string default_sink;
  std::vector<DeviceInfo> devices;  // sources (inputs) then sinks (outputs)
};

// Reads server info, sources and sinks. Call with the context lock held.
bool pulse_snapshot_locked(PulseContext* pc, PulseSnapshot* out, int timeout_ms, std::string* error);
// Connects, snapshots, disconnects.
bool pulse_snapshot(PulseSnapshot* out, std::string* error);

}  // namespace handsfree
#endif
