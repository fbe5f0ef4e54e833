/*-------------------------------------------------------------------------
 *
 * mihinsert.c
 *	  Insert into a mih index, and keep its segments few: inserts append
 *	  to the pending list; a pending list over pending_list_limit is sorted
 *	  into a new segment ("flush"), and the newest segments are merged
 *	  while they add up to as many rows as the one before them, like a
 *	  binary counter, so a table of n rows has O(log n) segments.
 *
 * A flush first detaches the pending list under the metapage lock (it
 * becomes the "flushing" list, which scans still read, while new inserts
 * start a fresh pending list), writes the segment without holding any
 * buffer lock, and then switches the metapage in one WAL record: the new
 * segment in, the flushing list out.  A crash in between leaves the
 * flushing list in place; the next flush finishes it.  Merges write the
 * merged segment first and switch the metapage the same way.
 *
 * src/mih/mihinsert.c
 *
 *-------------------------------------------------------------------------
 */
#include "mih.h"

#include "miscadmin.h"
#include "utils/memutils.h"

/*
 * Append one entry to the pending list (or, for a NULL code, the null
 * list) and return the list's new length.  The metapage stays locked
 * throughout, so appends are atomic with respect to flushes.
 */
uint64
MihAppendToChain(Relation index, bool nulls, PHash code, ItemPointer tid)
{
	Buffer		metabuf,
				tailbuf = InvalidBuffer,
				newbuf = InvalidBuffer;
	GenericXLogState *state;
	MihMetaPageData *meta;
	MihChain   *chain;
	Page		metapage,
				tailpage = NULL,
				target;
	uint32	   *count;
	uint64		result;

	metabuf = ReadBuffer(index, MIH_METAPAGE_BLKNO);
	LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
	meta = MihPageGetMeta(BufferGetPage(metabuf));
	chain = nulls ? &meta->nulls : &meta->pending;

	if (chain->tail != InvalidBlockNumber)
	{
		tailbuf = ReadBuffer(index, chain->tail);
		LockBuffer(tailbuf, BUFFER_LOCK_EXCLUSIVE);
		if (*MihListPageCount(BufferGetPage(tailbuf)) >= MIH_LIST_PAGE_CAPACITY)
			newbuf = MihNewBuffer(index, false);
	}
	else
		newbuf = MihNewBuffer(index, false);

	state = GenericXLogStart(index);
	metapage = GenericXLogRegisterBuffer(state, metabuf, 0);
	meta = MihPageGetMeta(metapage);
	chain = nulls ? &meta->nulls : &meta->pending;
	if (BufferIsValid(tailbuf))
		tailpage = GenericXLogRegisterBuffer(state, tailbuf, 0);
	if (BufferIsValid(newbuf))
	{
		target = GenericXLogRegisterBuffer(state, newbuf, GENERIC_XLOG_FULL_IMAGE);
		if (chain->head == InvalidBlockNumber)
		{
			chain->owner = meta->next_owner++;
			chain->head = BufferGetBlockNumber(newbuf);
		}
		else
			MihPageGetOpaque(tailpage)->next = BufferGetBlockNumber(newbuf);
		chain->tail = BufferGetBlockNumber(newbuf);
		MihInitPage(target, MIH_PAGE_LIST, 0, chain->owner);
		*MihListPageCount(target) = 0;
		((PageHeader) target)->pd_lower += sizeof(uint32);
	}
	else
		target = tailpage;

	count = MihListPageCount(target);
	MihListEntrySet(&MihListPageEntries(target)[*count], code, PackTid(tid));
	(*count)++;
	((PageHeader) target)->pd_lower += MIH_LIST_ENTRY_SIZE;
	chain->nentries++;
	result = chain->nentries;
	GenericXLogFinish(state);

	if (BufferIsValid(newbuf))
		UnlockReleaseBuffer(newbuf);
	if (BufferIsValid(tailbuf))
		UnlockReleaseBuffer(tailbuf);
	UnlockReleaseBuffer(metabuf);
	return result;
}

/*
 * Insert one row: append it to the pending list, and flush the list if it
 * has grown past its limit (unless another backend is flushing, merging
 * or vacuuming the index right now; the next insert will try again).
 */
bool
mihinsert(Relation index, Datum *values, bool *isnull,
		  ItemPointer ht_ctid, Relation heapRel,
		  IndexUniqueCheck checkUnique,
		  bool indexUnchanged,
		  struct IndexInfo *indexInfo)
{
	uint64		npending;

