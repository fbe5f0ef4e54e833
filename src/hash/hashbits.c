/*-------------------------------------------------------------------------
 *
 * hashbits.c
 *	  Derive the 64 bits of phash, dhash and ahash from resized gray grids,
 *	  as Python ImageHash 4.x does.
 *
 * Each hash is a row-major 8x8 array of booleans; ImageHash prints it as a
 * binary number whose most significant bit is element [0][0], which is the
 * order we build here, so the 64-bit value prints as ImageHash's hex text.
 *
 * src/hash/hashbits.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>

#include "dct.h"
#include "imghash_int.h"

/* Order doubles for qsort */
static int
CompareDoubles(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return (x > y) - (x < y);
}

/*
 * Compute phash: the 2-D DCT-II of the 32x32 grid (scipy.fftpack's
 * unnormalised variant), keep the top-left 8x8 coefficients, and set a bit
 * for each coefficient above their median (numpy's median of an even count:
 * the mean of the two middle values).
 */
uint64_t
ImgPhashFromGrid(const uint8_t grid[32 * 32])
{
	double		pixels[32 * 32];
	double		low[64];
	int			i;

	for (i = 0; i < 32 * 32; i++)
		pixels[i] = grid[i];
	ImgDct2d32TopLeft8(pixels, low);
	return ImgPhashFromCoefficients(low);
}

/*
 * Set a bit for each of the 64 low DCT coefficients (row-major, [0][0]
 * first and most significant) that is above their median.
 */
uint64_t
ImgPhashFromCoefficients(const double low[8 * 8])
{
	double		sorted[64];
	double		median;
	uint64_t	bits = 0;
	int			i;

	for (i = 0; i < 64; i++)
		sorted[i] = low[i];
	qsort(sorted, 64, sizeof(double), CompareDoubles);
	median = (sorted[31] + sorted[32]) / 2;

	for (i = 0; i < 64; i++)
		bits = (bits << 1) | (low[i] > median);
	return bits;
}

/*
 * Compute dhash: over a grid 9 wide and 8 high, a bit for each pixel that
 * is brighter than its left neighbour.
 */
uint64_t
ImgDhashFromGrid(const uint8_t grid[8 * 9])
{
	uint64_t	bits = 0;
	int			row;
	int			col;

	for (row = 0; row < 8; row++)
		for (col = 0; col < 8; col++)
			bits = (bits << 1) |
				(grid[row * 9 + col + 1] > grid[row * 9 + col]);
	return bits;
}

/*
 * Compute ahash: a bit for each pixel of the 8x8 grid above the mean of all
 * 64 (a double, as numpy's mean is).
 */
uint64_t
ImgAhashFromGrid(const uint8_t grid[8 * 8])
{
	double		mean;
	unsigned	sum = 0;
	uint64_t	bits = 0;
	int			i;

	for (i = 0; i < 64; i++)
		sum += grid[i];
	mean = sum / 64.0;
	for (i = 0; i < 64; i++)
		bits = (bits << 1) | (grid[i] > mean);
	return bits;
}
