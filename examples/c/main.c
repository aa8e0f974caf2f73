/* Trinity from C: the D = 10000 bitsliced kernels that `trinity bake` writes, called on two
 * random vectors and checked against a plain trit-by-trit loop.
 *
 *     trinity bake --dim 10000 --layout bits -o kernels.o --header kernels.h
 *     cc -O2 -I. examples/c/main.c kernels.o -lm -o vsa-demo && ./vsa-demo
 *
 * A bitsliced vector is 2 * W little-endian 64-bit words, W = ceil(D / 64): the +1 plane,
 * then the -1 plane (docs/design.md, section 2). Exit status 0 when every kernel agrees. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "kernels.h"

#define D 10000
#define W ((D + 63) / 64)

static uint64_t seed = 1;

/* A trit in {-1, 0, +1} from a 64-bit LCG (any source of trits will do). */
static int next_trit(void) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (int)((seed >> 33) % 3) - 1;
}

static void random_vector(uint64_t v[2 * W]) {
    for (int w = 0; w < 2 * W; w++) v[w] = 0;
    for (int i = 0; i < D; i++) {
        int t = next_trit();
        if (t > 0) v[i / 64] |= 1ULL << (i % 64);
        if (t < 0) v[W + i / 64] |= 1ULL << (i % 64);
    }
}

static int trit(const uint64_t *v, int i) {
    return (int)((v[i / 64] >> (i % 64)) & 1) - (int)((v[W + i / 64] >> (i % 64)) & 1);
}

static int failures = 0;

static void check(const char *what, int ok) {
    printf("%-8s %s\n", what, ok ? "ok" : "MISMATCH");
    failures += !ok;
}

int main(void) {
    static uint64_t a[2 * W], b[2 * W], c[2 * W];
    random_vector(a);
    random_vector(b);

    int64_t dot = 0, hamming = 0, aa = 0, bb = 0;
    for (int i = 0; i < D; i++) {
        int x = trit(a, i), y = trit(b, i);
        dot += x * y;
        hamming += x != y;
        aa += x * x;
        bb += y * y;
    }
    double cosine = (aa == 0 || bb == 0) ? 0.0 : (double)dot / sqrt((double)aa * (double)bb);

    check("dot", trinity_bits_dot_10000(a, b) == dot);
    check("hamming", trinity_bits_hamming_10000(a, b) == hamming);
    check("cosine", trinity_bits_cosine_10000(a, b) == cosine);

    int ok = 1;
    trinity_bits_bind_10000(c, a, b);
    for (int i = 0; i < D; i++) ok &= trit(c, i) == trit(a, i) * trit(b, i);
    check("bind", ok);

    ok = 1;
    trinity_bits_bundle_10000(c, a, b);
    for (int i = 0; i < D; i++) {
        int s = trit(a, i) + trit(b, i);
        ok &= trit(c, i) == (s > 0) - (s < 0);
    }
    check("bundle", ok);

    ok = 1;
    trinity_bits_permute_10000_1(c, a);
    for (int i = 0; i < D; i++) ok &= trit(c, (i + 1) % D) == trit(a, i);
    check("permute", ok);

    printf("dot %lld, hamming %lld, cosine %.4f\n", (long long)dot, (long long)hamming, cosine);
    return failures != 0;
}
