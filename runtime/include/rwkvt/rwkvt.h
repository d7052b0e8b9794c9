/* rwkvt's C API: opaque handles over the C++ Recognizer and Stream (see recognizer.hpp).
 * Functions that can fail return NULL or a non-zero status; rwkvt_last_error() then gives a
 * one-line message (thread-local, valid until the next call on the same thread). */
#ifndef RWKVT_H
#define RWKVT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rwkvt_recognizer rwkvt_recognizer;
typedef struct rwkvt_stream rwkvt_stream;

/* threads: 0 = all cores. Returns NULL on failure. */
rwkvt_recognizer* rwkvt_recognizer_create(const char* model_path, int threads);
void rwkvt_recognizer_destroy(rwkvt_recognizer* recognizer);

rwkvt_stream* rwkvt_stream_create(const rwkvt_recognizer* recognizer);
void rwkvt_stream_destroy(rwkvt_stream* stream);
/* Returns 0 on success. */
int rwkvt_stream_accept_waveform(rwkvt_stream* stream, int sample_rate, const float* samples, size_t count);
int rwkvt_stream_input_finished(rwkvt_stream* stream);
/* The text decoded so far; valid until the next call on this stream. */
const char* rwkvt_stream_text(rwkvt_stream* stream);

const char* rwkvt_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* RWKVT_H */
