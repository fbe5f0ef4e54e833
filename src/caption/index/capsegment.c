/*-------------------------------------------------------------------------
 *
 * capsegment.c
 *	  Write a segment of a caption index (capindex.h): documents as they
 *	  are numbered, then the words in byte order, each with its postings
 *	  in ordinal order.  The writer streams: it holds one page of each
 *	  part, the current word's open block and skip table, and a block
 *	  number per document page and dictionary leaf, never the postings.
 *
 * The segment's pages are reachable only once the caller records the
 * segment in the metapage.  Each page is logged whole as generic WAL.
 *
 * src/caption/index/capsegment.c
 *
 *-------------------------------------------------------------------------
 */
#include "capindex.h"

#include "miscadmin.h"
#include "utils/memutils.h"

#define CAP_MAX_WORD	255

struct CapSegmentWriter
{
	Relation	index;
	uint32		owner;
	MemoryContext cxt;			/* everything the writer allocates */
	CapMetaPageData *meta;		/* to reuse pages VACUUM freed, or NULL */

	/* the document table: the page being filled, and the pages written */
	uint32		ndocs;
	uint64		total_len;
	uint64		docs[CAP_DOCS_PER_PAGE];
	int			ndocs_page;
	BlockNumber *docpages;
	int64		ndocpages;
	int64		docpages_cap;

	/* the posting stream: its current page, locked, and the bytes in it */
	Buffer		post_buf;
	char		post_page[CAP_PAGE_CONTENT];
	uint32		post_used;

	/* the word being written, its open block and its skip table */
	char		word[CAP_MAX_WORD];
	int			wordlen;
	bool		in_word;
	uint32		df;
	uint16		max_tf;
	uint32		base;			/* the open block's base ordinal */
	int			blk_n;
	uint32		blk_ords[CAP_BLOCK_DOCS];
	uint16		blk_tfs[CAP_BLOCK_DOCS];
	uint16		blk_min_len;
	uint16	   *blk_pos;
	int			blk_npos;
	int			blk_pos_cap;
	uint8	   *enc;
	size_t		enc_cap;
	CapSkipEntry *skips;
	int			nskips;
	int			skips_cap;

	/* the dictionary leaf being filled, its buffer, and the leaves written */
	Buffer		dict_buf;
	char		dict_entries[CAP_PAGE_CONTENT];
	uint16		dict_offs[CAP_PAGE_CONTENT / 2];
	int			dict_n;
	int			dict_bytes;
	uint32		nwords;
	char	  **leaf_first;		/* each leaf's first word (length byte first) */
	BlockNumber *leaf_blkno;
	int			nleaves;
	int			leaves_cap;
};

/*
 * Start a segment of this owner.  With reuse_pages, pages VACUUM freed are
 * taken first; the caller then holds the maintenance lock, so that no
 * other segment or chain starts meanwhile (the metapage read here stays
 * right about which pages are in use).
 */
CapSegmentWriter *
CapSegmentBegin(Relation index, uint32 owner, bool reuse_pages)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "caption segment writer",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	CapSegmentWriter *w = palloc0(sizeof(CapSegmentWriter));

	w->cxt = cxt;
	w->index = index;
	if (reuse_pages)
	{
		w->meta = palloc(sizeof(CapMetaPageData));
		CapReadMeta(index, w->meta);
	}
	w->owner = owner;
	w->docpages_cap = 64;
	w->docpages = palloc(w->docpages_cap * sizeof(BlockNumber));
	w->post_buf = InvalidBuffer;
	w->dict_buf = InvalidBuffer;
	w->blk_pos_cap = 1024;
	w->blk_pos = palloc(w->blk_pos_cap * sizeof(uint16));
	w->skips_cap = 16;
	w->skips = palloc(w->skips_cap * sizeof(CapSkipEntry));
	w->leaves_cap = 64;
	w->leaf_first = palloc(w->leaves_cap * sizeof(char *));
	w->leaf_blkno = palloc(w->leaves_cap * sizeof(BlockNumber));
	MemoryContextSwitchTo(old);
	return w;
}

