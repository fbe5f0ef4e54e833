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
 * src/mih/mihscan.c
 *
 *-------------------------------------------------------------------------
 */
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

/* The balls of one "<@ ANY (array)" key: a row must be in one of them */
typedef struct MihBallSet
{
	int			n;
	HammingBall *balls;
} MihBallSet;

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

	MihUnpackTid(packedtid, &tid);
	if (!so->ordered)
		MihTidListAdd(&so->batch, &tid);
	else if (dist > so->floor)
	{
		MihTidListAdd(&so->lists[dist], &tid);
		so->nlisted++;
	}
}

/* Read one page of a list chain; returns the next page */
static BlockNumber
MihScanChainPage(Relation index, MihScanOpaque so, BlockNumber blkno,
				 uint32 owner)
{
	Buffer		buf = ReadBuffer(index, blkno);
	Page		page;
	MihListEntry *entries;
	uint32		n;
	BlockNumber next;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	page = MihCheckPage(index, buf, MIH_PAGE_LIST, owner, true);
	n = *MihListPageCount(page);
	entries = MihListPageEntries(page);
	for (uint32 i = 0; i < n; i++)
	{
		PHash		code = MihListEntryCode(&entries[i]);
		uint64		tid = MihListEntryTid(&entries[i]);
		int			dist = PHashDistance(code, so->q);

		if (dist <= so->limit && !MihTidIsDead(tid) && MihMatchesBalls(so, code))
			MihReport(so, tid, dist);
	}
	next = MihPageGetOpaque(page)->next;
	UnlockReleaseBuffer(buf);
	return next;
}

/*
 * Pin and share-lock a table page, keeping the pin of the last page
 * probed.  The page's own header says whose it is (MihCheckPage's check,
 * without reading the end of the page).
 */
static Page
MihScanLockPage(Relation index, MihScanOpaque so, BlockNumber blkno,
				uint32 owner, int table)
{
	Page		page;
	MihTablePageHeader *hdr;

	if (!BufferIsValid(so->buf) || BufferGetBlockNumber(so->buf) != blkno)
	{
		if (BufferIsValid(so->buf))
			ReleaseBuffer(so->buf);
		so->buf = InvalidBuffer;
		if (blkno == so->prefetched && BufferIsValid(so->prefetched_buf) &&
			ReadRecentBuffer(index->rd_node, MAIN_FORKNUM, blkno, so->prefetched_buf))
			so->buf = so->prefetched_buf;
		else
			so->buf = ReadBuffer(index, blkno);
	}
	LockBuffer(so->buf, BUFFER_LOCK_SHARE);
	page = BufferGetPage(so->buf);
	hdr = MihTablePageHeaderOf(page);
	if (PageIsNew(page) || hdr->kind != MIH_PAGE_TABLE || hdr->owner != owner)
		MihCheckPage(index, so->buf, MIH_PAGE_TABLE, owner, true);	/* reports it */
	if (hdr->table != table)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("mih index \"%s\" is corrupted: block %u holds table %d, not %d",
						RelationGetRelationName(index), blkno, hdr->table, table),
				 errhint("REINDEX the index.")));
	return page;
}

/*
 * Check the entries of keys kfrom .. kto-1 of a table page.  keydist is
 * the distance of those keys from the query's key when the caller knows
 * it (a probe), or -1 to compute it per key (a linear scan).  The first
 * eight bytes of an entry hold the rest of the code (at most 56 bits), so
 * the full entry is read only for entries that match.
 *
 * This is the hot loop of every scan.  It is compiled twice, for CPUs with
 * and without the POPCNT instruction (x86-64's baseline lacks it, and the
 * library fallback is several times slower), and chosen at run time.
 */
