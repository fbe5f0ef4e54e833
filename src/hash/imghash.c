/*-------------------------------------------------------------------------
 *
 * imghash.c
 *	  Drive the decoding and hashing of one image: recognise the format,
 *	  run its decoder, feed the gray rows to the resamplers, and turn the
 *	  resized grids into hashes.
 *
 * An ImgJob owns everything allocated for the image in hand: arena blocks
 * (ImgAlloc) and the decoder library's object.  ImgJobRelease frees them
 * at any point, including after the caller's interrupt callback longjmped
 * out of the middle of a decode, which is how the PostgreSQL functions stay
 * leak-free when a query is cancelled.
 *
 * src/hash/imghash.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imghash_int.h"

struct ImgArenaBlock
{
	ImgArenaBlock *next;
	/* payload follows, aligned for any type */
	union
	{
		long double ld;
		void	   *p;
		int64_t		i;
	}			payload[];
};

/* Sizes of the grids, in ImgTargetKind order */
static const int target_sizes[IMG_NUM_TARGETS][2] = {
	{32, 32},					/* phash */
	{9, 8},						/* dhash: 9 wide, 8 high */
	{8, 8},						/* ahash */
	{0, 0},						/* work image: sized by WorkImageSize */
	{8, 9}						/* dhash of the transposed image, transposed */
};

/* Create a job; NULL when out of memory */
ImgJob *
ImgJobCreate(void)
{
	return calloc(1, sizeof(ImgJob));
}

/* Free a job and everything it still holds, cached weights included */
void
ImgJobFree(ImgJob *job)
{
	int			i;

	if (job == NULL)
		return;
	ImgJobRelease(job);
	for (i = 0; i < IMG_AXIS_CACHE_SIZE; i++)
		ImgResampleAxisFree(job->axis_cache[i]);
	free(job);
}

/* Allocate size bytes owned by the job until ImgJobRelease; NULL on failure */
void *
ImgAlloc(ImgJob *job, size_t size)
{
	ImgArenaBlock *block;

	if (size > SIZE_MAX - sizeof(ImgArenaBlock))
		return NULL;
	block = malloc(sizeof(ImgArenaBlock) + size);
	if (block == NULL)
		return NULL;
	block->next = job->arena;
	job->arena = block;
	return block->payload;
}

/*
 * Mark the arena, and free what was allocated since a mark: a loop that
 * allocates scratch space per round keeps its memory bounded
 */
void *
ImgArenaMark(ImgJob *job)
{
	return job->arena;
}

void
ImgArenaRewind(ImgJob *job, void *mark)
{
	while (job->arena != NULL && job->arena != (ImgArenaBlock *) mark)
	{
		ImgArenaBlock *next = job->arena->next;

		free(job->arena);
		job->arena = next;
	}
}

/* Register the decoder library's object, to be destroyed with the job */
void
ImgJobSetDecoder(ImgJob *job, void *decoder, void (*destroy) (void *decoder))
{
	job->decoder = decoder;
	job->destroy_decoder = destroy;
}

/* Release the decoder object and every arena block */
void
ImgJobRelease(ImgJob *job)
{
	int			i;

	if (job->decoder != NULL && job->destroy_decoder != NULL)
		job->destroy_decoder(job->decoder);
	job->decoder = NULL;
	job->destroy_decoder = NULL;

	while (job->arena != NULL)
	{
		ImgArenaBlock *next = job->arena->next;

		free(job->arena);
		job->arena = next;
	}
	for (i = 0; i < IMG_NUM_TARGETS; i++)
		job->targets[i] = NULL;
	job->rows_pushed = 0;
	job->rows_expected = 0;

	/* keep the weights of common sizes only */
	for (i = 0; i < IMG_AXIS_CACHE_SIZE; i++)
	{
		if (job->axis_cache[i] != NULL &&
			job->axis_cache[i]->in_size > IMG_AXIS_CACHE_MAX_SIZE)
		{
			ImgResampleAxisFree(job->axis_cache[i]);
			job->axis_cache[i] = NULL;
		}
	}
}

