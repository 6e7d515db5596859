/*
 * Streaming PNG decoding on libspng for core/codecs/png.ts (WASI reactor).
 *
 * A handle owns one spng context, which reads the file from the host's memory (env.read_input,
 * core/codecs/wasm-host.ts) through a read-ahead buffer of INPUT_CHUNK bytes: the file is never
 * copied in whole. Non-interlaced images decode progressively, a row per spng_decode_row,
 * straight into the caller's buffer: memory is O(width). Adam7 images only become rows once
 * every pass is in, so they are decoded whole into a buffer here (the caller caps its size)
 * and handed out.
 *
 * spng reports failures as return codes, so nothing here traps: a failed call returns -1
 * and leaves the code in the handle (png_error), and png_message turns it into text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spng.h"
#include "zlib.h"

#define EXPORT(name) __attribute__((export_name(#name), visibility("default")))

/* Codes of this binding, beside spng's (which are below 1000 and may be negative). */
enum {
  PNG_OVER_CAP = 1000, /* an interlaced image larger than the caller allows */
  PNG_NOT_STARTED,
  PNG_NO_MEMORY
};

/* Copies up to `max` more bytes of input stream `input` to `to`; returns how many, 0 at its end. */
__attribute__((import_module("env"), import_name("read_input")))
uint32_t read_input(uint32_t input, uint8_t *to, uint32_t max);

/* Bytes read from the host at a time (spng itself asks for at most 8 KiB a read). */
#define INPUT_CHUNK (64u << 10)
/* Signature (8), IHDR's length and type (8), data (13) and CRC (4). */
#define HEAD_BYTES 33

/* Refuse ancillary chunks (iCCP, text, EXIF…) over 4 MiB, and 8 MiB of them in all. */
#define CHUNK_LIMIT (4u << 20)
#define CHUNK_CACHE_LIMIT (8u << 20)

typedef struct {
  spng_ctx *ctx;
  uint32_t input;   /* the host's stream id */
  uint8_t *buffer;  /* INPUT_CHUNK bytes read ahead: spng's next bytes are buffer[at..end) */
  uint32_t at, end;
  struct spng_ihdr ihdr;
  uint8_t *image;   /* interlaced: the whole RGBA8 image */
  uint8_t *scratch; /* progressive: one row, for skipping */
  uint32_t next_row;
  int started;
  int error;
} png_decoder;

/* The host reads this after a trap; nothing here traps (spng returns codes), so there is none. */
EXPORT(codec_last_error) const char *codec_last_error(void) { return 0; }

static int fail(png_decoder *d, int code) {
  d->error = code;
  return -1;
}

/* spng's read callback: exactly `n` bytes, or SPNG_IO_EOF where the file ends first. */
static int read_fn(spng_ctx *ctx, void *user, void *data, size_t n) {
  png_decoder *d = user;
  uint8_t *out = data;
  while (n) {
    if (d->at == d->end) {
      d->at = 0;
      d->end = read_input(d->input, d->buffer, INPUT_CHUNK);
      if (!d->end) return SPNG_IO_EOF;
    }
    size_t take = d->end - d->at < n ? d->end - d->at : n;
    memcpy(out, d->buffer + d->at, take);
    d->at += take;
    out += take;
    n -= take;
  }
  return 0;
}

