/*-------------------------------------------------------------------------
 *
 * mihvacuum.c
 *	  VACUUM for mih indexes.  Bulk delete marks the entries of dead rows
 *	  in every table of every segment and in the lists; cleanup flushes
 *	  the pending list, merges segments (dropping the marked entries) and
 *	  hands pages no longer referenced to the free space map, once no
 *	  snapshot from before they were dropped remains.
 *
 * Both hold the maintenance lock, so no flush or merge copies entries
 * while they are being marked, and no page is recorded free while a
 * merge is filling it.
 *
 * src/mih/mihvacuum.c
 *
 *-------------------------------------------------------------------------
 */
#include "mih.h"

#include "access/genam.h"
#include "commands/vacuum.h"
#include "miscadmin.h"
#include "storage/indexfsm.h"
#include "utils/snapmgr.h"

/*
 * The TIDs of the rows found dead in table 0, sorted.  Marking an entry
 * dead erases its TID, so marking must be safe to repeat after a VACUUM
 * was interrupted: the dead rows are first only collected from table 0
 * (asking the callback once per row: it is a search of its own, and
 * validate_index wants each TID once), then marked in tables m-1 .. 1,
 * and in table 0 last.  Until table 0 is marked, a later VACUUM finds
 * the same rows there again.
 */
typedef struct MihDeadTids
{
	uint64	   *tids;
	int64		n;
	int64		capacity;
} MihDeadTids;

static int
MihCompareTids(const void *a, const void *b)
{
	uint64		x = *(const uint64 *) a,
				y = *(const uint64 *) b;

	return (x > y) - (x < y);
}

/*
 * Lock a table page and read the packed TIDs of its entries (dead ones
 * included, as 0 offsets); returns the locked buffer.
 */
static Buffer
MihVacuumReadTids(Relation index, const MihLayout *layout, BlockNumber blkno,
				  uint32 owner, int table, int lockmode, uint64 *tids, int *ntids)
{
	Buffer		buf = ReadBuffer(index, blkno);
	Page		page;
	int			restbits = PHASH_BITS - layout->bits[table],
				entry_size = layout->entry_size[table];
	char	   *entries;

	LockBuffer(buf, lockmode);
	page = MihCheckPage(index, buf, MIH_PAGE_TABLE, owner, false);
	*ntids = MihTablePageHeaderOf(page)->nentries;
	entries = MihTablePageEntries(page);
	for (int e = 0; e < *ntids; e++)
	{
		uint64		rest;

		MihReadEntry(entries + (Size) e * entry_size, restbits, &rest, &tids[e]);
	}
	return buf;
}

/* Ask the callback about the live entries of one page of table 0 */
static void
MihVacuumCollectPage(Relation index, const MihLayout *layout, BlockNumber blkno,
					 uint32 owner, MihDeadTids *dead,
					 IndexBulkDeleteCallback callback, void *callback_state,
					 int64 *live)
{
	uint64		tids[BLCKSZ / 8];
	int			n;
	Buffer		buf = MihVacuumReadTids(index, layout, blkno, owner, 0,
										BUFFER_LOCK_SHARE, tids, &n);

	for (int e = 0; e < n; e++)
	{
		ItemPointerData itid;

		if (PackedTidIsDead(tids[e]))
			continue;
		UnpackTid(tids[e], &itid);
		if (!callback(&itid, callback_state))
		{
			(*live)++;
			continue;
		}
		if (dead->n == dead->capacity)
		{
			dead->capacity = Max(dead->capacity * 2, 1024);
			dead->tids = dead->tids ? repalloc_huge(dead->tids, dead->capacity * sizeof(uint64)) :
				palloc(dead->capacity * sizeof(uint64));
		}
		dead->tids[dead->n++] = tids[e];
	}
	UnlockReleaseBuffer(buf);
}

/*
 * Mark the entries of one table page whose TIDs are in the dead set;
 * returns how many it marked.
 */
static int64
MihVacuumMarkPage(Relation index, const MihLayout *layout, BlockNumber blkno,
				  uint32 owner, int table, const MihDeadTids *deadtids)
{
	uint64		tids[BLCKSZ / 8];
	uint16		dead[BLCKSZ / 8];
	int			n;
	int64		ndead = 0;
	Buffer		buf = MihVacuumReadTids(index, layout, blkno, owner, table,
										BUFFER_LOCK_EXCLUSIVE, tids, &n);

	for (int e = 0; e < n; e++)
		if (!PackedTidIsDead(tids[e]) &&
			bsearch(&tids[e], deadtids->tids, deadtids->n, sizeof(uint64), MihCompareTids))
			dead[ndead++] = e;
	if (ndead > 0)
	{
		GenericXLogState *state = GenericXLogStart(index);
		Page		page = GenericXLogRegisterBuffer(state, buf, 0);
		int			restbits = PHASH_BITS - layout->bits[table],
					entry_size = layout->entry_size[table];
		char	   *entries = MihTablePageEntries(page);

		for (int64 i = 0; i < ndead; i++)
		{
			char	   *p = entries + (Size) dead[i] * entry_size;
			uint64		rest,
						tid;

			MihReadEntry(p, restbits, &rest, &tid);
			MihWriteEntry(p, restbits, entry_size, rest, tid & ~PACKED_TID_OFFSET_MASK);
		}
		GenericXLogFinish(state);
	}
	UnlockReleaseBuffer(buf);
	return ndead;
}

