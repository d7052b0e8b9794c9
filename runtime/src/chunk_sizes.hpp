// The encoder chunk lengths the runtime runs, shared with the tuner so that it times the shapes
// transcription really uses.
#pragma once

namespace rwkvt::rt {

// Encoder frames per call when latency does not matter (after input_finished, whole files): ~10 s,
// long enough for efficient GEMMs, short enough to keep the activations small.
constexpr int kWholeFileChunk = 256;

}  // namespace rwkvt::rt
