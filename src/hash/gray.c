/*-------------------------------------------------------------------------
 *
 * gray.c
 *	  Convert rows of RGB pixels to gray with Pillow's "L" formula,
 *	  L = (19595 R + 38470 G + 7471 B + 0x8000) >> 16, fast.
 *
 * The conversion runs once per pixel of every image, so it is worth SSE2
 * (part of every x86-64 CPU, so no run-time dispatch is needed); other
 * CPUs use the scalar formula.  Input pixels are 4 bytes apart (R, G, B
 * and one ignored byte), the layout libjpeg-turbo writes for JCS_EXT_RGBX
 * and libpng for RGBA.
 *
 * src/hash/gray.c
 *
 *-------------------------------------------------------------------------
 */
#include "imghash_int.h"

#ifdef __SSE2__
#include <emmintrin.h>

/*
 * Convert two pixels (widened to eight 16-bit values) with multiply-adds.  38470 does not
 * fit in a signed 16-bit weight, so G is weighted by 38470 - 65536 and
 * G << 16 is added back: the sum is exact in 32 bits.
 */
static inline __m128i
RgbxPairToGray(__m128i pixels16, __m128i weights, __m128i green_mask,
			   __m128i rounding)
{
	/* 32-bit lanes: R*19595 - G*27066, B*7471 + X*0, per pixel */
	__m128i		sums = _mm_madd_epi16(pixels16, weights);
	/* G << 16 sits in the high half of the first lane of each pixel */
	__m128i		green = _mm_and_si128(pixels16, green_mask);
	__m128i		odd;

	sums = _mm_add_epi32(sums, green);
	/* add the two lanes of each pixel: lanes 0+1 and 2+3 */
	odd = _mm_shuffle_epi32(sums, _MM_SHUFFLE(3, 3, 1, 1));
	sums = _mm_add_epi32(sums, odd);
	sums = _mm_add_epi32(sums, rounding);
	return _mm_srli_epi32(sums, 16);	/* gray in lanes 0 and 2 */
}
#endif

/* Convert count RGBX pixels (4 bytes each) to gray bytes */
void
ImgRgbxRowToGray(const uint8_t *rgbx, uint8_t *gray, uint32_t count)
{
	uint32_t	x = 0;

#ifdef __SSE2__
	const __m128i weights = _mm_setr_epi16(19595, 38470 - 65536, 7471, 0,
										   19595, 38470 - 65536, 7471, 0);
	const __m128i green_mask = _mm_setr_epi32(-65536, 0, -65536, 0);
	const __m128i rounding = _mm_set1_epi32(0x8000);
	const __m128i zero = _mm_setzero_si128();

	for (; x + 8 <= count; x += 8)
	{
		__m128i		a = _mm_loadu_si128((const __m128i *) (rgbx + 4 * x));
		__m128i		b = _mm_loadu_si128((const __m128i *) (rgbx + 4 * x + 16));
		/* pixels 0,1 | 2,3 | 4,5 | 6,7, each value widened to 16 bits */
		__m128i		g01 = RgbxPairToGray(_mm_unpacklo_epi8(a, zero), weights, green_mask, rounding);
		__m128i		g23 = RgbxPairToGray(_mm_unpackhi_epi8(a, zero), weights, green_mask, rounding);
		__m128i		g45 = RgbxPairToGray(_mm_unpacklo_epi8(b, zero), weights, green_mask, rounding);
		__m128i		g67 = RgbxPairToGray(_mm_unpackhi_epi8(b, zero), weights, green_mask, rounding);
		/* gather lanes 0 and 2 of each: (g0, g1, g2, g3) as 32-bit lanes */
		__m128i		lo = _mm_unpacklo_epi64(_mm_shuffle_epi32(g01, _MM_SHUFFLE(3, 1, 2, 0)),
											_mm_shuffle_epi32(g23, _MM_SHUFFLE(3, 1, 2, 0)));
		__m128i		hi = _mm_unpacklo_epi64(_mm_shuffle_epi32(g45, _MM_SHUFFLE(3, 1, 2, 0)),
											_mm_shuffle_epi32(g67, _MM_SHUFFLE(3, 1, 2, 0)));
		/* values are 0..255: pack 32 -> 16 -> 8 bits without saturation effects */
		__m128i		packed16 = _mm_packs_epi32(lo, hi);
		__m128i		packed8 = _mm_packus_epi16(packed16, packed16);

		_mm_storel_epi64((__m128i *) (gray + x), packed8);
	}
#endif
	for (; x < count; x++)
		gray[x] = ImgRgbToGray(rgbx[4 * x], rgbx[4 * x + 1], rgbx[4 * x + 2]);
}