/* Write the document page being filled */
static void
CapFlushDocPage(CapSegmentWriter *w)
{
	Buffer		buf;

	if (w->ndocs_page == 0)
		return;
	buf = CapNewBuffer(w->index, w->meta);
	if (w->ndocpages == w->docpages_cap)
	{
		w->docpages_cap *= 2;
		w->docpages = repalloc_huge(w->docpages, w->docpages_cap * sizeof(BlockNumber));
	}
	w->docpages[w->ndocpages++] = BufferGetBlockNumber(buf);
	CapWriteNewPage(w->index, buf, CAP_PAGE_DOCS, 0, w->owner, InvalidBlockNumber,
					w->ndocs_page, (const char *) w->docs,
					w->ndocs_page * sizeof(uint64));
	w->ndocs_page = 0;
}

/* Number the next document: its heap TID and its length in words */
uint32
CapSegmentAddDoc(CapSegmentWriter *w, ItemPointer tid, int len)
{
	if (w->ndocs == CAP_END - 1)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("caption index \"%s\" cannot hold more than %u captions in one segment",
						RelationGetRelationName(w->index), CAP_END - 1)));
	w->docs[w->ndocs_page++] = CapDocEntry(PackTid(tid), len);
	w->total_len += len;
	if (w->ndocs_page == CAP_DOCS_PER_PAGE)
		CapFlushDocPage(w);
	return w->ndocs++;
}

/*
 * Where the next byte of the posting stream goes; starts a new page when
 * the current one is full.
 */
static void
CapPostTell(CapSegmentWriter *w, BlockNumber *blkno, uint16 *off)
{
	if (w->post_buf == InvalidBuffer)
	{
		w->post_buf = CapNewBuffer(w->index, w->meta);
		w->post_used = 0;
	}
	else if (w->post_used == CAP_PAGE_CONTENT)
	{
		Buffer		next = CapNewBuffer(w->index, w->meta);

		CapWriteNewPage(w->index, w->post_buf, CAP_PAGE_POSTINGS, 0, w->owner,
						BufferGetBlockNumber(next), w->post_used,
						w->post_page, w->post_used);
		w->post_buf = next;
		w->post_used = 0;
	}
	*blkno = BufferGetBlockNumber(w->post_buf);
	*off = w->post_used;
}

/* Append bytes to the posting stream */
static void
CapPostWrite(CapSegmentWriter *w, const void *data, Size len)
{
	const char *p = data;

	while (len > 0)
	{
		BlockNumber blkno;
		uint16		off;
		Size		n;

		CapPostTell(w, &blkno, &off);
		n = Min(len, CAP_PAGE_CONTENT - w->post_used);
		memcpy(w->post_page + w->post_used, p, n);
		w->post_used += n;
		p += n;
		len -= n;
	}
}

void
CapSegmentBeginWord(CapSegmentWriter *w, const char *word, int len)
{
	Assert(!w->in_word);
	if (len <= 0 || len > CAP_MAX_WORD)
		elog(ERROR, "caption index: a word of %d bytes", len);
	if (w->nwords > 0 && CapWordCmp(w->word, w->wordlen, word, len) >= 0)
		elog(ERROR, "caption index: words out of order (\"%.*s\" after \"%.*s\")",
			 len, word, w->wordlen, w->word);
	memcpy(w->word, word, len);
	w->wordlen = len;
	w->in_word = true;
	w->df = 0;
	w->max_tf = 0;
	w->base = 0;
	w->blk_n = 0;
	w->blk_npos = 0;
	w->nskips = 0;
}

