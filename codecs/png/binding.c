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
