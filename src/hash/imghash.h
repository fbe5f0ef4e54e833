/*-------------------------------------------------------------------------
 *
 * imghash.h
 *	  The image hashing core: decode a JPEG or PNG held in memory and compute
 *	  the ImageHash-compatible perceptual hashes (phash, dhash, ahash).
 *
 * This header and the files behind it are plain C with no PostgreSQL
 * headers, so that the extension and the img2pgsql loader compile the same
 * code.  The core never exits the process and never longjmps past its
 * caller on its own: every decoder error comes back as an ImgStatus with a
 * message.  The one exception is the interrupt callback supplied by the
 * caller, which may longjmp out (PostgreSQL's CHECK_FOR_INTERRUPTS does);
 * all memory the core holds at that moment hangs off the ImgJob, so the
 * caller releases it with ImgJobRelease (keeping the job, and the weights it
 * caches, for the next image) or ImgJobFree.  A job is not thread-safe:
 * use one per thread.
 *
 * src/hash/imghash.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef IMGHASH_H
#define IMGHASH_H

#include <stddef.h>
#include <stdint.h>

typedef enum ImgFormat
{
	IMG_FORMAT_UNKNOWN = 0,
	IMG_FORMAT_JPEG,
	IMG_FORMAT_PNG
} ImgFormat;

typedef enum ImgStatus
{
	IMG_OK = 0,
	IMG_ERR_UNRECOGNISED,		/* neither JPEG nor PNG */
	IMG_ERR_TRUNCATED,			/* data ends before the image does */
	IMG_ERR_CORRUPT,			/* recognised format, invalid contents */
	IMG_ERR_UNSUPPORTED,		/* valid, but a variant we cannot decode */
	IMG_ERR_TOO_LARGE,			/* over the pixel limit or a size limit */
	IMG_ERR_NO_MEMORY
} ImgStatus;

/* Which hashes to compute (bit mask for ImgOptions.hashes) */
#define IMG_HASH_PHASH	0x01
#define IMG_HASH_DHASH	0x02
#define IMG_HASH_AHASH	0x04
#define IMG_HASH_ALL	(IMG_HASH_PHASH | IMG_HASH_DHASH | IMG_HASH_AHASH)

/*
 * Callback run regularly during decoding (about once per decoded row).  It
 * may return normally or longjmp out; see the file header.
 */
typedef void (*ImgInterruptCheck) (void *arg);

typedef struct ImgOptions
{
	unsigned	hashes;			/* IMG_HASH_* bits; 0 reads the header only */
	uint64_t	max_pixels;		/* refuse width * height above this; 0 = none */
	ImgInterruptCheck check_interrupts; /* may be NULL */
	void	   *check_arg;
	int			fast;			/* decode JPEGs at reduced size: faster,
								 * but not ImageHash's exact hashes */
} ImgOptions;

typedef struct ImgInfo
{
	ImgFormat	format;
	uint32_t	width;
	uint32_t	height;
} ImgInfo;

typedef struct ImgHashes
{
	uint64_t	phash;
	uint64_t	dhash;
	uint64_t	ahash;
} ImgHashes;

/* All the state of decoding one image; reusable for many images. */
typedef struct ImgJob ImgJob;

extern ImgJob *ImgJobCreate(void);
extern void ImgJobFree(ImgJob *job);
extern void ImgJobRelease(ImgJob *job);
extern ImgStatus ImgJobRun(ImgJob *job, const unsigned char *data,
						   size_t len, const ImgOptions *options,
						   ImgInfo *info, ImgHashes *hashes);
extern const char *ImgJobMessage(const ImgJob *job);

/*
 * Robust search (variants.c): altered versions of the query picture, each
 * hashed as the copy a dataset might hold, with the search radii that
 * version calls for.  The families (bit mask):
 */
#define IMG_FAMILY_WHOLE	0x01	/* the picture itself: phash() exactly */
#define IMG_FAMILY_FLIP		0x02	/* mirrored, rotated by 90/180/270, transposed */
#define IMG_FAMILY_CROP		0x04	/* up to a fifth cut off edges and corners */
#define IMG_FAMILY_FRAME	0x08	/* the centre square, a black border */
#define IMG_FAMILY_TILT		0x10	/* rotated by a few degrees */
#define IMG_FAMILY_ALL		0x1f

#define IMG_VARIANT_NAME_SIZE 64
#define IMG_MAX_VARIANTS	256

typedef struct ImgVariant
{
	char		name[IMG_VARIANT_NAME_SIZE];	/* "mirror", "crop 10% left" */
	unsigned	family;			/* one IMG_FAMILY_* bit */
	uint64_t	phash;			/* phash of the altered picture */
	uint64_t	dhash;			/* dhash of the altered picture */
	int			phash_radius;	/* search radius around phash */
	int			dhash_radius;	/* radius of the dhash check; -1: none */
	int			spec;			/* the ImgVariantSpec it comes from */
	int			orientation;	/* its orientation, 0..7 (imghash_int.h) */
} ImgVariant;

/*
 * Decode one image and fill variants (room for IMG_MAX_VARIANTS) with the
 * variants of the families asked for, in a fixed order; *count says how
 * many.  radius_shift is added to every phash radius (clamped to 0..64).
 */
extern ImgStatus ImgJobVariants(ImgJob *job, const unsigned char *data,
								size_t len, const ImgOptions *options,
								unsigned families, int radius_shift,
								ImgInfo *info, ImgVariant *variants,
								int *count);

extern ImgFormat ImgDetectFormat(const unsigned char *data, size_t len);
extern const char *ImgFormatName(ImgFormat format);

#endif							/* IMGHASH_H */
