/*-------------------------------------------------------------------------
 *
 * decode_png.c
 *	  Decode a PNG held in memory with libpng into 8-bit gray rows, the way
 *	  Pillow opens it and then converts it to mode "L".
 *
 * We ask libpng for no transformation but the unpacking of sub-byte
 * samples and a filler byte after 8-bit RGB (four bytes a pixel convert to
 * gray faster), and reduce each raw row to gray ourselves, following Pillow's
 * modes: gray of 1, 2 and 4 bits is scaled to 0..255; 16-bit samples keep
 * their high byte, except plain 16-bit gray, which Pillow opens as 32-bit
 * integers and clips to 255 on the way to "L"; colour goes through Pillow's
 * RGB to L formula; palette entries are looked up as their RGB colour
 * (indices past the palette read as gray ramp values, Pillow's default
 * palette); alpha and tRNS are ignored, and so are gamma, colour profiles
 * and text chunks, which we do not even decompress.
 *
 * Interlaced images arrive in seven Adam7 passes; we read each pass as the
 * small image it is, reduce it to gray and scatter it into a gray buffer of
 * the full image (one byte per pixel), then push its rows in order.
 *
 * libpng's errors come to PngError, which records the message and longjmps
 * to the decoder; running out of input is reported as truncation.
 *
 * src/hash/decode_png.c
 *
 *-------------------------------------------------------------------------
 */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <png.h>

#include "imghash_int.h"

/* Each side at most this many pixels (libpng's default user limit) */
#define PNG_MAX_SIDE	1000000

typedef struct PngDecoder
{
	png_structp png;
	png_infop	info;
	ImgJob	   *job;
	const unsigned char *data;
	size_t		len;
	size_t		pos;
	ImgStatus	status;			/* the failure to report after longjmp */
	char		message[IMG_MESSAGE_SIZE];
	int			over_limit;		/* libpng warned of a side over our limit */

	/* the raw pixel layout, from IHDR */
	int			color_type;
	int			bit_depth;
	int			channels;
	uint8_t		palette_gray[256];
} PngDecoder;

/* Record libpng's error and jump back to the decoder */
static void
PngError(png_structp png, png_const_charp message)
{
	PngDecoder *decoder = png_get_error_ptr(png);

	if (decoder->status == IMG_OK && decoder->over_limit)
		decoder->status = IMG_ERR_TOO_LARGE;	/* message kept from warning */
	else if (decoder->status == IMG_OK)
	{
		decoder->status = IMG_ERR_CORRUPT;
		snprintf(decoder->message, sizeof(decoder->message), "%s", message);
	}
	png_longjmp(png, 1);
}

/*
 * Ignore libpng's warnings (Pillow reads such files too), except the one
 * saying a side exceeds our limit, which precedes an "Invalid IHDR data"
 * error that is better reported as the size problem it is.
 */
static void
PngWarning(png_structp png, png_const_charp message)
{
	PngDecoder *decoder = png_get_error_ptr(png);

	if (strstr(message, "exceeds user limit") && !decoder->over_limit)
	{
		decoder->over_limit = 1;
		snprintf(decoder->message, sizeof(decoder->message),
				 "%s (at most %d pixels per side)", message, PNG_MAX_SIDE);
	}
}

/* Feed libpng from the memory buffer; running out means truncation */
static void
PngRead(png_structp png, png_bytep out, png_size_t count)
{
	PngDecoder *decoder = png_get_io_ptr(png);

	if (count > decoder->len - decoder->pos)
	{
		decoder->status = IMG_ERR_TRUNCATED;
		snprintf(decoder->message, sizeof(decoder->message),
				 "unexpected end of data");
		png_error(png, "unexpected end of data");
	}
	memcpy(out, decoder->data + decoder->pos, count);
	decoder->pos += count;
}

/* Destroy the libpng objects (ImgJobRelease calls this) */
static void
PngDestroy(void *arg)
{
	PngDecoder *decoder = arg;

	png_destroy_read_struct(&decoder->png, &decoder->info, NULL);
}