/* Mark the dead entries of a chain of list pages */
static int64
MihVacuumChain(Relation index, const MihChain *chain,
			   IndexBulkDeleteCallback callback, void *callback_state,
			   int64 *live)
{
	BlockNumber blkno = chain->head;
	int64		total = 0;

	while (blkno != InvalidBlockNumber)
	{
		Buffer		buf = ReadBuffer(index, blkno);
		Page		page;
		MihListEntry *entries;
		uint32		n;
		uint16		dead[BLCKSZ / 8];
		int			ndead = 0;

		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		page = MihCheckPage(index, buf, MIH_PAGE_LIST, chain->owner, false);
		n = *MihListPageCount(page);
		entries = MihListPageEntries(page);
		for (uint32 i = 0; i < n; i++)
		{
			uint64		tid = MihListEntryTid(&entries[i]);
			ItemPointerData itid;

			if (PackedTidIsDead(tid))
				continue;
			UnpackTid(tid, &itid);
			if (callback(&itid, callback_state))
				dead[ndead++] = i;
			else
				(*live)++;
		}
		if (ndead > 0)
		{
			GenericXLogState *state = GenericXLogStart(index);

			page = GenericXLogRegisterBuffer(state, buf, 0);
			entries = MihListPageEntries(page);
			for (int i = 0; i < ndead; i++)
			{
				MihListEntry *e = &entries[dead[i]];

				MihListEntrySet(e, MihListEntryCode(e),
								MihListEntryTid(e) & ~PACKED_TID_OFFSET_MASK);
			}
			GenericXLogFinish(state);
		}
		total += ndead;
		blkno = MihPageGetOpaque(page)->next;
		UnlockReleaseBuffer(buf);
		vacuum_delay_point();
	}
	return total;
}

/* Record the dead entries counted per segment in the metapage */
static void
MihRecordDead(Relation index, const MihMetaPageData *before, const int64 *ndead)
{
	Buffer		buf = ReadBuffer(index, MIH_METAPAGE_BLKNO);
	GenericXLogState *state;
	MihMetaPageData *meta;

	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	state = GenericXLogStart(index);
	meta = MihPageGetMeta(GenericXLogRegisterBuffer(state, buf, 0));
	for (int i = 0; i < meta->nsegments; i++)
		for (int k = 0; k < before->nsegments; k++)
			if (meta->segments[i].owner == before->segments[k].owner)
				meta->segments[i].ndead += ndead[k];
	GenericXLogFinish(state);
	UnlockReleaseBuffer(buf);
}

/*
 * Bulk delete: mark the entries of the rows the callback says are dead.
 */
IndexBulkDeleteResult *
mihbulkdelete(IndexVacuumInfo *info, IndexBulkDeleteResult *stats,
			  IndexBulkDeleteCallback callback, void *callback_state)
{
	Relation	index = info->index;
	MihMetaPageData meta;
	MihCache   *cache;
	int64		ndead[MIH_MAX_SEGMENTS];
	int64		live = 0;

	if (stats == NULL)
		stats = (IndexBulkDeleteResult *) palloc0(sizeof(IndexBulkDeleteResult));

	MihLockMaintenance(index);
	cache = MihGetCache(index, &meta);
	for (int s = 0; s < meta.nsegments; s++)
	{
		MihDeadTids deadtids = {NULL, 0, 0};
		uint32		owner = meta.segments[s].owner;

		ndead[s] = 0;
		/* count rows in table 0 only: every table holds each row */
		for (uint32 p = 0; p < cache->maps[s][0].npages; p++)
		{
			MihVacuumCollectPage(index, &cache->layout, cache->maps[s][0].blknos[p],
								 owner, &deadtids, callback, callback_state, &live);
			vacuum_delay_point();
		}
		if (deadtids.n == 0)
			continue;
		qsort(deadtids.tids, deadtids.n, sizeof(uint64), MihCompareTids);
		for (int j = meta.nsubstrings - 1; j >= 0; j--)
			for (uint32 p = 0; p < cache->maps[s][j].npages; p++)
			{
				int64		n = MihVacuumMarkPage(index, &cache->layout,
												  cache->maps[s][j].blknos[p],
												  owner, j, &deadtids);

				if (j == 0)
					ndead[s] += n;
				vacuum_delay_point();
			}
		pfree(deadtids.tids);
		stats->tuples_removed += ndead[s];
	}
	stats->tuples_removed += MihVacuumChain(index, &meta.pending, callback, callback_state, &live);
	stats->tuples_removed += MihVacuumChain(index, &meta.flushing, callback, callback_state, &live);
	stats->tuples_removed += MihVacuumChain(index, &meta.nulls, callback, callback_state, &live);
	MihRecordDead(index, &meta, ndead);
	MihUnlockMaintenance(index);

	stats->num_index_tuples = live;
	stats->estimated_count = false;
	return stats;
}

