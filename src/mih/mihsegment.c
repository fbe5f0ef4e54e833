/*-------------------------------------------------------------------------
 *
 * mihsegment.c
 *	  Write a segment of a mih index: m tables of entries sorted by their
 *	  substring key, and the map pages that list each table page's first
 *	  key.  The build, the pending-list flush and merges all write segments
 *	  here, from an array of (code, TID) items sorted in memory or from a
 *	  merge of existing segments' tables.
 *
 * A segment is written into pages no scan can reach: it becomes visible
 * only when the caller records it in the metapage.  Each page is logged as
 * a full image of generic WAL.
 *
 * src/mih/mihsegment.c
 *
 *-------------------------------------------------------------------------
 */
#include "mih.h"

#include "commands/progress.h"
#include "lib/binaryheap.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "utils/memutils.h"

/*
 * The table page being filled and the map entries written so far.
 */
typedef struct MihSegmentWriter
{
	Relation	index;
	const MihLayout *layout;
	uint32		owner;
	int			table;			/* table being written */
	int			restbits;
	int			entry_size;
	/* the current page, laid out when it is full */
	int			nkeys;
	int			nentries;
	uint32		keys[BLCKSZ / 4];
	uint16		starts[BLCKSZ / 4];
	char		entries[BLCKSZ];
	/* map: first key and block of every table page written */
	MihMapEntry *map;
	int64		nmap;
	int64		map_capacity;
	MihSegment *seg;
} MihSegmentWriter;

/* Bytes a table page needs for nkeys keys and nentries entries */
static inline Size
MihTablePageBytes(int nkeys, int nentries, int entry_size)
{
	return sizeof(MihTablePageHeader) + nkeys * sizeof(uint32) +
		(nkeys + 1) * sizeof(uint16) + (Size) nentries * entry_size;
}

/* Write out the current table page, if it holds anything */
static void
MihWriterFlushPage(MihSegmentWriter *w)
{
	Buffer		buf;
	GenericXLogState *state;
	Page		page;
	MihTablePageHeader *hdr;
	char	   *p;

	if (w->nentries == 0)
		return;

	buf = MihNewBuffer(w->index, true);
	state = GenericXLogStart(w->index);
	page = GenericXLogRegisterBuffer(state, buf, GENERIC_XLOG_FULL_IMAGE);
	MihInitPage(page, MIH_PAGE_TABLE, w->table, w->owner);
	hdr = MihTablePageHeaderOf(page);
	hdr->nkeys = w->nkeys;
	hdr->nentries = w->nentries;
	hdr->owner = w->owner;
	hdr->kind = MIH_PAGE_TABLE;
	hdr->table = w->table;
	w->starts[w->nkeys] = w->nentries;
	memcpy(MihTablePageKeys(page), w->keys, w->nkeys * sizeof(uint32));
	memcpy(MihTablePageStarts(page), w->starts, (w->nkeys + 1) * sizeof(uint16));
	p = MihTablePageEntries(page);
	memcpy(p, w->entries, (Size) w->nentries * w->entry_size);
	((PageHeader) page)->pd_lower = (p + (Size) w->nentries * w->entry_size) - (char *) page;
	Assert(((PageHeader) page)->pd_lower <= ((PageHeader) page)->pd_upper);
	GenericXLogFinish(state);

	if (w->nmap == w->map_capacity)
	{
		w->map_capacity *= 2;
		w->map = repalloc_huge(w->map, w->map_capacity * sizeof(MihMapEntry));
	}
	w->map[w->nmap].first_key = w->keys[0];
	w->map[w->nmap].blkno = BufferGetBlockNumber(buf);
	w->nmap++;
	w->seg->npages[w->table]++;
	UnlockReleaseBuffer(buf);

	w->nkeys = 0;
	w->nentries = 0;
}

/* Append one entry to the table being written; keys come in order */
static inline void
MihWriterAdd(MihSegmentWriter *w, uint32 key, uint64 rest, uint64 tid)
{
	bool		newkey = (w->nkeys == 0 || w->keys[w->nkeys - 1] != key);

	if (MihTablePageBytes(w->nkeys + (newkey ? 1 : 0), w->nentries + 1,
						  w->entry_size) > MIH_PAGE_CONTENT_SIZE)
	{
		MihWriterFlushPage(w);
		newkey = true;
	}
	if (newkey)
	{
		w->keys[w->nkeys] = key;
		w->starts[w->nkeys] = w->nentries;
		w->nkeys++;
	}
	MihWriteEntry(w->entries + (Size) w->nentries * w->entry_size,
				  w->restbits, w->entry_size, rest, tid);
	w->nentries++;
}

