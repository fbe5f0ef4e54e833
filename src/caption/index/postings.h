/*-------------------------------------------------------------------------
 *
 * postings.h
 *	  The posting block codec of the caption index: up to 128 postings of
 *	  one word (document, frequency, positions) packed into bytes, and
 *	  read back with every length checked.  Plain C, no server headers, so
 *	  that test/tools/postings_cli and a fuzzer run it outside the server.
 *
 * A posting list (one word in one segment of the index) is a run of
 * blocks.  Documents are numbered densely within a segment ("ordinals",
 * in heap order), so the gaps between the documents of a word are small.
 * A block of n postings (1 <= n <= CAP_BLOCK_DOCS), the postings in
 * ascending ordinal order, is:
 *
 *	byte 0		n - 1
 *	byte 1		bd, the bit width of the document gaps (0 to 32)
 *	byte 2		bt, the bit width of the frequencies minus 1 (0 to 14)
 *	byte 3		bp, the bit width of the position gaps (0 to 14)
 *	then one bit stream, padded with zero bits to a whole byte:
 *		n document gaps of bd bits: ord[0] - base, then
 *			ord[i] - ord[i-1] - 1 (base is the previous block's last
 *			ordinal + 1, or 0 for a list's first block);
 *		n frequencies minus 1, of bt bits (tf[i] >= 1 positions each);
 *		for each posting in turn, its tf[i] positions as gaps of bp bits:
 *			pos[0] - 1, then pos[j] - pos[j-1] - 1 (positions are
 *			1 to CAP_MAX_POS and strictly ascending within a posting).
 *
 * A width is the number of bits of the largest value it holds (0 when
 * every value is 0, which then takes no bits).  A value of width w at bit
 * offset o of the stream has its bit k at bit (o + k) % 8 of byte
 * (o + k) / 8: least significant bits first.
 *
 * Decoding reads the documents and frequencies of a block at once and a
 * posting's positions only when asked (a phrase or a rank needs them), so
 * a count or an AND of words never decodes positions.  Every read is
 * bounded by the bytes given: a corrupt block is reported, never read
 * past.
 *
 * src/caption/index/postings.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef IMGSEARCH_CAPTION_POSTINGS_H
#define IMGSEARCH_CAPTION_POSTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Postings a block holds at most */
#define CAP_BLOCK_DOCS		128

/* Highest position (as tsvector's), and so the highest frequency */
#define CAP_MAX_POS			16383

/* Bytes of a block's header */
#define CAP_BLOCK_HEADER	4

/* A decoded block: its postings' ordinals and frequencies */
typedef struct CapBlock
{
	int			n;
	uint32_t	ord[CAP_BLOCK_DOCS];
	uint16_t	tf[CAP_BLOCK_DOCS];
	/* where each posting's positions start in the stream, in bits */
	uint64_t	pos_bit[CAP_BLOCK_DOCS];
	int			bp;
	const uint8_t *data;		/* the block's bytes */
	size_t		len;			/* its length, header included */
} CapBlock;

/*
 * The most bytes a block of n postings with npos positions in all can
 * take, for sizing the output of CapBlockEncode
 */
extern size_t CapBlockMaxSize(int n, size_t npos);

/*
 * Encode n postings: ords ascending, ords[0] >= base; tfs[i] >= 1;
 * positions holds each posting's tfs[i] positions in turn, strictly
 * ascending within a posting, 1 to CAP_MAX_POS.  Writes the block to out
 * (room for CapBlockMaxSize bytes) and returns its length, or 0 when the
 * input breaks those rules.
 */
extern size_t CapBlockEncode(const uint32_t *ords, const uint16_t *tfs,
							 const uint16_t *positions, int n, uint32_t base,
							 uint8_t *out);

/*
 * Decode the block at the start of data (len bytes available) whose base
 * is base.  Returns the block's length, or 0 when the bytes are not a
 * valid block (too short, a width out of range, an ordinal past
 * UINT32_MAX).
 */
extern size_t CapBlockDecode(const uint8_t *data, size_t len, uint32_t base,
							 CapBlock *block);

/*
 * The positions of posting i of a decoded block into out (room for
 * block->tf[i]); false when they are out of range (a corrupt block).
 */
extern bool CapBlockPositions(const CapBlock *block, int i, uint16_t *out);

#endif							/* IMGSEARCH_CAPTION_POSTINGS_H */
