/*-------------------------------------------------------------------------
 *
 * mihscan.c
 *	  Search a mih index: radius scans (phash <@ hamming_ball, phash =
 *	  phash, and their "= ANY (array)" forms) as index or bitmap scans, and
 *	  k-nearest scans (ORDER BY phash <~> q) that return rows in order of
 *	  distance.
 *
 * Radius r = s*m + a: tables 0..a are probed with every key within s bits
 * of the query's substring, the others within s-1 bits.  Each entry of a
 * probed bucket is checked against the full code; an entry passing the
 * check is reported by the one table where its (substring distance, table
 * number) is smallest, so a row is never reported twice and no memory of
 * reported rows is needed.  That table is always among those probed: if
 * the row matches at all, some table holds it within its probe radius, and
 * the smallest pair is then within its own table's radius too.
 *
 * Union scans answer "phash <@ ANY (array of balls)" (and "= ANY (array
 * of codes)") in one scan, as robust search's variants need: the probes of
 * every ball of a table are made at once and sorted, so a substring value
 * that several balls probe is looked up once, and each entry of its bucket
 * is checked against just those balls.  Balls around one centre are
 * merged into the widest.  A row may be found in several tables (by
 * different balls), so an index scan collects every row, sorts and returns
 * each once; a bitmap needs no such step.  A scan that also has a single
 * ball is driven by that ball and checks the sets on each row; of several
 * sets, the one with the fewest probes is the union probed.
 *
 * k-nearest scans probe in rounds (s, j): table j with the keys exactly s
 * bits away.  After round (s, j) every code within s*m + j bits has been
 * found (a code at distance d missed by all rounds so far differs by more
 * than s bits in tables 0..j and by at least s in the others, so
 * d >= s*m + j + 1), and those rows are returned in distance order before
 * the next round.  Candidates farther away wait in per-distance lists.
 *
 * When the probes would cost more than reading every code (large radius,
 * a k-nearest search far from every code, or lists outgrowing work_mem),
 * the scan reads table 0 of each segment linearly instead; a k-nearest
 * scan then collects, in one pass, the nearest codes that fit in work_mem
 * and repeats the pass only if the query wants more.
 *
 * The pending list and the flushing list are read linearly by every scan.
 * Rows with a NULL code are returned last by ordering scans, with a NULL
 * distance, and never by radius scans.
 *
 * The scan is in four files: this one, the access method's entry points
 * (begin, rescan with its keys, next row, bitmap, end); mihprobe.c, the
 * page lookups and the hot loops that check entries; mihradius.c, radius
 * and union scans; mihordered.c, k-nearest scans.  mihscan_int.h holds
 * the scan's state.
 *
 * src/mih/mihscan.c
 *
 *-------------------------------------------------------------------------
 */
#include "mihscan_int.h"

/* Begin a scan */
IndexScanDesc
mihbeginscan(Relation r, int nkeys, int norderbys)
{
	IndexScanDesc scan = RelationGetIndexScan(r, nkeys, norderbys);
	MihScanOpaque so = palloc0(sizeof(MihScanOpaqueData));

	MihChooseScanKeys();
	so->cxt = AllocSetContextCreate(CurrentMemoryContext, "mih scan",
									ALLOCSET_DEFAULT_SIZES);
	so->buf = InvalidBuffer;
	so->phase = MIH_SCAN_DONE;
	scan->opaque = so;
	if (norderbys > 0)
	{
		scan->xs_orderbyvals = palloc0(sizeof(Datum) * norderbys);
		scan->xs_orderbynulls = palloc(sizeof(bool) * norderbys);
	}
	return scan;
}

/*
 * Start (again) with new keys: note the balls and the ordering, and read
 * the current metapage.
 */
