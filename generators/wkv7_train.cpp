// Training kernels of the WKV-7 recurrence (spec section 3, steps 10-11 only), for the LibTorch
// autograd function in model/training/wkv7_op.cpp. Everything around the recurrence (kk
// normalisation, replacement key, GroupNorm, bonus) stays in plain torch ops, which autograd
// differentiates; these kernels only do what autograd cannot do cheaply: the sequential state.
//
//   rwkvt_wkv7_forward_train_n{16,32} (generator wkv7_forward_train, head_size = 16 / 32)
//   rwkvt_wkv7_backward_n{16,32}      (generator wkv7_backward,      head_size = 16 / 32)
//
// Recurrence, per batch row b and head h (S_h [N][N], i value index, j key index, S = 0 before t = 0):
//   sa_i = sum_j S[i][j] (-kk_j)                                     (old state)
//   S[i][j] = S[i][j] w_j + sa_i kk_j a_j + v_i k_j                  i.e. S_t = S_{t-1} A_t + v k^T,
//                                                                    A_t = diag(w) + (-kk)(kk a)^T
//   y_i = sum_j S[i][j] r_j                                          (new state)
// kk is the normalised removal key (step 8), k the replacement key (step 9), w the decay, a the
// in-context learning rate.
//
// Backward (derived from the matrix form; D_t is the total gradient of the loss w.r.t. S_t):
//   D_t = G_{t+1} + dy_t r_t^T, with G_{T} = 0 and G_t = D_t A_t^T = D_t diag(w) + q_t (-kk)^T,
//   where q = D_t (kk a) (q_i = sum_j D[i][j] kk_j a_j). Then, with S_{t-1} the state before token t:
//   dr_j = sum_i S_t[i][j] dy_i          dv_i = sum_j D[i][j] k_j        dk_j = sum_i D[i][j] v_i
//   dw_j = sum_i S_{t-1}[i][j] D[i][j]
//   d(-kk)_j = sum_i S_{t-1}[i][j] q_i   d(kk a)_j = sum_i sa_i D[i][j]  (from the rank-one term)
//   dkk = -d(-kk) + a d(kk a),           da = kk d(kk a).
//
// Memory: the forward keeps no per-token state; it writes the state before every chunk of 16 tokens
// (the checkpoints, ceil(T/16) N N floats per head). The backward recomputes each chunk's 16 states
// from its checkpoint (chunks are independent given their checkpoints) and runs the gradient
// recurrence over t backwards. Saved between forward and backward: the inputs (O(T C)) and the
// checkpoints (O(T/16 H N N)). Each kernel also has a working area of about T N (N+1) floats per
// (batch row, head) in flight, allocated per thread and freed when the call returns.
//
// Buffer contract (float32, dim 0 contiguous, every min 0; N = head_size, C = H N, any B, T >= 1):
//   r, w, k, v, kk, a, dy (c, t, b)   dense [B][T][C] torch tensors
//   y(i, h, t, b)                     forward output, [B][T][C] seen as [B][T][H][N]
//   checkpoints(i, j, n, h, b)        [B][H][ceil(T/16)][N][N]: S_h[i][j] before token 16 n
//   grads(c, t, b)                    backward output, a tuple of six [B][T][C] buffers:
//                                     dr, dw, dk, dv, dkk, da
#include "Halide.h"

namespace {

using namespace Halide;

constexpr int kChunk = 16;  // tokens per checkpoint

class Wkv7ForwardTrain : public Generator<Wkv7ForwardTrain> {
public:
    GeneratorParam<int> head_size{"head_size", 32};

    Input<Buffer<float>> r{"r", 3};
    Input<Buffer<float>> w{"w", 3};
    Input<Buffer<float>> k{"k", 3};
    Input<Buffer<float>> v{"v", 3};
    Input<Buffer<float>> kk{"kk", 3};
    Input<Buffer<float>> a{"a", 3};
    Output<Buffer<float>> y{"y", 4};
    Output<Buffer<float>> checkpoints{"checkpoints", 5};