	if (isnull[0])
	{
		MihAppendToChain(index, true, 0, ht_ctid);
		return false;
	}
	npending = MihAppendToChain(index, false, DatumGetPHash(values[0]), ht_ctid);
	if (npending >= (uint64) MihPendingLimitEntries(index))
		MihFlushAndMerge(index, MIH_MERGE_TIERED);
	return false;
}

/* Take the next segment or chain id */
uint32
MihAllocateOwner(Relation index)
{
	Buffer		buf = ReadBuffer(index, MIH_METAPAGE_BLKNO);
	GenericXLogState *state;
	MihMetaPageData *meta;
	uint32		owner;

	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	state = GenericXLogStart(index);
	meta = MihPageGetMeta(GenericXLogRegisterBuffer(state, buf, 0));
	owner = meta->next_owner++;
	GenericXLogFinish(state);
	UnlockReleaseBuffer(buf);
	return owner;
}

/*
 * Switch the metapage to a new layout: segments first .. first+count-1
 * are replaced by seg (or just removed, if seg is NULL), and with
 * drop_flushing the flushing list is emptied.  The pages no longer
 * referenced are recycled by VACUUM once no snapshot from before now
 * remains.
 */
void
MihInstallSegment(Relation index, const MihSegment *seg, int first, int count,
				  bool drop_flushing)
{
	Buffer		buf = ReadBuffer(index, MIH_METAPAGE_BLKNO);
	GenericXLogState *state;
	MihMetaPageData *meta;
	int			add = seg ? 1 : 0;
	FullTransactionId now;

	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	/* after the lock: any scan that read the old layout began before now */
	now = ReadNextFullTransactionId();
	state = GenericXLogStart(index);
	meta = MihPageGetMeta(GenericXLogRegisterBuffer(state, buf, 0));
	if (first < 0 || count < 0 || first + count > meta->nsegments ||
		meta->nsegments - count + add > MIH_MAX_SEGMENTS)
		elog(ERROR, "cannot install segment at %d (replacing %d of %d) in \"%s\"",
			 first, count, meta->nsegments, RelationGetRelationName(index));
	for (int i = first; i < first + count; i++)
		MihRecordDrop(meta, meta->segments[i].owner, now);
	if (drop_flushing && meta->flushing.head != InvalidBlockNumber)
		MihRecordDrop(meta, meta->flushing.owner, now);
	memmove(&meta->segments[first + add], &meta->segments[first + count],
			(meta->nsegments - first - count) * sizeof(MihSegment));
	if (seg)
		meta->segments[first] = *seg;
	meta->nsegments += add - count;
	if (drop_flushing)
	{
		meta->flushing.head = meta->flushing.tail = InvalidBlockNumber;
		meta->flushing.owner = 0;
		meta->flushing.nentries = 0;
	}
	meta->layout_version++;
	GenericXLogFinish(state);
	UnlockReleaseBuffer(buf);
}

/*
 * Append the live entries of a chain of list pages to a growing array of
 * items.
 */
void
MihCollectChain(Relation index, BlockNumber head, uint32 owner,
				MihItem **items, int64 *nitems, int64 *capacity)
{
	BlockNumber blkno = head;

	while (blkno != InvalidBlockNumber)
	{
		Buffer		buf = ReadBuffer(index, blkno);
		Page		page;
		uint32		n;
		MihListEntry *entries;

		LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = MihCheckPage(index, buf, MIH_PAGE_LIST, owner, false);
		n = *MihListPageCount(page);
		entries = MihListPageEntries(page);
		if (*nitems + n > *capacity)
		{
			*capacity = Max(*capacity * 2, *nitems + n);
			*items = repalloc_huge(*items, *capacity * sizeof(MihItem));
		}
		for (uint32 i = 0; i < n; i++)
		{
			uint64		tid = MihListEntryTid(&entries[i]);

			if (PackedTidIsDead(tid))
				continue;
			(*items)[*nitems].code = MihListEntryCode(&entries[i]);
			(*items)[*nitems].tid = tid;
			(*nitems)++;
		}
		blkno = MihPageGetOpaque(page)->next;
		UnlockReleaseBuffer(buf);
		CHECK_FOR_INTERRUPTS();
	}
}

