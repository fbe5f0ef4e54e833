/*-------------------------------------------------------------------------
 *
 * resample.c
 *	  Resize an 8-bit gray image to a hash grid exactly as Pillow's
 *	  Image.resize(size, LANCZOS) does, fed one row at a time.
 *
 * Pillow resizes in two separable passes, horizontal first, each skipped
 * when that side already has the target size.  Per output sample it
 * computes Lanczos-3 weights in double precision over the input samples
 * around the sample's centre, normalises them to sum 1, turns them into
 * 22-bit fixed point, and each pass rounds and clips to 0..255, so the
 * intermediate image is 8-bit too.  We reproduce every one of those steps
 * in the same order, so the grid is bit-identical to Pillow's.
 *
 * The only liberty taken is the order of work: instead of storing the
 * horizontally resized image and then running the vertical pass, each
 * horizontally resized row is added straight into the integer accumulators
 * of the output rows whose window contains it.  Integer sums do not depend
 * on their order, so the result is the same while memory stays at a few
 * kilobytes whatever the image height.
 *
 * src/hash/resample.c
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "imghash_int.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* Pillow's fixed point: 32 bits minus 8 for the value and 2 for overflow */
#define PRECISION_BITS	(32 - 8 - 2)

#define LANCZOS_SUPPORT 3.0

/* Compute sin(pi x) / (pi x), as Pillow's sinc_filter does */
static double
SincFilter(double x)
{
	if (x == 0.0)
		return 1.0;
	x = x * M_PI;
	return sin(x) / x;
}

/* Compute the Lanczos-3 window, as Pillow's lanczos_filter does */
static double
LanczosFilter(double x)
{
	if (-3.0 <= x && x < 3.0)
		return SincFilter(x) * SincFilter(x / 3);
	return 0.0;
}

/* Clip a fixed-point accumulator to 0..255 */
static inline uint8_t
ClipFixed(int64_t value)
{
	if (value <= 0)
		return 0;
	if (value >= ((int64_t) 255 << PRECISION_BITS))
		return 255;
	return (uint8_t) (value >> PRECISION_BITS);
}

/* Free a cached axis */
void
ImgResampleAxisFree(ImgResampleAxis *axis)
{
	if (axis == NULL)
		return;
	free(axis->bounds);
	free(axis->coeffs);
	free(axis->coeffs_hi);
	free(axis->coeffs_lo);
	free(axis);
}

/*
 * Compute the fixed-point weights of one pass from in_size to out_size
 * samples (Pillow's precompute_coeffs followed by normalize_coeffs_8bpc).
 * NULL when out of memory.
 */
static ImgResampleAxis *
ResampleAxisCompute(int in_size, int out_size)
{
	ImgResampleAxis *axis = calloc(1, sizeof(ImgResampleAxis));
	double		scale;
	double		filterscale;
	double		support;
	double	   *weights;
	size_t		total;
	int			ksize;
	int			xx;

	if (axis == NULL)
		return NULL;

	/* Pillow computes in1 - in0 in single precision, in0 being 0 */
	scale = (double) ((float) in_size - 0.0f) / out_size;
	filterscale = scale < 1.0 ? 1.0 : scale;
	support = LANCZOS_SUPPORT * filterscale;
	ksize = (int) ceil(support) * 2 + 1;
	total = (size_t) ksize * out_size;
	axis->kstride = (ksize + 7) & ~7;

	axis->in_size = in_size;
	axis->out_size = out_size;
	axis->ksize = ksize;
	axis->bounds = malloc(sizeof(int) * 2 * out_size);
	axis->coeffs = malloc(sizeof(int32_t) * total);
	weights = malloc(sizeof(double) * ksize);
	if (axis->bounds == NULL || axis->coeffs == NULL || weights == NULL)
	{
		free(weights);
		ImgResampleAxisFree(axis);
		return NULL;
	}

	for (xx = 0; xx < out_size; xx++)
	{
		double		center = 0.0f + (xx + 0.5) * scale;
		double		ss = 1.0 / filterscale;
		double		ww = 0.0;
		int32_t    *k = &axis->coeffs[(size_t) xx * ksize];
		int			xmin;
		int			xmax;
		int			x;

		xmin = (int) (center - support + 0.5);
		if (xmin < 0)
			xmin = 0;
		xmax = (int) (center + support + 0.5);
		if (xmax > in_size)
			xmax = in_size;
		xmax -= xmin;

		for (x = 0; x < xmax; x++)
		{
			double		w = LanczosFilter((x + xmin - center + 0.5) * ss);

			weights[x] = w;
			ww += w;
		}
		for (x = 0; x < xmax; x++)
		{
			if (ww != 0.0)
				weights[x] /= ww;
		}
		for (x = 0; x < xmax; x++)
		{
			if (weights[x] < 0)
				k[x] = (int32_t) (-0.5 + weights[x] * (1 << PRECISION_BITS));
			else
				k[x] = (int32_t) (0.5 + weights[x] * (1 << PRECISION_BITS));
		}
		for (; x < ksize; x++)
			k[x] = 0;
		axis->bounds[xx * 2] = xmin;
		axis->bounds[xx * 2 + 1] = xmax;
	}
	free(weights);
	return axis;
}