static void
MihWriterBegin(MihSegmentWriter *w, Relation index, const MihLayout *layout,
			   uint32 owner, MihSegment *seg)
{
	w->index = index;
	w->layout = layout;
	w->owner = owner;
	w->nkeys = 0;
	w->nentries = 0;
	w->map_capacity = 1024;
	w->nmap = 0;
	w->map = palloc(w->map_capacity * sizeof(MihMapEntry));
	w->seg = seg;
	memset(seg, 0, sizeof(MihSegment));
	seg->owner = owner;
	seg->map_head = InvalidBlockNumber;
}

static void
MihWriterBeginTable(MihSegmentWriter *w, int table)
{
	w->table = table;
	w->restbits = PHASH_BITS - w->layout->bits[table];
	w->entry_size = w->layout->entry_size[table];
}

/*
 * Write the map pages, a chain in table order, and finish the segment.
 * Each page is logged once its successor is known.
 */
static void
MihWriterFinish(MihSegmentWriter *w)
{
	Buffer		prev = InvalidBuffer;
	GenericXLogState *prevstate = NULL;
	Page		prevpage = NULL;
	int64		done = 0;

	do
	{
		Buffer		buf = MihNewBuffer(w->index, true);
		GenericXLogState *state = GenericXLogStart(w->index);
		Page		page = GenericXLogRegisterBuffer(state, buf, GENERIC_XLOG_FULL_IMAGE);
		uint32		n = (uint32) Min(w->nmap - done, (int64) MIH_MAP_PAGE_CAPACITY);

		MihInitPage(page, MIH_PAGE_MAP, 0, w->owner);
		*MihMapPageCount(page) = n;
		memcpy(MihMapPageEntries(page), w->map + done, n * sizeof(MihMapEntry));
		((PageHeader) page)->pd_lower =
			((char *) (MihMapPageEntries(page) + n)) - (char *) page;
		done += n;

		if (prevstate)
		{
			MihPageGetOpaque(prevpage)->next = BufferGetBlockNumber(buf);
			GenericXLogFinish(prevstate);
			UnlockReleaseBuffer(prev);
		}
		else
			w->seg->map_head = BufferGetBlockNumber(buf);
		prev = buf;
		prevstate = state;
		prevpage = page;
	} while (done < w->nmap);

	GenericXLogFinish(prevstate);
	UnlockReleaseBuffer(prev);
	pfree(w->map);
}

/*
 * Sort items by the substring at shift/bits: a stable LSD radix sort in
 * 11-bit digits, through a scratch array of the same size.  Returns with
 * the sorted items in "items".
 */
void
MihSortItems(MihItem *items, MihItem *scratch, int64 n, int shift, int bits)
{
	MihItem    *src = items,
			   *dst = scratch;

	for (int digit = 0; digit < bits; digit += 11)
	{
		int			width = Min(11, bits - digit);
		uint32		mask = (1U << width) - 1;
		int64		count[1 << 11];
		int64		pos = 0;

		memset(count, 0, sizeof(count));
		for (int64 i = 0; i < n; i++)
			count[(src[i].code >> (shift + digit)) & mask]++;
		for (uint32 d = 0; d <= mask; d++)
		{
			int64		c = count[d];

			count[d] = pos;
			pos += c;
		}
		for (int64 i = 0; i < n; i++)
			dst[count[(src[i].code >> (shift + digit)) & mask]++] = src[i];
		CHECK_FOR_INTERRUPTS();
		{
			MihItem    *t = src;

			src = dst;
			dst = t;
		}
	}
	if (src != items)
		memcpy(items, src, n * sizeof(MihItem));
}

/*
 * Write a segment holding the n items, sorting them for each table in
 * turn (the array is reordered).  With report_progress, the build's
 * progress counters follow the entries written.
 */