/* Build the palette index to gray table, as Pillow's P to L conversion */
static void
PngLoadPalette(PngDecoder *decoder)
{
	png_colorp	palette = NULL;
	int			count = 0;
	int			i;

	/* Pillow's palette starts as a gray ramp; PLTE overwrites its start */
	for (i = 0; i < 256; i++)
		decoder->palette_gray[i] = (uint8_t) i;
	if (png_get_PLTE(decoder->png, decoder->info, &palette, &count))
	{
		for (i = 0; i < count && i < 256; i++)
			decoder->palette_gray[i] = ImgRgbToGray(palette[i].red,
													palette[i].green,
													palette[i].blue);
	}
}

/* Reduce count raw pixels of one row (sub-byte samples unpacked) to gray */
static void
PngRowToGray(const PngDecoder *decoder, const uint8_t *in, uint8_t *out,
			 uint32_t count)
{
	uint32_t	x;
	int			step = decoder->channels * (decoder->bit_depth == 16 ? 2 : 1);

	switch (decoder->color_type)
	{
		case PNG_COLOR_TYPE_PALETTE:
			for (x = 0; x < count; x++)
				out[x] = decoder->palette_gray[in[x]];
			break;
		case PNG_COLOR_TYPE_GRAY:
			if (decoder->bit_depth == 16)
			{
				/* Pillow: mode "I", then clip to 0..255 */
				for (x = 0; x < count; x++, in += 2)
				{
					unsigned	v = (in[0] << 8) | in[1];

					out[x] = v > 255 ? 255 : (uint8_t) v;
				}
			}
			else if (decoder->bit_depth < 8)
			{
				unsigned	scale = 255 / ((1u << decoder->bit_depth) - 1);

				for (x = 0; x < count; x++)
					out[x] = (uint8_t) (in[x] * scale);
			}
			else
				memcpy(out, in, count);
			break;
		case PNG_COLOR_TYPE_GRAY_ALPHA:
			/* gray, then alpha; a 16-bit sample keeps its high byte */
			for (x = 0; x < count; x++, in += step)
				out[x] = in[0];
			break;
		case PNG_COLOR_TYPE_RGB:
		case PNG_COLOR_TYPE_RGB_ALPHA:
			if (decoder->bit_depth == 8)
			{
				/* four bytes a pixel: RGBA, or RGB given a filler byte */
				ImgRgbxRowToGray(in, out, count);
				break;
			}
			{
				int			g = step / decoder->channels;	/* 1 or 2 bytes */

				for (x = 0; x < count; x++, in += step)
					out[x] = ImgRgbToGray(in[0], in[g], in[2 * g]);
			}
			break;
	}
}

/*
 * Read an Adam7-interlaced image pass by pass into a full gray buffer,
 * then push its rows.
 */
static ImgStatus
PngReadInterlaced(PngDecoder *decoder, uint32_t width, uint32_t height,
				  uint8_t *raw, uint8_t *gray_row)
{
	ImgJob	   *job = decoder->job;
	uint8_t    *image = ImgAlloc(job, (size_t) width * height + IMG_ROW_PADDING);
	int			pass;
	uint32_t	y;

	if (image == NULL)
		return ImgJobFail(job, IMG_ERR_NO_MEMORY,
						  "out of memory for an interlaced image of %u x %u pixels",
						  width, height);
	memset(image + (size_t) width * height, 0, IMG_ROW_PADDING);

	for (pass = 0; pass < 7; pass++)
	{
		uint32_t	cols = PNG_PASS_COLS(width, pass);
		uint32_t	rows = PNG_PASS_ROWS(height, pass);
		uint32_t	col0 = PNG_PASS_START_COL(pass);
		uint32_t	row0 = PNG_PASS_START_ROW(pass);
		uint32_t	dx = PNG_PASS_COL_OFFSET(pass);
		uint32_t	dy = PNG_PASS_ROW_OFFSET(pass);

		if (cols == 0 || rows == 0)
			continue;			/* libpng skips empty passes too */
		for (y = 0; y < rows; y++)
		{
			uint8_t    *dest = image + (size_t) (row0 + y * dy) * width + col0;
			uint32_t	x;

			png_read_row(decoder->png, raw, NULL);
			PngRowToGray(decoder, raw, gray_row, cols);
			for (x = 0; x < cols; x++)
				dest[(size_t) x * dx] = gray_row[x];
			ImgJobCheckInterrupts(job);
		}
	}

	for (y = 0; y < height; y++)
		ImgJobPushRow(job, image + (size_t) y * width);
	return IMG_OK;
}

