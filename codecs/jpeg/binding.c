/*
 * Streaming JPEG decode and encode over libjpeg-turbo, for core/codecs/jpeg.ts.
 *
 * wasi-libc has no setjmp, so a fatal libjpeg error cannot unwind: error_exit writes the
 * message to a static buffer (codec_last_error) and traps. The host then drops the instance,
 * so nothing here needs cleaning up after an error.
 *
 * The file to decode stays in the host's memory: a decoder reads it through its input stream
 * (env.read_input, env.skip_input; core/codecs/wasm-host.ts), INPUT_CHUNK bytes at a time, so
 * the instance's memory never holds, nor grows by, the whole file.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "jpeglib.h"
#include "jerror.h"

#define EXPORT(name) __attribute__((export_name(#name)))

static char last_error[JMSG_LENGTH_MAX + 64];

EXPORT(codec_last_error) const char *codec_last_error(void) { return last_error[0] ? last_error : NULL; }

static void fail(j_common_ptr cinfo) {
  if (cinfo->err->msg_code == JERR_NO_BACKING_STORE) {
    /* jmemnobs' way of saying the coefficient arrays would pass max_memory_to_use. */
    snprintf(last_error, sizeof last_error, "image needs more memory than the cap of %ld bytes",
             cinfo->mem->max_memory_to_use);
  } else {
    (*cinfo->err->format_message)(cinfo, last_error);
  }
  __builtin_trap();
}

static void emit_message(j_common_ptr cinfo, int level) {
  if (level >= 0) return; /* trace messages */
  /* A truncated or corrupt scan would otherwise decode with grey or garbage rows made up for
   * the missing data, and a mask of them. Stray bytes between markers (common and harmless)
   * and other warnings are only counted. */
  switch (cinfo->err->msg_code) {
    case JWRN_JPEG_EOF:
    case JWRN_HIT_MARKER:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_MUST_RESYNC:
      fail(cinfo);
  }
  cinfo->err->num_warnings++;
}

static void output_message(j_common_ptr cinfo) {} /* never stderr */

static void init_errors(struct jpeg_error_mgr *err) {
  jpeg_std_error(err);
  err->error_exit = fail;
  err->emit_message = emit_message;
  err->output_message = output_message;
  last_error[0] = 0;
}

/* ---- input: the host's file, a chunk at a time ---- */

/* Copies up to `max` more bytes of input stream `input` to `to`; returns how many, 0 at its end. */
__attribute__((import_module("env"), import_name("read_input")))
uint32_t read_input(uint32_t input, uint8_t *to, uint32_t max);
/* Moves input stream `input` on by up to `bytes` without copying them; returns how many. */
__attribute__((import_module("env"), import_name("skip_input")))
uint32_t skip_input(uint32_t input, uint32_t bytes);

#define INPUT_CHUNK 65536

typedef struct {
  struct jpeg_decompress_struct cinfo; /* first: a j_decompress_ptr is a decoder * */
  struct jpeg_error_mgr err;
  struct jpeg_source_mgr src;
  uint32_t input;      /* the host's stream id */
  JOCTET *buffer;      /* INPUT_CHUNK bytes, outside libjpeg's pools (and max_memory) */
  int start_of_file;   /* nothing read yet */
  int cmyk;     /* output is CMYK, converted to RGBA row by row */
  int inverted; /* Adobe CMYK stores 255 - ink */
} decoder;

static void source_init(j_decompress_ptr cinfo) {}
static void source_term(j_decompress_ptr cinfo) {}

/* The next chunk. At the end of the file, as jdatasrc.c does: an empty file is an error, a
 * file cut short a warning (made fatal by emit_message) and a fake EOI marker. */
