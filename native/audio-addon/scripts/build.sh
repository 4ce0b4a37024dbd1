#!/usr/bin/env bash
# Builds the audio add-on with cmake-js, offline (node-api-headers + "binary.napi_versions" in
# package.json), only when its inputs changed. Idempotent; exits non-zero with a clear message.
#   scripts/build.sh [--force] [--quiet]
set -euo pipefail

ADDON_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT_DIR="$(cd "$ADDON_DIR/../.." && pwd)"
BUILD_DIR="$ADDON_DIR/build"
STAMP="$BUILD_DIR/.inputs.sha256"
BINARY="$BUILD_DIR/Release/handsfree_audio.node"
FORCE=0
QUIET=0
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    --quiet) QUIET=1 ;;
    *) echo "build.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done
say() { [ "$QUIET" = 1 ] || echo "audio-addon: $*"; }
fail() {
  echo "audio-addon: BUILD FAILED: $*" >&2
  echo "audio-addon: the app still runs, text-only, without the add-on." >&2
  exit 1
}

missing=()
command -v cmake >/dev/null || missing+=(cmake)
command -v pkg-config >/dev/null || missing+=(pkg-config)
command -v c++ >/dev/null || command -v g++ >/dev/null || command -v clang++ >/dev/null || missing+=("a C++17 compiler (g++)")
if command -v pkg-config >/dev/null; then
  pkg-config --exists portaudio-2.0 || missing+=("PortAudio headers (apt: portaudio19-dev)")
  pkg-config --exists speexdsp || missing+=("speexdsp headers (apt: libspeexdsp-dev)")
  if [ "$(uname -s)" = Linux ]; then
    pkg-config --exists libpulse || missing+=("libpulse headers (apt: libpulse-dev)")
  fi
fi
CMAKE_JS="$ROOT_DIR/node_modules/.bin/cmake-js"
[ -x "$CMAKE_JS" ] || missing+=("cmake-js (run npm ci at the repository root)")
[ -d "$ROOT_DIR/node_modules/node-addon-api" ] || missing+=("node-addon-api (run npm ci at the repository root)")
[ -d "$ROOT_DIR/node_modules/node-api-headers" ] || missing+=("node-api-headers (run npm ci at the repository root)")
if [ "${#missing[@]}" -gt 0 ]; then
  fail "missing: $(IFS=';'; echo "${missing[*]}"). On Debian/Ubuntu: apt-get install -y cmake g++ pkg-config portaudio19-dev libpulse-dev libspeexdsp-dev"
fi

# Inputs: sources, build files, library versions, compiler.
hash_inputs() {
  (
    cd "$ADDON_DIR"
    find src CMakeLists.txt package.json scripts/build.sh -type f -print0 | sort -z | xargs -0 sha256sum
    pkg-config --modversion portaudio-2.0 speexdsp 2>/dev/null || true
    pkg-config --modversion libpulse 2>/dev/null || true
    c++ --version 2>/dev/null | head -1 || true
    uname -sm
  ) | sha256sum | cut -d' ' -f1
}
HASH="$(hash_inputs)"
if [ "$FORCE" = 0 ] && [ -f "$BINARY" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$HASH" ]; then
  say "up to date ($BINARY)"
  exit 0
fi

say "building (cmake-js, N-API 8, offline)…"
LOG="$(mktemp -t audio-addon-build.XXXXXX)"
cd "$ADDON_DIR"
if ! "$CMAKE_JS" build --directory "$ADDON_DIR" --out "$BUILD_DIR" --parallel "$(nproc 2>/dev/null || echo 2)" >"$LOG" 2>&1; then
  tail -40 "$LOG" >&2
  fail "cmake-js build failed (full log: $LOG)"
fi
[ -f "$BINARY" ] || fail "build finished but $BINARY is missing (log: $LOG)"
[ -x "$BUILD_DIR/tests/ring_buffer_test" ] || fail "ring_buffer_test was not built (log: $LOG)"
echo "$HASH" >"$STAMP"
rm -f "$LOG"
say "built $BINARY"
