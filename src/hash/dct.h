/*-------------------------------------------------------------------------
 *
 * dct.h
 *	  Unnormalised 2-D DCT-II of a 32x32 block, bitwise identical to
 *	  scipy.fftpack.dct(scipy.fftpack.dct(x, axis=0), axis=1) as computed by
 *	  Debian 12's scipy 1.10 (pocketfft) on x86-64.
 *
 *	  Plain C99 with no PostgreSQL dependencies, so that the command-line
 *	  loader can share it with the extension.
 *
 * src/hash/dct.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef IMG_DCT_H
#define IMG_DCT_H

/*
 * Compute dct(dct(in, axis=0), axis=1) of a row-major 32x32 block into out
 * (row-major, 1024 values).  in and out may be the same array.
 */
extern void ImgDct2d32(const double in[32 * 32], double out[32 * 32]);

/*
 * Compute only the top-left 8x8 block (row-major, 64 values) of the same
 * transform; each value is bitwise equal to the corresponding one of
 * ImgDct2d32.  in and out may overlap.
 */
extern void ImgDct2d32TopLeft8(const double in[32 * 32], double out[8 * 8]);

#endif							/* IMG_DCT_H */