/* Encode the open block and append it to the stream */
static void
CapFlushBlock(CapSegmentWriter *w)
{
	size_t		need;
	size_t		len;
	CapSkipEntry *skip;
	uint16		max_tf = 0;

	if (w->blk_n == 0)
		return;
	need = CapBlockMaxSize(w->blk_n, w->blk_npos);
	if (need > w->enc_cap)
	{
		w->enc_cap = Max(need, 2 * w->enc_cap);
		w->enc = w->enc ? repalloc(w->enc, w->enc_cap) : palloc(w->enc_cap);
	}
	len = CapBlockEncode(w->blk_ords, w->blk_tfs, w->blk_pos, w->blk_n, w->base, w->enc);
	if (len == 0)
		elog(ERROR, "caption index: postings of \"%.*s\" cannot be encoded",
			 w->wordlen, w->word);
	for (int i = 0; i < w->blk_n; i++)
		max_tf = Max(max_tf, w->blk_tfs[i]);

	if (w->nskips == w->skips_cap)
	{
		w->skips_cap *= 2;
		w->skips = repalloc_huge(w->skips, w->skips_cap * sizeof(CapSkipEntry));
	}
	skip = &w->skips[w->nskips++];
	memset(skip, 0, sizeof(CapSkipEntry));
	skip->last_ord = w->blk_ords[w->blk_n - 1];
	CapPostTell(w, &skip->blkno, &skip->off);
	skip->len = len;
	skip->max_tf = max_tf;
	skip->min_len = w->blk_min_len;
	CapPostWrite(w, w->enc, len);

	w->base = skip->last_ord + 1;
	w->blk_n = 0;
	w->blk_npos = 0;
}

/*
 * One posting of the current word: a document (ordinals ascending) and
 * the word's positions in it, ascending.
 */
void
CapSegmentAddPosting(CapSegmentWriter *w, uint32 ord, int doclen,
					 const uint16 *positions, int npos)
{
	Assert(w->in_word);
	if (npos < 1 || npos > CAP_MAX_POS)
		elog(ERROR, "caption index: a posting with %d positions", npos);
	if (w->blk_n == CAP_BLOCK_DOCS)
	{
		MemoryContext old = MemoryContextSwitchTo(w->cxt);

		CapFlushBlock(w);
		MemoryContextSwitchTo(old);
	}
	if (w->blk_npos + npos > w->blk_pos_cap)
	{
		w->blk_pos_cap = Max(w->blk_npos + npos, 2 * w->blk_pos_cap);
		w->blk_pos = repalloc(w->blk_pos, w->blk_pos_cap * sizeof(uint16));
	}
	if (w->blk_n == 0 || doclen < w->blk_min_len)
		w->blk_min_len = Min(doclen, CAP_MAX_DOC_LEN);
	w->blk_ords[w->blk_n] = ord;
	w->blk_tfs[w->blk_n] = npos;
	w->blk_n++;
	memcpy(w->blk_pos + w->blk_npos, positions, npos * sizeof(uint16));
	w->blk_npos += npos;
	w->df++;
	w->max_tf = Max(w->max_tf, npos);
}

/* Bytes a leaf entry of a word of len bytes takes */
#define CAP_LEAF_ENTRY(len)		(1 + (len) + sizeof(CapDictInfo))
#define CAP_UPPER_ENTRY(len)	(1 + (len) + sizeof(BlockNumber))

/* Write the dictionary leaf being filled, linked to next */
static void
CapFlushLeaf(CapSegmentWriter *w, BlockNumber next)
{
	char		content[CAP_PAGE_CONTENT];
	Size		offsz = w->dict_n * sizeof(uint16);

	for (int i = 0; i < w->dict_n; i++)
	{
		uint16		o = w->dict_offs[i] + offsz;

		memcpy(content + i * sizeof(uint16), &o, sizeof(uint16));
	}
	memcpy(content + offsz, w->dict_entries, w->dict_bytes);
	CapWriteNewPage(w->index, w->dict_buf, CAP_PAGE_DICT, 0, w->owner, next,
					w->dict_n, content, offsz + w->dict_bytes);
	w->dict_n = 0;
	w->dict_bytes = 0;
}