/* Record an error message and return status, for "return ImgJobFail(...)" */
ImgStatus
ImgJobFail(ImgJob *job, ImgStatus status, const char *fmt,...)
{
	va_list		args;

	va_start(args, fmt);
	vsnprintf(job->message, sizeof(job->message), fmt, args);
	va_end(args);
	return status;
}

/* Return the message of the last failure ("" after success) */
const char *
ImgJobMessage(const ImgJob *job)
{
	return job->message;
}

/* Run the caller's interrupt check, which may longjmp out */
void
ImgJobCheckInterrupts(ImgJob *job)
{
	if (job->options.check_interrupts != NULL)
		job->options.check_interrupts(job->options.check_arg);
}

/*
 * Take the image size from the decoder's header parsing and refuse it if
 * over the pixel limit.  *want_pixels tells the decoder whether to decode
 * pixels at all (not when only the header info was asked for); if so, it
 * calls ImgJobStartRows next.
 */
ImgStatus
ImgJobStartPixels(ImgJob *job, uint32_t width, uint32_t height,
				  int *want_pixels)
{
	uint64_t	pixels = (uint64_t) width * height;

	job->info.width = width;
	job->info.height = height;
	*want_pixels = 0;

	if (width == 0 || height == 0)
		return ImgJobFail(job, IMG_ERR_CORRUPT,
						  "image has zero width or height");
	if (job->options.hashes == 0)
		return IMG_OK;			/* only the header was asked for */
	if (job->options.max_pixels != 0 && pixels > job->options.max_pixels)
		return ImgJobFail(job, IMG_ERR_TOO_LARGE,
						  "%llu pixels, over the limit of %llu",
						  (unsigned long long) pixels,
						  (unsigned long long) job->options.max_pixels);
	*want_pixels = 1;
	return IMG_OK;
}

/*
 * Size the work image: the picture's shape, at most IMG_WORK_SIDE pixels
 * on its long side (never enlarged).
 */
static void
WorkImageSize(uint32_t width, uint32_t height, int *out_w, int *out_h)
{
	uint32_t	side = width > height ? width : height;

	if (side <= IMG_WORK_SIDE)
	{
		*out_w = (int) width;
		*out_h = (int) height;
		return;
	}
	*out_w = (int) (((uint64_t) width * IMG_WORK_SIDE + side / 2) / side);
	*out_h = (int) (((uint64_t) height * IMG_WORK_SIDE + side / 2) / side);
	if (*out_w < 1)
		*out_w = 1;
	if (*out_h < 1)
		*out_h = 1;
}

/*
 * Set up the resamplers for the rows the decoder is about to push: the
 * image's size, or a smaller one when the decoder scales (fast mode).
 */
ImgStatus
ImgJobStartRows(ImgJob *job, uint32_t width, uint32_t height)
{
	int			i;

	job->rows_expected = height;
	for (i = 0; i < IMG_NUM_TARGETS; i++)
	{
		ImgStatus	status;
		int			out_w = target_sizes[i][0];
		int			out_h = target_sizes[i][1];

		if (!(job->options.hashes & (1u << i)))
			continue;
		if (i == IMG_TARGET_WORK)
			WorkImageSize(width, height, &out_w, &out_h);
		job->targets[i] = ImgAlloc(job, sizeof(ImgResampleTarget));
		if (job->targets[i] == NULL)
			return ImgJobFail(job, IMG_ERR_NO_MEMORY, "out of memory");
		status = ImgResampleTargetInit(job, job->targets[i],
									   (int) width, (int) height,
									   out_w, out_h);
		if (status != IMG_OK)
			return status;
	}
	return IMG_OK;
}

/*
 * Take the next gray row of the image (width bytes, readable up to
 * IMG_ROW_PADDING bytes further), top to bottom.
 */
void
ImgJobPushRow(ImgJob *job, const uint8_t *gray)
{
	int			i;

	for (i = 0; i < IMG_NUM_TARGETS; i++)
	{
		if (job->targets[i] != NULL)
			ImgResampleTargetPushRow(job->targets[i], job->rows_pushed, gray);
	}
	job->rows_pushed++;
	ImgJobCheckInterrupts(job);
}