static pg_attribute_always_inline void
MihScanKeysBody(MihScanOpaque so, Page page, int table, int kfrom, int kto,
				int keydist, bool dedup)
{
	const MihLayout *layout = so->layout;
	int			shift = layout->shift[table],
				bits = layout->bits[table],
				restbits = PHASH_BITS - bits,
				entry_size = layout->entry_size[table];
	uint64		qrest = so->qrest[table];
	uint32		qkey = so->qkey[table];
	uint64		restmask = (UINT64CONST(1) << restbits) - 1;
	uint32	   *keys = MihTablePageKeys(page);
	uint16	   *starts = MihTablePageStarts(page);
	const char *entries = MihTablePageEntries(page);

	for (int k = kfrom; k < kto; k++)
	{
		uint32		key = keys[k];
		int			kd = keydist >= 0 ? keydist : __builtin_popcount(key ^ qkey);
		int			maxrest = so->limit - kd;
		const char *p = entries + (Size) starts[k] * entry_size;
		const char *end = entries + (Size) starts[k + 1] * entry_size;

		if (maxrest < 0)
			continue;
		for (; p < end; p += entry_size)
		{
			uint64		word,
						rest,
						tid;
			int			dist;
			PHash		code;

			memcpy(&word, p, sizeof(word));
			rest = word & restmask;
			dist = __builtin_popcountll(rest ^ qrest);
			if (dist > maxrest)
				continue;
			dist += kd;
			MihReadEntry(p, restbits, &rest, &tid);
			if (MihTidIsDead(tid))
				continue;
			code = MihJoin(rest, key, shift, bits);
			if (dedup)
			{
				PHash		diff = code ^ so->q;
				bool		earlier = false;

				for (int t = 0; t < layout->m && !earlier; t++)
				{
					int			d = __builtin_popcountll(diff & so->tablemask[t]);

					if (d < kd || (d == kd && t < table))
						earlier = true;
				}
				if (earlier)
					continue;
			}
			if (so->recheck && !MihMatchesBalls(so, code))
				continue;
			MihReport(so, tid, dist);
		}
	}
}

typedef void (*MihScanKeysFunc) (MihScanOpaque so, Page page, int table,
								 int kfrom, int kto, int keydist, bool dedup);

static void
MihScanKeysGeneric(MihScanOpaque so, Page page, int table, int kfrom, int kto,
				   int keydist, bool dedup)
{
	MihScanKeysBody(so, page, table, kfrom, kto, keydist, dedup);
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("popcnt")))
static void
MihScanKeysPopcnt(MihScanOpaque so, Page page, int table, int kfrom, int kto,
				  int keydist, bool dedup)
{
	MihScanKeysBody(so, page, table, kfrom, kto, keydist, dedup);
}
#endif

static MihScanKeysFunc MihScanKeys = NULL;

/*
 * The union scan's version of MihScanKeysBody: check the entries of keys
 * kfrom .. kto-1 of a table page against the balls of probe "probe" (the
 * balls whose probes include the key), or against every ball of the set
 * when probe is -1 (a linear scan).  A row is reported when it is in one of
 * them; a row can be found once in each table, so the caller removes
 * repeats (a bitmap does by itself).
 */
static pg_attribute_always_inline void
MihScanUnionBody(MihScanOpaque so, Page page, int table, int kfrom, int kto,
				 int64 probe)
{
	const MihLayout *layout = so->layout;
	int			shift = layout->shift[table],
				bits = layout->bits[table],
				restbits = PHASH_BITS - bits,
				entry_size = layout->entry_size[table];
	uint64		restmask = (UINT64CONST(1) << restbits) - 1;
	uint32	   *keys = MihTablePageKeys(page);
	uint16	   *starts = MihTablePageStarts(page);
	const char *entries = MihTablePageEntries(page);
	const uint32 *group = probe >= 0 ? so->probe_balls + so->probe_first[probe] : NULL;
	int			ngroup = probe >= 0 ?
		(int) (so->probe_first[probe + 1] - so->probe_first[probe]) : so->nuballs;
	int		   *maxrest = so->umaxrest;

	for (int k = kfrom; k < kto; k++)
	{
		uint32		key = keys[k];
		const char *p = entries + (Size) starts[k] * entry_size;
		const char *end = entries + (Size) starts[k + 1] * entry_size;
		bool		any = false;

		for (int g = 0; g < ngroup; g++)
		{
			const MihSetBall *b = &so->uballs[group ? group[g] : g];

			maxrest[g] = b->ball.radius - __builtin_popcount(key ^ b->key[table]);
			any |= maxrest[g] >= 0;
		}
		if (!any)
			continue;
		for (; p < end; p += entry_size)
		{
			uint64		word,
						rest,
						tid;
			bool		found = false;

			memcpy(&word, p, sizeof(word));
			rest = word & restmask;
			for (int g = 0; g < ngroup && !found; g++)
				found = __builtin_popcountll(rest ^ so->uballs[group ? group[g] : g].rest[table]) <=
					maxrest[g];
			if (!found)
				continue;
			MihReadEntry(p, restbits, &rest, &tid);
			if (MihTidIsDead(tid))
				continue;
			if (so->recheck && !MihMatchesBalls(so, MihJoin(rest, key, shift, bits)))
				continue;
			MihReport(so, tid, 0);
		}
	}
}

