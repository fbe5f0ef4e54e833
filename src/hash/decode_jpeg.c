/*-------------------------------------------------------------------------
 *
 * decode_jpeg.c
 *	  Decode a JPEG held in memory with libjpeg-turbo into 8-bit gray rows,
 *	  the way Pillow decodes it and then converts it to mode "L".
 *
 * Pillow asks libjpeg for RGB (three components), gray (one) or CMYK
 * (four, inverted by its "CMYK;I" raw mode, Adobe's convention), with the
 * library's defaults: accurate integer IDCT and fancy upsampling.  No EXIF
 * rotation, no ICC profile.  We ask for the same (RGB padded to four bytes
 * a pixel, which converts to gray faster) and reduce each row to gray with
 * Pillow's integer formulas.
 *
 * libjpeg's default error handler exits the process; ours records the
 * message and longjmps back here instead, and its warnings are silenced
 * except "premature end of file", which we treat as truncation, as Pillow
 * does.  A progress monitor caps the number of progressive scans (a
 * classic decompression bomb) and runs the caller's interrupt check during
 * the long input pass of progressive files.
 *
 * src/hash/decode_jpeg.c
 *
 *-------------------------------------------------------------------------
 */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

#include "imghash_int.h"

/*
 * More scans than any sane encoder writes (they write about 10); each scan
 * costs a pass over the whole image, so libjpeg-turbo advises a cap.
 */
#define JPEG_MAX_SCANS	100

typedef struct JpegErrorManager
{
	struct jpeg_error_mgr pub;
	jmp_buf		escape;
	ImgStatus	status;			/* the failure to report after longjmp */
	char		message[JMSG_LENGTH_MAX];
} JpegErrorManager;

typedef struct JpegDecoder
{
	struct jpeg_decompress_struct cinfo;
	JpegErrorManager err;
	struct jpeg_progress_mgr progress;
	ImgJob	   *job;
} JpegDecoder;

/* Classify a libjpeg error code */
static ImgStatus
JpegErrorStatus(int msg_code)
{
	switch (msg_code)
	{
		case JERR_BAD_PRECISION:
		case JERR_NOT_COMPILED:
		case JERR_ARITH_NOTIMPL:
		case JERR_CONVERSION_NOTIMPL:
		case JERR_COMPONENT_COUNT:
			return IMG_ERR_UNSUPPORTED;
		case JERR_OUT_OF_MEMORY:
		case JERR_NO_BACKING_STORE:
			return IMG_ERR_NO_MEMORY;
		case JERR_IMAGE_TOO_BIG:
		case JERR_WIDTH_OVERFLOW:
			return IMG_ERR_TOO_LARGE;
		case JERR_INPUT_EMPTY:
		case JERR_INPUT_EOF:
			return IMG_ERR_TRUNCATED;
		default:
			return IMG_ERR_CORRUPT;
	}
}

/* Replace libjpeg's error_exit: keep the message, jump back to the decoder */
static void
JpegErrorExit(j_common_ptr cinfo)
{
	JpegErrorManager *err = (JpegErrorManager *) cinfo->err;

	(*cinfo->err->format_message) (cinfo, err->message);
	err->status = JpegErrorStatus(err->pub.msg_code);
	longjmp(err->escape, 1);
}

/*
 * Replace libjpeg's emit_message: stay silent, but stop at a premature end
 * of data, which libjpeg only warns about (it pads the image with gray).
 */
static void
JpegEmitMessage(j_common_ptr cinfo, int msg_level)
{
	JpegErrorManager *err = (JpegErrorManager *) cinfo->err;

	if (msg_level >= 0)
		return;					/* trace messages */
	if (err->pub.msg_code == JWRN_JPEG_EOF)
	{
		(*cinfo->err->format_message) (cinfo, err->message);
		err->status = IMG_ERR_TRUNCATED;
		longjmp(err->escape, 1);
	}
	err->pub.num_warnings++;
}

/* Never print: libjpeg would write to stderr */
static void
JpegOutputMessage(j_common_ptr cinfo)
{
	(void) cinfo;
}

