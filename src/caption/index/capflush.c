/*-------------------------------------------------------------------------
 *
 * capflush.c
 *	  Write a caption index's pending list as a new segment ("flush"): when
 *	  an insert takes it past pending_list_limit, and at VACUUM.
 *
 * A flush holds the maintenance lock (so one runs at a time, and VACUUM
 * waits for it) and goes in three steps, each one WAL record on the
 * metapage:
 *	1. the pending list becomes the "flushing" list and inserts start a new,
 *	   empty pending list (a new owner), so they never wait for the flush;
 *	2. the flushing list's live entries are sorted into a segment written
 *	   in pages no scan can reach (capbuild.c, capsegment.c);
 *	3. the segment is added to the metapage and the flushing list dropped,
 *	   in one record;
 * then segments are merged as capmerge.c's policy says.
 * Scans read the segments, the flushing list and the pending list of the
 * metapage as they copied it, so every row is seen once whichever step a
 * flush is at.  The flushing list's pages are reused (capvacuum.c) once no
 * snapshot from before step 3 remains.  After a crash in step 2 the
 * flushing list is still in the metapage and the next flush (or VACUUM)
 * writes it again; the pages of the unfinished segment belong to no owner
 * the metapage references, and VACUUM frees them.
 *
 * src/caption/index/capflush.c
 *
 *-------------------------------------------------------------------------
 */
#include "capindex.h"

#include "access/transam.h"
#include "miscadmin.h"
#include "postmaster/autovacuum.h"

/* Add the flushing list's live entries to the segment being made */
static bool
CapFlushEntry(void *arg, uint64 tid, TSVector vector, BlockNumber blkno,
			  uint32 header_off)
{
	ItemPointerData itup;

	UnpackTid(tid, &itup);
	CapSegmentBuildAdd((CapSegmentBuild *) arg, &itup, vector);
	return true;
}

/*
 * Steps 2 and 3 for the metapage's flushing list, if it has one; the
 * caller holds the maintenance lock.  Returns false when the metapage has
 * no room for another segment (the list then stays, and scans read it).
 */
static bool
CapWriteFlushing(Relation index, int workmem)
{
	CapMetaPageData meta;
	Buffer		metabuf;
	GenericXLogState *state;
	CapMetaPageData *m;
	CapSegmentBuild *b;
	CapSegment	seg;
	uint32		owner;

	CapReadMeta(index, &meta);
	if (meta.flushing.head == InvalidBlockNumber)
		return true;
	if (meta.nsegments >= CAP_MAX_SEGMENTS)
	{
		ereport(NOTICE,
				(errmsg("caption index \"%s\" has %d segments, the most it can hold: its pending list stays unsorted",
						RelationGetRelationName(index), CAP_MAX_SEGMENTS),
				 errhint("REINDEX the index.")));
		return false;
	}

	/* a new owner for the segment */
	owner = CapAllocateOwner(index);

	b = CapSegmentBuildBegin(index, owner, workmem, true);
	CapPendingWalk(index, &meta.flushing, CapFlushEntry, b);
	CapSegmentBuildFinish(b, &seg);

	metabuf = ReadBuffer(index, CAP_METAPAGE_BLKNO);
	LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
	state = GenericXLogStart(index);
	m = CapPageGetMeta(GenericXLogRegisterBuffer(state, metabuf, 0));
	if (m->flushing.owner != meta.flushing.owner || m->nsegments >= CAP_MAX_SEGMENTS)
		elog(ERROR, "caption index \"%s\": its metapage changed during a flush",
			 RelationGetRelationName(index));
	m->segments[m->nsegments++] = seg;
	PageDropRecord(m->drops, &m->ndrops, CAP_MAX_DROPS, &m->last_drop,
				   m->flushing.owner, ReadNextFullTransactionId());
	memset(&m->flushing, 0, sizeof(CapChain));
	m->flushing.head = InvalidBlockNumber;
	m->flushing.tail = InvalidBlockNumber;
	GenericXLogFinish(state);
	UnlockReleaseBuffer(metabuf);
	return true;
}

/* The memory a flush by VACUUM sorts in, in kB */
int
CapMaintenanceWorkMem(void)
{
	return IsAutoVacuumWorkerProcess() && autovacuum_work_mem != -1 ?
		autovacuum_work_mem : maintenance_work_mem;
}

/*
 * Flush with the maintenance lock held: first a flush a crash interrupted,
 * then the pending list, sorting in workmem kB; then merge
 */
void
CapFlushLocked(Relation index, int workmem)
{
	Buffer		metabuf;
	GenericXLogState *state;
	CapMetaPageData *m;

	if (!CapWriteFlushing(index, workmem))
	{
		/* no room for a segment: merging makes some */
		CapMergeLocked(index, workmem, false);
		if (!CapWriteFlushing(index, workmem))
			return;
	}

	/* step 1 */
	metabuf = ReadBuffer(index, CAP_METAPAGE_BLKNO);
	LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
	m = CapPageGetMeta(BufferGetPage(metabuf));
	if (m->pending.head == InvalidBlockNumber || m->nsegments >= CAP_MAX_SEGMENTS)
	{
		UnlockReleaseBuffer(metabuf);
		CapMergeLocked(index, workmem, false);
		return;
	}
	state = GenericXLogStart(index);
	m = CapPageGetMeta(GenericXLogRegisterBuffer(state, metabuf, 0));
	m->flushing = m->pending;
	memset(&m->pending, 0, sizeof(CapChain));
	m->pending.head = InvalidBlockNumber;
	m->pending.tail = InvalidBlockNumber;
	m->pending.owner = m->next_owner++;
	GenericXLogFinish(state);
	UnlockReleaseBuffer(metabuf);

	CapWriteFlushing(index, workmem);
	CapMergeLocked(index, workmem, false);
}

/*
 * Flush the pending list: waiting for the maintenance lock, or (an insert)
 * only if no flush or VACUUM holds it.  Returns whether it ran.
 */
bool
CapFlushPending(Relation index, bool wait)
{
	int			workmem = wait ? CapMaintenanceWorkMem() : work_mem;

	if (wait)
		CapLockMaintenance(index);
	else if (!CapConditionalLockMaintenance(index))
		return false;
	/* (an error releases the lock with the transaction) */
	CapFlushLocked(index, workmem);
	CapUnlockMaintenance(index);
	return true;
}
