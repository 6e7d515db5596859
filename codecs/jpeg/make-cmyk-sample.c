/*
 * Writes the small Adobe CMYK and YCCK JPEGs embedded in test/unit/jpeg-codec.test.ts
 * (no fixture photo is CMYK). Native, against the system libjpeg:
 *   cc codecs/jpeg/make-cmyk-sample.c -ljpeg -o /tmp/cmyk && /tmp/cmyk cmyk | base64 -w0
 * Four 8×16 bands of solid ink (cyan, magenta, yellow + 50% black, none), stored the Adobe way
 * (255 - ink), at quality 100.
 */
#include <stdio.h>
#include <string.h>
#include <jpeglib.h>

int main(int argc, char **argv) {
  static const unsigned char ink[4][4] = {{255, 0, 0, 0}, {0, 255, 0, 0}, {0, 0, 255, 128}, {0, 0, 0, 0}};
  struct jpeg_compress_struct c;
  struct jpeg_error_mgr err;
  unsigned char row[32 * 4];
  c.err = jpeg_std_error(&err);
  jpeg_create_compress(&c);
  jpeg_stdio_dest(&c, stdout);
  c.image_width = 32;
  c.image_height = 16;
  c.input_components = 4;
  c.in_color_space = JCS_CMYK;
  jpeg_set_defaults(&c);
  jpeg_set_colorspace(&c, argc > 1 && !strcmp(argv[1], "ycck") ? JCS_YCCK : JCS_CMYK);
  jpeg_set_quality(&c, 100, TRUE);
  c.optimize_coding = TRUE; /* small Huffman tables: shorter base64 */
  jpeg_start_compress(&c, TRUE);
  for (int x = 0; x < 32; x++)
    for (int i = 0; i < 4; i++) row[x * 4 + i] = 255 - ink[x / 8][i];
  while (c.next_scanline < 16) {
    JSAMPROW r = row;
    jpeg_write_scanlines(&c, &r, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  return 0;
}
