/*-------------------------------------------------------------------------
 *
 * capread.c
 *	  Read a caption index: a word (or the words a prefix begins) in a
 *	  segment's dictionary, a posting cursor over a word's list that skips
 *	  whole blocks, a segment's document table by ordinal, and the pending
 *	  list entry by entry.  Every page read is checked for its kind and
 *	  owner, and every length and offset against the page, so that a
 *	  corrupt index is reported, never read past.
 *
 * src/caption/index/capread.c
 *
 *-------------------------------------------------------------------------
 */
#include "capindex.h"

#include "access/xlog.h"
#include "miscadmin.h"

static void
CapCorrupt(Relation index, BlockNumber blkno, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INDEX_CORRUPTED),
			 errmsg("caption index \"%s\" is corrupted: %s in block %u",
					RelationGetRelationName(index), what, blkno),
			 errhint("REINDEX the index.")));
}

/*
 * Entry i of a dictionary page: its word and what follows it (tail bytes
 * checked to be on the page)
 */
static const char *
CapDictEntry(Relation index, Buffer buf, int i, int *len, Size tail)
{
	Page		page = BufferGetPage(buf);
	const char *content = PageGetContents(page);
	int			n = CapPageGetOpaque(page)->count;
	uint16		off;

	if (i < 0 || i >= n || n * sizeof(uint16) > CAP_PAGE_CONTENT)
		CapCorrupt(index, BufferGetBlockNumber(buf), "a dictionary entry out of range");
	memcpy(&off, content + i * sizeof(uint16), sizeof(uint16));
	if (off < n * sizeof(uint16) || off + 1 > CAP_PAGE_CONTENT ||
		off + 1 + (uint8) content[off] + tail > CAP_PAGE_CONTENT)
		CapCorrupt(index, BufferGetBlockNumber(buf), "a dictionary entry past the page");
	*len = (uint8) content[off];
	return content + off + 1;
}