/* Add an entry (bytes) to the leaf being filled, starting a leaf if full */
static void
CapAddLeafEntry(CapSegmentWriter *w, const char *entry, int len)
{
	if (w->dict_buf != InvalidBuffer &&
		(w->dict_n + 1) * sizeof(uint16) + w->dict_bytes + len > CAP_PAGE_CONTENT)
	{
		Buffer		next = CapNewBuffer(w->index, w->meta);

		CapFlushLeaf(w, BufferGetBlockNumber(next));
		w->dict_buf = next;
	}
	else if (w->dict_buf == InvalidBuffer)
		w->dict_buf = CapNewBuffer(w->index, w->meta);

	if (w->dict_n == 0)
	{
		if (w->nleaves == w->leaves_cap)
		{
			w->leaves_cap *= 2;
			w->leaf_first = repalloc_huge(w->leaf_first, w->leaves_cap * sizeof(char *));
			w->leaf_blkno = repalloc_huge(w->leaf_blkno, w->leaves_cap * sizeof(BlockNumber));
		}
		w->leaf_first[w->nleaves] = palloc(1 + (uint8) entry[0]);
		memcpy(w->leaf_first[w->nleaves], entry, 1 + (uint8) entry[0]);
		w->leaf_blkno[w->nleaves] = BufferGetBlockNumber(w->dict_buf);
		w->nleaves++;
	}
	w->dict_offs[w->dict_n++] = w->dict_bytes;
	memcpy(w->dict_entries + w->dict_bytes, entry, len);
	w->dict_bytes += len;
}

void
CapSegmentEndWord(CapSegmentWriter *w)
{
	char		entry[CAP_LEAF_ENTRY(CAP_MAX_WORD)];
	CapDictInfo info;
	MemoryContext old;

	Assert(w->in_word);
	w->in_word = false;
	if (w->df == 0)
		return;
	old = MemoryContextSwitchTo(w->cxt);
	CapFlushBlock(w);

	memset(&info, 0, sizeof(info));
	info.df = w->df;
	info.max_tf = w->max_tf;
	CapPostTell(w, &info.skip_blkno, &info.skip_off);
	CapPostWrite(w, w->skips, w->nskips * sizeof(CapSkipEntry));

	entry[0] = (char) w->wordlen;
	memcpy(entry + 1, w->word, w->wordlen);
	memcpy(entry + 1 + w->wordlen, &info, sizeof(info));
	CapAddLeafEntry(w, entry, CAP_LEAF_ENTRY(w->wordlen));
	w->nwords++;
	MemoryContextSwitchTo(old);
}

/*
 * Write one level of upper dictionary pages over the pages below (their
 * first words and blocks); returns how many pages it wrote, their first
 * words and blocks replacing the input.
 */
static int
CapWriteUpperLevel(CapSegmentWriter *w, char **first, BlockNumber *blknos, int n,
				   int level)
{
	char		content[CAP_PAGE_CONTENT];
	uint16		offs[CAP_PAGE_CONTENT / 2];
	char		entries[CAP_PAGE_CONTENT];
	int			nout = 0;
	int			i = 0;

	while (i < n)
	{
		int			count = 0;
		int			bytes = 0;
		Buffer		buf;
		char	   *page_first = first[i];

		while (i < n)
		{
			int			wl = (uint8) first[i][0];
			int			len = CAP_UPPER_ENTRY(wl);

			if (count > 0 && (count + 1) * sizeof(uint16) + bytes + len > CAP_PAGE_CONTENT)
				break;
			offs[count++] = bytes;
			memcpy(entries + bytes, first[i], 1 + wl);
			memcpy(entries + bytes + 1 + wl, &blknos[i], sizeof(BlockNumber));
			bytes += len;
			i++;
		}
		for (int k = 0; k < count; k++)
		{
			uint16		o = offs[k] + count * sizeof(uint16);

			memcpy(content + k * sizeof(uint16), &o, sizeof(uint16));
		}
		memcpy(content + count * sizeof(uint16), entries, bytes);
		buf = CapNewBuffer(w->index, w->meta);
		first[nout] = page_first;
		blknos[nout] = BufferGetBlockNumber(buf);
		nout++;
		CapWriteNewPage(w->index, buf, CAP_PAGE_DICT, level, w->owner,
						InvalidBlockNumber, count, content,
						count * sizeof(uint16) + bytes);
	}
	return nout;
}

