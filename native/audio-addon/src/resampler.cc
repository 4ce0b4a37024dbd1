#include "resampler.h"

#include <speex/speex_resampler.h>

namespace handsfree {

Resampler::Resampler(int channels, int in_rate_hz, int out_rate_hz, int quality, std::string* error)
    : channels_(channels), in_rate_(in_rate_hz), out_rate_(out_rate_hz) {
  int err = 0;
  state_ = speex_resampler_init(static_cast<spx_uint32_t>(channels), static_cast<spx_uint32_t>(in_rate_hz),
                                static_cast<spx_uint32_t>(out_rate_hz), quality, &err);
  if (!state_ || err != RESAMPLER_ERR_SUCCESS) {
    if (error) *error = std::string("speex_resampler_init failed: ") + speex_resampler_strerror(err);
    if (state_) speex_resampler_destroy(state_);
    state_ = nullptr;
    return;
  }
  speex_resampler_skip_zeros(state_);
}

Resampler::~Resampler() {
  if (state_) speex_resampler_destroy(state_);
}

size_t Resampler::process(const float* in, size_t in_frames, std::vector<float>* out) {
  size_t produced = 0;
  while (in_frames > 0) {
    const size_t cap_frames = in_frames * static_cast<size_t>(out_rate_) / static_cast<size_t>(in_rate_) + 16;
    const size_t base = out->size();
    out->resize(base + cap_frames * static_cast<size_t>(channels_));
    spx_uint32_t in_len = static_cast<spx_uint32_t>(in_frames);
    spx_uint32_t out_len = static_cast<spx_uint32_t>(cap_frames);
    speex_resampler_process_interleaved_float(state_, in, &in_len, out->data() + base, &out_len);
    out->resize(base + out_len * static_cast<size_t>(channels_));
    produced += out_len;
    in += in_len * static_cast<size_t>(channels_);
    in_frames -= in_len;
    if (in_len == 0 && out_len == 0) break;
  }
  return produced;
}

int Resampler::input_latency_frames() const { return state_ ? speex_resampler_get_input_latency(state_) : 0; }

}  // namespace handsfree
