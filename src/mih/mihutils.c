/*-------------------------------------------------------------------------
 *
 * mihutils.c
 *	  The mih access method's handler and the helpers its phases share:
 *	  options, the substring layout, page initialisation and allocation,
 *	  the metapage, and the per-backend cache of segment maps that scans
 *	  search in memory.
 *
 * src/mih/mihutils.c
 *
 *-------------------------------------------------------------------------
 */
#include "mih.h"

#include <math.h>

#include "access/reloptions.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/progress.h"
#include "commands/vacuum.h"
#include "miscadmin.h"
#include "storage/freespace.h"
#include "storage/indexfsm.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

PG_FUNCTION_INFO_V1(mih_handler);

static relopt_kind mih_relopt_kind;
static relopt_parse_elt mih_relopt_tab[2];

/* Register the WITH options of mih indexes; called from _PG_init */
void
MihInitOptions(void)
{
	mih_relopt_kind = add_reloption_kind();
	add_int_reloption(mih_relopt_kind, "substrings",
					  "Number of substrings (hash tables) the 64 bits are cut into, 0 to choose from the row count",
					  0, 0, MIH_MAX_SUBSTRINGS, AccessExclusiveLock);
	mih_relopt_tab[0].optname = "substrings";
	mih_relopt_tab[0].opttype = RELOPT_TYPE_INT;
	mih_relopt_tab[0].offset = offsetof(MihOptions, substrings);
	add_int_reloption(mih_relopt_kind, "pending_list_limit",
					  "Size in kB the list of newly inserted entries may reach before it is sorted into the tables",
					  1024, 64, MAX_KILOBYTES, ShareUpdateExclusiveLock);
	mih_relopt_tab[1].optname = "pending_list_limit";
	mih_relopt_tab[1].opttype = RELOPT_TYPE_INT;
	mih_relopt_tab[1].offset = offsetof(MihOptions, pending_list_limit);
}

/* Parse and validate the WITH options of a mih index */
bytea *
mihoptions(Datum reloptions, bool validate)
{
	MihOptions *opts;

	opts = (MihOptions *) build_reloptions(reloptions, validate,
										   mih_relopt_kind,
										   sizeof(MihOptions),
										   mih_relopt_tab,
										   lengthof(mih_relopt_tab));
	if (validate && opts && opts->substrings == 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("value 1 out of bounds for option \"substrings\""),
				 errdetail("Valid values are 0 (chosen from the row count) and %d to %d.",
						   MIH_MIN_SUBSTRINGS, MIH_MAX_SUBSTRINGS)));
	return (bytea *) opts;
}

/* Entries the pending list may hold before it is flushed */
int
MihPendingLimitEntries(Relation index)
{
	MihOptions *opts = (MihOptions *) index->rd_options;
	int64		kb = opts ? opts->pending_list_limit : 1024;

	return (int) Min((kb * 1024) / MIH_LIST_ENTRY_SIZE, INT_MAX / 2);
}

/*
 * Choose the number of substrings for n rows: about 64 / log2(n), so that
 * each table has about one entry per key (Norouzi et al.), but 3 or 4.
 * With 2 substrings of 32 bits a radius-8 search probes some 47,000 keys;
 * with more than 4, small tables gain little and a table that grows after
 * the build (or was empty then) gets crowded buckets.  3 substrings give
 * about 37 bytes a row, 4 about 48.
 */
int
MihChooseSubstrings(double nrows)
{
	if (nrows < 2 || rint(64.0 / log2(nrows)) >= 4)
		return 4;
	return 3;
}

/*
 * Set up a metapage for m substrings.  Substring j covers 64/m bits (the
 * first 64 % m substrings one more), starting from bit 0.
 */