    void generate() {
        const int N = head_size;
        const Expr C = r.dim(0).extent(), T = r.dim(1).extent(), B = r.dim(2).extent();
        // Per-head view of a (c, t, b) input: element x of head h of batch row b.
        auto in = [&](const Func& f, Expr x, Expr tt) { return f(h * N + x, tt, b); };

        // S(i, j, t, h, b): S_h[i][j] after token t (t = -1: the zero start state). Slots j == N and
        // N + 1 hold two partial sums of sa_i of token t (even and odd key indices): two independent
        // dependency chains per vector instead of one, so the FMA latency is hidden. One token is 2N
        // steps of step.x: the first N accumulate the partial sums from the old state, the next N
        // write the new state's column j = step.x - N (the selects fold away once step.x is
        // unrolled). Only the start state has a pure value; every later slot is written by the
        // recurrence before it is read, so no pass zeroes the whole T (N + 2) N area.
        S(i, j, t, h, b) = undef<float>();
        S(i, j, -1, h, b) = 0.0f;
        RDom step(0, 2 * N, 0, T, "step");
        Expr sx = step.x, st = step.y;
        Expr accumulating = sx < N;
        Expr jr = clamp(sx, 0, N - 1), jw = clamp(sx - N, 0, N - 1);
        Expr partial_slot = N + sx % 2;
        Expr partial = select(sx < 2, 0.0f, S(i, partial_slot, st, h, b));
        Expr accumulate = partial - S(i, jr, st - 1, h, b) * in(kk, jr, st);
        Expr sa = S(i, N, st, h, b) + S(i, N + 1, st, h, b);
        Expr update = S(i, jw, st - 1, h, b) * in(w, jw, st) + sa * in(kk, jw, st) * in(a, jw, st) +
                      in(v, i, st) * in(k, jw, st);
        S(i, select(accumulating, partial_slot, jw), st, h, b) = select(accumulating, accumulate, update);

        // Readout with the new state, as two partial sums (even and odd key indices, p = 0 / 1).
        RDom rj(0, N / 2, "rj");
        Func readout("readout");
        readout(i, p, t, h, b) = 0.0f;
        readout(i, p, t, h, b) += S(i, 2 * rj + p, t, h, b) * in(r, 2 * rj + p, t);
        y(i, h, t, b) = readout(i, 0, t, h, b) + readout(i, 1, t, h, b);
        // Checkpoint n is the state after token 16 n - 1 (n = 0: the zero start state).
        checkpoints(i, j, n, h, b) = S(i, j, kChunk * n - 1, h, b);

        for (Input<Buffer<float>>* f : {&r, &w, &k, &v, &kk, &a}) {
            for (int d = 0; d < 3; ++d) (*f).dim(d).set_min(0);
            (*f).dim(0).set_extent(C);
            (*f).dim(1).set_extent(T);
            (*f).dim(2).set_extent(B);
        }
        y.dim(0).set_bounds(0, N);
        y.dim(1).set_bounds(0, C / N);
        y.dim(2).set_bounds(0, T);
        y.dim(3).set_bounds(0, B);
        checkpoints.dim(0).set_bounds(0, N);
        checkpoints.dim(1).set_bounds(0, N);
        checkpoints.dim(2).set_bounds(0, (T + kChunk - 1) / kChunk);
        checkpoints.dim(3).set_bounds(0, C / N);
        checkpoints.dim(4).set_bounds(0, B);

        // ---- Schedule ----
        // Both outputs walk (batch row, head) pairs in parallel in one fused loop, so the state of
        // one pair is computed once, used by both, and freed: the working area is per pair, not
        // per call. Inside a pair, the value index i is vectorised (the state is stored i-fastest);
        // the recurrence and the readout take a whole column as one vector and unroll their steps, so
        // a token is straight-line code and its partial sums stay in registers.
        const int vec = std::min(natural_vector_size<float>(), N);
        // (Fusing h and b into one loop first makes the bounds of S cover every pair: don't.)
        y.reorder(i, t, h, b).parallel(b).parallel(h).vectorize(i, vec);
        checkpoints.reorder(i, j, n, h, b).parallel(b).parallel(h).vectorize(i, vec);
        checkpoints.compute_with(y, h);
        S.compute_at(y, h);
        S.update(0).vectorize(i, vec);
        S.update(1).reorder(i, step.x, step.y).vectorize(i, N).unroll(step.x);
        readout.compute_at(y, t).vectorize(i, N).unroll(p);
        readout.update().reorder(i, p, rj).vectorize(i, N).unroll(p).unroll(rj);
    }

private:
    Var c{"c"}, i{"i"}, j{"j"}, n{"n"}, p{"p"}, h{"h"}, t{"t"}, b{"b"};
    Func S{"S"};
};

class Wkv7Backward : public Generator<Wkv7Backward> {
public:
    GeneratorParam<int> head_size{"head_size", 32};

