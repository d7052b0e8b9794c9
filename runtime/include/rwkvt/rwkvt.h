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

/* Which head turns encoder frames into tokens (rwkvt::Decoder). */
typedef enum rwkvt_decoder {
    RWKVT_DECODER_TRANSDUCER = 0, /* greedy transducer decoding (the default) */
    RWKVT_DECODER_BEAM = 1,       /* modified beam search: slower, usually fewer errors */
    RWKVT_DECODER_CTC = 2         /* greedy CTC decoding: fastest, no predictor */
} rwkvt_decoder;

/* rwkvt::RecognizerOptions (recognizer.hpp explains each field). Start from
 * rwkvt_recognizer_options_default() and change what you need: later versions may add fields. */
typedef struct rwkvt_recognizer_options {
    const char* model_path;
    rwkvt_decoder decoder;
    int threads;               /* 0 = all cores */
    int max_symbols_per_frame; /* greedy transducer decoding */
    int beam;                  /* RWKVT_DECODER_BEAM: hypotheses kept */
    float blank_penalty;       /* subtracted from blank's logit */
    int chunk_frames;          /* streaming chunk in 40 ms encoder frames */
    const char* lm_path;       /* RWKVT_DECODER_BEAM only: token n-gram model fused into the search; NULL or "" = none */
    float lm_weight;
    int lm_tokens_per_hypothesis;
} rwkvt_recognizer_options;

/* The C++ API's defaults; model_path and lm_path NULL. */
rwkvt_recognizer_options rwkvt_recognizer_options_default(void);
/* Returns NULL on failure (a missing model path, a bad option, a model or n-gram file that cannot be loaded). */
rwkvt_recognizer* rwkvt_recognizer_create_with_options(const rwkvt_recognizer_options* options);
/* Greedy transducer decoding with the other defaults; threads: 0 = all cores. Returns NULL on failure. */
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
