/*-------------------------------------------------------------------------
 *
 * capvacuum.c
 *	  VACUUM of a caption index: write the pending list as a segment, mark
 *	  the documents of removed rows dead in place (in the segments' document
 *	  tables and in what inserts added to the pending list meanwhile), and
 *	  hand the pages of dropped lists and unfinished segments to the free
 *	  space map once no snapshot can read them.
 *
 * A dead document's TID gets offset 0; scans skip it.  A scan that read
 * the entry just before is safe as for any bitmap scan under an MVCC
 * snapshot: the heap slot can only be reused by a row inserted after this
 * pass, which that scan's snapshot cannot see.  Postings of dead
 * documents stay until a merge rewrites their segment (capmerge.c; the
 * cleanup pass merges everything once a tenth of the documents are dead).
 * Both passes hold the maintenance lock, so no flush or merge runs
 * meanwhile.
 *
 * src/caption/index/capvacuum.c
 *
 *-------------------------------------------------------------------------
 */
#include "capindex.h"

#include "commands/vacuum.h"
#include "miscadmin.h"
#include "storage/indexfsm.h"

/* Mark the dead documents of one document page; returns how many */
static int
CapVacuumDocPage(Relation index, const CapSegment *seg, BlockNumber blkno,
				 IndexBulkDeleteCallback callback, void *callback_state,
				 double *live)
{
	Buffer		buf = CapReadPage(index, blkno, CAP_PAGE_DOCS, seg->owner,
								  BUFFER_LOCK_SHARE);
	Page		page = BufferGetPage(buf);
	int			n = Min(CapPageGetOpaque(page)->count, CAP_DOCS_PER_PAGE);
	uint64		docs[CAP_DOCS_PER_PAGE];
	bool		dead[CAP_DOCS_PER_PAGE];
	int			ndead = 0;

	/* ask about each TID without holding the lock */
	memcpy(docs, PageGetContents(page), n * sizeof(uint64));
	UnlockReleaseBuffer(buf);
	for (int i = 0; i < n; i++)
	{
		uint64		tid = CapDocTid(docs[i]);
		ItemPointerData itup;

		dead[i] = false;
		if (PackedTidIsDead(tid))
			continue;
		UnpackTid(tid, &itup);
		if (callback(&itup, callback_state))
		{
			dead[i] = true;
			ndead++;
		}
		else
			(*live)++;
	}
	if (ndead > 0)
	{
		GenericXLogState *state;
		uint64	   *entries;

		/* a cleanup lock: no counting scan holds the page (capsearch.c) */
		buf = ReadBuffer(index, blkno);
		LockBufferForCleanup(buf);
		CapCheckPage(index, buf, CAP_PAGE_DOCS, seg->owner);
		state = GenericXLogStart(index);
		page = GenericXLogRegisterBuffer(state, buf, 0);
		entries = (uint64 *) PageGetContents(page);
		for (int i = 0; i < n; i++)
			if (dead[i])
				entries[i] &= ~PACKED_TID_OFFSET_MASK;
		GenericXLogFinish(state);
		UnlockReleaseBuffer(buf);
	}
	return ndead;
}

/* Collect the places of the pending entries whose rows are gone */
typedef struct CapPendingDead
{
	IndexBulkDeleteCallback callback;
	void	   *callback_state;
	int			n;
	int			cap;
	BlockNumber *blknos;
	uint32	   *offs;
	double		live;
} CapPendingDead;

static bool
CapCollectDeadPending(void *arg, uint64 tid, TSVector vector, BlockNumber blkno,
					  uint32 header_off)
{
	CapPendingDead *pd = arg;
	ItemPointerData itup;

	UnpackTid(tid, &itup);
	if (!pd->callback(&itup, pd->callback_state))
	{
		pd->live++;
		return true;
	}
	if (pd->n == pd->cap)
	{
		pd->cap = Max(64, 2 * pd->cap);
		pd->blknos = pd->blknos ? repalloc_huge(pd->blknos, pd->cap * sizeof(BlockNumber)) :
			palloc(pd->cap * sizeof(BlockNumber));
		pd->offs = pd->offs ? repalloc_huge(pd->offs, pd->cap * sizeof(uint32)) :
			palloc(pd->cap * sizeof(uint32));
	}
	pd->blknos[pd->n] = blkno;
	pd->offs[pd->n] = header_off;
	pd->n++;
	return true;
}