void
MihWriteSegmentFromItems(Relation index, const MihLayout *layout,
						 MihItem *items, int64 n, uint32 owner,
						 MihSegment *seg, bool report_progress)
{
	MihSegmentWriter *w = palloc(sizeof(MihSegmentWriter));
	MihItem    *scratch = palloc_extended(Max(n, 1) * sizeof(MihItem),
										  MCXT_ALLOC_HUGE);

	MihWriterBegin(w, index, layout, owner, seg);
	seg->nentries = n;
	if (report_progress)
		pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_TOTAL,
									 n * layout->m);
	for (int j = 0; j < layout->m; j++)
	{
		int			shift = layout->shift[j],
					bits = layout->bits[j];

		MihWriterBeginTable(w, j);
		MihSortItems(items, scratch, n, shift, bits);
		for (int64 i = 0; i < n; i++)
		{
			MihWriterAdd(w, MihKey(items[i].code, shift, bits),
						 MihRest(items[i].code, shift, bits), items[i].tid);
			if ((i & 0xFFFF) == 0xFFFF)
			{
				CHECK_FOR_INTERRUPTS();
				if (report_progress)
					pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE,
												 j * n + i + 1);
			}
		}
		MihWriterFlushPage(w);
	}
	if (report_progress)
		pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE,
									 n * layout->m);
	MihWriterFinish(w);
	pfree(scratch);
	pfree(w);
}

/*
 * A cursor over one table of an existing segment, for merges: it walks
 * the table's pages in order, one page copied into memory at a time.
 */
typedef struct MihMergeCursor
{
	const MihTableMap *map;
	uint32		owner;
	uint32		pageno;			/* next page to read */
	char		page[BLCKSZ];
	int			key_index;		/* current key in the copied page */
	int			entry;			/* current entry */
	int			nentries;
	uint32		key;			/* current entry's key, rest and tid */
	uint64		rest;
	uint64		tid;
	bool		valid;
} MihMergeCursor;

/* Move a cursor to its next live entry; false at the end */
static bool
MihCursorNext(Relation index, const MihLayout *layout, int table,
			  MihMergeCursor *c)
{
	Page		page = (Page) c->page;
	int			restbits = PHASH_BITS - layout->bits[table];
	int			entry_size = layout->entry_size[table];

	for (;;)
	{
		if (c->entry >= c->nentries)
		{
			Buffer		buf;

			if (c->pageno >= c->map->npages)
				return c->valid = false;
			buf = ReadBuffer(index, c->map->blknos[c->pageno]);
			LockBuffer(buf, BUFFER_LOCK_SHARE);
			MihCheckPage(index, buf, MIH_PAGE_TABLE, c->owner, false);
			memcpy(c->page, BufferGetPage(buf), BLCKSZ);
			UnlockReleaseBuffer(buf);
			c->pageno++;
			c->entry = 0;
			c->key_index = 0;
			c->nentries = MihTablePageHeaderOf(page)->nentries;
			CHECK_FOR_INTERRUPTS();
			continue;
		}
		while (MihTablePageStarts(page)[c->key_index + 1] <= c->entry)
			c->key_index++;
		c->key = MihTablePageKeys(page)[c->key_index];
		MihReadEntry(MihTablePageEntries(page) + (Size) c->entry * entry_size,
					 restbits, &c->rest, &c->tid);
		c->entry++;
		if (!PackedTidIsDead(c->tid))
			return c->valid = true;
	}
}

/*
 * Write one segment holding the live entries of segments segnos[] (as
 * the cache maps them), merging each table's sorted runs.
 */
void
MihWriteMergedSegment(Relation index, const MihLayout *layout,
					  const MihCache *cache, const int *segnos, int nsegs,
					  uint32 owner, MihSegment *seg)
{
	MihSegmentWriter *w = palloc(sizeof(MihSegmentWriter));
	MihMergeCursor *cursors = palloc(nsegs * sizeof(MihMergeCursor));

	MihWriterBegin(w, index, layout, owner, seg);
	for (int j = 0; j < layout->m; j++)
	{
		int64		written = 0;

		MihWriterBeginTable(w, j);
		for (int i = 0; i < nsegs; i++)
		{
			MihMergeCursor *c = &cursors[i];

			c->map = &cache->maps[segnos[i]][j];
			c->owner = cache->meta.segments[segnos[i]].owner;
			c->pageno = 0;
			c->entry = c->nentries = 0;
			MihCursorNext(index, layout, j, c);
		}
		for (;;)
		{
			MihMergeCursor *best = NULL;

			for (int i = 0; i < nsegs; i++)
				if (cursors[i].valid && (best == NULL || cursors[i].key < best->key))
					best = &cursors[i];
			if (best == NULL)
				break;
			MihWriterAdd(w, best->key, best->rest, best->tid);
			written++;
			MihCursorNext(index, layout, j, best);
		}
		MihWriterFlushPage(w);
		seg->nentries = written;
	}
	MihWriterFinish(w);
	pfree(cursors);
	pfree(w);
}