/* Turn the flushing list, if there is one, into a segment */
static void
MihFlushFlushing(Relation index)
{
	MihMetaPageData meta;
	MihLayout	layout;
	MihSegment	seg;
	int64		nitems = 0,
				capacity = 1024;
	MihItem    *items;

	MihReadMeta(index, &meta);
	if (meta.flushing.head == InvalidBlockNumber)
		return;
	MihLayoutFromMeta(&meta, &layout);
	items = palloc(capacity * sizeof(MihItem));
	MihCollectChain(index, meta.flushing.head, meta.flushing.owner,
					&items, &nitems, &capacity);
	if (nitems > 0)
	{
		MihWriteSegmentFromItems(index, &layout, items, nitems,
								 MihAllocateOwner(index), &seg, false);
		MihInstallSegment(index, &seg, meta.nsegments, 0, true);
	}
	else
		MihInstallSegment(index, NULL, meta.nsegments, 0, true);
	pfree(items);
}

/* Make the pending list the flushing list, and start a new pending list */
static void
MihDetachPending(Relation index)
{
	Buffer		buf = ReadBuffer(index, MIH_METAPAGE_BLKNO);
	GenericXLogState *state;
	MihMetaPageData *meta;

	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	meta = MihPageGetMeta(BufferGetPage(buf));
	if (meta->pending.head == InvalidBlockNumber ||
		meta->flushing.head != InvalidBlockNumber)
	{
		UnlockReleaseBuffer(buf);
		return;
	}
	state = GenericXLogStart(index);
	meta = MihPageGetMeta(GenericXLogRegisterBuffer(state, buf, 0));
	meta->flushing = meta->pending;
	meta->pending.head = meta->pending.tail = InvalidBlockNumber;
	meta->pending.owner = 0;
	meta->pending.nentries = 0;
	GenericXLogFinish(state);
	UnlockReleaseBuffer(buf);
}

/*
 * Merge segments first .. nsegments-1 of the current layout into one.
 */
static void
MihMergeTail(Relation index, int first)
{
	MihMetaPageData meta;
	MihCache   *cache = MihGetCache(index, &meta);
	int			segnos[MIH_MAX_SEGMENTS];
	int			count = meta.nsegments - first;
	uint64		live = 0;
	MihSegment	seg;

	for (int i = 0; i < count; i++)
	{
		segnos[i] = first + i;
		live += meta.segments[first + i].nentries - meta.segments[first + i].ndead;
	}
	if (live == 0)
	{
		MihInstallSegment(index, NULL, first, count, false);
		return;
	}
	MihWriteMergedSegment(index, &cache->layout, cache, segnos, count,
						  MihAllocateOwner(index), &seg);
	MihInstallSegment(index, &seg, first, count, false);
}

/*
 * Flush the pending list into a segment and merge segments as the policy
 * says.  Under MIH_MERGE_TIERED, gives up (returning false) when another
 * backend holds the maintenance lock.
 */
bool
MihFlushAndMerge(Relation index, MihMergePolicy policy)
{
	MihMetaPageData meta;
	int			first;
	uint64		total = 0,
				dead = 0,
				largest = 0;

	if (policy != MIH_MERGE_TIERED)
		MihLockMaintenance(index);
	else if (!MihConditionalLockMaintenance(index))
		return false;

	/*
	 * Make room for the (up to two) segments the flushes below add, should
	 * merges have been cut short again and again.
	 */
	MihReadMeta(index, &meta);
	if (meta.nsegments > MIH_MAX_SEGMENTS - 3)
		MihMergeTail(index, 0);

	/* a flush cut short by a crash is finished first */
	MihFlushFlushing(index);
	MihDetachPending(index);
	MihFlushFlushing(index);

	MihReadMeta(index, &meta);
	for (int i = 0; i < meta.nsegments; i++)
	{
		total += meta.segments[i].nentries;
		dead += meta.segments[i].ndead;
		largest = Max(largest, meta.segments[i].nentries);
	}

	/* the binary counter: the newest segments while they outweigh the next */
	first = meta.nsegments - 1;
	while (first > 0)
	{
		uint64		tail = 0;

		for (int i = first; i < meta.nsegments; i++)
			tail += meta.segments[i].nentries - meta.segments[i].ndead;
		if (tail < meta.segments[first - 1].nentries - meta.segments[first - 1].ndead)
			break;
		first--;
	}
	if (policy == MIH_MERGE_VACUUM && meta.nsegments > 0 &&
		(dead * 10 >= total || (total - largest) * 10 >= largest))
	{
		/* with one segment, this rewrites it without its dead entries */
		MihMergeTail(index, 0);
	}
	else if (first >= 0 && first < meta.nsegments - 1)
		MihMergeTail(index, first);

	MihUnlockMaintenance(index);
	return true;
}
