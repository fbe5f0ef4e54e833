/*-------------------------------------------------------------------------
 *
 * mihradius.c
 *	  Radius scans of a mih index: the choice between probing and reading
 *	  linearly, the steps through lists, segments and tables; and the balls
 *	  of "<@ ANY (array)" keys, with the setup of union scans.
 *
 * See mihscan.c for how a scan works.
 *
 * src/mih/mihradius.c
 *
 *-------------------------------------------------------------------------
 */
#include "mihscan_int.h"

/*
 * Plan a radius scan: the probe radius of each table, or a linear scan
 * when the probes would cost more.
 */
static void
MihPlanRadius(MihScanOpaque so)
{
	int			m = so->layout->m;
	int			s = so->limit / m,
				a = so->limit % m;
	double		probes = 0,
				linear = MihLinearPages(&so->meta) * MIH_LINEAR_PAGE_COST;

	if (so->uballs)
	{
		/* at most the sum of the balls' probes; a linear scan checks each ball */
		for (int b = 0; b < so->nuballs; b++)
			for (int j = 0; j < m; j++)
				if (so->uballs[b].probe_radius[j] >= 0)
					probes += MihProbeCount(so->layout->bits[j], so->uballs[b].probe_radius[j]);
		linear *= so->nuballs;
	}
	else
	{
		for (int j = 0; j < m; j++)
		{
			so->probe_radius[j] = (j <= a) ? s : s - 1;
			probes += MihProbeCount(so->layout->bits[j], so->probe_radius[j]);
		}
	}
	probes *= so->meta.nsegments;
	if (probes * MIH_PROBE_COST > linear)
		so->phase = MIH_SCAN_LINEAR;
	else
		so->phase = MIH_SCAN_PROBE;
	so->segno = 0;
	so->table = 0;
	so->pageno = 0;
	so->probes = NULL;
	so->nprobes = so->probe = 0;
}

/*
 * After the last segment: a scan without any key returns every row, the
 * NULL codes too; any other radius scan is over.
 */
static void
MihRadiusSegmentsDone(MihScanOpaque so)
{
	so->phase = so->nballs == 0 && so->nsets == 0 ? MIH_SCAN_NULLS : MIH_SCAN_DONE;
	so->chain_blkno = so->meta.nulls.head;
}

/*
 * Do one step of a radius scan (a page of a list, a probe, a linear page),
 * queueing the rows found.  Returns false when the scan is over.
 */
bool
MihRadiusStep(Relation index, MihScanOpaque so)
{
	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		switch (so->phase)
		{
			case MIH_SCAN_CHAINS:
				if (so->chain_blkno != InvalidBlockNumber)
				{
					const MihChain *c = so->chain == 0 ? &so->meta.pending : &so->meta.flushing;

					so->chain_blkno = MihScanChainPage(index, so, so->chain_blkno, c->owner);
					return true;
				}
				if (so->chain == 0)
				{
					so->chain = 1;
					so->chain_blkno = so->meta.flushing.head;
					continue;
				}
				MihPlanRadius(so);
				continue;
			case MIH_SCAN_PROBE:
				if (so->segno >= so->meta.nsegments)
				{
					MihRadiusSegmentsDone(so);
					continue;
				}
				if (so->probes == NULL && so->uballs)
					MihMakeUnionProbes(so, so->table);
				else if (so->probes == NULL)
					MihMakeProbes(so, so->table, 0, so->probe_radius[so->table]);
				if (so->probe < so->nprobes)
				{
					MihScanProbes(index, so, so->segno, so->table, &so->probe);
					return true;
				}
				pfree(so->probes);
				so->probes = NULL;
				if (so->uballs)
				{
					pfree(so->probe_first);
					pfree(so->probe_balls);
					so->uchunk_start = so->uchunk_end;
					if (so->uchunk_start < so->nuballs)
						continue;	/* the next balls, same table */
					so->uchunk_start = 0;
				}
				if (++so->table >= so->layout->m)
				{
					so->table = 0;
					so->segno++;
				}
				continue;
			case MIH_SCAN_LINEAR:
				if (so->segno >= so->meta.nsegments)
				{
					MihRadiusSegmentsDone(so);
					continue;
				}
				if (so->pageno < so->cache->maps[so->segno][0].npages)
				{
					MihScanLinearPage(index, so, so->segno, so->pageno++);
					return true;
				}
				so->segno++;
				so->pageno = 0;
				continue;
			case MIH_SCAN_NULLS:
				if (so->chain_blkno != InvalidBlockNumber)
				{
					so->chain_blkno = MihScanChainPage(index, so, so->chain_blkno,
													   so->meta.nulls.owner);
					return true;
				}
				so->phase = MIH_SCAN_DONE;
				continue;
			default:
				return false;
		}
	}
}