/* Opens input stream `input` (the host's file), freed by png_close. Returns 0 when out of memory. */
EXPORT(png_open) png_decoder *png_open(uint32_t input, uint32_t max_side) {
  png_decoder *d = calloc(1, sizeof(*d));
  if (!d) return 0;
  d->input = input;
  d->buffer = malloc(INPUT_CHUNK);
  d->ctx = d->buffer ? spng_ctx_new(0) : 0;
  if (!d->ctx) {
    d->error = PNG_NO_MEMORY;
    return d;
  }
  /* The start of the file, kept aside: spng checks IHDR's CRC only when it reads the next
   * chunk, so check it here before trusting the header. */
  uint8_t head[HEAD_BYTES];
  while (d->end < HEAD_BYTES) {
    uint32_t got = read_input(input, d->buffer + d->end, INPUT_CHUNK - d->end);
    if (!got) break;
    d->end += got;
  }
  memcpy(head, d->buffer, d->end < HEAD_BYTES ? d->end : HEAD_BYTES);
  const uint32_t head_bytes = d->end;
  int ret = spng_set_image_limits(d->ctx, max_side, max_side);
  if (!ret) ret = spng_set_chunk_limits(d->ctx, CHUNK_LIMIT, CHUNK_CACHE_LIMIT);
  if (!ret) ret = spng_set_png_stream(d->ctx, read_fn, d);
  /* Reads the signature and IHDR, checking them against the limits above. */
  if (!ret) ret = spng_get_ihdr(d->ctx, &d->ihdr);
  if (!ret && head_bytes < HEAD_BYTES) ret = SPNG_IO_EOF;
  if (!ret) {
    const uint8_t *crc = head + 29;
    uint32_t stored = (uint32_t)crc[0] << 24 | crc[1] << 16 | crc[2] << 8 | crc[3];
    if (crc32(0, head + 12, 17) != stored) ret = SPNG_ECHUNK_CRC;
  }
  d->error = ret;
  return d;
}

/* 0, or the code that made png_open or a later call fail. */
EXPORT(png_error) int png_error(const png_decoder *d) { return d->error; }
EXPORT(png_width) uint32_t png_width(const png_decoder *d) { return d->ihdr.width; }
EXPORT(png_height) uint32_t png_height(const png_decoder *d) { return d->ihdr.height; }
EXPORT(png_bit_depth) int png_bit_depth(const png_decoder *d) { return d->ihdr.bit_depth; }
EXPORT(png_color_type) int png_color_type(const png_decoder *d) { return d->ihdr.color_type; }
EXPORT(png_interlaced) int png_interlaced(const png_decoder *d) { return d->ihdr.interlace_method; }

EXPORT(png_message) const char *png_message(int code) {
  switch (code) {
    case PNG_OVER_CAP: return "interlaced image larger than the memory allowed for it";
    case PNG_NOT_STARTED: return "decoding was not started";
    case PNG_NO_MEMORY: return "out of memory";
    case SPNG_IO_EOF: return "file cut short (end of stream)";
    default: return spng_strerror(code);
  }
}

/*
 * Starts decoding to RGBA8 (tRNS applied). An interlaced image needs width*height*4 bytes
 * here, refused over `max_buffered` before anything is allocated. Returns 0 or -1.
 */
EXPORT(png_start) int png_start(png_decoder *d, double max_buffered) {
  if (d->error) return -1;
  if (d->started) return 0;
  const int flags = SPNG_DECODE_TRNS;
  int ret;
  if (d->ihdr.interlace_method) {
    double bytes = (double)d->ihdr.width * d->ihdr.height * 4;
    if (bytes > max_buffered || bytes > (double)SIZE_MAX) return fail(d, PNG_OVER_CAP);
    d->image = malloc((size_t)bytes);
    if (!d->image) return fail(d, PNG_NO_MEMORY);
    ret = spng_decode_image(d->ctx, d->image, (size_t)bytes, SPNG_FMT_RGBA8, flags);
    if (!ret) ret = spng_decode_chunks(d->ctx);
    /* The whole image is in; the context (zlib state, scanlines) and input are no longer needed. */
    spng_ctx_free(d->ctx);
    d->ctx = 0;
    free(d->buffer);
    d->buffer = 0;
  } else {
    ret = spng_decode_image(d->ctx, 0, 0, SPNG_FMT_RGBA8, flags | SPNG_DECODE_PROGRESSIVE);
  }
  if (ret) return fail(d, ret);
  d->started = 1;
  return 0;
}

/* Writes up to `rows` rows (packed, width*4 bytes each) at `out`, or skips them when `out` is 0.
 * Returns how many, 0 at the end, or -1 on error. */