    Input<Buffer<float>> r{"r", 3};
    Input<Buffer<float>> w{"w", 3};
    Input<Buffer<float>> k{"k", 3};
    Input<Buffer<float>> v{"v", 3};
    Input<Buffer<float>> kk{"kk", 3};
    Input<Buffer<float>> a{"a", 3};
    Input<Buffer<float>> dy{"dy", 3};
    Input<Buffer<float>> checkpoints{"checkpoints", 5};
    Output<Func> grads{"grads", {Float(32), Float(32), Float(32), Float(32), Float(32), Float(32)}, 3};

    void generate() {
        const int N = head_size;
        const Expr C = r.dim(0).extent(), T = r.dim(1).extent(), B = r.dim(2).extent();
        // Per-head view of a (c, t, b) input: element x of head h of batch row b.
        auto in = [&](const Func& f, Expr x, Expr tt) { return f(h * N + x, tt, b); };

        // Recomputed states, chunk by chunk from the checkpoints: Sc(i, j, s, n, h, b) is S_h[i][j]
        // after token 16 n + s - 1 (s = 0: the checkpoint); slots j == N and N + 1 hold the two
        // partial sums of sa of that token, as in the forward. The chunk index n is a pure variable:
        // chunks do not depend on each other. Tokens past T - 1 (the last chunk's tail) read the last
        // token's inputs; their states are never used. As in the forward, only what is read before
        // the recurrence writes it has a value (s == 0), so nothing zeroes the whole area.
        Sc(i, j, s, n, h, b) = undef<float>();
        Sc(i, j, 0, n, h, b) = checkpoints(i, clamp(j, 0, N - 1), n, h, b);
        RDom rstep(0, 2 * N, 1, kChunk, "rstep");
        {
            Expr sx = rstep.x, ss = rstep.y;
            Expr tok = min(kChunk * n + ss - 1, T - 1);
            Expr accumulating = sx < N;
            Expr jr = clamp(sx, 0, N - 1), jw = clamp(sx - N, 0, N - 1);
            Expr partial_slot = N + sx % 2;
            Expr partial = select(sx < 2, 0.0f, Sc(i, partial_slot, ss, n, h, b));
            Expr accumulate = partial - Sc(i, jr, ss - 1, n, h, b) * in(kk, jr, tok);
            Expr sa = Sc(i, N, ss, n, h, b) + Sc(i, N + 1, ss, n, h, b);
            Expr update = Sc(i, jw, ss - 1, n, h, b) * in(w, jw, tok) + sa * in(kk, jw, tok) * in(a, jw, tok) +
                          in(v, i, tok) * in(k, jw, tok);
            Sc(i, select(accumulating, partial_slot, jw), ss, n, h, b) = select(accumulating, accumulate, update);
        }
        auto state_after = [&](Expr ii, Expr jj, Expr tt) { return Sc(ii, jj, tt % kChunk + 1, tt / kChunk, h, b); };
        auto state_before = [&](Expr ii, Expr jj, Expr tt) { return Sc(ii, jj, tt % kChunk, tt / kChunk, h, b); };
        auto sa_of = [&](Expr ii, Expr tt) { return state_after(ii, N, tt) + state_after(ii, N + 1, tt); };

        // Gradient recurrence, t from T - 1 down to 0. G(i, j, t, h, b) = D_t A_t^T, the gradient that
        // token t passes to S_{t-1}; G at t = T is zero. Slots j == N and N + 1 hold two partial sums
        // of q_i of token t. D_t = G_{t+1} + dy_t r_t^T is recomputed wherever it is read (one
        // multiply-add).
        auto D = [&](Expr ii, Expr jj, Expr tt) { return G(ii, jj, tt + 1, h, b) + in(dy, ii, tt) * in(r, jj, tt); };
        auto q_of = [&](Expr ii, Expr tt) { return G(ii, N, tt, h, b) + G(ii, N + 1, tt, h, b); };
        G(i, j, t, h, b) = undef<float>();
        G(i, j, T, h, b) = 0.0f;
        RDom back(0, 2 * N, 0, T, "back");
        {
            Expr sx = back.x, tt = T - 1 - back.y;
            Expr accumulating = sx < N;
            Expr jr = clamp(sx, 0, N - 1), jw = clamp(sx - N, 0, N - 1);
            Expr partial_slot = N + sx % 2;
            Expr partial = select(sx < 2, 0.0f, G(i, partial_slot, tt, h, b));
            Expr accumulate = partial + D(i, jr, tt) * in(kk, jr, tt) * in(a, jr, tt);
            Expr update = D(i, jw, tt) * in(w, jw, tt) - q_of(i, tt) * in(kk, jw, tt);
            G(i, select(accumulating, partial_slot, jw), tt, h, b) = select(accumulating, accumulate, update);
        }

        // Per token: the sums over the value index i (one per key index j) ...
        RDom ri(0, N, "ri");
        Func column_sums("column_sums");
        column_sums(j, t, h, b) = Tuple(0.0f, 0.0f, 0.0f, 0.0f, 0.0f);
        {
            Expr d = D(ri, j, t);
            Expr prev = state_before(ri, j, t);
            column_sums(j, t, h, b) = Tuple(column_sums(j, t, h, b)[0] + state_after(ri, j, t) * in(dy, ri, t),  // dr
                                            column_sums(j, t, h, b)[1] + prev * d,                              // dw
                                            column_sums(j, t, h, b)[2] + d * in(v, ri, t),                      // dk
                                            column_sums(j, t, h, b)[3] + prev * q_of(ri, t),                    // d(-kk)
                                            column_sums(j, t, h, b)[4] + sa_of(ri, t) * d);                     // d(kk a)
        }
        // ... and the one sum over the key index j: dv.
        RDom rj(0, N, "rj");
        Func dv("dv");
        dv(i, t, h, b) = 0.0f;
        dv(i, t, h, b) += D(i, rj, t) * in(k, rj, t);

        Expr hh = c / N, x = c % N;
        Tuple sums = column_sums(x, t, hh, b);
        Expr a_x = a(c, t, b), kk_x = kk(c, t, b);
        grads(c, t, b) = Tuple(sums[0], sums[1], sums[2], dv(x, t, hh, b), -sums[3] + a_x * sums[4], kk_x * sums[4]);

        for (Input<Buffer<float>>* f : {&r, &w, &k, &v, &kk, &a, &dy}) {
            for (int d = 0; d < 3; ++d) (*f).dim(d).set_min(0);
            (*f).dim(0).set_extent(C);
            (*f).dim(1).set_extent(T);
            (*f).dim(2).set_extent(B);
        }
        checkpoints.dim(0).set_bounds(0, N);
        checkpoints.dim(1).set_bounds(0, N);
        checkpoints.dim(2).set_bounds(0, (T + kChunk - 1) / kChunk);
        checkpoints.dim(3).set_bounds(0, C / N);
        checkpoints.dim(4).set_bounds(0, B);
        // The other five tuple buffers are held to the first one's bounds by Halide itself.
        OutputImageParam first = static_cast<Func>(grads).output_buffers()[0];
        first.dim(0).set_bounds(0, C);
        first.dim(1).set_bounds(0, T);
        first.dim(2).set_bounds(0, B);

        // ---- Schedule ----
        // (batch row, head) pairs in parallel; per pair, the recomputed states and the gradient
        // recurrence (value index i vectorised, stored i-fastest), then per token the sums.
        const int vec = std::min(natural_vector_size<float>(), N);
        Var hc("hc"), ic("ic"), bh("bh");
        grads.split(c, hc, ic, N, TailStrategy::RoundUp).reorder(ic, t, hc, b).fuse(hc, b, bh).parallel(bh).vectorize(ic, vec);
        Sc.compute_at(grads, bh);
        Sc.update(0).vectorize(i, vec);
        Sc.update(1).reorder(i, rstep.x, rstep.y, n).vectorize(i, N).unroll(rstep.x);
        G.compute_at(grads, bh);
        G.update(0).vectorize(i, vec);
        G.update(1).reorder(i, back.x, back.y).vectorize(i, N).unroll(back.x);
        column_sums.compute_at(grads, t).vectorize(j, vec);
        column_sums.update().reorder(ri, j).atomic().vectorize(ri, N);
        dv.compute_at(grads, t).vectorize(i, N);
        dv.update().reorder(i, rj).vectorize(i, N).unroll(rj);
    }

private:
    Var c{"c"}, i{"i"}, j{"j"}, n{"n"}, s{"s"}, h{"h"}, t{"t"}, b{"b"};
    Func Sc{"Sc"}, G{"G"};
};

}  // namespace

HALIDE_REGISTER_GENERATOR(Wkv7ForwardTrain, wkv7_forward_train)
HALIDE_REGISTER_GENERATOR(Wkv7Backward, wkv7_backward)