/*
 * Split the weights for the SSE2 horizontal pass (only horizontal axes
 * need them): k = hi * 256 + lo, lo in 0..255; |k| < 2^23, so |hi| < 2^15.
 * Rows of the split arrays are zero-padded to a multiple of 8.  Returns
 * false when out of memory.
 */
static bool
ResampleAxisSplit(ImgResampleAxis *axis)
{
	size_t		total = (size_t) axis->kstride * axis->out_size;
	int			xx;

	if (axis->coeffs_hi != NULL)
		return true;
	axis->coeffs_hi = calloc(total, sizeof(int16_t));
	axis->coeffs_lo = calloc(total, sizeof(int16_t));
	if (axis->coeffs_hi == NULL || axis->coeffs_lo == NULL)
	{
		free(axis->coeffs_hi);
		free(axis->coeffs_lo);
		axis->coeffs_hi = axis->coeffs_lo = NULL;
		return false;
	}
	for (xx = 0; xx < axis->out_size; xx++)
	{
		const int32_t *k = &axis->coeffs[(size_t) xx * axis->ksize];
		int16_t    *hi = &axis->coeffs_hi[(size_t) xx * axis->kstride];
		int16_t    *lo = &axis->coeffs_lo[(size_t) xx * axis->kstride];
		int			x;

		for (x = 0; x < axis->ksize; x++)
		{
			hi[x] = (int16_t) (k[x] >> 8);
			lo[x] = (int16_t) (k[x] & 255);
		}
	}
	return true;
}

/*
 * Find the weights for in_size -> out_size in the job's cache, or compute
 * them into an empty slot or else the least recently used one.  One image
 * uses at most six axes and the cache has twice that many slots, so the
 * slot replaced is never one the current image uses (those carry the
 * current image_count).
 */
static ImgResampleAxis *
ResampleAxisGet(ImgJob *job, int in_size, int out_size)
{
	ImgResampleAxis *axis;
	int			victim = -1;
	int			i;

	for (i = 0; i < IMG_AXIS_CACHE_SIZE; i++)
	{
		axis = job->axis_cache[i];
		if (axis == NULL)
		{
			if (victim < 0 || job->axis_cache[victim] != NULL)
				victim = i;
			continue;
		}
		if (axis->in_size == in_size && axis->out_size == out_size)
		{
			axis->last_used = job->image_count;
			return axis;
		}
		if (victim < 0 || (job->axis_cache[victim] != NULL &&
						   axis->last_used < job->axis_cache[victim]->last_used))
			victim = i;
	}

	axis = ResampleAxisCompute(in_size, out_size);
	if (axis == NULL)
		return NULL;
	axis->last_used = job->image_count;
	ImgResampleAxisFree(job->axis_cache[victim]);
	job->axis_cache[victim] = axis;
	return axis;
}

/* Prepare to resize an in_w x in_h gray image to out_w x out_h */
ImgStatus
ImgResampleTargetInit(ImgJob *job, ImgResampleTarget *target,
					  int in_w, int in_h, int out_w, int out_h)
{
	int			i;

	memset(target, 0, sizeof(*target));
	target->out_w = out_w;
	target->out_h = out_h;
	target->grid = ImgAlloc(job, (size_t) out_w * out_h);
	if (target->grid == NULL)
		return ImgJobFail(job, IMG_ERR_NO_MEMORY, "out of memory");

	if (in_w != out_w)
	{
		ImgResampleAxis *horiz = ResampleAxisGet(job, in_w, out_w);

		target->horiz = horiz;
		target->hrow = ImgAlloc(job, out_w);
		if (horiz == NULL || target->hrow == NULL
#ifdef __SSE2__
			|| !ResampleAxisSplit(horiz)
#endif
			)
			return ImgJobFail(job, IMG_ERR_NO_MEMORY,
							  "out of memory for resampling weights");
	}
	if (in_h != out_h)
	{
		target->vert = ResampleAxisGet(job, in_h, out_h);
		target->acc = ImgAlloc(job, sizeof(int32_t) * out_w * out_h);
		if (target->vert == NULL || target->acc == NULL)
			return ImgJobFail(job, IMG_ERR_NO_MEMORY,
							  "out of memory for resampling weights");
		for (i = 0; i < out_w * out_h; i++)
			target->acc[i] = 1 << (PRECISION_BITS - 1);
	}
	return IMG_OK;
}

