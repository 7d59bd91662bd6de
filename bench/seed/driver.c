/* Exercises zlib (vendored by the libz-sys crate) so that gcc --coverage records real, uneven
 * coverage: several levels and strategies, streaming and one-shot APIs, gzip files, bad input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "zlib.h"

static unsigned char *make_data(size_t n, int kind) {
    unsigned char *p = malloc(n);
    unsigned int x = 12345u + (unsigned)kind;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        switch (kind) {
        case 0: p[i] = (unsigned char)("the quick brown fox "[i % 20]); break;
        case 1: p[i] = (unsigned char)(x >> 24); break;
        case 2: p[i] = (unsigned char)((x >> 28) + 'a'); break;
        default: p[i] = (unsigned char)(i & 0xff); break;
        }
    }
    return p;
}

static void roundtrip(size_t n, int kind, int level, int strategy, int wbits) {
    unsigned char *in = make_data(n, kind);
    uLong bound = compressBound(n) + 64;
    unsigned char *out = malloc(bound), *back = malloc(n + 1);
    z_stream s;
    memset(&s, 0, sizeof s);
    if (deflateInit2(&s, level, Z_DEFLATED, wbits, 8, strategy) != Z_OK) exit(1);
    s.next_in = in; s.avail_in = (uInt)n; s.next_out = out; s.avail_out = (uInt)bound;
    while (deflate(&s, Z_FINISH) != Z_STREAM_END) {}
    uLong clen = s.total_out;
    deflateEnd(&s);
    memset(&s, 0, sizeof s);
    if (inflateInit2(&s, wbits) != Z_OK) exit(1);
    s.next_in = out; s.avail_in = (uInt)clen; s.next_out = back; s.avail_out = (uInt)n + 1;
    int r = inflate(&s, Z_FINISH);
    if (r != Z_STREAM_END || s.total_out != n || memcmp(in, back, n) != 0) { fprintf(stderr, "mismatch\n"); exit(1); }
    inflateEnd(&s);
    free(in); free(out); free(back);
}

int main(void) {
    int levels[] = {0, 1, 6, 9};
    int strategies[] = {Z_DEFAULT_STRATEGY, Z_FILTERED, Z_HUFFMAN_ONLY, Z_RLE, Z_FIXED};
    for (int k = 0; k < 4; k++)
        for (int l = 0; l < 4; l++)
            for (int st = 0; st < 5; st++)
                roundtrip(20000 + 7919 * (size_t)k, k, levels[l], strategies[st], k == 3 ? 31 : 15);
    /* one-shot API and checksums */
    unsigned char *d = make_data(50000, 2);
    uLongf cl = compressBound(50000);
    unsigned char *c = malloc(cl), *u = malloc(50000);
    compress2(c, &cl, d, 50000, 5);
    uLongf ul = 50000;
    uncompress(u, &ul, c, cl);
    printf("adler %lu crc %lu\n", adler32(1, d, 50000), crc32(0, d, 50000));
    /* bad input */
    c[2] ^= 0xff; ul = 50000;
    printf("corrupt -> %d\n", uncompress(u, &ul, c, cl));
    /* gzip files */
    gzFile g = gzopen("seed.gz", "wb9");
    for (int i = 0; i < 200; i++) gzprintf(g, "line %d of the seed file\n", i);
    gzwrite(g, d, 50000);
    gzclose(g);
    g = gzopen("seed.gz", "rb");
    char buf[256];
    int lines = 0;
    while (gzgets(g, buf, sizeof buf) && lines < 200) lines++;
    gzread(g, u, 50000);
    gzclose(g);
    printf("gz lines %d\n", lines);
    free(d); free(c); free(u);
    return 0;
}