void
MihInitMeta(MihMetaPageData *meta, int m)
{
	int			shift = 0;

	memset(meta, 0, sizeof(MihMetaPageData));
	meta->magic = MIH_MAGIC;
	meta->version = MIH_VERSION;
	meta->nsubstrings = m;
	for (int j = 0; j < m; j++)
	{
		int			bits = PHASH_BITS / m + (j < PHASH_BITS % m ? 1 : 0);

		meta->sub_shift[j] = shift;
		meta->sub_bits[j] = bits;
		shift += bits;
	}
	meta->next_owner = 1;
	meta->layout_version = 1;
	meta->last_drop = InvalidFullTransactionId;
	meta->pending.head = meta->pending.tail = InvalidBlockNumber;
	meta->flushing.head = meta->flushing.tail = InvalidBlockNumber;
	meta->nulls.head = meta->nulls.tail = InvalidBlockNumber;
}

/* Derive the layout (shifts, widths, entry sizes) from a metapage */
void
MihLayoutFromMeta(const MihMetaPageData *meta, MihLayout *layout)
{
	layout->m = meta->nsubstrings;
	for (int j = 0; j < layout->m; j++)
	{
		layout->shift[j] = meta->sub_shift[j];
		layout->bits[j] = meta->sub_bits[j];
		layout->entry_size[j] =
			(PHASH_BITS - meta->sub_bits[j] + PACKED_TID_BITS + 7) / 8;
	}
}

/* Initialise a page of the given kind */
void
MihInitPage(Page page, uint16 kind, uint16 table, uint32 owner)
{
	MihPageOpaque opaque;

	PageInit(page, BLCKSZ, sizeof(MihPageOpaqueData));
	opaque = MihPageGetOpaque(page);
	opaque->kind = kind;
	opaque->table = table;
	opaque->owner = owner;
	opaque->next = InvalidBlockNumber;
	opaque->page_id = MIH_PAGE_ID;
}

/*
 * Is a page part of the index as the metapage describes it?  The free
 * space map is not crash-safe, so a page it offers may be in use.
 */
static bool
MihPageIsLive(const MihMetaPageData *meta, Page page)
{
	MihPageOpaque opaque = MihPageGetOpaque(page);

	if (PageIsNew(page))
		return false;
	if (opaque->kind == MIH_PAGE_META)
		return true;
	for (int s = 0; s < meta->nsegments; s++)
		if (meta->segments[s].owner == opaque->owner)
			return true;
	return (opaque->owner == meta->pending.owner ||
			opaque->owner == meta->flushing.owner ||
			opaque->owner == meta->nulls.owner) && opaque->owner != 0;
}

/* Note in the metapage that an owner's pages were dropped */
void
MihRecordDrop(MihMetaPageData *meta, uint32 owner, FullTransactionId when)
{
	PageDropRecord(meta->drops, &meta->ndrops, MIH_MAX_DROPS, &meta->last_drop,
				   owner, when);
}

/* May a page of this owner, which nothing references any more, be reused */
bool
MihDroppedPageReusable(const MihMetaPageData *meta, uint32 owner)
{
	return PageDropReusable(meta->drops, meta->ndrops, meta->last_drop, owner);
}

/*
 * Get a new page, exclusively locked.  Flushes and merges (which hold the
 * maintenance lock, so VACUUM is not handing out pages at the same time)
 * reuse pages VACUUM recorded as free; inserts only extend the relation,
 * so that a page VACUUM is about to record free is never one an insert
 * has just taken.
 */
Buffer
MihNewBuffer(Relation index, bool from_fsm)
{
	Buffer		buffer;
	MihMetaPageData *meta = NULL;

	while (from_fsm)
	{
		BlockNumber blkno = GetFreeIndexPage(index);

		if (blkno == InvalidBlockNumber)
			break;
		if (meta == NULL)
		{
			meta = palloc(sizeof(MihMetaPageData));
			MihReadMeta(index, meta);
		}
		buffer = ReadBuffer(index, blkno);
		if (ConditionalLockBuffer(buffer))
		{
			Page		page = BufferGetPage(buffer);

			/*
			 * After a crash the FSM can also list pages of a segment dropped
			 * so recently that scans may still read it.
			 */
			if (!MihPageIsLive(meta, page) &&
				(PageIsNew(page) ||
				 MihDroppedPageReusable(meta, MihPageGetOpaque(page)->owner)))
			{
				pfree(meta);
				return buffer;
			}
			LockBuffer(buffer, BUFFER_LOCK_UNLOCK);
		}
		/* in use after all: leave it */
		ReleaseBuffer(buffer);
	}
	if (meta)
		pfree(meta);

	return PageExtendIndex(index);
}

