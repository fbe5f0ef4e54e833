/*-------------------------------------------------------------------------
 *
 * imghash_int.h
 *	  Internal interfaces of the image hashing core, shared by the job
 *	  driver (imghash.c), the decoders (decode_jpeg.c, decode_png.c), the
 *	  resampler (resample.c) and the hash bit derivation (hashbits.c).
 *
 * A decoder reads the header, reports the size with ImgJobStartPixels, and
 * then hands over the image one 8-bit gray row at a time, top to bottom,
 * through ImgJobPushRow.  Rows flow straight into the resampler, which
 * keeps only per-target accumulators, so the full image is never stored
 * (except for interlaced PNGs, whose rows arrive in several passes).
 *
 * Everything the core allocates while decoding is either an arena block
 * (ImgAlloc) or the decoder's library object registered with
 * ImgJobSetDecoder; ImgJobRelease frees both, whatever state the decode
 * was left in.
 *
 * src/hash/imghash_int.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef IMGHASH_INT_H
#define IMGHASH_INT_H

#include "imghash.h"

#define IMG_MESSAGE_SIZE	256

/* Largest hash grid: phash resizes to 32x32 */
#define IMG_GRID_MAX	32

/*
 * Bytes past the end of every gray row that the resampler may read (they
 * meet zero weights): decoders allocate rows this much longer and zero the
 * extra bytes (so that no uninitialised byte is ever read).
 */
#define IMG_ROW_PADDING 16

/*
 * Fixed-point weights of one resampling pass (one axis of one target),
 * computed once per (in_size, out_size) and cached in the job.  Besides
 * Pillow's 32-bit weights, each is split as hi * 256 + lo with 0 <= lo <
 * 256, both fitting in 16 bits, so that the horizontal pass can use
 * SSE2's 16-bit multiply-add and still sum exactly.
 */
typedef struct ImgResampleAxis
{
	int			in_size;
	int			out_size;
	int			ksize;			/* weights stored per output sample */
	int			kstride;		/* ksize rounded up to 8, for the split ones */
	int		   *bounds;			/* per output: first input index, count */
	int32_t    *coeffs;			/* out_size * ksize, fixed point */
	int16_t    *coeffs_hi;		/* out_size * kstride, coeffs >> 8 */
	int16_t    *coeffs_lo;		/* out_size * kstride, coeffs & 255 */
	uint64_t	last_used;		/* the job's image_count when last used */
} ImgResampleAxis;

/* Resizing the gray image to one hash grid (or the work image), row by row */
typedef struct ImgResampleTarget
{
	int			out_w;
	int			out_h;
	const ImgResampleAxis *horiz;	/* NULL when the width is right */
	const ImgResampleAxis *vert;	/* NULL when the height is right */
	uint8_t    *hrow;			/* horizontal pass result of the current row */
	int32_t    *acc;			/* vertical pass accumulators, out_w * out_h */
	uint8_t    *grid;			/* the result, out_w * out_h, row-major */
} ImgResampleTarget;

/* Weights kept across images: two axes of the targets, for a few sizes */
#define IMG_AXIS_CACHE_SIZE 16

/*
 * Weights for longer sides (about 40 bytes per input pixel) are not kept
 * after the image that needed them.
 */
#define IMG_AXIS_CACHE_MAX_SIZE 8192

typedef enum ImgTargetKind
{
	IMG_TARGET_PHASH = 0,		/* 32 x 32 */
	IMG_TARGET_DHASH,			/* 9 wide x 8 high */
	IMG_TARGET_AHASH,			/* 8 x 8 */
	IMG_TARGET_WORK,			/* the image at most IMG_WORK_SIDE a side */
	IMG_TARGET_DHASH_TALL,		/* 8 wide x 9 high: dhash of the transpose */
	IMG_NUM_TARGETS
} ImgTargetKind;

/*
 * ImgOptions.hashes bit asking for the work image: the whole picture
 * resized (Lanczos, keeping its shape) to at most IMG_WORK_SIDE pixels on
 * its long side, from which variants.c derives crops, frames and tilts.
 * Only a hash grid's low frequencies matter, so this is plenty.
 */
#define IMG_HASH_WORK	0x08
#define IMG_WORK_SIDE	96

/* ImgOptions.hashes bit asking for the 8 x 9 grid (variants of dhash) */
#define IMG_HASH_DHASH_TALL 0x10

typedef struct ImgArenaBlock ImgArenaBlock;

struct ImgJob
{
	ImgOptions	options;
	ImgInfo		info;
	char		message[IMG_MESSAGE_SIZE];

	/* arena: every block allocated for the current image */
	ImgArenaBlock *arena;

	/* the decoder's library object, destroyed by ImgJobRelease */
	void	   *decoder;
	void		(*destroy_decoder) (void *decoder);

	/* the gray image flowing into the resampler */
	uint32_t	rows_expected;	/* rows the decoder will push */
	int			rows_pushed;
	ImgResampleTarget *targets[IMG_NUM_TARGETS];	/* NULL when not wanted */

