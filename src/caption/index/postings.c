/*-------------------------------------------------------------------------
 *
 * postings.c
 *	  The posting block codec of the caption index (format in postings.h).
 *
 * src/caption/index/postings.c
 *
 *-------------------------------------------------------------------------
 */
#include "caption/index/postings.h"

#include <string.h>

/* Bits needed for v: 0 for 0 */
static int
CapWidth(uint32_t v)
{
	return v == 0 ? 0 : 32 - __builtin_clz(v);
}

/* A bit stream written least significant bits first */
typedef struct CapBitWriter
{
	uint8_t    *out;
	uint64_t	bit;			/* bits written */
} CapBitWriter;

static void
CapPut(CapBitWriter *w, uint32_t v, int width)
{
	for (int k = 0; k < width;)
	{
		uint64_t	byte = w->bit >> 3;
		int			shift = w->bit & 7;
		int			take = 8 - shift < width - k ? 8 - shift : width - k;
		uint32_t	part = (v >> k) & ((1u << take) - 1);

		if (shift == 0)
			w->out[byte] = 0;
		w->out[byte] |= (uint8_t) (part << shift);
		w->bit += take;
		k += take;
	}
}

/* Read width bits at bit offset bit; the caller has checked the bounds */
static uint32_t
CapGet(const uint8_t *in, uint64_t bit, int width)
{
	uint32_t	v = 0;

	for (int k = 0; k < width;)
	{
		uint64_t	byte = bit >> 3;
		int			shift = bit & 7;
		int			take = 8 - shift < width - k ? 8 - shift : width - k;

		v |= (uint32_t) ((in[byte] >> shift) & ((1u << take) - 1)) << k;
		bit += take;
		k += take;
	}
	return v;
}

size_t
CapBlockMaxSize(int n, size_t npos)
{
	return CAP_BLOCK_HEADER + ((size_t) n * (32 + 14) + npos * 14 + 7) / 8;
}

size_t
CapBlockEncode(const uint32_t *ords, const uint16_t *tfs,
			   const uint16_t *positions, int n, uint32_t base, uint8_t *out)
{
	uint32_t	max_gap = 0,
				max_tf = 0,
				max_pgap = 0;
	size_t		npos = 0;
	int			bd,
				bt,
				bp;
	CapBitWriter w;

	if (n < 1 || n > CAP_BLOCK_DOCS || ords[0] < base)
		return 0;
	/* the widths, checking the rules on the way */
	for (int i = 0; i < n; i++)
	{
		uint32_t	gap = i == 0 ? ords[0] - base : ords[i] - ords[i - 1] - 1;
		uint32_t	prev = 0;

		if (i > 0 && ords[i] <= ords[i - 1])
			return 0;
		if (tfs[i] < 1 || tfs[i] > CAP_MAX_POS)
			return 0;
		if (gap > max_gap)
			max_gap = gap;
		if ((uint32_t) (tfs[i] - 1) > max_tf)
			max_tf = tfs[i] - 1;
		for (int j = 0; j < tfs[i]; j++)
		{
			uint32_t	pos = positions[npos++];

			if (pos <= prev || pos > CAP_MAX_POS)
				return 0;
			if (pos - prev - 1 > max_pgap)
				max_pgap = pos - prev - 1;
			prev = pos;
		}
	}
	bd = CapWidth(max_gap);
	bt = CapWidth(max_tf);
	bp = CapWidth(max_pgap);

	out[0] = (uint8_t) (n - 1);
	out[1] = (uint8_t) bd;
	out[2] = (uint8_t) bt;
	out[3] = (uint8_t) bp;
	w.out = out + CAP_BLOCK_HEADER;
	w.bit = 0;
	for (int i = 0; i < n; i++)
		CapPut(&w, i == 0 ? ords[0] - base : ords[i] - ords[i - 1] - 1, bd);
	for (int i = 0; i < n; i++)
		CapPut(&w, tfs[i] - 1, bt);
	npos = 0;
	for (int i = 0; i < n; i++)
	{
		uint32_t	prev = 0;

		for (int j = 0; j < tfs[i]; j++)
		{
			uint32_t	pos = positions[npos++];

			CapPut(&w, pos - prev - 1, bp);
			prev = pos;
		}
	}
	/* the padding bits of the last byte are zero */
	if (w.bit & 7)
		w.out[w.bit >> 3] &= (uint8_t) ((1u << (w.bit & 7)) - 1);
	return CAP_BLOCK_HEADER + (size_t) ((w.bit + 7) >> 3);
}

size_t
CapBlockDecode(const uint8_t *data, size_t len, uint32_t base, CapBlock *block)
{
	const uint8_t *stream = data + CAP_BLOCK_HEADER;
	uint64_t	avail;
	uint64_t	bit = 0;
	uint64_t	npos = 0;
	uint64_t	ord;
	int			n,
				bd,
				bt,
				bp;

	if (len < CAP_BLOCK_HEADER)
		return 0;
	n = data[0] + 1;
	bd = data[1];
	bt = data[2];
	bp = data[3];
	if (n > CAP_BLOCK_DOCS || bd > 32 || bt > 14 || bp > 14)
		return 0;
	avail = (uint64_t) (len - CAP_BLOCK_HEADER) * 8;
	if ((uint64_t) n * (bd + bt) > avail)
		return 0;

	ord = base;
	for (int i = 0; i < n; i++)
	{
		uint32_t	gap = CapGet(stream, bit, bd);

		ord += (i == 0 ? 0 : 1) + (uint64_t) gap;
		if (ord > UINT32_MAX)
			return 0;
		block->ord[i] = (uint32_t) ord;
		bit += bd;
	}
	for (int i = 0; i < n; i++)
	{
		uint32_t	tf = CapGet(stream, bit, bt) + 1;

		if (tf > CAP_MAX_POS)
			return 0;
		block->tf[i] = (uint16_t) tf;
		bit += bt;
	}
	for (int i = 0; i < n; i++)
	{
		block->pos_bit[i] = bit + npos * bp;
		npos += block->tf[i];
	}
	if (bit + npos * bp > avail)
		return 0;
	block->n = n;
	block->bp = bp;
	block->data = data;
	block->len = CAP_BLOCK_HEADER + (size_t) ((bit + npos * bp + 7) >> 3);
	return block->len;
}

bool
CapBlockPositions(const CapBlock *block, int i, uint16_t *out)
{
	const uint8_t *stream = block->data + CAP_BLOCK_HEADER;
	uint64_t	bit = block->pos_bit[i];
	uint32_t	pos = 0;

	for (int j = 0; j < block->tf[i]; j++)
	{
		pos += CapGet(stream, bit, block->bp) + 1;
		if (pos > CAP_MAX_POS)
			return false;
		out[j] = (uint16_t) pos;
		bit += block->bp;
	}
	return true;
}
