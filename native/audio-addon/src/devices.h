#pragma once
#include <napi.h>

#include "common.h"

namespace handsfree {

Napi::Object device_to_js(Napi::Env env, const DeviceInfo& d);
// listDevices(): Promise<{devices, defaultInputId, defaultOutputId, errors}> via AsyncWorker.
Napi::Value ListDevices(const Napi::CallbackInfo& info);

}  // namespace handsfree