static boolean source_fill(j_decompress_ptr cinfo) {
  decoder *d = (decoder *)cinfo;
  size_t got = read_input(d->input, d->buffer, INPUT_CHUNK);
  if (!got) {
    if (d->start_of_file) ERREXIT(cinfo, JERR_INPUT_EMPTY);
    WARNMS(cinfo, JWRN_JPEG_EOF);
    d->buffer[0] = (JOCTET)0xFF;
    d->buffer[1] = (JOCTET)JPEG_EOI;
    got = 2;
  }
  d->start_of_file = 0;
  d->src.next_input_byte = d->buffer;
  d->src.bytes_in_buffer = got;
  return TRUE;
}

/* Skips a marker segment libjpeg does not keep (APPn, COM): past the chunk, the host skips. */
static void source_skip(j_decompress_ptr cinfo, long bytes) {
  decoder *d = (decoder *)cinfo;
  if (bytes <= 0) return;
  if ((size_t)bytes <= d->src.bytes_in_buffer) {
    d->src.next_input_byte += bytes;
    d->src.bytes_in_buffer -= (size_t)bytes;
    return;
  }
  uint32_t beyond = (uint32_t)((size_t)bytes - d->src.bytes_in_buffer);
  d->src.bytes_in_buffer = 0;
  if (skip_input(d->input, beyond) < beyond) source_fill(cinfo); /* ends inside the segment */
}

/* ---- decoding ---- */

/*
 * Reads the header from input stream `input` (bytes the host hands over as asked) and sets up
 * a decode to RGBA at 1/`scale`. `max_memory` (0 = none) caps libjpeg's allocations, which
 * only matters for the whole-image coefficient arrays of progressive files.
 */
EXPORT(decoder_open) decoder *decoder_open(uint32_t input, int scale, uint32_t max_memory) {
  decoder *d = calloc(1, sizeof *d);
  if (!d) return NULL;
  d->buffer = malloc(INPUT_CHUNK);
  if (!d->buffer) {
    free(d);
    return NULL;
  }
  d->cinfo.err = &d->err;
  init_errors(&d->err);
  jpeg_create_decompress(&d->cinfo);
  d->cinfo.mem->max_memory_to_use = (long)(max_memory > 0x7fffffff ? 0x7fffffff : max_memory);
  d->input = input;
  d->start_of_file = 1;
  d->src.init_source = source_init;
  d->src.fill_input_buffer = source_fill;
  d->src.skip_input_data = source_skip;
  d->src.resync_to_restart = jpeg_resync_to_restart;
  d->src.term_source = source_term;
  d->cinfo.src = &d->src;
  jpeg_read_header(&d->cinfo, TRUE);
  d->cinfo.scale_num = 1;
  d->cinfo.scale_denom = scale == 2 || scale == 4 || scale == 8 ? scale : 1;
  switch (d->cinfo.jpeg_color_space) {
    case JCS_CMYK:
    case JCS_YCCK:
      d->cinfo.out_color_space = JCS_CMYK; /* libjpeg converts YCCK to CMYK, not to RGB */
      d->cmyk = 1;
      d->inverted = d->cinfo.saw_Adobe_marker;
      break;
    default:
      d->cinfo.out_color_space = JCS_EXT_RGBA;
  }
  jpeg_calc_output_dimensions(&d->cinfo);
  return d;
}

EXPORT(decoder_width) uint32_t decoder_width(decoder *d) { return d->cinfo.image_width; }
EXPORT(decoder_height) uint32_t decoder_height(decoder *d) { return d->cinfo.image_height; }
EXPORT(decoder_output_width) uint32_t decoder_output_width(decoder *d) { return d->cinfo.output_width; }
EXPORT(decoder_output_height) uint32_t decoder_output_height(decoder *d) { return d->cinfo.output_height; }
EXPORT(decoder_progressive) int decoder_progressive(decoder *d) { return d->cinfo.progressive_mode; }
EXPORT(decoder_components) int decoder_components(decoder *d) { return d->cinfo.num_components; }
EXPORT(decoder_color_space) int decoder_color_space(decoder *d) { return d->cinfo.jpeg_color_space; }
EXPORT(decoder_warnings) uint32_t decoder_warnings(decoder *d) { return (uint32_t)d->err.num_warnings; }