void
mihrescan(IndexScanDesc scan, ScanKey scankey, int nscankeys,
		  ScanKey orderbys, int norderbys)
{
	MihScanOpaque so = (MihScanOpaque) scan->opaque;
	MemoryContext oldcxt;
	int			best = -1;

	if (scankey && scan->numberOfKeys > 0)
		memmove(scan->keyData, scankey, scan->numberOfKeys * sizeof(ScanKeyData));
	if (orderbys && scan->numberOfOrderBys > 0)
		memmove(scan->orderByData, orderbys, scan->numberOfOrderBys * sizeof(ScanKeyData));

	if (BufferIsValid(so->buf))
		ReleaseBuffer(so->buf);
	so->buf = InvalidBuffer;
	so->prefetched = InvalidBlockNumber;
	so->prefetched_buf = InvalidBuffer;
	MemoryContextReset(so->cxt);
	oldcxt = MemoryContextSwitchTo(so->cxt);
	memset(&so->batch, 0, sizeof(so->batch));
	so->batch_pos = 0;
	memset(so->lists, 0, sizeof(so->lists));
	so->nlisted = 0;
	so->list_limit = Max((int64) work_mem * 1024 / (int64) sizeof(ItemPointerData), 1024);
	so->pass_budget = Min(1024, so->list_limit);
	so->probes_done = 0;
	so->probes = NULL;

	so->empty = false;
	so->nballs = 0;
	so->balls = palloc(Max(scan->numberOfKeys, 1) * sizeof(HammingBall));
	so->nsets = 0;
	so->sets = palloc(Max(scan->numberOfKeys, 1) * sizeof(MihBallSet));
	so->uballs = NULL;
	so->nuballs = 0;
	so->collected = false;
	so->limit = PHASH_BITS;
	so->q = 0;
	for (int i = 0; i < scan->numberOfKeys; i++)
	{
		ScanKey		key = &scan->keyData[i];
		HammingBall *ball = &so->balls[so->nballs];

		if (key->sk_flags & SK_ISNULL)
		{
			so->empty = true;
			continue;
		}
		if (key->sk_flags & SK_SEARCHARRAY)
		{
			MihBallSet	set = MihArrayBalls(DatumGetArrayTypeP(key->sk_argument),
													key->sk_strategy);

			if (set.n == 0)
				so->empty = true;	/* no element, or only NULLs */
			else
				so->sets[so->nsets++] = set;
			continue;
		}
		if (key->sk_strategy == MIH_IN_BALL_STRATEGY)
			*ball = *DatumGetHammingBallP(key->sk_argument);
		else if (key->sk_strategy == MIH_EQUAL_STRATEGY)
		{
			ball->center = DatumGetPHash(key->sk_argument);
			ball->radius = 0;
		}
		else
			elog(ERROR, "unexpected strategy %d for mih index", key->sk_strategy);
		if (best < 0 || ball->radius < so->balls[best].radius)
			best = so->nballs;
		so->nballs++;
	}

	so->ordered = scan->numberOfOrderBys > 0;
	so->order_null = false;
	if (so->ordered)
	{
		ScanKey		key = &scan->orderByData[0];

		if (key->sk_flags & SK_ISNULL)
			so->order_null = true;
		else
			so->q = DatumGetPHash(key->sk_argument);
		/* a ball, or the farthest ball of a set, limits how far the nearest rows can be */
		for (int i = 0; i < so->nballs; i++)
			so->limit = Min(so->limit,
							PHashDistance(so->q, so->balls[i].center) + so->balls[i].radius);
		for (int i = 0; i < so->nsets; i++)
		{
			int			farthest = 0;

			for (int b = 0; b < so->sets[i].n; b++)
				farthest = Max(farthest, PHashDistance(so->q, so->sets[i].balls[b].center) +
							   so->sets[i].balls[b].radius);
			so->limit = Min(so->limit, farthest);
		}
		so->recheck = so->nballs > 0 || so->nsets > 0;
	}
	else if (best >= 0)
	{
		so->q = so->balls[best].center;
		so->limit = so->balls[best].radius;
		so->recheck = so->nballs > 1 || so->nsets > 0;
	}
	else
		so->recheck = so->nsets > 0;

	{
		MihCache   *cache = MihGetCache(scan->indexRelation, &so->meta);

		if (cache != so->cache)
		{
			if (so->cache)
				MihReleaseCache(so->cache);
			MihPinCache(cache);
			so->cache = cache;
		}
	}
	so->layout = &so->cache->layout;
	for (int j = 0; j < so->layout->m; j++)
	{
		int			shift = so->layout->shift[j],
					bits = so->layout->bits[j];

		so->qkey[j] = MihKey(so->q, shift, bits);
		so->qrest[j] = MihRest(so->q, shift, bits);
		so->tablemask[j] = ((bits == 64) ? ~UINT64CONST(0) :
							((UINT64CONST(1) << bits) - 1)) << shift;
	}
	if (!so->ordered && best < 0 && so->nsets > 0 && !so->empty)
		MihStartUnion(so);

	so->chain = 0;
	so->chain_blkno = so->meta.pending.head;
	if (so->empty)
		so->phase = MIH_SCAN_DONE;
	else if (so->ordered)
		MihOrderedStart(scan->indexRelation, so);
	else
		so->phase = MIH_SCAN_CHAINS;
	MemoryContextSwitchTo(oldcxt);
}

