// rwkvt_wkv7_n16 / rwkvt_wkv7_n32 (head_size = 16 / 32): the WKV-7 recurrence of a chunk of tokens,
// readout, per-head GroupNorm, bonus and gate (spec section 3, steps 8-13 and the "* g" of step 14).
//
// Buffer contract (float32, dim 0 contiguous, every min 0; N = head_size, H = r_k.dim(1).extent(),
// C = H N):
//   r, w, k, v, a, g (c, t)   C x T each, any row stride (slices of one [T][6][C] buffer are fine);
//                             w is the decay (already exp(-e^-0.5 sigmoid(.))), k the raw key (before
//                             steps 8-9), v after the value residual, a the in-context learning rate
//   k_k(c), k_a(c)            att.k_k, att.k_a
//   r_k(n, h)                 att.r_k as stored ([H, N])
//   ln_x_weight(c), ln_x_bias(c)
//   state_in(i, j, h)         S_h[i][j] before the chunk (zeros at stream start); the value index i
//                             innermost, as the kernel keeps the state
//   out(c, t)                 dense C x T, T = r.dim(1).extent() >= 1 (out must have the same T)
//   state_out(i, j, h)        S_h[i][j] after token T-1; must not alias state_in
// The kernel keeps two states and the chunk's readouts, (2 (N+1) + T) N floats per head: the
// runtime calls it with chunks of at most 64 tokens (longer chunks are correct, only larger).
//
// Per head h and token t, in order:
//   kk = normalise_h(k * k_k) (divide by max(||.||_2, 1e-12)),  k' = k (1 + (a - 1) k_a),
//   sa_i = sum_j S[i][j] (-kk_j),  S[i][j] = S[i][j] w_j + sa_i kk_j a_j + v_i k'_j,
//   y_i = sum_j S[i][j] r_j,  y = GroupNorm_h(y; eps 64e-5) ln_x_weight + ln_x_bias,
//   out = (y + (sum_j r_j k'_j r_k[h][j]) v) * g.
#include "Halide.h"
#include "hand_schedules.h"

namespace {

using namespace Halide;

class Wkv7 : public Generator<Wkv7> {
public:
    GeneratorParam<int> head_size{"head_size", 32};
    // Schedule parameters (schedules/): vector lanes over the value index (0: the target's natural
    // width, at most N; must divide N), and whether the value vectors are unrolled in each step.
    GeneratorParam<int> lanes{"lanes", 0};
    GeneratorParam<bool> unroll_values{"unroll_values", rwkvt_gen::hand::kWkv7UnrollValues};

    Input<Buffer<float>> r{"r", 2};
    Input<Buffer<float>> w{"w", 2};
    Input<Buffer<float>> k{"k", 2};
    Input<Buffer<float>> v{"v", 2};
    Input<Buffer<float>> a{"a", 2};
    Input<Buffer<float>> g{"g", 2};
    Input<Buffer<float>> k_k{"k_k", 1};
    Input<Buffer<float>> k_a{"k_a", 1};
    Input<Buffer<float>> r_k{"r_k", 2};
    Input<Buffer<float>> ln_x_weight{"ln_x_weight", 1};
    Input<Buffer<float>> ln_x_bias{"ln_x_bias", 1};
    Input<Buffer<float>> state_in{"state_in", 3};
    Output<Buffer<float>> out{"out", 2};
    Output<Buffer<float>> state_out{"state_out", 3};