	/* resampling weights, kept across images (freed by ImgJobFree) */
	ImgResampleAxis *axis_cache[IMG_AXIS_CACHE_SIZE];
	uint64_t	image_count;	/* images started, to find unused weights */
};

/* imghash.c */
extern void *ImgAlloc(ImgJob *job, size_t size);
/* Free the arena blocks allocated since ImgArenaMark returned mark */
extern void *ImgArenaMark(ImgJob *job);
extern void ImgArenaRewind(ImgJob *job, void *mark);
extern void ImgJobSetDecoder(ImgJob *job, void *decoder,
							 void (*destroy) (void *decoder));
extern ImgStatus ImgJobFail(ImgJob *job, ImgStatus status,
							const char *fmt,...)
			__attribute__((format(printf, 3, 4)));
extern ImgStatus ImgJobStartPixels(ImgJob *job, uint32_t width,
								   uint32_t height, int *want_pixels);
extern ImgStatus ImgJobStartRows(ImgJob *job, uint32_t width,
								 uint32_t height);
extern void ImgJobPushRow(ImgJob *job, const uint8_t *gray);
extern void ImgJobCheckInterrupts(ImgJob *job);
extern ImgStatus ImgJobDecode(ImgJob *job, const unsigned char *data,
							  size_t len, const ImgOptions *options);

/* Pillow's RGB to L conversion (ITU-R 601-2 luma, 16-bit fixed point) */
static inline uint8_t
ImgRgbToGray(unsigned r, unsigned g, unsigned b)
{
	return (uint8_t) ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);
}

/* gray.c */
extern void ImgRgbxRowToGray(const uint8_t *rgbx, uint8_t *gray, uint32_t count);

/* decode_jpeg.c, decode_png.c */
extern ImgStatus ImgDecodeJpeg(ImgJob *job, const unsigned char *data,
							   size_t len);
extern ImgStatus ImgDecodePng(ImgJob *job, const unsigned char *data,
							  size_t len);

/* resample.c */
extern ImgStatus ImgResampleTargetInit(ImgJob *job, ImgResampleTarget *target,
									   int in_w, int in_h,
									   int out_w, int out_h);
extern void ImgResampleAxisFree(ImgResampleAxis *axis);
extern void ImgResampleTargetPushRow(ImgResampleTarget *target, int y,
									 const uint8_t *gray);
extern void ImgResampleTargetFinish(ImgResampleTarget *target);

/* hashbits.c */
extern uint64_t ImgPhashFromGrid(const uint8_t grid[32 * 32]);
extern uint64_t ImgPhashFromCoefficients(const double low[8 * 8]);
extern uint64_t ImgDhashFromGrid(const uint8_t grid[8 * 9]);
extern uint64_t ImgAhashFromGrid(const uint8_t grid[8 * 8]);

/*
 * variants.c: one row of the variant table.  A shape says which part of
 * the picture a copy shows (all of it, a crop, a frame, a tilt); each
 * orientation bit asks for that shape seen through one of the 8 symmetries
 * of the square (IMG_ORIENT_*: bit 0 as it is, then mirror, flip, ...).
 */
typedef enum ImgVariantShape
{
	IMG_SHAPE_WHOLE,			/* the whole picture, exact grids */
	IMG_SHAPE_CROP,				/* cut[] fractions off left, right, top, bottom */
	IMG_SHAPE_SQUARE,			/* the centre square (side: the short side) */
	IMG_SHAPE_BORDER,			/* padded to a square with black, centred */
	IMG_SHAPE_TILT_CROP,		/* turned by angle, cut to the largest
								 * rectangle of the same shape inside */
	IMG_SHAPE_TILT_CANVAS		/* turned by angle on a canvas widened to
								 * hold it, filled with the border's colour */
} ImgVariantShape;

#define IMG_NUM_ORIENTATIONS 8

typedef struct ImgVariantSpec
{
	ImgVariantShape shape;
	float		cut[4];			/* IMG_SHAPE_CROP: left, right, top, bottom */
	float		angle;			/* IMG_SHAPE_TILT_*: degrees, counter-clockwise */
	unsigned	orientations;	/* bit o: emit orientation o */
	unsigned	family;			/* IMG_FAMILY_* of the variants */
	int			phash_radius;
	int			dhash_radius;	/* -1: no check */
	int			fill;			/* IMG_SHAPE_TILT_CANVAS: an IMG_FILL_* */
} ImgVariantSpec;

/* What a tilt on a widened canvas fills the corners with */
#define IMG_FILL_EDGE	0		/* the mean of the picture's edge pixels */
#define IMG_FILL_BLACK	1
#define IMG_FILL_WHITE	2
#define IMG_FILL_GRAY	3		/* mid-grey, 128 */

extern ImgStatus ImgJobVariantsFromSpecs(ImgJob *job,
										 const unsigned char *data,
										 size_t len,
										 const ImgOptions *options,
										 const ImgVariantSpec *specs,
										 int nspecs, ImgInfo *info,
										 ImgVariant *variants, int max,
										 int *count);

#endif							/* IMGHASH_INT_H */