/* Copy the metapage, checking that this is a mih index we can read */
void
MihReadMeta(Relation index, MihMetaPageData *meta)
{
	Buffer		buffer = ReadBuffer(index, MIH_METAPAGE_BLKNO);
	Page		page;
	MihMetaPageData *m;

	LockBuffer(buffer, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buffer);
	m = MihPageGetMeta(page);
	if (PageIsNew(page) || m->magic != MIH_MAGIC)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("index \"%s\" is not a mih index",
						RelationGetRelationName(index))));
	if (m->version != MIH_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("mih index \"%s\" has version %u, this build reads version %d",
						RelationGetRelationName(index), m->version, MIH_VERSION),
				 errhint("REINDEX the index.")));
	memcpy(meta, m, sizeof(MihMetaPageData));
	UnlockReleaseBuffer(buffer);
}

/*
 * Check that a page is still the one its segment or chain wrote.  Pages
 * are recycled only when no snapshot from before they were dropped
 * remains, so on a primary a scan cannot meet a reused page; on a hot
 * standby a long query can, and is told to retry.  Anywhere else (VACUUM,
 * flushes, merges, which hold the maintenance lock) it means corruption.
 */
Page
MihCheckPage(Relation index, Buffer buf, uint16 kind, uint32 owner, bool in_scan)
{
	Page		page = BufferGetPage(buf);
	MihPageOpaque opaque = MihPageGetOpaque(page);

	if ((PageIsNew(page) || opaque->kind != kind || opaque->owner != owner) && !in_scan)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("mih index \"%s\" is corrupted: block %u is not a page of kind %d of owner %u",
						RelationGetRelationName(index), BufferGetBlockNumber(buf),
						kind, owner),
				 errhint("REINDEX the index.")));
	if (PageIsNew(page) || opaque->kind != kind || opaque->owner != owner)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("mih index \"%s\" was reorganised during the scan",
						RelationGetRelationName(index)),
				 errdetail("Block %u holds a page of kind %d of owner %u instead of kind %d of owner %u.",
						   BufferGetBlockNumber(buf), PageIsNew(page) ? 0 : opaque->kind,
						   PageIsNew(page) ? 0 : opaque->owner, kind, owner),
				 errhint("Retry the query.")));
	return page;
}

/*
 * The per-backend cache of segment maps.  Scans look up keys in the maps
 * in memory; the maps change only when a flush, merge or rebuild changes
 * the layout version in the metapage.  Whoever uses a cache across other
 * calls pins it (MihPinCache); a cache the layout has moved past is freed
 * when its last user releases it, or at the end of the transaction (which
 * also forgets the pins of scans an error cut short).
 */
typedef struct MihCacheEntry
{
	Oid			relid;
	RelFileNode node;
	MemoryContext cxt;
	MihCache   *cache;
	struct MihCacheEntry *next;
} MihCacheEntry;

static MihCacheEntry *mih_caches = NULL;
static MemoryContext mih_superseded = NULL;
static bool mih_callback_registered = false;

static void
MihCacheXactCallback(XactEvent event, void *arg)
{
	if (mih_superseded && (event == XACT_EVENT_COMMIT ||
						   event == XACT_EVENT_ABORT ||
						   event == XACT_EVENT_PARALLEL_COMMIT ||
						   event == XACT_EVENT_PARALLEL_ABORT ||
						   event == XACT_EVENT_PREPARE))
	{
		MemoryContextReset(mih_superseded);
		for (MihCacheEntry *entry = mih_caches; entry; entry = entry->next)
			if (entry->cache)
				entry->cache->refcount = 0;
	}
}

/* Take a cache out of service: free it now, or when its last user is done */
static void
MihSupersedeCache(MihCache *cache)
{
	if (cache->refcount == 0)
		MemoryContextDelete(cache->cxt);
	else
	{
		cache->superseded = true;
		MemoryContextSetParent(cache->cxt, mih_superseded);
	}
}

