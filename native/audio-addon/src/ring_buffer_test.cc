// Unit test of RingBuffer: wrap-around, partial reads/writes, and a two-thread stress run that
// checks every item arrives once and in order. Exit code 0 = pass.
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <thread>
#include <vector>

#include "ring_buffer.h"

using handsfree::RingBuffer;

static int failures = 0;
#define CHECK(cond)                                                         \
  do {                                                                      \
    if (!(cond)) {                                                          \
      std::fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                           \
    }                                                                       \
  } while (0)

static void test_capacity_rounds_up() {
  RingBuffer<int16_t> rb(100);
  CHECK(rb.capacity() == 128);
  CHECK(rb.read_available() == 0);
  CHECK(rb.write_available() == 128);
}

static void test_partial_write_when_full() {
  RingBuffer<int> rb(8);
  int src[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  CHECK(rb.write(src, 10) == 8);
  CHECK(rb.write(src, 1) == 0);
  int dst[10] = {};
  CHECK(rb.read(dst, 3) == 3);
  CHECK(dst[0] == 0 && dst[2] == 2);
  CHECK(rb.write(src + 8, 2) == 2);  // wraps
  CHECK(rb.read(dst, 10) == 7);
  CHECK(dst[0] == 3 && dst[4] == 7 && dst[5] == 8 && dst[6] == 9);
  CHECK(rb.read(dst, 1) == 0);
}

static void test_zeros_and_skip() {
  RingBuffer<float> rb(4);
  float one = 1.0f;
  rb.write(&one, 1);
  CHECK(rb.write_zeros(10) == 3);
  CHECK(rb.skip(2) == 2);
  float dst[4] = {9, 9, 9, 9};
  CHECK(rb.read(dst, 4) == 2);
  CHECK(dst[0] == 0.0f && dst[1] == 0.0f);
  CHECK(rb.total_written() == 4 && rb.total_read() == 4);
}

static void test_two_thread_stress() {
  RingBuffer<uint32_t> rb(1024);
  const uint32_t total = 5'000'000;
  std::atomic<bool> ok{true};
  std::thread consumer([&] {
    uint32_t expected = 0;
    uint32_t buf[97];
    while (expected < total) {
      size_t n = rb.read(buf, 97);
      for (size_t i = 0; i < n; ++i) {
        if (buf[i] != expected) ok = false;
        ++expected;
      }
      if (n == 0) std::this_thread::yield();
    }
  });
  uint32_t next = 0;
  uint32_t buf[61];
  while (next < total) {
    uint32_t want = std::min<uint32_t>(61, total - next);
    for (uint32_t i = 0; i < want; ++i) buf[i] = next + i;
    size_t n = rb.write(buf, want);
    next += static_cast<uint32_t>(n);
    if (n == 0) std::this_thread::yield();
  }
  consumer.join();
  CHECK(ok.load());
  CHECK(rb.read_available() == 0);
}

int main() {
  test_capacity_rounds_up();
  test_partial_write_when_full();
  test_zeros_and_skip();
  test_two_thread_stress();
  if (failures) {
    std::fprintf(stderr, "ring_buffer_test: %d failure(s)\n", failures);
    return 1;
  }
  std::printf("ring_buffer_test: all passed\n");
  return 0;
}