/*
 * Bytes of the DCT coefficient arrays a multi-scan (progressive) decode holds for the whole
 * image: what jdcoefct.c requests, each component padded to whole MCUs (64 coefficients of
 * 2 bytes a block). A baseline decode holds one MCU row instead. Saturates at 4 GiB - 1.
 */
EXPORT(decoder_coefficient_bytes) uint32_t decoder_coefficient_bytes(decoder *d) {
  uint64_t total = 0;
  for (int ci = 0; ci < d->cinfo.num_components; ci++) {
    const jpeg_component_info *c = &d->cinfo.comp_info[ci];
    uint64_t w = (c->width_in_blocks + c->h_samp_factor - 1) / c->h_samp_factor * c->h_samp_factor;
    uint64_t h = (c->height_in_blocks + c->v_samp_factor - 1) / c->v_samp_factor * c->v_samp_factor;
    total += w * h * sizeof(JBLOCK);
  }
  return total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
}

/* Starts decompression (for a progressive file this decodes every scan into the arrays). */
EXPORT(decoder_start) void decoder_start(decoder *d) { jpeg_start_decompress(&d->cinfo); }

/* CMYK → RGBA in place; inverted (Adobe) data has 255 for no ink. x / 255 rounded, exactly. */
static void cmyk_to_rgba(uint8_t *p, uint32_t pixels, int inverted) {
  for (uint32_t i = 0; i < pixels; i++, p += 4) {
    uint32_t c = p[0], m = p[1], y = p[2], k = p[3];
    if (!inverted) c = 255 - c, m = 255 - m, y = 255 - y, k = 255 - k;
    uint32_t r = c * k + 128, g = m * k + 128, b = y * k + 128;
    p[0] = (uint8_t)((r + (r >> 8)) >> 8);
    p[1] = (uint8_t)((g + (g >> 8)) >> 8);
    p[2] = (uint8_t)((b + (b >> 8)) >> 8);
    p[3] = 255;
  }
}

/* Decodes up to `rows` rows into `out` (packed RGBA); returns how many. */
EXPORT(decoder_read) uint32_t decoder_read(decoder *d, uint8_t *out, uint32_t rows) {
  struct jpeg_decompress_struct *cinfo = &d->cinfo;
  size_t stride = (size_t)cinfo->output_width * 4;
  uint32_t done = 0;
  while (done < rows && cinfo->output_scanline < cinfo->output_height) {
    JSAMPROW pointers[16];
    uint32_t want = rows - done < 16 ? rows - done : 16;
    for (uint32_t i = 0; i < want; i++) pointers[i] = out + (done + i) * stride;
    JDIMENSION got = jpeg_read_scanlines(cinfo, pointers, want);
    if (d->cmyk) cmyk_to_rgba(out + done * stride, got * cinfo->output_width, d->inverted);
    done += got;
  }
  return done;
}

EXPORT(decoder_skip) uint32_t decoder_skip(decoder *d, uint32_t rows) {
  uint32_t left = d->cinfo.output_height - d->cinfo.output_scanline;
  return jpeg_skip_scanlines(&d->cinfo, rows < left ? rows : left);
}

EXPORT(decoder_close) void decoder_close(decoder *d) {
  if (!d) return;
  jpeg_destroy_decompress(&d->cinfo);
  free(d->buffer);
  free(d);
}

/* ---- encoding ---- */

typedef struct {
  struct jpeg_compress_struct cinfo;
  struct jpeg_error_mgr err;
  struct jpeg_destination_mgr dest;
  uint8_t *buffer; /* output not yet taken by the host: buffer .. dest.next_output_byte */
  size_t capacity;
} encoder;

static void dest_init(j_compress_ptr cinfo) {}