IndexBulkDeleteResult *
capbulkdelete(IndexVacuumInfo *info, IndexBulkDeleteResult *stats,
			  IndexBulkDeleteCallback callback, void *callback_state)
{
	Relation	index = info->index;
	CapMetaPageData meta;
	CapPendingDead pd;
	double		live = 0;

	if (stats == NULL)
		stats = palloc0(sizeof(IndexBulkDeleteResult));
	CapLockMaintenance(index);
	CapFlushLocked(index, CapMaintenanceWorkMem());
	CapReadMeta(index, &meta);

	for (int s = 0; s < meta.nsegments; s++)
	{
		const CapSegment *seg = &meta.segments[s];
		BlockNumber root[CAP_DIR_FANOUT];
		BlockNumber dir[CAP_DIR_FANOUT];
		int			nroot;
		uint32		ndead = 0;
		Buffer		buf;
		Page		page;

		buf = CapReadPage(index, seg->doc_root, CAP_PAGE_DOCDIR, seg->owner, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		nroot = Min(CapPageGetOpaque(page)->count, CAP_DIR_FANOUT);
		memcpy(root, PageGetContents(page), nroot * sizeof(BlockNumber));
		UnlockReleaseBuffer(buf);
		for (int d = 0; d < nroot; d++)
		{
			int			ndir;

			buf = CapReadPage(index, root[d], CAP_PAGE_DOCDIR, seg->owner, BUFFER_LOCK_SHARE);
			page = BufferGetPage(buf);
			ndir = Min(CapPageGetOpaque(page)->count, CAP_DIR_FANOUT);
			memcpy(dir, PageGetContents(page), ndir * sizeof(BlockNumber));
			UnlockReleaseBuffer(buf);
			for (int p = 0; p < ndir; p++)
			{
				vacuum_delay_point();
				ndead += CapVacuumDocPage(index, seg, dir[p], callback, callback_state, &live);
			}
		}
		if (ndead > 0)
		{
			/* the segment's dead count in the metapage */
			GenericXLogState *state;
			Buffer		metabuf = ReadBuffer(index, CAP_METAPAGE_BLKNO);
			CapMetaPageData *m;

			LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
			state = GenericXLogStart(index);
			m = CapPageGetMeta(GenericXLogRegisterBuffer(state, metabuf, 0));
			for (int t = 0; t < m->nsegments; t++)
				if (m->segments[t].owner == seg->owner)
					m->segments[t].ndead = Min(m->segments[t].ndead + ndead,
											   m->segments[t].ndocs);
			GenericXLogFinish(state);
			UnlockReleaseBuffer(metabuf);
		}
		stats->tuples_removed += ndead;
	}

	/* the pending list: find the dead entries, then mark them page by page */
	memset(&pd, 0, sizeof(pd));
	pd.callback = callback;
	pd.callback_state = callback_state;
	CapPendingWalk(index, &meta.pending, CapCollectDeadPending, &pd);
	for (int i = 0; i < pd.n;)
	{
		BlockNumber blkno = pd.blknos[i];
		GenericXLogState *state;
		Buffer		buf;
		Page		page;

		vacuum_delay_point();
		buf = CapReadPage(index, blkno, CAP_PAGE_PENDING, meta.pending.owner,
						  BUFFER_LOCK_EXCLUSIVE);
		state = GenericXLogStart(index);
		page = GenericXLogRegisterBuffer(state, buf, 0);
		for (; i < pd.n && pd.blknos[i] == blkno; i++)
		{
			CapPendingHeader hdr;
			char	   *p = PageGetContents(page) + pd.offs[i];

			memcpy(&hdr, p, CAP_PENDING_HEADER);
			hdr.tid[0] &= ~(uint16) PACKED_TID_OFFSET_MASK;
			memcpy(p, &hdr, CAP_PENDING_HEADER);
			stats->tuples_removed++;
		}
		GenericXLogFinish(state);
		UnlockReleaseBuffer(buf);
	}
	CapUnlockMaintenance(index);
	stats->num_index_tuples = live + pd.live;
	stats->num_pages = RelationGetNumberOfBlocks(index);
	return stats;
}

/* Record in the free space map every page nothing can read any more */
static BlockNumber
CapRecyclePages(IndexVacuumInfo *info, const CapMetaPageData *meta)
{
	Relation	index = info->index;
	BlockNumber npages = RelationGetNumberOfBlocks(index);
	BlockNumber nfree = 0;

	for (BlockNumber blkno = CAP_METAPAGE_BLKNO + 1; blkno < npages; blkno++)
	{
		Buffer		buf;

		vacuum_delay_point();
		buf = ReadBufferExtended(index, MAIN_FORKNUM, blkno, RBM_NORMAL, info->strategy);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		if (CapPageReusable(meta, BufferGetPage(buf)))
		{
			RecordFreeIndexPage(index, blkno);
			nfree++;
		}
		UnlockReleaseBuffer(buf);
	}
	IndexFreeSpaceMapVacuum(index);
	return nfree;
}

IndexBulkDeleteResult *
capvacuumcleanup(IndexVacuumInfo *info, IndexBulkDeleteResult *stats)
{
	Relation	index = info->index;
	CapMetaPageData meta;

	if (info->analyze_only)
		return stats;

	CapLockMaintenance(index);
	CapFlushLocked(index, CapMaintenanceWorkMem());
	/* the dead documents bulk delete marked: merged away past a tenth */
	CapMergeLocked(index, CapMaintenanceWorkMem(), true);
	CapReadMeta(index, &meta);
	if (stats == NULL)
	{
		double		live = 0;

		/* no bulk delete ran: count from the metapage */
		for (int s = 0; s < meta.nsegments; s++)
			live += meta.segments[s].ndocs - meta.segments[s].ndead;
		stats = palloc0(sizeof(IndexBulkDeleteResult));
		stats->num_index_tuples = live + meta.pending.nentries;
		stats->estimated_count = meta.pending.nentries > 0;
	}
	stats->pages_free = CapRecyclePages(info, &meta);
	CapUnlockMaintenance(index);
	stats->num_pages = RelationGetNumberOfBlocks(index);
	return stats;
}