static int
MihTidCompare(const void *a, const void *b)
{
	return ItemPointerCompare((ItemPointer) a, (ItemPointer) b);
}

/* Return the next row */
bool
mihgettuple(IndexScanDesc scan, ScanDirection dir)
{
	MihScanOpaque so = (MihScanOpaque) scan->opaque;
	MemoryContext oldcxt = MemoryContextSwitchTo(so->cxt);
	bool		found = false;

	scan->xs_recheck = false;
	scan->xs_recheckorderby = false;
	if (so->ordered)
		found = MihOrderedNext(scan, so);
	else if (so->uballs)
	{
		/* a row can be found in several tables: find all, then return each once */
		if (!so->collected)
		{
			while (MihRadiusStep(scan->indexRelation, so))
				;
			if (so->batch.n > 1)
			{
				int64		kept = 1;

				qsort(so->batch.tids, so->batch.n, sizeof(ItemPointerData), MihTidCompare);
				for (int64 i = 1; i < so->batch.n; i++)
					if (!ItemPointerEquals(&so->batch.tids[i], &so->batch.tids[kept - 1]))
						so->batch.tids[kept++] = so->batch.tids[i];
				so->batch.n = kept;
			}
			so->collected = true;
		}
		if (so->batch_pos < so->batch.n)
		{
			scan->xs_heaptid = so->batch.tids[so->batch_pos++];
			found = true;
		}
	}
	else
	{
		while (so->batch_pos >= so->batch.n)
		{
			so->batch.n = 0;
			so->batch_pos = 0;
			if (!MihRadiusStep(scan->indexRelation, so))
				break;
		}
		if (so->batch_pos < so->batch.n)
		{
			scan->xs_heaptid = so->batch.tids[so->batch_pos++];
			found = true;
		}
	}
	MemoryContextSwitchTo(oldcxt);
	return found;
}

/* Add every matching row to a bitmap */
int64
mihgetbitmap(IndexScanDesc scan, TIDBitmap *tbm)
{
	MihScanOpaque so = (MihScanOpaque) scan->opaque;
	MemoryContext oldcxt = MemoryContextSwitchTo(so->cxt);
	int64		ntids = 0;

	Assert(!so->ordered);
	while (MihRadiusStep(scan->indexRelation, so))
	{
		if (so->batch.n > 0)
		{
			tbm_add_tuples(tbm, so->batch.tids, so->batch.n, false);
			ntids += so->batch.n;
			so->batch.n = 0;
		}
	}
	MemoryContextSwitchTo(oldcxt);
	return ntids;
}

/* End a scan */
void
mihendscan(IndexScanDesc scan)
{
	MihScanOpaque so = (MihScanOpaque) scan->opaque;

	if (BufferIsValid(so->buf))
		ReleaseBuffer(so->buf);
	if (so->cache)
		MihReleaseCache(so->cache);
	MemoryContextDelete(so->cxt);
	pfree(so);
}