/* Note the blocks of a chain of pages (list or map) as referenced */
static void
MihMarkChain(Relation index, BlockNumber head, bool *referenced,
			 BlockNumber nblocks)
{
	BlockNumber blkno = head;

	while (blkno != InvalidBlockNumber && blkno < nblocks && !referenced[blkno])
	{
		Buffer		buf = ReadBuffer(index, blkno);

		referenced[blkno] = true;
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		blkno = MihPageGetOpaque(BufferGetPage(buf))->next;
		UnlockReleaseBuffer(buf);
	}
}

/*
 * Hand the pages no segment or list references to the free space map,
 * those whose drop is older than every snapshot that could still read
 * them, and forget those drops.  Returns how many pages.
 */
static BlockNumber
MihRecyclePages(Relation index, BlockNumber *npages)
{
	/* the block count first: later pages are being set up by inserts */
	BlockNumber nblocks = RelationGetNumberOfBlocks(index);
	MihMetaPageData meta;
	MihCache   *cache;
	bool	   *referenced;
	BlockNumber nfree = 0;
	Buffer		metabuf;
	GenericXLogState *state;
	MihMetaPageData *m;
	int			kept = 0;

	*npages = nblocks;
	cache = MihGetCache(index, &meta);
	referenced = palloc0(Max(nblocks, 1) * sizeof(bool));
	referenced[MIH_METAPAGE_BLKNO] = true;
	for (int s = 0; s < meta.nsegments; s++)
	{
		for (int j = 0; j < meta.nsubstrings; j++)
			for (uint32 p = 0; p < cache->maps[s][j].npages; p++)
				if (cache->maps[s][j].blknos[p] < nblocks)
					referenced[cache->maps[s][j].blknos[p]] = true;
		MihMarkChain(index, meta.segments[s].map_head, referenced, nblocks);
	}
	MihMarkChain(index, meta.pending.head, referenced, nblocks);
	MihMarkChain(index, meta.flushing.head, referenced, nblocks);
	MihMarkChain(index, meta.nulls.head, referenced, nblocks);

	for (BlockNumber b = 0; b < nblocks; b++)
	{
		Buffer		buf;
		Page		page;
		bool		reusable;

		if (referenced[b])
			continue;
		buf = ReadBuffer(index, b);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		reusable = PageIsNew(page) ||
			MihDroppedPageReusable(&meta, MihPageGetOpaque(page)->owner);
		UnlockReleaseBuffer(buf);
		if (reusable)
		{
			RecordFreeIndexPage(index, b);
			nfree++;
		}
		vacuum_delay_point();
	}
	pfree(referenced);
	IndexFreeSpaceMapVacuum(index);

	/* drops whose pages are all recorded free need no remembering */
	metabuf = ReadBuffer(index, MIH_METAPAGE_BLKNO);
	LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
	state = GenericXLogStart(index);
	m = MihPageGetMeta(GenericXLogRegisterBuffer(state, metabuf, 0));
	for (int i = 0; i < m->ndrops; i++)
		if (!GlobalVisCheckRemovableFullXid(NULL, m->drops[i].when))
			m->drops[kept++] = m->drops[i];
	m->ndrops = kept;
	if (FullTransactionIdIsValid(m->last_drop) &&
		GlobalVisCheckRemovableFullXid(NULL, m->last_drop))
		m->last_drop = InvalidFullTransactionId;
	GenericXLogFinish(state);
	UnlockReleaseBuffer(metabuf);
	return nfree;
}

/*
 * Cleanup after VACUUM: flush and merge, recycle pages, report sizes.
 */
IndexBulkDeleteResult *
mihvacuumcleanup(IndexVacuumInfo *info, IndexBulkDeleteResult *stats)
{
	Relation	index = info->index;
	MihMetaPageData meta;
	BlockNumber npages,
				pages_free;

	if (info->analyze_only)
		return stats;

	/*
	 * Recycle first, so that this VACUUM's merge can reuse the pages earlier
	 * merges dropped; the pages it drops itself are recycled next time.
	 */
	MihLockMaintenance(index);
	pages_free = MihRecyclePages(index, &npages);
	MihUnlockMaintenance(index);

	MihFlushAndMerge(index, MIH_MERGE_VACUUM);

	MihLockMaintenance(index);
	if (stats == NULL)
	{
		stats = (IndexBulkDeleteResult *) palloc0(sizeof(IndexBulkDeleteResult));
		MihReadMeta(index, &meta);
		for (int s = 0; s < meta.nsegments; s++)
			stats->num_index_tuples += meta.segments[s].nentries - meta.segments[s].ndead;
		stats->num_index_tuples += meta.pending.nentries + meta.nulls.nentries;
		stats->estimated_count = true;
	}
	stats->pages_free = pages_free;
	stats->num_pages = RelationGetNumberOfBlocks(index);
	MihUnlockMaintenance(index);
	return stats;
}