/*
 * A cursor over one sorted run of items in a temporary file, read a few
 * pages at a time, for a build larger than memory.
 */
#define MIH_RUN_BUFFER_ITEMS	512

typedef struct MihRunCursor
{
	BufFile    *file;
	int64		remaining;		/* items not yet read from the file */
	int			pos;
	int			n;
	uint32		key;			/* the current item's key */
	MihItem		items[MIH_RUN_BUFFER_ITEMS];
} MihRunCursor;

/* Move a run cursor to its next item; false at the end */
static bool
MihRunNext(MihRunCursor *c, int shift, int bits)
{
	if (++c->pos >= c->n)
	{
		int			want = (int) Min(c->remaining, MIH_RUN_BUFFER_ITEMS);

		if (want == 0)
			return false;
		if (BufFileRead(c->file, c->items, want * sizeof(MihItem)) != want * sizeof(MihItem))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("could not read from mih build temporary file: it ended early")));
		c->remaining -= want;
		c->n = want;
		c->pos = 0;
	}
	c->key = MihKey(c->items[c->pos].code, shift, bits);
	return true;
}

/* Order run cursors by key, smallest first (binaryheap keeps the largest) */
static int
MihRunCompare(Datum a, Datum b, void *arg)
{
	MihRunCursor *runs = (MihRunCursor *) arg;
	uint32		ka = runs[DatumGetInt32(a)].key,
				kb = runs[DatumGetInt32(b)].key;

	return (ka < kb) - (ka > kb);
}

/*
 * Write one segment from sorted runs: runs[c * m + j] holds chunk c's
 * items sorted for table j (lengths[c] items each), in a temporary file
 * positioned at its start.  Each table is a merge of its nruns runs.
 */
void
MihWriteSegmentFromRuns(Relation index, const MihLayout *layout,
						BufFile **runs, const int64 *lengths, int nchunks,
						uint32 owner, MihSegment *seg)
{
	MihSegmentWriter *w = palloc(sizeof(MihSegmentWriter));
	MihRunCursor *cursors = palloc(nchunks * sizeof(MihRunCursor));
	binaryheap *heap = binaryheap_allocate(nchunks, MihRunCompare, cursors);
	int64		total = 0;

	for (int c = 0; c < nchunks; c++)
		total += lengths[c];
	MihWriterBegin(w, index, layout, owner, seg);
	seg->nentries = total;
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_TOTAL, total * layout->m);
	for (int j = 0; j < layout->m; j++)
	{
		int			shift = layout->shift[j],
					bits = layout->bits[j];
		int64		done = 0;

		MihWriterBeginTable(w, j);
		binaryheap_reset(heap);
		for (int c = 0; c < nchunks; c++)
		{
			cursors[c].file = runs[c * layout->m + j];
			cursors[c].remaining = lengths[c];
			cursors[c].pos = cursors[c].n = 0;
			if (MihRunNext(&cursors[c], shift, bits))
				binaryheap_add_unordered(heap, Int32GetDatum(c));
		}
		binaryheap_build(heap);
		while (!binaryheap_empty(heap))
		{
			MihRunCursor *c = &cursors[DatumGetInt32(binaryheap_first(heap))];
			MihItem    *item = &c->items[c->pos];

			MihWriterAdd(w, c->key, MihRest(item->code, shift, bits), item->tid);
			if (MihRunNext(c, shift, bits))
				binaryheap_replace_first(heap, binaryheap_first(heap));
			else
				binaryheap_remove_first(heap);
			if ((++done & 0xFFFF) == 0)
			{
				CHECK_FOR_INTERRUPTS();
				pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE,
											 j * total + done);
			}
		}
		MihWriterFlushPage(w);
	}
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, total * layout->m);
	MihWriterFinish(w);
	binaryheap_free(heap);
	pfree(cursors);
	pfree(w);
}
