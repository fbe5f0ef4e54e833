/*-------------------------------------------------------------------------
 *
 * mihbuild.c
 *	  Build a mih index in bulk: collect (code, TID) items from the table
 *	  in maintenance_work_mem, sort them once per substring and write them
 *	  as a segment.  A table that does not fit is sorted in chunks: each
 *	  chunk, sorted once per substring, goes to temporary files, and the
 *	  segment is written from a merge of those runs, so the index holds
 *	  nothing but the final segment.
 *
 * src/mih/mihbuild.c
 *
 *-------------------------------------------------------------------------
 */
#include "mih.h"

#include "access/tableam.h"
#include "access/xloginsert.h"
#include "catalog/index.h"
#include "commands/progress.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/buffile.h"
#include "storage/smgr.h"
#include "utils/memutils.h"

typedef struct MihBuildState
{
	Relation	heap;
	Relation	index;
	int			substrings;		/* from the options; 0 until chosen */
	MihItem    *items;
	MihItem    *scratch;		/* for sorting chunks, once one is spilled */
	int64		nitems;
	int64		capacity;
	int64		nrows;			/* non-NULL codes seen */
	bool		layout_chosen;	/* the substring count is fixed */
	MihLayout	layout;
	/* spilled chunks: runs[c * m + j] is chunk c sorted for table j */
	BufFile   **runs;
	int64	   *lengths;
	int			nchunks;
	int			maxchunks;
} MihBuildState;

/*
 * Fix the substring count from the option or the (estimated) row count,
 * once, and record the layout in the metapage.
 */
static void
MihBuildChooseLayout(MihBuildState *bs, double nrows)
{
	Buffer		buf;
	GenericXLogState *state;
	Page		page;
	MihMetaPageData *meta;
	MihMetaPageData fresh;
	int			m;

	if (bs->layout_chosen)
		return;
	m = bs->substrings > 0 ? bs->substrings : MihChooseSubstrings(nrows);
	bs->layout_chosen = true;

	buf = ReadBuffer(bs->index, MIH_METAPAGE_BLKNO);
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	state = GenericXLogStart(bs->index);
	page = GenericXLogRegisterBuffer(state, buf, 0);
	meta = MihPageGetMeta(page);
	/* keep the owner counter and the null list */
	MihInitMeta(&fresh, m);
	fresh.next_owner = meta->next_owner;
	fresh.nulls = meta->nulls;
	memcpy(meta, &fresh, sizeof(MihMetaPageData));
	MihLayoutFromMeta(meta, &bs->layout);
	GenericXLogFinish(state);
	UnlockReleaseBuffer(buf);
}

/*
 * Sort the items collected so far once per table, writing each order to
 * a temporary file of its own, and empty the array.
 */
static void
MihBuildSpill(MihBuildState *bs, double estimated_rows)
{
	int			m;

	if (bs->nitems == 0)
		return;
	MihBuildChooseLayout(bs, estimated_rows);
	m = bs->layout.m;
	if (bs->scratch == NULL)
		bs->scratch = palloc_extended(bs->capacity * sizeof(MihItem), MCXT_ALLOC_HUGE);
	if (bs->nchunks == bs->maxchunks)
	{
		bs->maxchunks = Max(bs->maxchunks * 2, 8);
		bs->runs = bs->runs ? repalloc(bs->runs, bs->maxchunks * m * sizeof(BufFile *)) :
			palloc(bs->maxchunks * m * sizeof(BufFile *));
		bs->lengths = bs->lengths ? repalloc(bs->lengths, bs->maxchunks * sizeof(int64)) :
			palloc(bs->maxchunks * sizeof(int64));
	}
	for (int j = 0; j < m; j++)
	{
		BufFile    *file = BufFileCreateTemp(false);

		MihSortItems(bs->items, bs->scratch, bs->nitems,
					 bs->layout.shift[j], bs->layout.bits[j]);
		BufFileWrite(file, bs->items, bs->nitems * sizeof(MihItem));
		bs->runs[bs->nchunks * m + j] = file;
	}
	bs->lengths[bs->nchunks++] = bs->nitems;
	bs->nitems = 0;
}

/*
 * Write what was collected as the index's one segment: straight from
 * memory, or merged from the spilled runs.
 */
static void
MihBuildWrite(MihBuildState *bs)
{
	MihMetaPageData meta;
	MihSegment	seg;

	MihBuildChooseLayout(bs, (double) bs->nrows);
	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, MIH_PHASE_WRITE);
	if (bs->nchunks > 0)
		MihBuildSpill(bs, (double) bs->nrows);
	if (bs->nchunks == 0 && bs->nitems == 0)
		return;
	MihReadMeta(bs->index, &meta);
	if (bs->nchunks == 0)
		MihWriteSegmentFromItems(bs->index, &bs->layout, bs->items, bs->nitems,
								 MihAllocateOwner(bs->index), &seg, true);
	else
	{
		for (int i = 0; i < bs->nchunks * bs->layout.m; i++)
			if (BufFileSeek(bs->runs[i], 0, 0, SEEK_SET) != 0)
				ereport(ERROR,
						(errcode_for_file_access(),
						 errmsg("could not rewind mih build temporary file: %m")));
		MihWriteSegmentFromRuns(bs->index, &bs->layout, bs->runs, bs->lengths,
								bs->nchunks, MihAllocateOwner(bs->index), &seg);
		for (int i = 0; i < bs->nchunks * bs->layout.m; i++)
			BufFileClose(bs->runs[i]);
	}
	MihInstallSegment(bs->index, &seg, meta.nsegments, 0, false);
}