static int rows_out(png_decoder *d, uint8_t *out, uint32_t rows) {
  if (d->error) return -1;
  if (!d->started) return fail(d, PNG_NOT_STARTED);
  const size_t stride = (size_t)d->ihdr.width * 4;
  uint32_t left = d->ihdr.height - d->next_row;
  if (rows > left) rows = left;
  if (d->image) {
    if (out) memcpy(out, d->image + stride * d->next_row, stride * rows);
    d->next_row += rows;
    return (int)rows;
  }
  if (!out && rows && !d->scratch) {
    d->scratch = malloc(stride);
    if (!d->scratch) return fail(d, PNG_NO_MEMORY);
  }
  for (uint32_t i = 0; i < rows; i++) {
    uint8_t *row = out ? out + stride * i : d->scratch;
    int ret = spng_decode_row(d->ctx, row, stride);
    /* SPNG_EOI comes with the last row, which it did write. The chunks after the image data
     * are read too, so a file cut short there (or the last IDAT's CRC) is an error as well. */
    if (ret == SPNG_EOI && d->next_row + 1 == d->ihdr.height) ret = spng_decode_chunks(d->ctx);
    if (ret) return fail(d, ret);
    d->next_row++;
  }
  return (int)rows;
}

EXPORT(png_read_rows) int png_read_rows(png_decoder *d, uint8_t *out, uint32_t rows) {
  return out ? rows_out(d, out, rows) : fail(d, 1);
}

EXPORT(png_skip_rows) int png_skip_rows(png_decoder *d, uint32_t rows) { return rows_out(d, 0, rows); }

EXPORT(png_close) void png_close(png_decoder *d) {
  if (!d) return;
  spng_ctx_free(d->ctx);
  free(d->image);
  free(d->scratch);
  free(d->buffer);
  free(d);
}

/* ---------------------------------------------------------------------------------------------
 * Encoding (EXPERIMENT: engine 0 = spng progressive, 1 = direct zlib + own filters/framing)
 */
enum { PNG_BAD_ROWS = PNG_NO_MEMORY + 1 };

typedef struct {
  spng_ctx *ctx;
  z_stream z;
  int zinit;
  int engine;
  int filter; /* direct: 0..4 */
  uint32_t width, height, channels, stride, rows;
  uint8_t *prev, *line, *zbuf, *trial;
  uint8_t *out;
  size_t out_len, out_cap;
  int error;
} png_encoder;

#define ZBUF (64u << 10)

static int reserve(png_encoder *e, size_t n) {
  if (e->out_cap - e->out_len >= n) return 0;
  size_t cap = e->out_cap ? e->out_cap : (64u << 10);
  while (cap - e->out_len < n) cap *= 2;
  uint8_t *out = realloc(e->out, cap);
  if (!out) return -1;
  e->out = out;
  e->out_cap = cap;
  return 0;
}

static int append(png_encoder *e, const void *data, size_t n) {
  if (reserve(e, n)) return -1;
  memcpy(e->out + e->out_len, data, n);
  e->out_len += n;
  return 0;
}

static int write_fn_enc(spng_ctx *ctx, void *user, void *data, size_t n) {
  png_encoder *e = user;
  if (append(e, data, n)) {
    e->error = PNG_NO_MEMORY;
    return SPNG_IO_ERROR;
  }
  return 0;
}

static void put32(uint8_t *p, uint32_t v) { p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v; }

static int chunk_out(png_encoder *e, const char *type, const uint8_t *data, uint32_t n) {
  if (reserve(e, (size_t)n + 12)) return -1;
  uint8_t *p = e->out + e->out_len;
  put32(p, n);
  memcpy(p + 4, type, 4);
  if (n) memcpy(p + 8, data, n);
  put32(p + 8 + n, crc32(0, p + 4, n + 4));
  e->out_len += (size_t)n + 12;
  return 0;
}

static int emit_idat(png_encoder *e) {
  uint32_t n = ZBUF - e->z.avail_out;
  if (!n) return 0;
  if (chunk_out(e, "IDAT", e->zbuf, n)) return -1;
  e->z.next_out = e->zbuf;
  e->z.avail_out = ZBUF;
  return 0;
}