/* Keep a cache alive while it is used */
void
MihPinCache(MihCache *cache)
{
	cache->refcount++;
}

/* Stop using a cache */
void
MihReleaseCache(MihCache *cache)
{
	Assert(cache->refcount > 0);
	if (--cache->refcount == 0 && cache->superseded)
		MemoryContextDelete(cache->cxt);
}

/* Read the map pages of one segment into its table maps */
static void
MihLoadSegmentMap(Relation index, const MihSegment *seg, int m,
				  MihTableMap *maps, uint32 *keys, BlockNumber *blknos)
{
	BlockNumber blkno = seg->map_head;
	uint64		total = 0,
				done = 0;
	int			j = 0;

	for (j = 0; j < m; j++)
	{
		maps[j].npages = seg->npages[j];
		maps[j].first_keys = keys + total;
		maps[j].blknos = blknos + total;
		total += seg->npages[j];
	}
	while (done < total)
	{
		Buffer		buf;
		Page		page;
		uint32		n;
		MihMapEntry *entries;

		if (blkno == InvalidBlockNumber)
			ereport(ERROR,
					(errcode(ERRCODE_INDEX_CORRUPTED),
					 errmsg("mih index \"%s\" is corrupted: the map of segment %u ends early",
							RelationGetRelationName(index), seg->owner),
					 errhint("REINDEX the index.")));
		buf = ReadBuffer(index, blkno);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = MihCheckPage(index, buf, MIH_PAGE_MAP, seg->owner, true);
		n = *MihMapPageCount(page);
		entries = MihMapPageEntries(page);
		for (uint32 i = 0; i < n && done < total; i++, done++)
		{
			keys[done] = entries[i].first_key;
			blknos[done] = entries[i].blkno;
		}
		blkno = MihPageGetOpaque(page)->next;
		UnlockReleaseBuffer(buf);
	}
}

/*
 * Return the cache for the index's current layout, with the current
 * metapage (chains included) copied into *meta.
 */
MihCache *
MihGetCache(Relation index, MihMetaPageData *meta)
{
	MihCacheEntry *entry;
	MihCache   *cache;
	uint64		total = 0;
	uint32	   *keys;
	BlockNumber *blknos;

	MihReadMeta(index, meta);

	for (entry = mih_caches; entry; entry = entry->next)
		if (entry->relid == RelationGetRelid(index))
			break;
	if (entry && entry->cache && RelFileNodeEquals(entry->node, index->rd_node) &&
		entry->cache->meta.layout_version == meta->layout_version)
		return entry->cache;

	if (!mih_callback_registered)
	{
		RegisterXactCallback(MihCacheXactCallback, NULL);
		mih_superseded = AllocSetContextCreate(TopMemoryContext,
											   "mih superseded caches",
											   ALLOCSET_DEFAULT_SIZES);
		mih_callback_registered = true;
	}
	if (entry == NULL)
	{
		entry = MemoryContextAllocZero(TopMemoryContext, sizeof(MihCacheEntry));
		entry->relid = RelationGetRelid(index);
		entry->next = mih_caches;
		mih_caches = entry;
	}
	else if (entry->cache)
		MihSupersedeCache(entry->cache);
	else if (entry->cxt)
	{
		/* the last load failed half-way */
		MemoryContextDelete(entry->cxt);
	}
	entry->cache = NULL;
	entry->node = index->rd_node;
	entry->cxt = AllocSetContextCreate(TopMemoryContext, "mih cache",
									   ALLOCSET_DEFAULT_SIZES);

	for (int s = 0; s < meta->nsegments; s++)
		for (int j = 0; j < meta->nsubstrings; j++)
			total += meta->segments[s].npages[j];
	cache = MemoryContextAllocZero(entry->cxt, sizeof(MihCache));
	cache->cxt = entry->cxt;
	keys = MemoryContextAllocHuge(entry->cxt, Max(total, 1) * sizeof(uint32));
	blknos = MemoryContextAllocHuge(entry->cxt, Max(total, 1) * sizeof(BlockNumber));
	memcpy(&cache->meta, meta, sizeof(MihMetaPageData));
	MihLayoutFromMeta(meta, &cache->layout);
	for (int s = 0; s < meta->nsegments; s++)
	{
		MihLoadSegmentMap(index, &meta->segments[s], meta->nsubstrings,
						  cache->maps[s], keys, blknos);
		for (int j = 0; j < meta->nsubstrings; j++)
		{
			keys += meta->segments[s].npages[j];
			blknos += meta->segments[s].npages[j];
		}
	}
	entry->cache = cache;
	return cache;
}