    void generate() {
        const int N = head_size;
        const Expr H = r_k.dim(1).extent();
        const Expr T = r.dim(1).extent();

        // ---- Algorithm ----
        // Per-head views: channel h N + j.
        auto head = [&](Func f, Expr j, Expr hh, Expr tt) { return f(hh * N + j, tt); };
        Func rr("rr"), vv("vv"), gg("gg");
        rr(j, h, t) = head(r, j, h, t);
        vv(i, h, t) = head(v, i, h, t);
        gg(i, h, t) = head(g, i, h, t);

        // Steps 8-9: removal key kk (normalised per head) and replacement key k'.
        Func kk_raw("kk_raw"), kk_norm2("kk_norm2"), neg_kk("neg_kk"), kk_a("kk_a"), k_repl("k_repl");
        kk_raw(j, h, t) = head(k, j, h, t) * k_k(h * N + j);
        RDom rj(0, N, "rj");
        kk_norm2(h, t) = 0.0f;
        kk_norm2(h, t) += kk_raw(rj, h, t) * kk_raw(rj, h, t);
        Expr inv_norm = 1.0f / max(sqrt(kk_norm2(h, t)), 1e-12f);
        neg_kk(j, h, t) = -kk_raw(j, h, t) * inv_norm;
        kk_a(j, h, t) = kk_raw(j, h, t) * inv_norm * head(a, j, h, t);
        auto replacement_key = [&](Expr jj, Expr hh, Expr tt) {
            return head(k, jj, hh, tt) * (1.0f + (head(a, jj, hh, tt) - 1.0f) * k_a(hh * N + jj));
        };
        k_repl(j, h, t) = replacement_key(j, h, t);
        Func decay("decay");
        decay(j, h, t) = head(w, j, h, t);

        // Steps 10-11 in one scan over a small per-head buffer Z(x, i, h) (value index i), so that the
        // chunk's states are never all stored: a token reads the state of the token before it and
        // writes its own, so two pages suffice, page(t) = (t + 1) % 2 (t = -1 is state_in). A page
        // is N + 1 columns: x = page (N + 1) + j holds S[i][j], column j == N the token's sa_i.
        // After the two pages, x = 2 (N + 1) + t holds the readout y_i of token t.
        // One token walks r.x over 3N steps: the first N accumulate sa_i from the old state, the
        // next N write the new state's column j = r.x - N, the last N accumulate y_i = S_new r.
        const int page_size = N + 1;
        const int readout_base = 2 * page_size;
        Z(x, i, h) = undef<float>();  // every value read below is written first
        RDom init(0, N, "init");
        Z(init, i, h) = state_in(i, init, h);  // page 0: the state before the chunk
        RDom step(0, 3 * N, 0, T, "step");
        Expr sx = step.x, st = step.y;
        Expr old_page = (st % 2) * page_size, new_page = ((st + 1) % 2) * page_size;
        Expr jr = clamp(sx, 0, N - 1);          // key index read while accumulating sa
        Expr jw = clamp(sx - N, 0, N - 1);      // key index written by the update
        Expr jy = clamp(sx - 2 * N, 0, N - 1);  // key index read by the readout
        Expr sa_slot = new_page + N, y_slot = readout_base + st;
        Expr accumulate = select(sx == 0, 0.0f, Z(sa_slot, i, h)) + Z(old_page + jr, i, h) * neg_kk(jr, h, st);
        Expr update = Z(old_page + jw, i, h) * decay(jw, h, st) + Z(sa_slot, i, h) * kk_a(jw, h, st) +
                      vv(i, h, st) * k_repl(jw, h, st);
        Expr readout = select(sx == 2 * N, 0.0f, Z(y_slot, i, h)) + Z(new_page + jy, i, h) * rr(jy, h, st);
        Z(select(sx < N, sa_slot, sx < 2 * N, new_page + jw, y_slot), i, h) =
            select(sx < N, accumulate, sx < 2 * N, update, readout);
        Func y("y");
        y(i, h, t) = Z(readout_base + t, i, h);

        // Step 12: GroupNorm per head (mean, biased variance, eps 64e-5).
        RDom ri(0, N, "ri");
        Func y_mean("y_mean"), y_var("y_var");
        y_mean(h, t) = 0.0f;
        y_mean(h, t) += y(ri, h, t);
        Expr mean = y_mean(h, t) / N;
        y_var(h, t) = 0.0f;
        y_var(h, t) += (y(ri, h, t) - mean) * (y(ri, h, t) - mean);
        Expr inv_std = 1.0f / sqrt(y_var(h, t) / N + 64e-5f);

        // Step 13: bonus, then the gate.
        Func bonus("bonus");
        bonus(h, t) = 0.0f;
        bonus(h, t) += rr(rj, h, t) * replacement_key(rj, h, t) * r_k(rj, h);
        Func result("result");
        result(i, h, t) = ((y(i, h, t) - mean) * inv_std * ln_x_weight(h * N + i) + ln_x_bias(h * N + i) +
                           bonus(h, t) * vv(i, h, t)) *
                          gg(i, h, t);

        out(c, t) = result(c % N, c / N, t);
        state_out(i, j, h) = Z((T % 2) * page_size + j, i, h);  // page(T - 1)

        for (int d = 0; d < 2; ++d)
            for (Input<Buffer<float>>* in : {&r, &w, &k, &v, &a, &g, &r_k}) (*in).dim(d).set_min(0);
        out.dim(0).set_bounds(0, H * N);
        out.dim(1).set_bounds(0, T);
        for (int d = 0; d < 3; ++d) {
            state_in.dim(d).set_min(0);
            state_out.dim(d).set_min(0);
        }
        state_in.dim(0).set_extent(N);
        state_in.dim(1).set_extent(N);
        state_out.dim(0).set_extent(N);
        state_out.dim(1).set_extent(N);

        // ---- Estimates: the rwkvt-19m shapes, for the autoscheduler (a candidate of rwkvt tune) ----
        for (Input<Buffer<float>>* in : {&r, &w, &k, &v, &a, &g}) in->set_estimates({{0, 288}, {0, 64}});
        for (Input<Buffer<float>>* in : {&k_k, &k_a, &ln_x_weight, &ln_x_bias}) in->set_estimates({{0, 288}});
        r_k.set_estimates({{0, N}, {0, 288 / N}});
        state_in.set_estimates({{0, N}, {0, N}, {0, 288 / N}});
        out.set_estimates({{0, 288}, {0, 64}});
        state_out.set_estimates({{0, N}, {0, N}, {0, 288 / N}});
        if (auto_schedule) return;

        // ---- Schedule ----
        // The recurrence is sequential in t but independent per head: Z is computed once for the
        // chunk (both outputs read it), heads in parallel, the value index i vectorised and the 3N
        // steps of a token unrolled so that every select above folds away.
        const int vec = rwkvt_gen::hand::wkv7_lanes(get_target(), N, lanes);
        _halide_user_assert(vec <= N && N % vec == 0) << "wkv7: lanes=" << vec << " must divide head_size=" << N << "\n";
        // The per-token coefficients of a head are computed in its iteration of the scan (no
        // separate parallel loops, and they stay in cache for it).
        const LoopLevel scan_head(Z, h);  // the scan: Z's last stage
        for (Func f : {neg_kk, kk_a, k_repl, decay}) f.compute_at(scan_head).vectorize(j, vec);
        kk_norm2.compute_at(scan_head);
        Z.compute_root().reorder_storage(i, x, h);
        Z.update(0).vectorize(i, vec);
        // The vectors of i are unrolled inside each step too, so the N / vec running sums stay in
        // registers through the whole straight-line token and their FMA chains interleave. Heads run
        // in parallel on chunks; a single token (a decoding step) costs less than a round trip
        // through the thread pool, so it runs on the calling thread. The condition reads the token
        // count from g, not r: a condition on T itself lets the compiler fold T = 1 into the serial
        // copy and order that token's sums differently, so a token's state would depend on whether
        // it came alone or in a chunk. Both copies are the same loop and round alike.
        Z.update(1).reorder(i, step.x, step.y, h).vectorize(i, vec).unroll(step.x);
        if (unroll_values) Z.update(1).unroll(i);
        Z.update(1).specialize(g.dim(1).extent() > 1).parallel(h);

        // Per (head, token): statistics and bonus, then the gated output vectorised over i. Serial:
        // this little work costs less than another round trip through the thread pool.
        out.split(c, hc, ic, N).reorder(ic, t, hc).vectorize(ic, vec);
        for (Func f : {y_mean, y_var, bonus}) f.compute_at(out, t);
        state_out.vectorize(i, vec);
    }

private:
    Var c{"c"}, i{"i"}, j{"j"}, h{"h"}, t{"t"}, x{"x"}, hc{"hc"}, ic{"ic"};
    Func Z{"Z"};
};

}  // namespace

HALIDE_REGISTER_GENERATOR(Wkv7, wkv7)
