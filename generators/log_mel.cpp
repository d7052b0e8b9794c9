// rwkvt_log_mel: normalised log-mel features of T frames (spec section 1).
//
// Buffer contract (float32, dim 0 contiguous, every min 0):
//   samples(n)          at least 160 (T - 1) + 400 samples; frame t covers [160 t, 160 t + 400)
//   dft_cos(b, n), dft_sin(b, n)   [400][257]: w(n) cos(2 pi b n / 512), w(n) sin(...), Hann window
//                       folded in (any sign for sin: only the power is used)
//   filterbank(m, b)    [257][n_mels] as mel_filterbank() returns it
//   mean(m), inv_std(m) the model's feature statistics (inv_std = 1 / feature_std)
//   features(m, t)      dense n_mels x T; T = features.dim(1).extent() >= 1
//
//   power(b, t) = (sum_n dft_cos(b, n) x_t(n))^2 + (sum_n dft_sin(b, n) x_t(n))^2
//   features(m, t) = (log(max(sum_b filterbank(m, b) power(b, t), 1e-10)) - mean(m)) inv_std(m)
#include "Halide.h"
#include "schedule_util.h"

namespace {

using namespace Halide;

constexpr int kFrameLength = 400, kFrameShift = 160;

class LogMel : public Generator<LogMel> {
public:
    // Schedule parameters (schedules/): the register tile of the products (0: chosen from the target).
    GeneratorParam<int> tile_vectors{"tile_vectors", 0};
    GeneratorParam<int> tile_rows{"tile_rows", 0};

    Input<Buffer<float>> samples{"samples", 1};
    Input<Buffer<float>> dft_cos{"dft_cos", 2};
    Input<Buffer<float>> dft_sin{"dft_sin", 2};
    Input<Buffer<float>> filterbank{"filterbank", 2};
    Input<Buffer<float>> mean{"mean", 1};
    Input<Buffer<float>> inv_std{"inv_std", 1};
    Output<Buffer<float>> features{"features", 2};

    void generate() {
        rwkvt_gen::check_register_tile("log_mel", get_target(), tile_vectors, tile_rows);
        const rwkvt_gen::RegisterTile tile = rwkvt_gen::register_tile(get_target(), tile_vectors, tile_rows);
        const int W = tile.width();
        const_false_ = samples.dim(0).extent() < 0;  // never: disables the single-row specialisation

        // ---- Algorithm ----
        // The DFT is one matrix product over [cos; sin] with the bins padded with zero rows to a
        // multiple of the register tile width Bp, so that every tile is full.
        const Expr bins = dft_cos.dim(0).extent();
        const Expr Bp = (bins + W - 1) / W * W;
        const Expr last_bin = bins - 1;
        basis(b2, n) = select(b2 < Bp, select(b2 < bins, dft_cos(min(b2, last_bin), n), 0.0f),
                              select(b2 - Bp < bins, dft_sin(clamp(b2 - Bp, 0, last_bin), n), 0.0f));
        // Frames past the end of a register tile of frames repeat the last frame (never stored).
        const Expr last_frame = (samples.dim(0).extent() - kFrameLength) / kFrameShift;
        RDom rn(0, kFrameLength, "rn");
        spectrum_prod(b2, t) = 0.0f;
        spectrum_prod(b2, t) += samples(min(t, last_frame) * kFrameShift + rn) * basis(b2, rn);
        spectrum(b2, t) = spectrum_prod(b2, t);
        power(b, t) = spectrum(b, t) * spectrum(b, t) + spectrum(b + Bp, t) * spectrum(b + Bp, t);

        RDom rb(0, bins, "rb");
        mel_prod(m, t) = 0.0f;
        mel_prod(m, t) += power(rb, t) * filterbank(m, rb);
        features(m, t) = (log(max(mel_prod(m, t), 1e-10f)) - mean(m)) * inv_std(m);

        samples.dim(0).set_min(0);
        for (int d = 0; d < 2; ++d) {
            dft_cos.dim(d).set_min(0);
            dft_sin.dim(d).set_min(0);
            filterbank.dim(d).set_min(0);
            features.dim(d).set_min(0);
        }

        // ---- Estimates: the rwkvt-19m shapes, for the autoscheduler (a candidate of rwkvt tune) ----
        samples.set_estimates({{0, 160 * 255 + 400}});
        dft_cos.set_estimates({{0, 257}, {0, 400}});
        dft_sin.set_estimates({{0, 257}, {0, 400}});
        filterbank.set_estimates({{0, 80}, {0, 257}});
        mean.set_estimates({{0, 80}});
        inv_std.set_estimates({{0, 80}});
        features.set_estimates({{0, 80}, {0, 256}});
        if (auto_schedule) return;

        // ---- Schedule ----
        // Padded basis once per call (cheap next to the product: 1 / T of its work). Then per tile
        // of frames (one task each): the spectrum of the tile, its power, the mel register tiles.
        basis.compute_root().vectorize(b2, tile.vec).parallel(n, 16);
        const Expr M = features.dim(0).extent();
        const Expr mel_fast = M >= W;
        // (No single-frame path: the front end runs on chunks of frames.)
        rwkvt_gen::tile_consumer(features, m, t, mo, mi, to, ti, tile, const_false_, mel_fast, true);
        features.parallel(to);
        features.specialize(mel_fast).parallel(to);
        rwkvt_gen::schedule_register_tile(mel_prod, features, mo, m, t, rb.x, tile, mel_fast);

        power.compute_at(features, to).bound_extent(t, tile.rows).vectorize(b, tile.vec, TailStrategy::GuardWithIf);
        spectrum.compute_at(features, to).bound_extent(t, tile.rows);
        // Bp is a multiple of W, so the spectrum's 2 Bp rows are whole register tiles (the
        // condition always holds; it selects the fast path of the helpers).
        const Expr whole_tiles = Bp % W == 0;
        rwkvt_gen::tile_consumer(spectrum, b2, t, bo, bi, sto, sti, tile, const_false_, whole_tiles, false);
        rwkvt_gen::schedule_register_tile(spectrum_prod, spectrum, bo, b2, t, rn.x, tile, whole_tiles);
    }

private:
    Var b{"b"}, b2{"b2"}, n{"n"}, m{"m"}, t{"t"}, mo{"mo"}, mi{"mi"}, to{"to"}, ti{"ti"}, bo{"bo"}, bi{"bi"},
        sto{"sto"}, sti{"sti"};
    Expr const_false_;
    Func basis{"basis"}, spectrum_prod{"spectrum_prod"}, spectrum{"spectrum"}, power{"power"}, mel_prod{"mel_prod"};
};

}  // namespace

HALIDE_REGISTER_GENERATOR(LogMel, log_mel)