/* Order balls by centre, the widest first */
static int
MihBallCompare(const void *a, const void *b)
{
	const HammingBall *x = a,
			   *y = b;

	if (x->center != y->center)
		return x->center < y->center ? -1 : 1;
	return y->radius - x->radius;
}

/*
 * The balls of the array of a "<@ ANY (array)" key (strategy
 * MIH_IN_BALL_STRATEGY) or of an "= ANY (array)" key (MIH_EQUAL_STRATEGY,
 * radius 0), NULL elements left out (they match nothing) and, of balls
 * around the same centre, only the widest kept.  Also read by mihcost.c.
 */
MihBallSet
MihArrayBalls(ArrayType *arr, int strategy)
{
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *elems;
	bool	   *nulls;
	int			nelems;
	MihBallSet	set;

	get_typlenbyvalalign(ARR_ELEMTYPE(arr), &typlen, &typbyval, &typalign);
	deconstruct_array(arr, ARR_ELEMTYPE(arr), typlen, typbyval, typalign,
					  &elems, &nulls, &nelems);
	set.balls = palloc(Max(nelems, 1) * sizeof(HammingBall));
	set.n = 0;
	for (int i = 0; i < nelems; i++)
	{
		HammingBall *ball = &set.balls[set.n];

		if (nulls[i])
			continue;
		if (strategy == MIH_IN_BALL_STRATEGY)
			*ball = *DatumGetHammingBallP(elems[i]);
		else if (strategy == MIH_EQUAL_STRATEGY)
		{
			ball->center = DatumGetPHash(elems[i]);
			ball->radius = 0;
			ball->padding = 0;
		}
		else
			elog(ERROR, "unexpected strategy %d for mih index", strategy);
		set.n++;
	}
	if (set.n > 1)
	{
		int			kept = 1;

		qsort(set.balls, set.n, sizeof(HammingBall), MihBallCompare);
		for (int i = 1; i < set.n; i++)
			if (set.balls[i].center != set.balls[kept - 1].center)
				set.balls[kept++] = set.balls[i];
		set.n = kept;
	}
	pfree(elems);
	pfree(nulls);
	return set;
}

/* The probes of every ball of a set at every table, summed */
static double
MihSetProbes(const MihBallSet *set, const MihLayout *layout)
{
	double		probes = 0;

	for (int i = 0; i < set->n; i++)
	{
		int			s = set->balls[i].radius / layout->m,
					a = set->balls[i].radius % layout->m;

		for (int j = 0; j < layout->m; j++)
			probes += MihProbeCount(layout->bits[j], j <= a ? s : s - 1);
	}
	return probes;
}

/*
 * Make a radius scan whose keys are all sets a union scan: it probes the
 * balls of the set with the fewest probes, and checks the others.
 */
void
MihStartUnion(MihScanOpaque so)
{
	const MihLayout *layout = so->layout;
	int			m = layout->m,
				best = 0;
	double		best_probes = -1;
	const MihBallSet *set;

	for (int i = 0; i < so->nsets; i++)
	{
		double		p = MihSetProbes(&so->sets[i], layout);

		if (best_probes < 0 || p < best_probes)
		{
			best = i;
			best_probes = p;
		}
	}
	set = &so->sets[best];
	so->nuballs = set->n;
	so->uchunk_start = so->uchunk_end = 0;
	so->uballs = palloc(set->n * sizeof(MihSetBall));
	so->umaxrest = palloc(set->n * sizeof(int));
	for (int b = 0; b < set->n; b++)
	{
		MihSetBall *u = &so->uballs[b];
		int			s = set->balls[b].radius / m,
					a = set->balls[b].radius % m;

		u->ball = set->balls[b];
		for (int j = 0; j < m; j++)
		{
			u->key[j] = MihKey(u->ball.center, layout->shift[j], layout->bits[j]);
			u->rest[j] = MihRest(u->ball.center, layout->shift[j], layout->bits[j]);
			u->probe_radius[j] = (j <= a) ? s : s - 1;
		}
	}
	/* the set probed needs no check; any other key does */
	so->recheck = so->nsets > 1;
	so->limit = PHASH_BITS;
	so->q = 0;
}