/*
 * Forget this backend's cache of an index being (re)built: a TRUNCATE in
 * the transaction that created the table rebuilds the index in place,
 * with the same file and a layout version starting again from 1.
 */
void
MihForgetCache(Relation index)
{
	for (MihCacheEntry *entry = mih_caches; entry; entry = entry->next)
		if (entry->relid == RelationGetRelid(index) && entry->cache)
		{
			MihSupersedeCache(entry->cache);
			entry->cache = NULL;
			entry->cxt = NULL;
		}
}

/* Answer the properties the planner and pg_index_column_has_property ask */
bool
mihproperty(Oid index_oid, int attno, IndexAMProperty prop,
			const char *propname, bool *res, bool *isnull)
{
	if (attno == 1 && prop == AMPROP_DISTANCE_ORDERABLE)
	{
		*res = true;
		*isnull = false;
		return true;
	}
	return false;
}

/* Name the build phases for pg_stat_progress_create_index */
char *
mihbuildphasename(int64 phasenum)
{
	switch (phasenum)
	{
		case PROGRESS_CREATEIDX_SUBPHASE_INITIALIZE:
			return "initializing";
		case MIH_PHASE_SCAN:
			return "scanning table";
		case MIH_PHASE_WRITE:
			return "sorting and writing tables";
		default:
			return NULL;
	}
}

/*
 * The access method's handler: what mih can do and its entry points.
 */
Datum
mih_handler(PG_FUNCTION_ARGS)
{
	IndexAmRoutine *amroutine = makeNode(IndexAmRoutine);

	amroutine->amstrategies = MIH_NSTRATEGIES;
	amroutine->amsupport = 0;
	amroutine->amoptsprocnum = 0;
	amroutine->amcanorder = false;
	amroutine->amcanorderbyop = true;
	amroutine->amcanbackward = false;
	amroutine->amcanunique = false;
	amroutine->amcanmulticol = false;
	amroutine->amoptionalkey = true;
	amroutine->amsearcharray = true;
	amroutine->amsearchnulls = false;
	amroutine->amstorage = false;
	amroutine->amclusterable = false;
	amroutine->ampredlocks = false;
	amroutine->amcanparallel = false;
	amroutine->amcaninclude = false;
	amroutine->amusemaintenanceworkmem = false;
	amroutine->amparallelvacuumoptions = VACUUM_OPTION_NO_PARALLEL;
	amroutine->amkeytype = InvalidOid;

	amroutine->ambuild = mihbuild;
	amroutine->ambuildempty = mihbuildempty;
	amroutine->aminsert = mihinsert;
	amroutine->ambulkdelete = mihbulkdelete;
	amroutine->amvacuumcleanup = mihvacuumcleanup;
	amroutine->amcanreturn = NULL;
	amroutine->amcostestimate = mihcostestimate;
	amroutine->amoptions = mihoptions;
	amroutine->amproperty = mihproperty;
	amroutine->ambuildphasename = mihbuildphasename;
	amroutine->amvalidate = mihvalidate;
	amroutine->amadjustmembers = NULL;
	amroutine->ambeginscan = mihbeginscan;
	amroutine->amrescan = mihrescan;
	amroutine->amgettuple = mihgettuple;
	amroutine->amgetbitmap = mihgetbitmap;
	amroutine->amendscan = mihendscan;
	amroutine->ammarkpos = NULL;
	amroutine->amrestrpos = NULL;
	amroutine->amestimateparallelscan = NULL;
	amroutine->aminitparallelscan = NULL;
	amroutine->amparallelrescan = NULL;

	PG_RETURN_POINTER(amroutine);
}
