/*-------------------------------------------------------------------------
 *
 * mihordered.c
 *	  k-nearest scans of a mih index (ORDER BY <~>): rounds of probes,
 *	  candidates kept by distance, linear passes within work_mem, and rows
 *	  with a NULL code last.
 *
 * See mihscan.c for how a scan works.
 *
 * src/mih/mihordered.c
 *
 *-------------------------------------------------------------------------
 */
#include "mihscan_int.h"

/* Read both lists (pending and flushing) completely */
static void
MihScanChains(Relation index, MihScanOpaque so)
{
	const MihChain *chains[2] = {&so->meta.pending, &so->meta.flushing};

	for (int c = 0; c < 2; c++)
		for (BlockNumber b = chains[c]->head; b != InvalidBlockNumber;)
		{
			b = MihScanChainPage(index, so, b, chains[c]->owner);
			CHECK_FOR_INTERRUPTS();
		}
}

/* Forget the candidates of an ordering scan farther than its bound */
static void
MihDropListsAbove(MihScanOpaque so, int dist)
{
	for (int d = dist + 1; d <= PHASH_BITS; d++)
	{
		so->nlisted -= so->lists[d].n;
		so->lists[d].n = 0;
	}
}

/*
 * One linear pass of an ordering scan: collect every row farther than
 * so->floor, keeping in work_mem only the nearest ones; afterwards every
 * row within so->bound is in the lists.
 */
static void
MihOrderedLinearPass(Relation index, MihScanOpaque so)
{
	int			saved_limit = so->limit;
	int			top = so->limit;

	MihDropListsAbove(so, so->floor);
	for (int segno = 0; segno < so->meta.nsegments; segno++)
	{
		uint32		npages = so->cache->maps[segno][0].npages;

		for (uint32 p = 0; p < npages; p++)
		{
			MihScanLinearPage(index, so, segno, p);
			/* over memory: give up the farthest distances found */
			while (so->nlisted > so->pass_budget && top > so->floor + 1)
			{
				MihDropListsAbove(so, top - 1);
				top--;
				so->limit = Min(so->limit, top);
			}
			CHECK_FOR_INTERRUPTS();
		}
	}
	MihScanChains(index, so);
	MihDropListsAbove(so, top);
	so->limit = saved_limit;
	so->bound = top;
	/* a query wanting more rows than this pass kept gets more next time */
	so->pass_budget = Min(so->pass_budget * 8, so->list_limit);
}

/*
 * Advance an ordering scan until rows within a larger bound are all
 * found: one probing round, or a linear pass when probing has become more
 * expensive.  Returns false when every row has been found.
 */
static bool
MihOrderedAdvance(Relation index, MihScanOpaque so)
{
	int			m = so->layout->m;
	double		probes;

	if (so->bound >= so->limit)
		return false;
	if (so->meta.nsegments == 0)
	{
		/* everything is in the lists, read at the start */
		so->bound = so->limit;
		return true;
	}

	if (so->phase == MIH_SCAN_PROBE)
	{
		probes = so->meta.nsegments *
			(MihProbeCount(so->layout->bits[so->round_j], so->round_s) -
			 (so->round_s > 0 ? MihProbeCount(so->layout->bits[so->round_j], so->round_s - 1) : 0));
		/*
		 * Probe on while all the probing, this round's included, costs less
		 * than one linear pass: then the scan costs at most about twice what
		 * the better of the two would have.
		 */
		if ((so->probes_done + probes) * MIH_PROBE_COST >
			MihLinearPages(&so->meta) * MIH_LINEAR_PAGE_COST ||
			so->nlisted > so->list_limit)
			so->phase = MIH_SCAN_LINEAR;
		else
			so->probes_done += probes;
	}

	if (so->phase == MIH_SCAN_LINEAR)
	{
		/* every row within the bound has been returned */
		so->floor = so->bound;
		MihOrderedLinearPass(index, so);
		return true;
	}

	MihMakeProbes(so, so->round_j, so->round_s, so->round_s);
	for (int segno = 0; segno < so->meta.nsegments; segno++)
		for (int64 i = 0; i < so->nprobes;)
		{
			MihScanProbes(index, so, segno, so->round_j, &i);
			CHECK_FOR_INTERRUPTS();
		}

	so->bound = Min(so->round_s * m + so->round_j, PHASH_BITS);
	if (++so->round_j == m)
	{
		so->round_j = 0;
		so->round_s++;
	}
	return true;
}

/*
 * Start an ordering scan: the lists first, then probing from round (0, 0).
 */
void
MihOrderedStart(Relation index, MihScanOpaque so)
{
	so->floor = -1;
	so->bound = -1;
	so->emit_dist = 0;
	so->emit_pos = 0;
	so->round_s = 0;
	so->round_j = 0;
	so->phase = MIH_SCAN_PROBE;
	if (so->order_null)
	{
		/* no order: read everything once */
		so->limit = PHASH_BITS;
		so->phase = MIH_SCAN_LINEAR;
		MihOrderedLinearPass(index, so);
		return;
	}
	MihScanChains(index, so);
}

/* Return the next row of an ordering scan; false at the end */
bool
MihOrderedNext(IndexScanDesc scan, MihScanOpaque so)
{
	for (;;)
	{
		if (so->phase == MIH_SCAN_NULLS)
		{
			if (so->batch_pos < so->batch.n)
			{
				scan->xs_heaptid = so->batch.tids[so->batch_pos++];
				scan->xs_orderbynulls[0] = true;
				return true;
			}
			if (so->chain_blkno == InvalidBlockNumber)
			{
				so->phase = MIH_SCAN_DONE;
				return false;
			}
			so->batch.n = 0;
			so->batch_pos = 0;
			so->ordered = false;	/* collect into the batch */
			so->limit = PHASH_BITS;
			so->chain_blkno = MihScanChainPage(scan->indexRelation, so,
											   so->chain_blkno,
											   so->meta.nulls.owner);
			so->ordered = true;
			continue;
		}
		if (so->phase == MIH_SCAN_DONE)
			return false;

		while (so->emit_dist <= so->bound && so->emit_dist <= PHASH_BITS)
		{
			MihTidList *list = &so->lists[so->emit_dist];

			if (so->emit_pos < list->n)
			{
				scan->xs_heaptid = list->tids[so->emit_pos++];
				scan->xs_orderbyvals[0] = Int32GetDatum(so->emit_dist);
				scan->xs_orderbynulls[0] = so->order_null;
				return true;
			}
			so->nlisted -= list->n;
			list->n = 0;
			so->emit_dist++;
			so->emit_pos = 0;
		}
		if (!MihOrderedAdvance(scan->indexRelation, so))
		{
			/* NULL codes sort last, but never satisfy a WHERE key */
			so->phase = (so->nballs == 0 && so->nsets == 0) ? MIH_SCAN_NULLS : MIH_SCAN_DONE;
			so->chain_blkno = so->meta.nulls.head;
			so->batch.n = 0;
			so->batch_pos = 0;
		}
	}
}