/* The first entry of a dictionary page whose word is >= (or >) word */
static int
CapDictSearch(Relation index, Buffer buf, const char *word, int len, Size tail,
			  bool strictly)
{
	int			lo = 0;
	int			hi = CapPageGetOpaque(BufferGetPage(buf))->count;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;
		int			elen;
		const char *e = CapDictEntry(index, buf, mid, &elen, tail);
		int			cmp = CapWordCmp(e, elen, word, len);

		if (cmp < 0 || (strictly && cmp == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Call callback for the word given, if the segment holds it, or (prefix)
 * for every word it begins, in order, until the callback returns false.
 */
void
CapDictFind(Relation index, const CapSegment *seg, const char *word, int len,
			bool prefix, CapWordCallback callback, void *arg)
{
	BlockNumber blkno = seg->dict_root;
	Buffer		buf;
	int			i;

	/* down the upper levels: the last child whose first word is <= word */
	for (int level = seg->dict_levels; level > 0; level--)
	{
		int			clen;
		const char *child;
		BlockNumber next;

		buf = CapReadPage(index, blkno, CAP_PAGE_DICT, seg->owner, BUFFER_LOCK_SHARE);
		if (CapPageGetOpaque(BufferGetPage(buf))->level != level ||
			CapPageGetOpaque(BufferGetPage(buf))->count == 0)
			CapCorrupt(index, blkno, "a dictionary page of the wrong level");
		i = CapDictSearch(index, buf, word, len, sizeof(BlockNumber), true);
		child = CapDictEntry(index, buf, Max(i - 1, 0), &clen, sizeof(BlockNumber));
		memcpy(&next, child + clen, sizeof(BlockNumber));
		UnlockReleaseBuffer(buf);
		blkno = next;
	}

	/* along the leaves from the first word >= word */
	buf = CapReadPage(index, blkno, CAP_PAGE_DICT, seg->owner, BUFFER_LOCK_SHARE);
	if (CapPageGetOpaque(BufferGetPage(buf))->level != 0)
		CapCorrupt(index, blkno, "a dictionary page of the wrong level");
	i = CapDictSearch(index, buf, word, len, sizeof(CapDictInfo), false);
	for (;;)
	{
		int			elen;
		const char *e;
		CapDictInfo info;
		bool		more;

		if (i >= CapPageGetOpaque(BufferGetPage(buf))->count)
		{
			BlockNumber next = CapPageGetOpaque(BufferGetPage(buf))->next;

			UnlockReleaseBuffer(buf);
			if (next == InvalidBlockNumber)
				return;
			buf = CapReadPage(index, next, CAP_PAGE_DICT, seg->owner, BUFFER_LOCK_SHARE);
			if (CapPageGetOpaque(BufferGetPage(buf))->level != 0)
				CapCorrupt(index, next, "a dictionary page of the wrong level");
			i = 0;
			continue;
		}
		e = CapDictEntry(index, buf, i, &elen, sizeof(CapDictInfo));
		if (prefix ? (elen < len || memcmp(e, word, len) != 0) :
			CapWordCmp(e, elen, word, len) != 0)
			break;
		memcpy(&info, e + elen, sizeof(CapDictInfo));
		if (info.df == 0 || info.df > seg->ndocs)
			CapCorrupt(index, BufferGetBlockNumber(buf), "a word's document count out of range");
		/* the callback reads other pages: copy the word, let go of this one */
		{
			char		copy[256];
			BlockNumber here = BufferGetBlockNumber(buf);

			memcpy(copy, e, elen);
			UnlockReleaseBuffer(buf);
			more = callback(arg, copy, elen, &info);
			if (!more || !prefix)
				return;
			buf = CapReadPage(index, here, CAP_PAGE_DICT, seg->owner, BUFFER_LOCK_SHARE);
		}
		i++;
	}
	UnlockReleaseBuffer(buf);
}

/*
 * A cursor over one word's postings in one segment.  It holds the word's
 * skip table and one decoded block; next(target) moves to the first
 * posting at or after target, reading only the block that holds it.
 */
struct CapCursor
{
	Relation	index;
	uint32		owner;
	uint32		ndocs;			/* the segment's */
	int			nblocks;
	CapSkipEntry *skips;
	int			b;				/* the decoded block, or -1 */
	int			i;				/* the current posting in it */
	bool		started;
	uint32		ord;			/* the current posting's ordinal, or CAP_END */
	CapBlock	blk;
	uint8	   *buf;
	size_t		bufcap;
};

CapCursor *
CapCursorOpen(Relation index, const CapSegment *seg, const CapDictInfo *info)
{
	CapCursor  *c = palloc0(sizeof(CapCursor));
	BlockNumber blkno = info->skip_blkno;
	uint32		off = info->skip_off;

	c->index = index;
	c->owner = seg->owner;
	c->ndocs = seg->ndocs;
	c->nblocks = (info->df + CAP_BLOCK_DOCS - 1) / CAP_BLOCK_DOCS;
	c->skips = palloc(c->nblocks * sizeof(CapSkipEntry));
	CapStreamRead(index, CAP_PAGE_POSTINGS, seg->owner, &blkno, &off,
				  (char *) c->skips, c->nblocks * sizeof(CapSkipEntry));
	for (int b = 0; b < c->nblocks; b++)
		if (c->skips[b].last_ord >= seg->ndocs ||
			(b > 0 && c->skips[b].last_ord <= c->skips[b - 1].last_ord) ||
			c->skips[b].len < CAP_BLOCK_HEADER || c->skips[b].off >= CAP_PAGE_CONTENT)
			CapCorrupt(index, info->skip_blkno, "a skip table out of order");
	c->b = -1;
	return c;
}

static void
CapCursorLoad(CapCursor *c, int b)
{
	CapSkipEntry *s = &c->skips[b];
	BlockNumber blkno = s->blkno;
	uint32		off = s->off;
	int			expect = (b == c->nblocks - 1) ? 0 : CAP_BLOCK_DOCS;

	if (s->len > c->bufcap)
	{
		c->bufcap = Max(s->len, 2 * c->bufcap);
		/* in the cursor's context: it is moved from TS_execute's */
		c->buf = c->buf ? repalloc(c->buf, c->bufcap) :
			MemoryContextAlloc(GetMemoryChunkContext(c), c->bufcap);
	}
	CapStreamRead(c->index, CAP_PAGE_POSTINGS, c->owner, &blkno, &off,
				  (char *) c->buf, s->len);
	if (CapBlockDecode(c->buf, s->len, b == 0 ? 0 : c->skips[b - 1].last_ord + 1,
					   &c->blk) != s->len ||
		c->blk.ord[c->blk.n - 1] != s->last_ord ||
		(expect != 0 && c->blk.n != expect))
		CapCorrupt(c->index, s->blkno, "a posting block that does not decode");
	c->b = b;
	c->i = 0;
}

/* The first posting at or after target, or CAP_END */
uint32
CapCursorNext(CapCursor *c, uint32 target)
{
	int			b;

	if (c->started && (c->ord == CAP_END || c->ord >= target))
		return c->ord;
	c->started = true;

	/* the first block whose last ordinal is >= target: gallop, then halve */
	b = Max(c->b, 0);
	if (c->skips[b].last_ord < target)
	{
		int			step = 1;
		int			lo = b + 1;
		int			hi;

		while (lo + step < c->nblocks && c->skips[lo + step].last_ord < target)
		{
			lo += step;
			step *= 2;
		}
		hi = Min(lo + step, c->nblocks);
		while (lo < hi)
		{
			int			mid = lo + (hi - lo) / 2;

			if (c->skips[mid].last_ord < target)
				lo = mid + 1;
			else
				hi = mid;
		}
		b = lo;
		if (b >= c->nblocks)
		{
			c->ord = CAP_END;
			return CAP_END;
		}
	}
	if (b != c->b)
		CapCursorLoad(c, b);
	while (c->blk.ord[c->i] < target)
		c->i++;
	c->ord = c->blk.ord[c->i];
	return c->ord;
}

/* The current posting's positions into out (room for CAP_MAX_POS) */
int
CapCursorPositions(CapCursor *c, uint16 *out)
{
	Assert(c->started && c->ord != CAP_END);
	if (!CapBlockPositions(&c->blk, c->i, out))
		CapCorrupt(c->index, c->skips[c->b].blkno, "positions out of range");
	return c->blk.tf[c->i];
}

int
CapCursorFrequency(CapCursor *c)
{
	Assert(c->started && c->ord != CAP_END);
	return c->blk.tf[c->i];
}

void
CapCursorClose(CapCursor *c)
{
	pfree(c->skips);
	if (c->buf)
		pfree(c->buf);
	pfree(c);
}

/*
 * The document table of a segment, read by ordinal: the root directory,
 * a copy of the directory page last used, and the document page last used,
 * which stays pinned until the next page is read or the reader closed, so
 * that VACUUM (which marks documents dead under a cleanup lock) cannot
 * pass it meanwhile.
 */
struct CapDocReader
{
	Relation	index;
	CapSegment	seg;
	int			nroot;
	BlockNumber root[CAP_DIR_FANOUT];
	int64		cur_dir;
	int			ndir;
	BlockNumber dir[CAP_DIR_FANOUT];
	int64		cur_page;
	Buffer		pinned;			/* the current document page, or InvalidBuffer */
	int			ndocs;			/* entries on it */
};

/* Copy the content of a directory page (count block numbers) */
static int
CapReadDir(Relation index, const CapSegment *seg, BlockNumber blkno, int level,
		   BlockNumber *out)
{
	Buffer		buf = CapReadPage(index, blkno, CAP_PAGE_DOCDIR, seg->owner,
								  BUFFER_LOCK_SHARE);
	Page		page = BufferGetPage(buf);
	int			n = CapPageGetOpaque(page)->count;

	if (CapPageGetOpaque(page)->level != level || n > CAP_DIR_FANOUT)
		CapCorrupt(index, blkno, "a document directory page of the wrong level");
	memcpy(out, PageGetContents(page), n * sizeof(BlockNumber));
	UnlockReleaseBuffer(buf);
	return n;
}

CapDocReader *
CapDocReaderOpen(Relation index, const CapSegment *seg)
{
	CapDocReader *r = palloc(sizeof(CapDocReader));

	r->index = index;
	r->seg = *seg;
	r->nroot = CapReadDir(index, seg, seg->doc_root, 2, r->root);
	r->cur_dir = -1;
	r->cur_page = -1;
	r->pinned = InvalidBuffer;
	return r;
}

/* The document table entry of an ordinal */
uint64
CapDocGet(CapDocReader *r, uint32 ord)
{
	int64		page_no = ord / CAP_DOCS_PER_PAGE;
	int64		dir_no = page_no / CAP_DIR_FANOUT;

	if (ord >= r->seg.ndocs)
		CapCorrupt(r->index, r->seg.doc_root, "an ordinal past the document table");
	if (page_no != r->cur_page)
	{
		Buffer		buf;
		Page		page;
		BlockNumber blkno;

		if (dir_no != r->cur_dir)
		{
			if (dir_no >= r->nroot)
				CapCorrupt(r->index, r->seg.doc_root, "a document directory too short");
			r->ndir = CapReadDir(r->index, &r->seg, r->root[dir_no], 1, r->dir);
			r->cur_dir = dir_no;
		}
		if (page_no % CAP_DIR_FANOUT >= r->ndir)
			CapCorrupt(r->index, r->root[dir_no], "a document directory page too short");
		blkno = r->dir[page_no % CAP_DIR_FANOUT];
		if (r->pinned != InvalidBuffer)
			ReleaseBuffer(r->pinned);
		r->pinned = InvalidBuffer;
		buf = CapReadPage(r->index, blkno, CAP_PAGE_DOCS, r->seg.owner, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		r->ndocs = CapPageGetOpaque(page)->count;
		if (r->ndocs > CAP_DOCS_PER_PAGE)
			CapCorrupt(r->index, blkno, "a document page too full");
		LockBuffer(buf, BUFFER_LOCK_UNLOCK);
		r->pinned = buf;
		r->cur_page = page_no;
	}
	if (ord % CAP_DOCS_PER_PAGE >= r->ndocs)
		CapCorrupt(r->index, r->dir[page_no % CAP_DIR_FANOUT], "a document page too short");

	/*
	 * The entry itself.  Only VACUUM changes a document page, under a
	 * cleanup lock that our pin keeps out, so on a primary it is read as
	 * it is; on a standby replay may change it, so under a share lock.
	 */
	{
		uint64		entry;
		bool		lock = RecoveryInProgress();

		if (lock)
			LockBuffer(r->pinned, BUFFER_LOCK_SHARE);
		memcpy(&entry, PageGetContents(BufferGetPage(r->pinned)) +
			   (ord % CAP_DOCS_PER_PAGE) * sizeof(uint64), sizeof(uint64));
		if (lock)
			LockBuffer(r->pinned, BUFFER_LOCK_UNLOCK);
		return entry;
	}
}

void
CapDocReaderClose(CapDocReader *r)
{
	if (r->pinned != InvalidBuffer)
		ReleaseBuffer(r->pinned);
	pfree(r);
}

/*
 * Call callback for every live entry of the pending list as the metapage
 * copy chain describes it, with the place of its header, until it returns
 * false.  An entry's header is never in the last CAP_PENDING_HEADER - 1
 * bytes of a page: the writer starts the next page instead.
 */
/* A copy of one pending-list page, as CapPendingWalk reads them */
typedef struct CapPendingPage
{
	BlockNumber blkno;
	BlockNumber next;
	char		content[CAP_PAGE_CONTENT];
} CapPendingPage;

static void
CapPendingLoad(Relation index, const CapChain *chain, BlockNumber blkno, CapPendingPage *p)
{
	Buffer		buf = CapReadPage(index, blkno, CAP_PAGE_PENDING, chain->owner,
								  BUFFER_LOCK_SHARE);
	Page		page = BufferGetPage(buf);

	p->blkno = blkno;
	p->next = CapPageGetOpaque(page)->next;
	memcpy(p->content, PageGetContents(page), CAP_PAGE_CONTENT);
	UnlockReleaseBuffer(buf);
}

void
CapPendingWalk(Relation index, const CapChain *chain, CapPendingCallback callback,
			   void *arg)
{
	CapPendingPage *p;
	uint32		off = 0;
	char	   *body = NULL;
	Size		bodycap = 0;
	uint64		seen = 0;

	if (chain->head == InvalidBlockNumber)
		return;
	/* a page at a time: one buffer access for all the entries it holds */
	p = palloc(sizeof(CapPendingPage));
	CapPendingLoad(index, chain, chain->head, p);
	for (;;)
	{
		CapPendingHeader hdr;
		BlockNumber hdr_blkno;
		uint32		hdr_off;
		uint64		tid;
		Size		done;

		CHECK_FOR_INTERRUPTS();
		if (p->blkno == chain->tail && off >= chain->tail_used)
			break;
		if (CAP_PAGE_CONTENT - off < CAP_PENDING_HEADER)
		{
			if (p->blkno == chain->tail || p->next == InvalidBlockNumber)
				CapCorrupt(index, p->blkno, "the pending list ends early");
			CapPendingLoad(index, chain, p->next, p);
			off = 0;
			continue;
		}
		memcpy(&hdr, p->content + off, CAP_PENDING_HEADER);
		hdr_blkno = p->blkno;
		hdr_off = off;
		off += CAP_PENDING_HEADER;
		if (hdr.len < DATAHDRSIZE || hdr.len > MaxAllocSize)
			CapCorrupt(index, hdr_blkno, "a pending entry of a wrong length");
		if (hdr.len > bodycap)
		{
			bodycap = Max(hdr.len, 2 * bodycap);
			body = body ? repalloc(body, bodycap) : palloc(bodycap);
		}
		/* the body, on into the next pages if it goes on */
		for (done = 0; done < hdr.len;)
		{
			Size		n;

			if (off == CAP_PAGE_CONTENT)
			{
				if (p->blkno == chain->tail || p->next == InvalidBlockNumber)
					CapCorrupt(index, p->blkno, "the pending list ends early");
				CapPendingLoad(index, chain, p->next, p);
				off = 0;
			}
			n = Min(hdr.len - done, CAP_PAGE_CONTENT - off);
			memcpy(body + done, p->content + off, n);
			done += n;
			off += n;
		}
		if (VARSIZE(body) != hdr.len)
			CapCorrupt(index, hdr_blkno, "a pending entry of a wrong length");
		tid = (uint64) hdr.tid[0] | ((uint64) hdr.tid[1] << 16) | ((uint64) hdr.tid[2] << 32);
		if (++seen > chain->nentries)
			CapCorrupt(index, hdr_blkno, "more pending entries than the metapage counts");
		if (!PackedTidIsDead(tid) &&
			!callback(arg, tid, (TSVector) body, hdr_blkno, hdr_off))
			break;
	}
	pfree(p);
	if (body)
		pfree(body);
}