/* Cap progressive scans and let the caller interrupt long input passes */
static void
JpegProgressMonitor(j_common_ptr cinfo)
{
	JpegDecoder *decoder = (JpegDecoder *) cinfo;	/* cinfo comes first */
	j_decompress_ptr dinfo = (j_decompress_ptr) cinfo;

	if (dinfo->input_scan_number > JPEG_MAX_SCANS)
	{
		snprintf(decoder->err.message, sizeof(decoder->err.message),
				 "more than %d scans", JPEG_MAX_SCANS);
		decoder->err.status = IMG_ERR_UNSUPPORTED;
		longjmp(decoder->err.escape, 1);
	}
	ImgJobCheckInterrupts(decoder->job);
}

/*
 * Fast mode: let libjpeg decode at 1/2, 1/4 or 1/8 size (scaling in the
 * IDCT, much cheaper than a full decode), as small as keeps both sides at
 * least twice the largest hash grid.  The hashes then differ slightly from
 * ImageHash's.
 */
static void
JpegChooseScale(j_decompress_ptr cinfo)
{
	const unsigned min_side = 2 * IMG_GRID_MAX;
	unsigned	denom;

	for (denom = 8; denom > 1; denom /= 2)
	{
		if (cinfo->image_width / denom >= min_side &&
			cinfo->image_height / denom >= min_side)
			break;
	}
	cinfo->scale_num = 1;
	cinfo->scale_denom = denom;
}

/*
 * Fast mode on a progressive JPEG (in buffered-image mode): read scans only
 * until every component's DC coefficients are complete.  At the reduced
 * size the fast mode decodes at (1/8 of a side for images of 512 pixels
 * and more), each 8x8 block becomes about one pixel, which the DC
 * coefficient alone determines, so the remaining scans (most of the file
 * and of the work) change the picture very little.
 */
static void
JpegConsumeUntilDc(j_decompress_ptr cinfo)
{
	for (;;)
	{
		int			result;
		int			c;
		int			dc_done = 1;

		/* libjpeg calls no progress monitor from here: do its checks */
		JpegProgressMonitor((j_common_ptr) cinfo);
		result = jpeg_consume_input(cinfo);

		if (result == JPEG_REACHED_EOI || result == JPEG_SUSPENDED)
			return;
		if (result != JPEG_SCAN_COMPLETED)
			continue;
		/* no coefficient progress kept (not a progressive scan after all) */
		if (cinfo->coef_bits == NULL)
			return;
		for (c = 0; c < cinfo->num_components; c++)
			if (cinfo->coef_bits[c][0] != 0)
				dc_done = 0;
		if (dc_done)
			return;
	}
}

/* Destroy the libjpeg object (ImgJobRelease calls this) */
static void
JpegDestroy(void *decoder)
{
	jpeg_destroy_decompress(&((JpegDecoder *) decoder)->cinfo);
}

/*
 * Reduce one row of Adobe-convention CMYK to gray as Pillow does: invert
 * ("CMYK;I"), convert CMYK to RGB with cmyk2rgb, then RGB to L.
 */
static void
JpegCmykRowToGray(const JSAMPLE *in, uint8_t *out, JDIMENSION width)
{
	JDIMENSION	x;

	for (x = 0; x < width; x++, in += 4)
	{
		/* after inversion, 255 - k is the stored k */
		int			nk = in[3];
		int			rgb[3];
		int			i;

		for (i = 0; i < 3; i++)
		{
			int			c = 255 - in[i];
			int			tmp = c * nk + 128;
			int			v = nk - (((tmp >> 8) + tmp) >> 8);

			rgb[i] = v < 0 ? 0 : (v > 255 ? 255 : v);
		}
		out[x] = ImgRgbToGray(rgb[0], rgb[1], rgb[2]);
	}
}

/* Reduce one decoded row to gray */
static void
JpegRowToGray(j_decompress_ptr cinfo, const JSAMPLE *in, uint8_t *out)
{
	JDIMENSION	width = cinfo->output_width;

	switch (cinfo->out_color_space)
	{
		case JCS_GRAYSCALE:
			memcpy(out, in, width);
			break;
		case JCS_EXT_RGBX:
			ImgRgbxRowToGray(in, out, width);
			break;
		case JCS_CMYK:
			JpegCmykRowToGray(in, out, width);
			break;
		default:
			break;				/* not requested */
	}
}

/*
 * Decode a JPEG and push its gray rows (or only read its size, when the
 * job asks for no hash).
 */
