// Sample-rate conversion via speexdsp (a kept library, not hand-written DSP).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

struct SpeexResamplerState_;

namespace handsfree {

class Resampler {
 public:
  // quality 0..10 (speex); 5 is speex's "desktop" default.
  Resampler(int channels, int in_rate_hz, int out_rate_hz, int quality, std::string* error);
  ~Resampler();
  Resampler(const Resampler&) = delete;
  Resampler& operator=(const Resampler&) = delete;
  bool ok() const { return state_ != nullptr; }
  // Converts interleaved input, appending to out. Returns output frames produced.
  size_t process(const float* in, size_t in_frames, std::vector<float>* out);
  // Input-side delay in frames (for timestamps).
  int input_latency_frames() const;

 private:
  SpeexResamplerState_* state_ = nullptr;
  int channels_;
  int in_rate_;
  int out_rate_;
};

}  // namespace handsfree