static void filter_row(uint8_t *restrict out, const uint8_t *restrict cur, const uint8_t *restrict prev,
                       uint32_t n, uint32_t bpp, int filter) {
  uint32_t i;
  switch (filter) {
    case 0: memcpy(out, cur, n); break;
    case 1:
      for (i = 0; i < bpp; i++) out[i] = cur[i];
      for (; i < n; i++) out[i] = cur[i] - cur[i - bpp];
      break;
    case 2:
      for (i = 0; i < n; i++) out[i] = cur[i] - prev[i];
      break;
    case 3:
      for (i = 0; i < bpp; i++) out[i] = cur[i] - (prev[i] >> 1);
      for (; i < n; i++) out[i] = cur[i] - ((cur[i - bpp] + prev[i]) >> 1);
      break;
    case 4:
      for (i = 0; i < bpp; i++) out[i] = cur[i] - prev[i];
      for (; i < n; i++) {
        int a = cur[i - bpp], b = prev[i], c = prev[i - bpp];
        int p = b - c, q = a - c;
        int pa = p < 0 ? -p : p, pb = q < 0 ? -q : q, pc = p + q < 0 ? -(p + q) : p + q;
        int pred = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
        out[i] = cur[i] - pred;
      }
      break;
  }
}

static uint32_t msad(const uint8_t *p, uint32_t n) {
  uint32_t sum = 0;
  for (uint32_t i = 0; i < n; i++) sum += p[i] < 128 ? p[i] : 256 - p[i];
  return sum;
}

/* libpng's/spng's heuristic: the filter whose output has the least sum of |signed byte|. */
static int adaptive_row(png_encoder *e, const uint8_t *row) {
  uint32_t best = UINT32_MAX;
  int choice = 0;
  for (int f = 0; f < 5; f++) {
    uint8_t *out = f == 0 ? (uint8_t *)row : e->trial;
    if (f) filter_row(out, row, e->prev, e->stride, e->channels, f);
    uint32_t s = msad(out, e->stride);
    if (s < best) {
      best = s;
      choice = f;
      if (f) memcpy(e->line + 1, out, e->stride);
    }
  }
  if (!choice) memcpy(e->line + 1, row, e->stride);
  return choice;
}

EXPORT(png_encoder_open)
png_encoder *png_encoder_open(uint32_t width, uint32_t height, uint32_t channels, int level, int strategy, int filter, int engine) {
  png_encoder *e = calloc(1, sizeof(*e));
  if (!e) return 0;
  e->width = width, e->height = height, e->channels = channels, e->stride = width * channels;
  e->engine = engine;
  e->filter = filter;
  int ret = 0;
  if (engine == 0) {
    e->ctx = spng_ctx_new(SPNG_CTX_ENCODER);
    if (!e->ctx) return e->error = PNG_NO_MEMORY, e;
    struct spng_ihdr ihdr = {width, height, 8, channels == 1 ? SPNG_COLOR_TYPE_GRAYSCALE : SPNG_COLOR_TYPE_TRUECOLOR_ALPHA, 0, 0, 0};
    ret = spng_set_png_stream(e->ctx, write_fn_enc, e);
    if (!ret) ret = spng_set_ihdr(e->ctx, &ihdr);
    if (!ret) ret = spng_set_option(e->ctx, SPNG_IMG_COMPRESSION_LEVEL, level);
    if (!ret) ret = spng_set_option(e->ctx, SPNG_IMG_COMPRESSION_STRATEGY, strategy);
    if (!ret) ret = spng_set_option(e->ctx, SPNG_FILTER_CHOICE, filter);
    if (!ret) ret = spng_encode_image(e->ctx, 0, 0, SPNG_FMT_PNG, SPNG_ENCODE_PROGRESSIVE | SPNG_ENCODE_FINALIZE);
    if (e->error) return e;
    e->error = ret;
    return e;
  }
  e->prev = calloc(1, e->stride + 1);
  e->line = malloc(e->stride + 1);
  e->zbuf = malloc(ZBUF);
  e->trial = malloc(e->stride);
  if (!e->trial || !e->prev || !e->line || !e->zbuf) return e->error = PNG_NO_MEMORY, e;
  if (deflateInit2(&e->z, level, Z_DEFLATED, 15, 8, strategy) != Z_OK) return e->error = PNG_NO_MEMORY, e;
  e->zinit = 1;
  e->z.next_out = e->zbuf;
  e->z.avail_out = ZBUF;
  static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', 13, 10, 26, 10};
  uint8_t ihdr[13] = {0};
  put32(ihdr, width);
  put32(ihdr + 4, height);
  ihdr[8] = 8;
  ihdr[9] = channels == 1 ? 0 : 6;
  if (append(e, sig, 8) || chunk_out(e, "IHDR", ihdr, 13)) e->error = PNG_NO_MEMORY;
  return e;
}

