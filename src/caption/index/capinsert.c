/*-------------------------------------------------------------------------
 *
 * capinsert.c
 *	  Insert into a caption index: append the caption's tsvector (without
 *	  word pairs) to the pending list, which every scan reads.
 *
 * Past pending_list_limit the list is written as a segment (capflush.c).
 * An insert holds the metapage's buffer lock for the whole append, so
 * inserts are serialised and a scan sees either none or all of an entry.
 * An entry that fills the tail page goes on in new pages, each linked
 * from the one before in the same WAL record that creates it; the last
 * record also moves the metapage's tail and its bytes used, and only then
 * can a scan read the entry.  After a crash between records the pages
 * written are unreferenced past the tail, and the next append overwrites
 * the link.
 *
 * src/caption/index/capinsert.c
 *
 *-------------------------------------------------------------------------
 */
#include "capindex.h"

#include "nodes/execnodes.h"

#include "../caption_int.h"

/* Start a new pending page after cur's page, registering it in state */
static Page
CapPendingNewPage(Relation index, GenericXLogState *state, Page curpage,
				  const CapMetaPageData *meta, Buffer *newbuf)
{
	Page		page;
	uint32		owner = meta->pending.owner;

	*newbuf = CapNewBuffer(index, meta);
	page = GenericXLogRegisterBuffer(state, *newbuf, GENERIC_XLOG_FULL_IMAGE);
	CapInitPage(page, CAP_PAGE_PENDING, 0, owner);
	if (curpage)
		CapPageGetOpaque(curpage)->next = BufferGetBlockNumber(*newbuf);
	return page;
}

static void
CapPendingSetUsed(Page page, uint32 used)
{
	CapPageGetOpaque(page)->count = used;
	((PageHeader) page)->pd_lower = (PageGetContents(page) + used) - (char *) page;
}

/*
 * The last record of an append: the metapage too, whose chain now ends at
 * tail with used bytes in it and counts one more entry
 */
static uint32
CapPendingFinish(GenericXLogState *state, Buffer metabuf, BlockNumber head,
				 Buffer tail, uint32 used, int added)
{
	CapMetaPageData *meta = CapPageGetMeta(GenericXLogRegisterBuffer(state, metabuf, 0));
	uint32		npages;

	meta->pending.head = head;
	meta->pending.tail = BufferGetBlockNumber(tail);
	meta->pending.tail_used = used;
	meta->pending.nentries++;
	meta->pending.npages += added;
	npages = meta->pending.npages;
	GenericXLogFinish(state);
	return npages;
}

/* Append a (TID, tsvector) entry to the pending list; returns its pages */
static uint32
CapPendingAppend(Relation index, ItemPointer tid, TSVector vector)
{
	Buffer		metabuf = ReadBuffer(index, CAP_METAPAGE_BLKNO);
	CapMetaPageData *meta;
	CapChain	chain;
	GenericXLogState *state;
	Buffer		cur;
	Page		curpage;
	uint32		off;
	BlockNumber head;
	CapPendingHeader hdr;
	uint64		packed = PackTid(tid);
	const char *body = (const char *) vector;
	Size		bodylen = VARSIZE(vector);
	Size		done = 0;		/* bytes of header + body written */
	Size		total = CAP_PENDING_HEADER + bodylen;
	int			added = 0;		/* pages added to the chain */
	uint32		npages;

	LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
	meta = CapPageGetMeta(BufferGetPage(metabuf));
	if (meta->magic != CAP_MAGIC || meta->version != CAP_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("index \"%s\" is not a caption index of version %d",
						RelationGetRelationName(index), CAP_VERSION)));
	chain = meta->pending;

	hdr.len = bodylen;
	hdr.tid[0] = (uint16) packed;
	hdr.tid[1] = (uint16) (packed >> 16);
	hdr.tid[2] = (uint16) (packed >> 32);

	state = GenericXLogStart(index);
	head = chain.head;
	if (chain.head == InvalidBlockNumber)
	{
		curpage = CapPendingNewPage(index, state, NULL, meta, &cur);
		added++;
		head = BufferGetBlockNumber(cur);
		off = 0;
	}
	else
	{
		cur = CapReadPage(index, chain.tail, CAP_PAGE_PENDING, chain.owner,
						  BUFFER_LOCK_EXCLUSIVE);
		curpage = GenericXLogRegisterBuffer(state, cur, 0);
		off = chain.tail_used;
		if (off > CAP_PAGE_CONTENT)
			ereport(ERROR,
					(errcode(ERRCODE_INDEX_CORRUPTED),
					 errmsg("caption index \"%s\" is corrupted: its pending list's tail is past its page",
							RelationGetRelationName(index))));
	}

	for (;;)
	{
		Size		room = CAP_PAGE_CONTENT - off;

		/* the header never straddles a page */
		if (done == 0 && room < CAP_PENDING_HEADER)
			room = 0;
		if (room > 0)
		{
			char	   *dst = PageGetContents(curpage) + off;
			Size		n = Min(room, total - done);

			for (Size k = 0; k < n; k++, done++)
				dst[k] = done < CAP_PENDING_HEADER ? ((const char *) &hdr)[done] :
					body[done - CAP_PENDING_HEADER];
			off += n;
			CapPendingSetUsed(curpage, off);
		}
		if (done == total)
			break;

		/* a new page: in this record with the one before, then go on */
		{
			Buffer		next;
			Page		nextpage = CapPendingNewPage(index, state, curpage,
													 meta, &next);
			char	   *dst = PageGetContents(nextpage);
			Size		n = Min((Size) CAP_PAGE_CONTENT, total - done);

			for (Size k = 0; k < n; k++, done++)
				dst[k] = done < CAP_PENDING_HEADER ? ((const char *) &hdr)[done] :
					body[done - CAP_PENDING_HEADER];
			off = n;
			CapPendingSetUsed(nextpage, off);
			added++;
			if (done == total)
			{
				npages = CapPendingFinish(state, metabuf, head, next, off, added);
				UnlockReleaseBuffer(cur);
				UnlockReleaseBuffer(next);
				UnlockReleaseBuffer(metabuf);
				return npages;
			}
			GenericXLogFinish(state);
			UnlockReleaseBuffer(cur);
			cur = next;
			state = GenericXLogStart(index);
			curpage = GenericXLogRegisterBuffer(state, cur, 0);
		}
	}

	npages = CapPendingFinish(state, metabuf, head, cur, off, added);
	UnlockReleaseBuffer(cur);
	UnlockReleaseBuffer(metabuf);
	return npages;
}

bool
capinsert(Relation index, Datum *values, bool *isnull, ItemPointer ht_ctid,
		  Relation heapRel, IndexUniqueCheck checkUnique, bool indexUnchanged,
		  IndexInfo *indexInfo)
{
	TSVector	vector;

	if (isnull[0])
		return false;
	vector = DatumGetTSVector(CaptionVector(DatumGetTextPP(values[0]), false));
	/* past its limit, the pending list becomes a segment (unless a flush
	 * or VACUUM is already at work) */
	if (CapPendingAppend(index, ht_ctid, vector) >= CapPendingLimitPages(index))
		CapFlushPending(index, false);
	pfree(vector);
	return false;
}