/*
 * Decode a PNG and push its gray rows (or only read its size, when the job
 * asks for no hash).
 */
ImgStatus
ImgDecodePng(ImgJob *job, const unsigned char *data, size_t len)
{
	PngDecoder *decoder;
	png_uint_32 width;
	png_uint_32 height;
	int			interlace;
	int			want_pixels;
	uint8_t    *raw;
	uint8_t    *gray;
	ImgStatus	status;
	uint32_t	y;

	decoder = ImgAlloc(job, sizeof(PngDecoder));
	if (decoder == NULL)
		return ImgJobFail(job, IMG_ERR_NO_MEMORY, "out of memory");
	memset(decoder, 0, sizeof(*decoder));
	decoder->job = job;
	decoder->data = data;
	decoder->len = len;

	decoder->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, decoder,
										  PngError, PngWarning);
	if (decoder->png == NULL)
		return ImgJobFail(job, IMG_ERR_NO_MEMORY, "out of memory");
	decoder->info = png_create_info_struct(decoder->png);
	ImgJobSetDecoder(job, decoder, PngDestroy);
	if (decoder->info == NULL)
		return ImgJobFail(job, IMG_ERR_NO_MEMORY, "out of memory");

	if (setjmp(png_jmpbuf(decoder->png)))
		return ImgJobFail(job, decoder->status, "%s", decoder->message);

	png_set_read_fn(decoder->png, decoder, PngRead);
	png_set_user_limits(decoder->png, PNG_MAX_SIDE, PNG_MAX_SIDE);
	/* do not decompress or keep chunks that cannot change the pixels */
	png_set_keep_unknown_chunks(decoder->png, PNG_HANDLE_CHUNK_NEVER,
								(png_const_bytep) "iCCP\0zTXt\0iTXt\0tEXt\0sPLT\0eXIf\0",
								6);
	png_set_keep_unknown_chunks(decoder->png, PNG_HANDLE_CHUNK_NEVER, NULL, 0);
	/* indices past the palette are Pillow's ramp, not an error */
	png_set_check_for_invalid_index(decoder->png, 0);

	png_read_info(decoder->png, decoder->info);
	png_get_IHDR(decoder->png, decoder->info, &width, &height,
				 &decoder->bit_depth, &decoder->color_type, &interlace,
				 NULL, NULL);
	decoder->channels = png_get_channels(decoder->png, decoder->info);

	status = ImgJobStartPixels(job, width, height, &want_pixels);
	if (status != IMG_OK || !want_pixels)
		return status;
	status = ImgJobStartRows(job, width, height);
	if (status != IMG_OK)
		return status;

	if (decoder->color_type == PNG_COLOR_TYPE_PALETTE)
		PngLoadPalette(decoder);
	if (decoder->bit_depth < 8)
		png_set_packing(decoder->png);
	if (decoder->color_type == PNG_COLOR_TYPE_RGB && decoder->bit_depth == 8)
		png_set_filler(decoder->png, 0, PNG_FILLER_AFTER);
	png_read_update_info(decoder->png, decoder->info);

	raw = ImgAlloc(job, png_get_rowbytes(decoder->png, decoder->info));
	gray = ImgAlloc(job, (size_t) width + IMG_ROW_PADDING);
	if (raw == NULL || gray == NULL)
		return ImgJobFail(job, IMG_ERR_NO_MEMORY, "out of memory");
	memset(gray + width, 0, IMG_ROW_PADDING);

	if (interlace == PNG_INTERLACE_ADAM7)
		return PngReadInterlaced(decoder, width, height, raw, gray);

	for (y = 0; y < height; y++)
	{
		png_read_row(decoder->png, raw, NULL);
		PngRowToGray(decoder, raw, gray, width);
		ImgJobPushRow(job, gray);
	}

	/* like Pillow, ignore what follows the image data */
	return IMG_OK;
}
