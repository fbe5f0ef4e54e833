/*-------------------------------------------------------------------------
 *
 * mihprobe.c
 *	  Look entries up in a mih index: the pending and flushing lists, the
 *	  pages of a table found by binary search in the cached map, the hot
 *	  loops that check a page's entries against the query or against a set
 *	  of balls (compiled with and without POPCNT), probe keys in sorted
 *	  order, and linear reads of table 0.
 *
 * See mihscan.c for how a scan works.
 *
 * src/mih/mihprobe.c
 *
 *-------------------------------------------------------------------------
 */
#include "mihscan_int.h"

/* Read one page of a list chain; returns the next page */
BlockNumber
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

		if (dist <= so->limit && !PackedTidIsDead(tid) && MihMatchesBalls(so, code))
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
			if (PackedTidIsDead(tid))
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
			if (PackedTidIsDead(tid))
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

/* Choose the hot loops for this CPU, once */
void
MihChooseScanKeys(void)
{
	if (MihScanKeys != NULL)
		return;
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
void
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
void
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
double
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
void
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
void
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