/* Write what remains and describe the segment (owner, pages, counts) */
void
CapSegmentFinish(CapSegmentWriter *w, CapSegment *seg)
{
	int64		ndir;
	BlockNumber *dirblk;
	BlockNumber rootbuf_blk;
	Buffer		buf;
	int			n;
	int			levels = 0;

	MemoryContext old = MemoryContextSwitchTo(w->cxt);

	Assert(!w->in_word);
	memset(seg, 0, sizeof(CapSegment));
	seg->owner = w->owner;
	seg->ndocs = w->ndocs;
	seg->total_len = w->total_len;
	seg->nwords = w->nwords;

	/* documents: the last page, the directory pages, the root */
	CapFlushDocPage(w);
	ndir = (w->ndocpages + CAP_DIR_FANOUT - 1) / CAP_DIR_FANOUT;
	if (ndir > (int64) CAP_DIR_FANOUT)
		elog(ERROR, "caption index: too many document pages in one segment");
	dirblk = palloc(Max(ndir, 1) * sizeof(BlockNumber));
	for (int64 d = 0; d < ndir; d++)
	{
		int64		first = d * CAP_DIR_FANOUT;
		int			count = Min(CAP_DIR_FANOUT, w->ndocpages - first);

		buf = CapNewBuffer(w->index, w->meta);
		dirblk[d] = BufferGetBlockNumber(buf);
		CapWriteNewPage(w->index, buf, CAP_PAGE_DOCDIR, 1, w->owner,
						InvalidBlockNumber, count,
						(const char *) (w->docpages + first),
						count * sizeof(BlockNumber));
	}
	buf = CapNewBuffer(w->index, w->meta);
	rootbuf_blk = BufferGetBlockNumber(buf);
	CapWriteNewPage(w->index, buf, CAP_PAGE_DOCDIR, 2, w->owner,
					InvalidBlockNumber, ndir, (const char *) dirblk,
					ndir * sizeof(BlockNumber));
	seg->doc_root = rootbuf_blk;

	/* postings: the last page */
	if (w->post_buf != InvalidBuffer)
		CapWriteNewPage(w->index, w->post_buf, CAP_PAGE_POSTINGS, 0, w->owner,
						InvalidBlockNumber, w->post_used, w->post_page,
						w->post_used);
	w->post_buf = InvalidBuffer;

	/* the dictionary: the last leaf (an empty one if no word), upper levels */
	if (w->dict_buf == InvalidBuffer)
	{
		w->dict_buf = CapNewBuffer(w->index, w->meta);
		w->leaf_first[0] = palloc0(1);
		w->leaf_blkno[0] = BufferGetBlockNumber(w->dict_buf);
		w->nleaves = 1;
	}
	CapFlushLeaf(w, InvalidBlockNumber);
	w->dict_buf = InvalidBuffer;
	n = w->nleaves;
	while (n > 1)
	{
		CHECK_FOR_INTERRUPTS();
		n = CapWriteUpperLevel(w, w->leaf_first, w->leaf_blkno, n, ++levels);
	}
	seg->dict_root = w->leaf_blkno[0];
	seg->dict_levels = levels;
	MemoryContextSwitchTo(old);
	MemoryContextDelete(w->cxt);	/* w itself too */
}