#ifdef __SSE2__
/*
 * Weigh count pixels (the row may be read up to 7 bytes past them, where
 * the zero-padded weights are zero) and return the sum of pixel * weight,
 * computed as (sum of pixel * hi) * 256 + sum of pixel * lo with 16-bit
 * multiply-adds (each product of a pixel and a 16-bit half fits).  The
 * 32-bit lanes wrap around, so the result is exact modulo 2^32 whatever
 * the partial sums do, and the total itself fits in 32 bits: Pillow
 * computes it in a 32-bit int too.
 */
static inline int32_t
WeighPixelsSse2(const uint8_t *src, const int16_t *hi, const int16_t *lo,
				int count)
{
	__m128i		zero = _mm_setzero_si128();
	__m128i		sum_hi = _mm_setzero_si128();
	__m128i		sum_lo = _mm_setzero_si128();
	__m128i		sum;
	int			x;

	for (x = 0; x < count; x += 8)
	{
		__m128i		pixels = _mm_unpacklo_epi8(_mm_loadl_epi64((const __m128i *) (src + x)), zero);

		sum_hi = _mm_add_epi32(sum_hi, _mm_madd_epi16(pixels, _mm_loadu_si128((const __m128i *) (hi + x))));
		sum_lo = _mm_add_epi32(sum_lo, _mm_madd_epi16(pixels, _mm_loadu_si128((const __m128i *) (lo + x))));
	}
	sum = _mm_add_epi32(_mm_slli_epi32(sum_hi, 8), sum_lo);
	sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, _MM_SHUFFLE(1, 0, 3, 2)));
	sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, _MM_SHUFFLE(2, 3, 0, 1)));
	return _mm_cvtsi128_si32(sum);
}
#endif

/* Run the horizontal pass over one gray row (Pillow's ResampleHorizontal) */
static void
ResampleRowHorizontal(const ImgResampleAxis *axis, const uint8_t *in,
					  uint8_t *out)
{
	int			xx;

	for (xx = 0; xx < axis->out_size; xx++)
	{
		const uint8_t *src = in + axis->bounds[xx * 2];
		int			count = axis->bounds[xx * 2 + 1];
		int64_t		sum = 1 << (PRECISION_BITS - 1);

#ifdef __SSE2__
		size_t		first = (size_t) xx * axis->kstride;

		sum += WeighPixelsSse2(src, axis->coeffs_hi + first,
							   axis->coeffs_lo + first, count);
#else
		const int32_t *k = axis->coeffs + (size_t) xx * axis->ksize;
		int			x;

		for (x = 0; x < count; x++)
			sum += (int64_t) src[x] * k[x];
#endif
		out[xx] = ClipFixed(sum);
	}
}

/*
 * Take input row y (rows arrive in order, each exactly once; the row must
 * be readable IMG_ROW_PADDING bytes past its end): resize it horizontally
 * and add it to every output row whose window covers it.
 */
void
ImgResampleTargetPushRow(ImgResampleTarget *target, int y,
						 const uint8_t *gray)
{
	const uint8_t *row = gray;
	const ImgResampleAxis *vert = target->vert;
	int			yy;

	if (vert == NULL)
	{
		/* the output row is the horizontally resized input row */
		if (target->horiz != NULL)
			ResampleRowHorizontal(target->horiz, gray,
								  &target->grid[y * target->out_w]);
		else
			memcpy(&target->grid[y * target->out_w], gray, target->out_w);
		return;
	}

	/* skip rows outside every output window (Pillow never resizes those) */
	if (y < vert->bounds[0] ||
		y >= vert->bounds[(vert->out_size - 1) * 2] +
		vert->bounds[(vert->out_size - 1) * 2 + 1])
		return;

	if (target->horiz != NULL)
	{
		ResampleRowHorizontal(target->horiz, gray, target->hrow);
		row = target->hrow;
	}

	for (yy = 0; yy < vert->out_size; yy++)
	{
		int			ymin = vert->bounds[yy * 2];
		int			count = vert->bounds[yy * 2 + 1];
		int32_t		k;
		int32_t    *acc;
		int			xx;

		if (y < ymin)
			break;				/* windows only move down */
		if (y >= ymin + count)
			continue;
		k = vert->coeffs[(size_t) yy * vert->ksize + (y - ymin)];
		acc = &target->acc[yy * target->out_w];
		for (xx = 0; xx < target->out_w; xx++)
			acc[xx] += (int32_t) row[xx] * k;
	}
}

/* Round and clip the vertical accumulators into the grid */
void
ImgResampleTargetFinish(ImgResampleTarget *target)
{
	int			i;

	if (target->vert == NULL)
		return;
	for (i = 0; i < target->out_w * target->out_h; i++)
		target->grid[i] = ClipFixed(target->acc[i]);
}