/* Recognise a JPEG or PNG file from its first bytes */
ImgFormat
ImgDetectFormat(const unsigned char *data, size_t len)
{
	static const unsigned char png_signature[8] = {
		0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'
	};

	if (len >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff)
		return IMG_FORMAT_JPEG;
	if (len >= 8 && memcmp(data, png_signature, 8) == 0)
		return IMG_FORMAT_PNG;
	return IMG_FORMAT_UNKNOWN;
}

/* Name a format in lower case, as image_info() reports it */
const char *
ImgFormatName(ImgFormat format)
{
	switch (format)
	{
		case IMG_FORMAT_JPEG:
			return "jpeg";
		case IMG_FORMAT_PNG:
			return "png";
		case IMG_FORMAT_UNKNOWN:
			break;
	}
	return "unknown";
}

/*
 * Decode one image into the resampling targets that options->hashes asks
 * for (none: read the header only), leaving their grids finished and held
 * by the job until the next ImgJobRelease.  On failure, ImgJobMessage says
 * why.
 */
ImgStatus
ImgJobDecode(ImgJob *job, const unsigned char *data, size_t len,
			 const ImgOptions *options)
{
	ImgStatus	status;
	int			i;

	ImgJobRelease(job);
	job->image_count++;
	job->options = *options;
	job->message[0] = '\0';
	memset(&job->info, 0, sizeof(job->info));
	job->info.format = ImgDetectFormat(data, len);

	switch (job->info.format)
	{
		case IMG_FORMAT_JPEG:
			status = ImgDecodeJpeg(job, data, len);
			break;
		case IMG_FORMAT_PNG:
			status = ImgDecodePng(job, data, len);
			break;
		default:
			if (len == 0)
				status = ImgJobFail(job, IMG_ERR_UNRECOGNISED,
									"the data is empty");
			else
				status = ImgJobFail(job, IMG_ERR_UNRECOGNISED,
									"the data starts with bytes %02x %02x %02x %02x",
									data[0], len > 1 ? data[1] : 0,
									len > 2 ? data[2] : 0,
									len > 3 ? data[3] : 0);
			break;
	}

	if (status == IMG_OK && options->hashes != 0 &&
		job->rows_pushed != (int) job->rows_expected)
		status = ImgJobFail(job, IMG_ERR_CORRUPT,
							"decoder produced %d of %u rows",
							job->rows_pushed, job->rows_expected);

	if (status == IMG_OK)
	{
		for (i = 0; i < IMG_NUM_TARGETS; i++)
			if (job->targets[i] != NULL)
				ImgResampleTargetFinish(job->targets[i]);
	}
	return status;
}

/*
 * Decode one image and compute the hashes that options->hashes asks for
 * (none: read the header only, for the size).  On failure, ImgJobMessage
 * says why.  info and hashes may be NULL when not wanted.
 */
ImgStatus
ImgJobRun(ImgJob *job, const unsigned char *data, size_t len,
		  const ImgOptions *options, ImgInfo *info, ImgHashes *hashes)
{
	ImgStatus	status;
	ImgHashes	result = {0, 0, 0};

	status = ImgJobDecode(job, data, len, options);
	if (status == IMG_OK)
	{
		ImgResampleTarget **t = job->targets;

		if (t[IMG_TARGET_PHASH])
			result.phash = ImgPhashFromGrid(t[IMG_TARGET_PHASH]->grid);
		if (t[IMG_TARGET_DHASH])
			result.dhash = ImgDhashFromGrid(t[IMG_TARGET_DHASH]->grid);
		if (t[IMG_TARGET_AHASH])
			result.ahash = ImgAhashFromGrid(t[IMG_TARGET_AHASH]->grid);
	}

	if (info != NULL)
		*info = job->info;
	if (hashes != NULL)
		*hashes = result;
	ImgJobRelease(job);
	return status;
}
