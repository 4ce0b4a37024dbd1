#pragma once
#include <string>
#include <vector>

#include "common.h"

namespace handsfree {

// Lists PortAudio devices (initialises PortAudio for the call). Returns false with error set when
// PortAudio cannot initialise.
bool portaudio_list_devices(std::vector<DeviceInfo>* out, std::string* error);
// "PortAudio V19.7.0-devel ..." for diagnostics.
std::string portaudio_version();

}  // namespace handsfree