/* The buffer is full: grow it, keeping what the host has not drained yet. */
static boolean dest_grow(j_compress_ptr cinfo) {
  encoder *e = (encoder *)cinfo;
  size_t used = e->capacity;
  size_t capacity = e->capacity * 2;
  uint8_t *buffer = realloc(e->buffer, capacity);
  if (!buffer) ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 10);
  e->buffer = buffer;
  e->capacity = capacity;
  e->dest.next_output_byte = buffer + used;
  e->dest.free_in_buffer = capacity - used;
  return TRUE;
}

static void dest_term(j_compress_ptr cinfo) {}

/* Starts a JPEG of `channels` 4 (RGBA, alpha ignored) or 1 (grey), 4:2:0 for colour. */
EXPORT(encoder_open) encoder *encoder_open(uint32_t width, uint32_t height, int channels, int quality, int progressive) {
  encoder *e = calloc(1, sizeof *e);
  if (!e) return NULL;
  e->cinfo.err = &e->err;
  init_errors(&e->err);
  jpeg_create_compress(&e->cinfo);
  e->capacity = 16384;
  e->buffer = malloc(e->capacity);
  if (!e->buffer) ERREXIT1(&e->cinfo, JERR_OUT_OF_MEMORY, 11);
  e->dest.init_destination = dest_init;
  e->dest.empty_output_buffer = dest_grow;
  e->dest.term_destination = dest_term;
  e->dest.next_output_byte = e->buffer;
  e->dest.free_in_buffer = e->capacity;
  e->cinfo.dest = &e->dest;

  e->cinfo.image_width = width;
  e->cinfo.image_height = height;
  e->cinfo.input_components = channels == 1 ? 1 : 4;
  e->cinfo.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_EXT_RGBA;
  jpeg_set_defaults(&e->cinfo); /* YCbCr 4:2:0 (or grey), JFIF 1.01, 1:1 pixel aspect */
  e->cinfo.write_JFIF_header = TRUE;
  e->cinfo.density_unit = 0;
  e->cinfo.X_density = 1;
  e->cinfo.Y_density = 1;
  jpeg_set_quality(&e->cinfo, quality < 1 ? 1 : quality > 100 ? 100 : quality, TRUE);
  if (progressive) jpeg_simple_progression(&e->cinfo);
  jpeg_start_compress(&e->cinfo, TRUE);
  return e;
}

/* Encodes `rows` packed rows from `in`; returns how many were taken. */
EXPORT(encoder_write) uint32_t encoder_write(encoder *e, const uint8_t *in, uint32_t rows) {
  size_t stride = (size_t)e->cinfo.image_width * e->cinfo.input_components;
  uint32_t done = 0;
  while (done < rows && e->cinfo.next_scanline < e->cinfo.image_height) {
    JSAMPROW pointers[16];
    uint32_t want = rows - done < 16 ? rows - done : 16;
    for (uint32_t i = 0; i < want; i++) pointers[i] = (JSAMPROW)(in + (done + i) * stride);
    done += jpeg_write_scanlines(&e->cinfo, pointers, want);
  }
  return done;
}

EXPORT(encoder_finish) void encoder_finish(encoder *e) { jpeg_finish_compress(&e->cinfo); }

/* Output produced since the last encoder_output_reset. */
EXPORT(encoder_output) const uint8_t *encoder_output(encoder *e) { return e->buffer; }
EXPORT(encoder_output_length) uint32_t encoder_output_length(encoder *e) {
  return (uint32_t)(e->dest.next_output_byte - e->buffer);
}
EXPORT(encoder_output_reset) void encoder_output_reset(encoder *e) {
  e->dest.next_output_byte = e->buffer;
  e->dest.free_in_buffer = e->capacity;
}

EXPORT(encoder_close) void encoder_close(encoder *e) {
  if (!e) return;
  jpeg_destroy_compress(&e->cinfo);
  free(e->buffer);
  free(e);
}