ImgStatus
ImgDecodeJpeg(ImgJob *job, const unsigned char *data, size_t len)
{
	JpegDecoder *decoder;
	struct jpeg_decompress_struct *cinfo;
	JSAMPARRAY	rows;
	JSAMPLE    *buffer;
	size_t		row_stride;
	uint8_t    *gray;
	int			want_pixels;
	int			progressive_dc_only = 0;
	int			nrows;
	int			i;
	ImgStatus	status;

	decoder = ImgAlloc(job, sizeof(JpegDecoder));
	if (decoder == NULL)
		return ImgJobFail(job, IMG_ERR_NO_MEMORY, "out of memory");
	memset(decoder, 0, sizeof(*decoder));
	decoder->job = job;
	cinfo = &decoder->cinfo;

	cinfo->err = jpeg_std_error(&decoder->err.pub);
	decoder->err.pub.error_exit = JpegErrorExit;
	decoder->err.pub.emit_message = JpegEmitMessage;
	decoder->err.pub.output_message = JpegOutputMessage;
	if (setjmp(decoder->err.escape))
		return ImgJobFail(job, decoder->err.status, "%s",
						  decoder->err.message);

	jpeg_create_decompress(cinfo);
	ImgJobSetDecoder(job, decoder, JpegDestroy);
	decoder->progress.progress_monitor = JpegProgressMonitor;
	cinfo->progress = &decoder->progress;

	if (len > (unsigned long) -1)
		return ImgJobFail(job, IMG_ERR_TOO_LARGE, "JPEG data too large");
	jpeg_mem_src(cinfo, data, (unsigned long) len);
	jpeg_read_header(cinfo, TRUE);

	switch (cinfo->num_components)
	{
		case 1:
			cinfo->out_color_space = JCS_GRAYSCALE;
			break;
		case 3:
			/* RGB, with a fourth byte per pixel for fast gray conversion */
			cinfo->out_color_space = JCS_EXT_RGBX;
			break;
		case 4:
			cinfo->out_color_space = JCS_CMYK;
			break;
		default:
			return ImgJobFail(job, IMG_ERR_UNSUPPORTED,
							  "%d colour components",
							  cinfo->num_components);
	}
	cinfo->dct_method = JDCT_ISLOW;
	cinfo->do_fancy_upsampling = TRUE;

	status = ImgJobStartPixels(job, cinfo->image_width, cinfo->image_height,
							   &want_pixels);
	if (status != IMG_OK || !want_pixels)
		return status;

	if (job->options.fast)
	{
		JpegChooseScale(cinfo);
		/* progressive: decode from the first scans only, see below */
		progressive_dc_only = jpeg_has_multiple_scans(cinfo);
		cinfo->buffered_image = progressive_dc_only;
		cinfo->do_block_smoothing = FALSE;
	}
	jpeg_start_decompress(cinfo);
	if (progressive_dc_only)
		JpegConsumeUntilDc(cinfo);
	status = ImgJobStartRows(job, cinfo->output_width, cinfo->output_height);
	if (status != IMG_OK)
		return status;

	/*
	 * Our own row buffers, deliberately not 16-byte aligned: libjpeg-turbo's
	 * SIMD colour conversion writes aligned rows with non-temporal stores,
	 * which bypass the cache just before we read the row back.
	 */
	nrows = cinfo->rec_outbuf_height;
	row_stride = ((size_t) cinfo->output_width * cinfo->output_components + 31) & ~(size_t) 15;
	rows = ImgAlloc(job, sizeof(JSAMPROW) * nrows);
	buffer = ImgAlloc(job, row_stride * nrows);
	gray = ImgAlloc(job, cinfo->output_width + IMG_ROW_PADDING);
	if (rows == NULL || buffer == NULL || gray == NULL)
		return ImgJobFail(job, IMG_ERR_NO_MEMORY, "out of memory");
	for (i = 0; i < nrows; i++)
		rows[i] = buffer + i * row_stride + 4;	/* arena blocks are aligned */
	memset(gray + cinfo->output_width, 0, IMG_ROW_PADDING);

	if (progressive_dc_only)
		jpeg_start_output(cinfo, cinfo->input_scan_number);
	while (cinfo->output_scanline < cinfo->output_height)
	{
		int			got = jpeg_read_scanlines(cinfo, rows, nrows);

		for (i = 0; i < got; i++)
		{
			JpegRowToGray(cinfo, rows[i], gray);
			ImgJobPushRow(job, gray);
		}
	}

	/*
	 * Like Pillow, stop once every row is decoded: what follows the last
	 * scan (even a missing EOI marker) does not change the pixels.
	 */
	return IMG_OK;
}
