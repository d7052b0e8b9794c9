// Training kernels of the token shift and its mixes (spec section 3, step 2, and the channel mix's
// shift of step 15), for the LibTorch autograd function in model/training/token_shift_mix_op.cpp.
// As plain torch ops, K mixes are 2K + 2 passes over [B, T, C] forward and about 5K backward; here
// they are one pass each way.
//
//   rwkvt_token_shift_mix_forward      (generator token_shift_mix_forward, any K)
//   rwkvt_token_shift_mix_backward_k6  (generator token_shift_mix_backward, grad.size = 6: time mix)
//   rwkvt_token_shift_mix_backward_k1  (generator token_shift_mix_backward, grad.size = 1: channel mix)
//
// Per batch row b, token t, channel c and mix k, with x(-1) = 0 (the start of a sequence):
//   d(c, t) = x(c, t - 1) - x(c, t)
//   out_k(c, t) = x(c, t) + d(c, t) mu_k(c)
// Backward, from the gradients g_k of the K outputs:
//   m(c, t) = sum_k g_k(c, t) mu_k(c)
//   dx(c, t) = sum_k g_k(c, t) - m(c, t) + m(c, t + 1)        (m(c, T) = 0)
//   dmu_k(c) = sum_{t, b} g_k(c, t) d(c, t)                    (written per b; the caller sums over b)
//
// Buffer contract (float32, dim 0 contiguous, every min 0; any B, T >= 1, C, K):
//   x(c, t, b)             dense [B][T][C]
//   mu(c, k)               [K][C]
//   out(c, t, b, k)        forward output, [K][B][T][C]
//   grad_k(c, t, b)        backward inputs, K dense [B][T][C] buffers
//   dx(c, t, b)            backward output, [B][T][C]
//   dmu_rows(c, k, b)      backward output, [B][K][C]: batch row b's share of dmu
#include "Halide.h"

namespace {

using namespace Halide;

// x(c, t - 1, b), zero before the first token.
Expr previous_token(const Func& x, Expr c, Expr t, Expr b) { return select(t > 0, x(c, max(t - 1, 0), b), 0.0f); }

class TokenShiftMixForward : public Generator<TokenShiftMixForward> {
public:
    Input<Buffer<float>> x{"x", 3};
    Input<Buffer<float>> mu{"mu", 2};
    Output<Buffer<float>> out{"out", 4};

    void generate() {
        const Expr C = x.dim(0).extent(), T = x.dim(1).extent(), B = x.dim(2).extent(), K = mu.dim(1).extent();
        Expr current = x(c, t, b);
        out(c, t, b, k) = current + (previous_token(x, c, t, b) - current) * mu(c, k);

        for (int d = 0; d < 3; ++d) x.dim(d).set_min(0);
        for (int d = 0; d < 2; ++d) mu.dim(d).set_min(0);
        mu.dim(0).set_extent(C);
        out.dim(0).set_bounds(0, C);
        out.dim(1).set_bounds(0, T);
        out.dim(2).set_bounds(0, B);
        out.dim(3).set_bounds(0, K);

        // ---- Schedule ----
        // Batch rows in parallel; per token, the K mixes of one row of x while it is in L1.
        const int vec = natural_vector_size<float>();
        out.reorder(c, k, t, b).vectorize(c, vec, TailStrategy::GuardWithIf).parallel(b);
    }

private:
    Var c{"c"}, t{"t"}, b{"b"}, k{"k"};
};

class TokenShiftMixBackward : public Generator<TokenShiftMixBackward> {
public:
    Input<Buffer<float>> x{"x", 3};
    Input<Buffer<float>> mu{"mu", 2};
    // K gradient buffers, one per mix; K is the generator parameter grad.size.
    Input<Buffer<float>[]> grad{"grad", 3};
    Output<Buffer<float>> dx{"dx", 3};
    Output<Buffer<float>> dmu_rows{"dmu_rows", 3};

    void generate() {
        const int K = static_cast<int>(grad.size());
        const Expr C = x.dim(0).extent(), T = x.dim(1).extent(), B = x.dim(2).extent();

        Expr g_sum = 0.0f;
        Expr m_at_t = 0.0f;
        Expr t_in = min(t, T - 1);  // m at t = T is read (as zero) but has no gradient row
        for (int i = 0; i < K; ++i) {
            g_sum += grad[i](c, t, b);
            m_at_t += grad[i](c, t_in, b) * mu(c, i);
        }
        // m(c, t, b) = sum_k g_k mu_k; m at t = T is zero (no token after the last).
        m(c, t, b) = select(t < T, m_at_t, 0.0f);
        dx(c, t, b) = g_sum - m(c, t, b) + m(c, t + 1, b);

        // Per batch row, the sum over tokens of g_k d, for every mix k at once.
        RDom rt(0, T, "rt");
        Expr current = x(c, rt, b);
        Expr d = previous_token(x, c, rt, b) - current;
        // (A one-element Tuple makes a plain Func, which is not indexed.)
        auto running_sum = [&](int i) { return K == 1 ? Expr(products(c, b)) : Expr(products(c, b)[i]); };
        std::vector<Expr> zeros(K, 0.0f), sums;
        products(c, b) = Tuple(zeros);
        for (int i = 0; i < K; ++i) sums.push_back(running_sum(i) + grad[i](c, rt, b) * d);
        products(c, b) = Tuple(sums);
        Expr row = 0.0f;
        for (int i = 0; i < K; ++i) row = select(k == i, running_sum(i), row);
        dmu_rows(c, k, b) = row;

        for (int dim = 0; dim < 3; ++dim) x.dim(dim).set_min(0);
        for (int dim = 0; dim < 2; ++dim) mu.dim(dim).set_min(0);
        mu.dim(0).set_extent(C);
        mu.dim(1).set_extent(K);
        for (int i = 0; i < K; ++i) {
            for (int dim = 0; dim < 3; ++dim) grad[i].dim(dim).set_min(0);
            grad[i].dim(0).set_extent(C);
            grad[i].dim(1).set_extent(T);
            grad[i].dim(2).set_extent(B);
        }
        dx.dim(0).set_bounds(0, C);
        dx.dim(1).set_bounds(0, T);
        dx.dim(2).set_bounds(0, B);
        dmu_rows.dim(0).set_bounds(0, C);
        dmu_rows.dim(1).set_bounds(0, K);
        dmu_rows.dim(2).set_bounds(0, B);

        // ---- Schedule ----
        // Batch rows in parallel. dx: m slides along t (stored per row, computed per token), so each
        // token's m is computed once and read by this token and the one before. dmu: the K running
        // sums of a row over its tokens, vectorised over channels.
        const int vec = natural_vector_size<float>();
        dx.reorder(c, t, b).vectorize(c, vec, TailStrategy::GuardWithIf).parallel(b);
        m.store_at(dx, b).compute_at(dx, t).vectorize(c, vec, TailStrategy::GuardWithIf);
        dmu_rows.reorder(c, k, b).vectorize(c, vec, TailStrategy::GuardWithIf).parallel(b);
        products.compute_at(dmu_rows, b).vectorize(c, vec, TailStrategy::GuardWithIf);
        products.update().reorder(c, rt).vectorize(c, vec, TailStrategy::GuardWithIf);
    }

private:
    Var c{"c"}, t{"t"}, b{"b"}, k{"k"};
    Func m{"m"}, products{"products"};
};

}  // namespace

HALIDE_REGISTER_GENERATOR(TokenShiftMixForward, token_shift_mix_forward)
HALIDE_REGISTER_GENERATOR(TokenShiftMixBackward, token_shift_mix_backward)
