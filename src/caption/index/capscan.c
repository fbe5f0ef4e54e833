/*-------------------------------------------------------------------------
 *
 * capscan.c
 *	  Bitmap scans of a caption index: the rows whose caption matches
 *	  every scan key's query (caption @@@ query), found by capsearch.c,
 *	  into the bitmap, exact (no recheck) but for the rare matches the
 *	  index cannot decide.
 *
 * src/caption/index/capscan.c
 *
 *-------------------------------------------------------------------------
 */
#include "capindex.h"

#include "access/relscan.h"
#include "nodes/tidbitmap.h"

IndexScanDesc
capbeginscan(Relation r, int nkeys, int norderbys)
{
	IndexScanDesc scan = RelationGetIndexScan(r, nkeys, norderbys);

	scan->opaque = CapSearchBegin();
	return scan;
}

void
caprescan(IndexScanDesc scan, ScanKey scankey, int nscankeys,
		  ScanKey orderbys, int norderbys)
{
	Datum	   *texts;
	bool	   *nulls;

	if (scankey && scan->numberOfKeys > 0)
		memmove(scan->keyData, scankey, scan->numberOfKeys * sizeof(ScanKeyData));
	texts = palloc(Max(scan->numberOfKeys, 1) * sizeof(Datum));
	nulls = palloc(Max(scan->numberOfKeys, 1) * sizeof(bool));
	for (int k = 0; k < scan->numberOfKeys; k++)
	{
		ScanKey		key = &scan->keyData[k];

		if (key->sk_strategy != CAP_MATCH_STRATEGY)
			elog(ERROR, "caption index: unknown strategy %d", key->sk_strategy);
		texts[k] = key->sk_argument;
		nulls[k] = (key->sk_flags & SK_ISNULL) != 0;
	}
	CapSearchSetQueries(scan->opaque, scan->numberOfKeys, texts, nulls);
	pfree(texts);
	pfree(nulls);
}

void
capendscan(IndexScanDesc scan)
{
	CapSearchEnd(scan->opaque);
}

/* The TIDs found, added to the bitmap in batches */
typedef struct CapTidBatch
{
	TIDBitmap  *tbm;
	int			n;
	int64		total;
	ItemPointerData tids[256];
} CapTidBatch;

static void
CapBatchAdd(void *arg, const CapMatch *m)
{
	CapTidBatch *b = arg;

	if (m->recheck)
	{
		/* rare (see capsearch.c): on its own, for the heap scan to recheck */
		ItemPointerData tid;

		UnpackTid(m->tid, &tid);
		tbm_add_tuples(b->tbm, &tid, 1, true);
		b->total++;
		return;
	}
	UnpackTid(m->tid, &b->tids[b->n++]);
	b->total++;
	if (b->n == lengthof(b->tids))
	{
		tbm_add_tuples(b->tbm, b->tids, b->n, false);
		b->n = 0;
	}
}

int64
capgetbitmap(IndexScanDesc scan, TIDBitmap *tbm)
{
	CapTidBatch *batch = palloc(sizeof(CapTidBatch));
	int64		total;

	batch->tbm = tbm;
	batch->n = 0;
	batch->total = 0;
	CapSearchRun(scan->opaque, scan->indexRelation, CapBatchAdd, batch);
	if (batch->n > 0)
		tbm_add_tuples(tbm, batch->tids, batch->n, false);
	total = batch->total;
	pfree(batch);
	return total;
}