/* Collect one heap tuple's code */
static void
MihBuildCallback(Relation index, ItemPointer tid, Datum *values,
				 bool *isnull, bool tupleIsAlive, void *state)
{
	MihBuildState *bs = (MihBuildState *) state;

	if (isnull[0])
	{
		MihAppendToChain(index, true, 0, tid);
		return;
	}
	if (bs->nitems == bs->capacity)
	{
		/* the table is larger than memory: guess its size from pg_class */
		double		estimate = Max(bs->heap->rd_rel->reltuples, 4.0 * bs->nrows);

		MihBuildSpill(bs, estimate);
	}
	bs->items[bs->nitems].code = DatumGetPHash(values[0]);
	bs->items[bs->nitems].tid = PackTid(tid);
	bs->nitems++;
	bs->nrows++;
}

/* Write an empty metapage into a new index's first block */
static void
MihWriteEmptyMeta(Relation index)
{
	Buffer		buf;
	GenericXLogState *state;
	Page		page;

	buf = ReadBuffer(index, P_NEW);
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	Assert(BufferGetBlockNumber(buf) == MIH_METAPAGE_BLKNO);
	state = GenericXLogStart(index);
	page = GenericXLogRegisterBuffer(state, buf, GENERIC_XLOG_FULL_IMAGE);
	MihInitPage(page, MIH_PAGE_META, 0, 0);
	MihInitMeta(MihPageGetMeta(page), MIH_MAX_SUBSTRINGS);
	((PageHeader) page)->pd_lower += sizeof(MihMetaPageData);
	GenericXLogFinish(state);
	UnlockReleaseBuffer(buf);
}

/*
 * Build the index: scan the table, sort in memory, write segments.
 */
IndexBuildResult *
mihbuild(Relation heap, Relation index, IndexInfo *indexInfo)
{
	IndexBuildResult *result;
	MihBuildState bs;
	MihOptions *opts = (MihOptions *) index->rd_options;
	double		reltuples;
	int64		memory = (int64) maintenance_work_mem * 1024;

	if (RelationGetNumberOfBlocks(index) != 0)
		elog(ERROR, "index \"%s\" already contains data",
			 RelationGetRelationName(index));
	MihForgetCache(index);

	MihWriteEmptyMeta(index);

	memset(&bs, 0, sizeof(bs));
	bs.heap = heap;
	bs.index = index;
	bs.substrings = opts ? opts->substrings : 0;
	/* items and the sort's scratch copy share maintenance_work_mem */
	bs.capacity = Max(memory / (2 * (int64) sizeof(MihItem)), 1024);
	bs.items = palloc_extended(bs.capacity * sizeof(MihItem), MCXT_ALLOC_HUGE);

	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, MIH_PHASE_SCAN);
	reltuples = table_index_build_scan(heap, index, indexInfo, true, true,
									   MihBuildCallback, &bs, NULL);

	MihBuildWrite(&bs);
	pfree(bs.items);
	if (bs.scratch)
		pfree(bs.scratch);

	result = palloc(sizeof(IndexBuildResult));
	result->heap_tuples = reltuples;
	result->index_tuples = (double) bs.nrows;
	return result;
}

/*
 * Build the empty init fork of an unlogged index: just a metapage.
 */
void
mihbuildempty(Relation index)
{
	Page		page = (Page) palloc(BLCKSZ);
	MihOptions *opts = (MihOptions *) index->rd_options;

	MihForgetCache(index);
	MihInitPage(page, MIH_PAGE_META, 0, 0);
	MihInitMeta(MihPageGetMeta(page),
				opts && opts->substrings > 0 ? opts->substrings : MihChooseSubstrings(0));
	((PageHeader) page)->pd_lower += sizeof(MihMetaPageData);
	PageSetChecksumInplace(page, MIH_METAPAGE_BLKNO);
	smgrwrite(RelationGetSmgr(index), INIT_FORKNUM, MIH_METAPAGE_BLKNO,
			  (char *) page, true);
	log_newpage(&(RelationGetSmgr(index))->smgr_rnode.node, INIT_FORKNUM,
				MIH_METAPAGE_BLKNO, page, true);
	smgrimmedsync(RelationGetSmgr(index), INIT_FORKNUM);
	pfree(page);
}