typedef void (*MihScanUnionFunc) (MihScanOpaque so, Page page, int table,
								  int kfrom, int kto, int64 probe);

static void
MihScanUnionGeneric(MihScanOpaque so, Page page, int table, int kfrom, int kto,
					int64 probe)
{
	MihScanUnionBody(so, page, table, kfrom, kto, probe);
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("popcnt")))
static void
MihScanUnionPopcnt(MihScanOpaque so, Page page, int table, int kfrom, int kto,
				   int64 probe)
{
	MihScanUnionBody(so, page, table, kfrom, kto, probe);
}
#endif

static MihScanUnionFunc MihScanUnion = NULL;

/* Choose the hot loop for this CPU */
static void
MihChooseScanKeys(void)
{
	MihScanKeys = MihScanKeysGeneric;
	MihScanUnion = MihScanUnionGeneric;
#if defined(__x86_64__) && defined(__GNUC__)
	if (__builtin_cpu_supports("popcnt"))
	{
		MihScanKeys = MihScanKeysPopcnt;
		MihScanUnion = MihScanUnionPopcnt;
	}
#endif
}

/* The first page that can hold a key: the last whose first key is below it */
static inline uint32
MihFindPage(const MihTableMap *map, uint32 key)
{
	uint32		lo = 0,
				hi = map->npages;

	while (lo < hi)
	{
		uint32		mid = (lo + hi) / 2;

		if (map->first_keys[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 ? lo - 1 : 0;
}

/*
 * Ask early for a page the scan will read next.  A probe costs mostly the
 * wait for memory: the buffer lookup and the first touches of the page.
 * If the page is in shared buffers, its first lines are loaded into the
 * CPU cache meanwhile, and the scan pins it later without a second lookup
 * (ReadRecentBuffer rechecks that it is still the page).
 */
static void
MihPrefetchPage(Relation index, MihScanOpaque so, BlockNumber blkno)
{
	PrefetchBufferResult r;

	if (RelationUsesLocalBuffers(index) || blkno == so->prefetched ||
		(BufferIsValid(so->buf) && BufferGetBlockNumber(so->buf) == blkno))
		return;
	r = PrefetchBuffer(index, MAIN_FORKNUM, blkno);
	so->prefetched = blkno;
	so->prefetched_buf = r.recent_buffer;
	if (BufferIsValid(r.recent_buffer))
	{
		const char *page = BufferGetBlock(r.recent_buffer);

		for (int line = 0; line < 4; line++)
			__builtin_prefetch(page + line * 64);
	}
}

/* Find a key in a table page's directory, from index klo on; -1 if absent */
static inline int
MihFindKeyInPage(Page page, uint32 key, int *klo)
{
	uint32	   *keys = MihTablePageKeys(page);
	int			lo = *klo,
				hi = MihTablePageHeaderOf(page)->nkeys;

	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (keys[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	*klo = lo;
	return (lo < MihTablePageHeaderOf(page)->nkeys && keys[lo] == key) ? lo : -1;
}

/*
 * Look up so->probes[*probe] and the probes after it that fall in the
 * same page of one table of one segment, under one lock of that page, and
 * advance *probe past them.  Probes are sorted, and so are the pages, so
 * a page's probes are consecutive.  A key whose entries run on into the
 * next pages is followed there; it is then the last key of its page.
 */
static void
MihScanProbes(Relation index, MihScanOpaque so, int segno, int table,
			  int64 *probe)
{
	const MihTableMap *map = &so->cache->maps[segno][table];
	uint32		owner = so->meta.segments[segno].owner;
	uint32		p;
	Page		page;
	int			klo = 0;
	int64		i = *probe;

	if (map->npages == 0)
	{
		*probe = so->nprobes;
		return;
	}
	p = MihFindPage(map, (uint32) (so->probes[i] >> 8));

	/* the first probe past this page tells which page comes next */
	if (p + 1 < map->npages)
	{
		uint64		bound = ((uint64) map->first_keys[p + 1] << 8) | 0xFF;
		int64		lo = i + 1,
					hi = so->nprobes;

		while (lo < hi)
		{
			int64		mid = (lo + hi) / 2;

			if (so->probes[mid] <= bound)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < so->nprobes)
			MihPrefetchPage(index, so,
							map->blknos[MihFindPage(map, (uint32) (so->probes[lo] >> 8))]);
	}

	page = MihScanLockPage(index, so, map->blknos[p], owner, table);
	for (; i < so->nprobes; i++)
	{
		uint32		key = (uint32) (so->probes[i] >> 8);
		int			keydist = (int) (so->probes[i] & 0xFF);
		int			k;

		if (p + 1 < map->npages && key > map->first_keys[p + 1])
			break;				/* the next page's */
		k = MihFindKeyInPage(page, key, &klo);
		if (k >= 0 && so->uballs)
			MihScanUnion(so, page, table, k, k + 1, i);
		else if (k >= 0)
			MihScanKeys(so, page, table, k, k + 1, keydist, true);
		if (p + 1 < map->npages && key == map->first_keys[p + 1])
		{
			/* the bucket goes on in the next pages */
			uint32		q = p + 1;

			LockBuffer(so->buf, BUFFER_LOCK_UNLOCK);
			for (; q < map->npages && map->first_keys[q] <= key; q++)
			{
				int			kk = 0;

				page = MihScanLockPage(index, so, map->blknos[q], owner, table);
				k = MihFindKeyInPage(page, key, &kk);
				if (k >= 0 && so->uballs)
					MihScanUnion(so, page, table, k, k + 1, i);
				else if (k >= 0)
					MihScanKeys(so, page, table, k, k + 1, keydist, true);
				LockBuffer(so->buf, BUFFER_LOCK_UNLOCK);
			}
			*probe = i + 1;
			return;
		}
	}
	LockBuffer(so->buf, BUFFER_LOCK_UNLOCK);
	*probe = i;
}

/* Read one page of table 0 of a segment linearly */
static void
MihScanLinearPage(Relation index, MihScanOpaque so, int segno, uint32 pageno)
{
	const MihTableMap *map = &so->cache->maps[segno][0];
	Page		page = MihScanLockPage(index, so, map->blknos[pageno],
									   so->meta.segments[segno].owner, 0);

	if (so->uballs)
		MihScanUnion(so, page, 0, 0, MihTablePageHeaderOf(page)->nkeys, -1);
	else
		MihScanKeys(so, page, 0, 0, MihTablePageHeaderOf(page)->nkeys, -1, false);
	LockBuffer(so->buf, BUFFER_LOCK_UNLOCK);
}

/* The number of keys of "bits" bits within radius of a key */
double
MihProbeCount(int bits, int radius)
{
	double		total = 0,
				c = 1;

	for (int t = 0; t <= radius && t <= bits; t++)
	{
		total += c;
		c = c * (bits - t) / (t + 1);
	}
	return total;
}

/* Table pages a linear scan reads */
static double
MihLinearPages(const MihMetaPageData *meta)
{
	double		pages = 0;

	for (int s = 0; s < meta->nsegments; s++)
		pages += meta->segments[s].npages[0];
	return pages;
}

/* mih_sort_probes(): sort uint64 probes, with the comparison inlined */
#define ST_SORT mih_sort_probes
#define ST_ELEMENT_TYPE uint64
#define ST_COMPARE(a, b) ((*(a) > *(b)) - (*(a) < *(b)))
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

/*
 * Write, from out on, every key of "bits" bits between min_t and max_t bits
 * from key (by Gosper's hack, each count of bits in turn), shifted left by
 * shift and with tag in the low bits, or the key's distance when tag is -1.
 * Returns the number written.
 */
static int64
MihKeysAround(uint64 *out, uint32 key, int bits, int min_t, int max_t,
			  int shift, int64 tag)
{
	int64		n = 0;

	for (int t = min_t; t <= max_t && t <= bits; t++)
	{
		uint64		mask = (t == 0) ? 0 : (UINT64CONST(1) << t) - 1;
		uint64		end = UINT64CONST(1) << bits;
		uint64		low = tag >= 0 ? (uint64) tag : (uint64) t;

		while (mask < end)
		{
			out[n++] = ((uint64) (key ^ (uint32) mask) << shift) | low;
			if (mask == 0)
				break;
			{
				uint64		c = mask & -mask;
				uint64		r = mask + c;

				mask = (((r ^ mask) >> 2) / c) | r;
			}
		}
	}
	return n;
}

/*
 * Fill so->probes with the keys of a table between min_radius and
 * max_radius bits from the query's key, sorted so that consecutive
 * probes share pages.
 */
static void
MihMakeProbes(MihScanOpaque so, int table, int min_radius, int max_radius)
{
	int			bits = so->layout->bits[table];
	int64		n;

	n = (int64) (MihProbeCount(bits, max_radius) -
				 (min_radius > 0 ? MihProbeCount(bits, min_radius - 1) : 0));
	if (so->probes)
		pfree(so->probes);
	so->probes = MemoryContextAllocHuge(so->cxt, Max(n, 1) * sizeof(uint64));
	so->nprobes = MihKeysAround(so->probes, so->qkey[table], bits,
								min_radius, max_radius, 8, -1);
	Assert(so->nprobes == n);
	mih_sort_probes(so->probes, so->nprobes);
	so->probe = 0;
}

/*
 * A union scan's probes of a table: the keys within each ball's probe
 * radius of its key, each key once, with the list of the balls that probe
 * it.  The balls from so->uchunk_start on, as many as fit in work_mem (28
 * bytes a probe), at least one; the scan probes the table again for the
 * next ones.
 */
static void
MihMakeUnionProbes(MihScanOpaque so, int table)
{
	int			bits = so->layout->bits[table];
	int64		total = 0,
				n = 0,
				u = 0,
				limit = (int64) work_mem * 1024 / 28;
	uint64	   *pairs;
	int			b;

	for (b = so->uchunk_start; b < so->nuballs; b++)
	{
		int64		c = 0;

		if (so->uballs[b].probe_radius[table] >= 0)
			c = (int64) MihProbeCount(bits, so->uballs[b].probe_radius[table]);
		if (total > 0 && total + c > limit)
			break;
		total += c;
	}
	so->uchunk_end = b;
	/* (key, ball) pairs, sorted by key */
	pairs = MemoryContextAllocHuge(so->cxt, Max(total, 1) * sizeof(uint64));
	for (b = so->uchunk_start; b < so->uchunk_end; b++)
		if (so->uballs[b].probe_radius[table] >= 0)
			n += MihKeysAround(pairs + n, so->uballs[b].key[table], bits, 0,
							   so->uballs[b].probe_radius[table], 32, b);
	Assert(n == total);
	mih_sort_probes(pairs, n);

	if (so->probes)
		pfree(so->probes);
	so->probes = MemoryContextAllocHuge(so->cxt, Max(n, 1) * sizeof(uint64));
	so->probe_first = MemoryContextAllocHuge(so->cxt, (n + 1) * sizeof(int64));
	so->probe_balls = MemoryContextAllocHuge(so->cxt, Max(n, 1) * sizeof(uint32));
	for (int64 i = 0; i < n; i++)
	{
		uint32		key = (uint32) (pairs[i] >> 32);

		if (u == 0 || (uint32) (so->probes[u - 1] >> 8) != key)
		{
			so->probes[u] = (uint64) key << 8;
			so->probe_first[u] = i;
			u++;
		}
		so->probe_balls[i] = (uint32) pairs[i];
	}
	so->probe_first[u] = n;
	so->nprobes = u;
	so->probe = 0;
	pfree(pairs);
}

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
static bool
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
static void
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
 * The balls of a "<@ ANY (array)" or "= ANY (array)" key, NULL elements
 * left out (they match nothing) and, of balls around the same centre, only
 * the widest kept.
 */
static MihBallSet
MihArrayBalls(ScanKey key)
{
	ArrayType  *arr = DatumGetArrayTypeP(key->sk_argument);
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
		if (key->sk_strategy == MIH_IN_BALL_STRATEGY)
			*ball = *DatumGetHammingBallP(elems[i]);
		else if (key->sk_strategy == MIH_EQUAL_STRATEGY)
		{
			ball->center = DatumGetPHash(elems[i]);
			ball->radius = 0;
			ball->padding = 0;
		}
		else
			elog(ERROR, "unexpected strategy %d for mih index", key->sk_strategy);
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
static void
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

/* Begin a scan */
IndexScanDesc
mihbeginscan(Relation r, int nkeys, int norderbys)
{
	IndexScanDesc scan = RelationGetIndexScan(r, nkeys, norderbys);
	MihScanOpaque so = palloc0(sizeof(MihScanOpaqueData));

	if (MihScanKeys == NULL)
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
			MihBallSet	set = MihArrayBalls(key);

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

/* Return the next row of an ordering scan; false at the end */
static bool
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
