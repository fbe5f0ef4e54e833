/*-------------------------------------------------------------------------
 *
 * mihscan_int.h
 *	  The state of a mih index scan, and what the files of the scan
 *	  (mihscan.c, mihprobe.c, mihradius.c, mihordered.c) share.
 *
 * src/mih/mihscan_int.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIHSCAN_INT_H
#define MIHSCAN_INT_H

#include "mih.h"

#include "access/relscan.h"
#include "miscadmin.h"
#include "nodes/tidbitmap.h"
#include "pgstat.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

/* What the scan is doing */
typedef enum MihScanPhase
{
	MIH_SCAN_CHAINS,			/* reading the pending and flushing lists */
	MIH_SCAN_PROBE,				/* probing the tables of each segment */
	MIH_SCAN_LINEAR,			/* reading table 0 of each segment */
	MIH_SCAN_NULLS,				/* ordering scans: rows with a NULL code */
	MIH_SCAN_DONE
} MihScanPhase;

/* A growable list of TIDs */
typedef struct MihTidList
{
	ItemPointerData *tids;
	int64		n;
	int64		capacity;
} MihTidList;

/*
 * A ball of a set (hash <@ ANY (array)) that a union scan probes: the
 * ball, and per table its key, its rest and the radius probed around the
 * key (-1: the table is not probed for it).
 */
typedef struct MihSetBall
{
	HammingBall ball;
	uint32		key[MIH_MAX_SUBSTRINGS];
	uint64		rest[MIH_MAX_SUBSTRINGS];
	int			probe_radius[MIH_MAX_SUBSTRINGS];
} MihSetBall;

typedef struct MihScanOpaqueData
{
	MemoryContext cxt;			/* reset at each rescan */
	MihCache   *cache;
	MihMetaPageData meta;		/* current metapage, with its lists */
	const MihLayout *layout;

	/* the query */
	bool		empty;			/* a NULL key: nothing matches */
	bool		ordered;		/* ORDER BY <~> */
	bool		order_null;		/* ... by a NULL: every row, distance NULL */
	PHash		q;				/* the centre searched around */
	int			limit;			/* largest distance that can qualify */
	int			nballs;			/* every WHERE key, checked on each row */
	HammingBall *balls;
	int			nsets;			/* every "<@ ANY" key, checked on each row */
	MihBallSet *sets;
	bool		recheck;		/* check rows found against every key */

	/*
	 * Union scans (radius scans whose keys are all "<@ ANY"): the union of
	 * the balls of one set is probed, every substring value once.  Probe
	 * i's balls are probe_balls[probe_first[i] .. probe_first[i + 1] - 1].
	 */
	MihSetBall *uballs;			/* NULL: not a union scan */
	int			nuballs;
	int64	   *probe_first;
	uint32	   *probe_balls;
	int		   *umaxrest;		/* scratch: per ball of a probe */
	int			uchunk_start;	/* the balls probed now: a share of work_mem */
	int			uchunk_end;
	bool		collected;		/* index scans: every row found, sorted */

	/* per table: the query's key and rest */
	uint32		qkey[MIH_MAX_SUBSTRINGS];
	uint64		qrest[MIH_MAX_SUBSTRINGS];
	uint64		tablemask[MIH_MAX_SUBSTRINGS];

	/* where the scan is */
	MihScanPhase phase;
	int			chain;			/* 0: pending, 1: flushing */
	BlockNumber chain_blkno;
	int			segno;
	int			table;
	uint32		pageno;			/* linear scans */
	uint64	   *probes;			/* key << 8 | key distance, sorted */
	int64		nprobes;
	int64		probe;			/* next probe */
	int			probe_radius[MIH_MAX_SUBSTRINGS];	/* radius scans */
	Buffer		buf;			/* pinned page, reused by the next probe */
	BlockNumber prefetched;		/* the next probe's page, asked for early */
	Buffer		prefetched_buf; /* where it was then, if in shared buffers */

	/* radius scans: rows found, waiting to be returned */
	MihTidList	batch;
	int64		batch_pos;

	/* ordering scans */
	int			round_s;		/* next round */
	int			round_j;
	int			bound;			/* every row within this distance is found */
	int			floor;			/* linear passes: rows within this were returned */
	int			emit_dist;		/* the list being returned */
	int64		emit_pos;
	MihTidList	lists[PHASH_BITS + 1];	/* candidates by distance */
	int64		nlisted;
	int64		list_limit;		/* from work_mem */
	int64		pass_budget;	/* rows a linear pass keeps, grows by 8 */
	double		probes_done;	/* probes of the rounds so far */
} MihScanOpaqueData;

typedef MihScanOpaqueData *MihScanOpaque;

/*
 * Relative costs that choose between probing and reading linearly: one
 * probe (a binary search in the map and one page) against one page read
 * linearly (about 600 codes compared).  Measured on the development
 * machine; see README "Performance".
 */
#define MIH_PROBE_COST			1.0
#define MIH_LINEAR_PAGE_COST	4.0

static inline void
MihTidListAdd(MihTidList *list, ItemPointer tid)
{
	if (list->n == list->capacity)
	{
		list->capacity = Max(list->capacity * 2, 64);
		if (list->tids)
			list->tids = repalloc_huge(list->tids, list->capacity * sizeof(ItemPointerData));
		else
			list->tids = palloc(list->capacity * sizeof(ItemPointerData));
	}
	list->tids[list->n++] = *tid;
}

/* Is a code in one of the balls of a set? */
static inline bool
MihInSet(const MihBallSet *set, PHash code)
{
	for (int i = 0; i < set->n; i++)
		if (PHashDistance(code, set->balls[i].center) <= set->balls[i].radius)
			return true;
	return false;
}

/* Does a code satisfy every WHERE key? */
static inline bool
MihMatchesBalls(MihScanOpaque so, PHash code)
{
	for (int i = 0; i < so->nballs; i++)
		if (PHashDistance(code, so->balls[i].center) > so->balls[i].radius)
			return false;
	for (int i = 0; i < so->nsets; i++)
		if (!MihInSet(&so->sets[i], code))
			return false;
	return true;
}

/*
 * Take a row found at distance dist from the query: radius scans queue it
 * to be returned, ordering scans file it by distance.
 */
static inline void
MihReport(MihScanOpaque so, uint64 packedtid, int dist)
{
	ItemPointerData tid;

	UnpackTid(packedtid, &tid);
	if (!so->ordered)
		MihTidListAdd(&so->batch, &tid);
	else if (dist > so->floor)
	{
		MihTidListAdd(&so->lists[dist], &tid);
		so->nlisted++;
	}
}

/* mihprobe.c */
extern void MihChooseScanKeys(void);
extern BlockNumber MihScanChainPage(Relation index, MihScanOpaque so, BlockNumber blkno,
									uint32 owner);
extern void MihScanProbes(Relation index, MihScanOpaque so, int segno, int table,
						  int64 *probe);
extern void MihScanLinearPage(Relation index, MihScanOpaque so, int segno, uint32 pageno);
extern double MihLinearPages(const MihMetaPageData *meta);
extern void MihMakeProbes(MihScanOpaque so, int table, int min_radius, int max_radius);
extern void MihMakeUnionProbes(MihScanOpaque so, int table);

/* mihradius.c */
extern bool MihRadiusStep(Relation index, MihScanOpaque so);
extern void MihStartUnion(MihScanOpaque so);

/* mihordered.c */
extern void MihOrderedStart(Relation index, MihScanOpaque so);
extern bool MihOrderedNext(IndexScanDesc scan, MihScanOpaque so);

#endif							/* MIHSCAN_INT_H */
