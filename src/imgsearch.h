/*-------------------------------------------------------------------------
 *
 * imgsearch.h
 *	  Declarations shared by the PostgreSQL side of imgsearch: the phash
 *	  datum, the hamming_ball type, the Hamming distance kernel and the
 *	  settings.
 *
 * src/imgsearch.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef IMGSEARCH_H
#define IMGSEARCH_H

#include "postgres.h"

#include "fmgr.h"
#include "storage/itemptr.h"

/*
 * A phash is a 64-bit value passed by value; its bit 63 is ImageHash's
 * first bit (the DC coefficient for phash).  That needs 8-byte Datums.
 */
#ifndef USE_FLOAT8_BYVAL
#error "imgsearch needs a 64-bit build of PostgreSQL (8-byte pass-by-value Datums)"
#endif

typedef uint64 PHash;

#define DatumGetPHash(X)	((PHash) (X))
#define PHashGetDatum(X)	((Datum) (X))
#define PG_GETARG_PHASH(n)	DatumGetPHash(PG_GETARG_DATUM(n))
#define PG_RETURN_PHASH(x)	return PHashGetDatum(x)

/* Number of bits in which two codes differ */
static inline int
PHashDistance(PHash a, PHash b)
{
	return __builtin_popcountll(a ^ b);
}

#define PHASH_BITS	64

/*
 * The right-hand side of "code <@ hamming_ball(center, radius)": every code
 * within radius bits of center.  Passed by reference, 16 bytes.
 */
typedef struct HammingBall
{
	PHash		center;
	int32		radius;			/* 0 .. PHASH_BITS */
	int32		padding;		/* always zero, so equal balls are equal bytes */
} HammingBall;

#define DatumGetHammingBallP(X)	((HammingBall *) DatumGetPointer(X))
#define PG_GETARG_HAMMING_BALL_P(n) DatumGetHammingBallP(PG_GETARG_DATUM(n))

/*
 * A heap TID packed into 43 bits: block number above an 11-bit offset, as
 * the mih and caption indexes store it.  Offset 0 (never a valid line
 * pointer) marks an entry VACUUM removed.
 */
#define PACKED_TID_BITS			43
#define PACKED_TID_OFFSET_BITS	11
#define PACKED_TID_OFFSET_MASK	((UINT64CONST(1) << PACKED_TID_OFFSET_BITS) - 1)

static inline uint64
PackTid(ItemPointer tid)
{
	return ((uint64) ItemPointerGetBlockNumberNoCheck(tid) << PACKED_TID_OFFSET_BITS) |
		ItemPointerGetOffsetNumberNoCheck(tid);
}

static inline void
UnpackTid(uint64 packed, ItemPointer tid)
{
	ItemPointerSet(tid, (BlockNumber) (packed >> PACKED_TID_OFFSET_BITS),
				   (OffsetNumber) (packed & PACKED_TID_OFFSET_MASK));
}

#define PackedTidIsDead(packed)	(((packed) & PACKED_TID_OFFSET_MASK) == 0)

/* phash.c */
extern Datum phash_in(PG_FUNCTION_ARGS);

/* hamming.c */
extern HammingBall *HammingBallMake(PHash center, int64 radius);

/* imgsearch.c: settings */
extern int	imgsearch_max_image_pixels;
extern bool imgsearch_enable_caption_count;
extern bool imgsearch_enable_caption_topk;

#endif							/* IMGSEARCH_H */