EXPORT(png_encoder_error) int png_encoder_error(const png_encoder *e) { return e->error; }

static int deflate_some(png_encoder *e, const uint8_t *data, uint32_t n, int flush) {
  e->z.next_in = (uint8_t *)data;
  e->z.avail_in = n;
  for (;;) {
    int ret = deflate(&e->z, flush);
    if (ret == Z_STREAM_ERROR) return -1;
    if (!e->z.avail_out) {
      if (emit_idat(e)) return -1;
      continue;
    }
    if (flush == Z_FINISH ? ret == Z_STREAM_END : !e->z.avail_in) return 0;
  }
}

EXPORT(png_encoder_write) int png_encoder_write(png_encoder *e, const uint8_t *rows, uint32_t count) {
  if (e->error) return -1;
  if (count > e->height - e->rows) return e->error = PNG_BAD_ROWS, -1;
  for (uint32_t r = 0; r < count; r++) {
    const uint8_t *row = rows + (size_t)e->stride * r;
    if (e->engine == 0) {
      int ret = spng_encode_row(e->ctx, row, e->stride);
      if (ret == SPNG_EOI && e->rows + 1 == e->height) ret = 0;
      if (e->error) return -1;
      if (ret) return e->error = ret, -1;
    } else {
      if (e->filter == 5) {
        e->line[0] = adaptive_row(e, row);
      } else {
        int f = e->rows ? e->filter : (e->filter == 2 ? 0 : e->filter == 4 ? 1 : e->filter);
        e->line[0] = f;
        filter_row(e->line + 1, row, e->prev, e->stride, e->channels, f);
      }
      if (deflate_some(e, e->line, e->stride + 1, Z_NO_FLUSH)) return e->error = SPNG_EZLIB, -1;
      memcpy(e->prev, row, e->stride);
    }
    e->rows++;
  }
  if (e->engine == 1 && emit_idat(e)) return e->error = PNG_NO_MEMORY, -1;
  return (int)count;
}

EXPORT(png_encoder_finish) int png_encoder_finish(png_encoder *e) {
  if (e->error) return -1;
  if (e->rows != e->height) return e->error = PNG_BAD_ROWS, -1;
  if (e->engine == 1) {
    if (deflate_some(e, 0, 0, Z_FINISH)) return e->error = SPNG_EZLIB, -1;
    if (emit_idat(e) || chunk_out(e, "IEND", 0, 0)) return e->error = PNG_NO_MEMORY, -1;
  }
  return 0;
}

EXPORT(png_encoder_output) uint8_t *png_encoder_output(png_encoder *e) { return e->out; }
EXPORT(png_encoder_output_length) uint32_t png_encoder_output_length(png_encoder *e) { return e->out_len; }
EXPORT(png_encoder_output_reset) void png_encoder_output_reset(png_encoder *e) { e->out_len = 0; }

EXPORT(png_encoder_close) void png_encoder_close(png_encoder *e) {
  if (!e) return;
  spng_ctx_free(e->ctx);
  if (e->zinit) deflateEnd(&e->z);
  free(e->prev);
  free(e->line);
  free(e->zbuf);
  free(e->trial);
  free(e->out);
  free(e);
}
EXPORT(png_encoder_tune) int png_encoder_tune(png_encoder *e, int good, int lazy, int nice, int chain) {
  return deflateTune(&e->z, good, lazy, nice, chain);
}
