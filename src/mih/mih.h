/*-------------------------------------------------------------------------
 *
 * mih.h
 *	  The mih index access method: exact Hamming radius and k-nearest
 *	  search over phash codes by multi-index hashing (Norouzi, Punjani and
 *	  Fleet, CVPR 2012).
 *
 * The 64 bits of a code are cut into m substrings ("tables").  By the
 * pigeonhole principle a code within r bits of a query q agrees with q
 * within floor(r/m) bits on at least one substring; more exactly, with
 * r = s*m + a, it is within s bits on one of the first a+1 substrings or
 * within s-1 bits on one of the others.  A search enumerates the substring
 * values of those small balls, looks each one up in its table and checks
 * the full code stored beside every entry, so no heap tuple is read to
 * reject a candidate.
 *
 * On disk the index is a metapage (block 0) and:
 *
 * - Segments: immutable sets of m sorted tables.  Table j of a segment
 *	 holds one entry per row (the code without substring j, and the heap
 *	 TID), in pages sorted by the value of substring j (the "key"); each
 *	 page starts with a directory of the keys it holds.  A chain of map
 *	 pages lists, for every table page, its block number and first key,
 *	 so a lookup is a binary search in memory (the map is cached in
 *	 rd_amcache) and one page read.
 * - The pending list: a chain of pages of (code, TID) pairs that inserts
 *	 append to, read linearly by every scan.  When it outgrows
 *	 pending_list_limit it is sorted into a new segment ("flush"), and
 *	 segments of similar size are merged, so there are O(log n) of them;
 *	 VACUUM merges them into one.
 * - A null list: the TIDs of rows whose code is NULL, in pending-format
 *	 pages.  No operator returns them; ordered scans return them last, as
 *	 a sequential scan sorts NULL distances last.
 *
 * Segments never change after they are written except that VACUUM marks
 * entries dead in place.  Flushes and merges write new segments into pages
 * no scan references, then switch the metapage; the pages they replace are
 * recycled by a later VACUUM once no snapshot older than the switch
 * remains (as nbtree recycles deleted pages).  Every page carries the id
 * of its owner (segment or chain), so a scan that finds a page reused
 * under it (possible only on a hot standby) reports an error instead of
 * wrong rows.  Flushes, merges and VACUUM's passes are serialised by a
 * heavyweight lock on the metapage; inserts only ever wait for the
 * metapage's buffer lock.  Every page change is WAL-logged as generic WAL.
 *
 * src/mih/mih.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIH_H
#define MIH_H

#include "imgsearch.h"
#include "page_drops.h"

#include "access/amapi.h"
#include "access/generic_xlog.h"
#include "access/itup.h"
#include "access/transam.h"
#include "nodes/pathnodes.h"
#include "storage/buffile.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "utils/array.h"
#include "utils/rel.h"

/* Strategy numbers of the mih operator class */
#define MIH_IN_BALL_STRATEGY	1	/* phash <@ hamming_ball */
#define MIH_EQUAL_STRATEGY		2	/* phash = phash */
#define MIH_DISTANCE_STRATEGY	3	/* phash <~> phash, ORDER BY only */
#define MIH_NSTRATEGIES			3

/* Substrings: between 2 and 8, so a key has 8 to 32 bits */
#define MIH_MIN_SUBSTRINGS		2
#define MIH_MAX_SUBSTRINGS		8
#define MIH_MAX_SEGMENTS		40

#define MIH_MAGIC				0x4D494831	/* "MIH1" */
#define MIH_VERSION				1
#define MIH_METAPAGE_BLKNO		0

/*
 * Page kinds, in the special space of every page.  "owner" is the id of
 * the segment or chain the page belongs to; ids come from one counter in
 * the metapage and are never reused.
 */
#define MIH_PAGE_META			1
#define MIH_PAGE_TABLE			2
#define MIH_PAGE_MAP			3
#define MIH_PAGE_LIST			4	/* pending list and null list */

typedef struct MihPageOpaqueData
{
	uint16		kind;
	uint16		table;			/* table number, on table pages */
	uint32		owner;
	BlockNumber next;			/* next page of a chain, or InvalidBlockNumber */
	uint16		unused;
	uint16		page_id;		/* MIH_PAGE_ID, for tools like pg_filedump */
} MihPageOpaqueData;

typedef MihPageOpaqueData *MihPageOpaque;

#define MIH_PAGE_ID				0xFF84
#define MihPageGetOpaque(page) ((MihPageOpaque) PageGetSpecialPointer(page))


/*
 * Table pages.  After the page header: a MihTablePageHeader, then
 * nkeys uint32 keys in ascending order, then nkeys + 1 uint16 entry
 * indexes (entries of keys[i] are entries starts[i] .. starts[i+1] - 1),
 * then nentries packed entries of entry_size bytes.  The header repeats
 * the page's owner and kind, so that a scan checks them without touching
 * the end of the page.  An entry is, in
 * little-endian bit order, the code with the key's bits removed
 * (64 - key bits) followed by the packed TID.  A key whose entries do not
 * fit in one page continues at the start of the next.
 */
typedef struct MihTablePageHeader
{
	uint16		nkeys;
	uint16		nentries;
	uint32		owner;			/* copies of the special space's owner and */
	uint16		kind;			/* kind, on the cache line scans read first */
	uint16		table;
} MihTablePageHeader;

/*
 * List pages (pending list, null list): after the page header a uint32
 * count, then that many MihListEntry.
 */
typedef struct MihListEntry
{
	uint32		code_lo;		/* the code, in two halves so that the */
	uint32		code_hi;		/* entry needs only 4-byte alignment */
	uint16		tid[3];			/* PackTid, in 16-bit pieces */
} MihListEntry;

#define MIH_LIST_ENTRY_SIZE		sizeof(MihListEntry)	/* 16, with padding */

/* Map pages: after the page header a uint32 count, then MihMapEntry */
typedef struct MihMapEntry
{
	uint32		first_key;
	BlockNumber blkno;
} MihMapEntry;

/* A segment, as the metapage records it */
typedef struct MihSegment
{
	uint32		owner;
	BlockNumber map_head;		/* first map page */
	uint64		nentries;		/* rows, counting those marked dead */
	uint64		ndead;
	uint32		npages[MIH_MAX_SUBSTRINGS];	/* table pages per table */
} MihSegment;

/* A chain of list pages */
typedef struct MihChain
{
	BlockNumber head;			/* InvalidBlockNumber when empty */
	BlockNumber tail;
	uint32		owner;
	uint32		unused;
	uint64		nentries;
} MihChain;

/* A segment or list dropped by a flush or merge, and when (page_drops.h) */
typedef PageDrop MihDrop;

#define MIH_MAX_DROPS			64

typedef struct MihMetaPageData
{
	uint32		magic;
	uint32		version;
	uint16		nsubstrings;
	uint8		sub_shift[MIH_MAX_SUBSTRINGS];	/* lowest bit of substring j */
	uint8		sub_bits[MIH_MAX_SUBSTRINGS];	/* its width */
	uint32		next_owner;		/* next segment or chain id */
	uint64		layout_version; /* bumped when segments or chains change */
	FullTransactionId last_drop;	/* the latest drop no longer in drops[] */
	MihChain	pending;		/* inserts go here */
	MihChain	flushing;		/* a pending list being turned into a segment */
	MihChain	nulls;			/* rows with a NULL code */
	uint16		nsegments;		/* oldest first */
	MihSegment	segments[MIH_MAX_SEGMENTS];
	/*
	 * Recent drops, oldest first.  The pages of a dropped owner are reused
	 * once its drop is older than every snapshot; pages of owners not
	 * listed (drops pushed out of the list, or segments a crash left
	 * unfinished) once last_drop is.
	 */
	uint16		ndrops;
	MihDrop		drops[MIH_MAX_DROPS];
} MihMetaPageData;

#define MihPageGetMeta(page) ((MihMetaPageData *) PageGetContents(page))

/* Options (WITH clause) */
typedef struct MihOptions
{
	int32		vl_len_;		/* varlena header (do not touch directly!) */
	int			substrings;		/* 0: chosen from the row count at build */
	int			pending_list_limit; /* kB */
} MihOptions;

/*
 * The substring layout of an index, and helpers to take a code apart.
 * Substring j is bits shift .. shift + bits - 1 of the code.
 */
typedef struct MihLayout
{
	int			m;
	int			shift[MIH_MAX_SUBSTRINGS];
	int			bits[MIH_MAX_SUBSTRINGS];
	int			entry_size[MIH_MAX_SUBSTRINGS];	/* bytes per table entry */
} MihLayout;

static inline uint32
MihKey(PHash code, int shift, int bits)
{
	return (uint32) ((code >> shift) & ((UINT64CONST(1) << bits) - 1));
}

/* The code without the bits of one substring, the rest shifted down */
static inline uint64
MihRest(PHash code, int shift, int bits)
{
	uint64		low = code & ((UINT64CONST(1) << shift) - 1);

	return low | ((shift + bits >= 64) ? 0 : (code >> (shift + bits)) << shift);
}

/* Put a substring back into the rest of a code */
static inline PHash
MihJoin(uint64 rest, uint32 key, int shift, int bits)
{
	uint64		low = rest & ((UINT64CONST(1) << shift) - 1);
	uint64		high = (shift + bits >= 64) ? 0 : (rest >> shift) << (shift + bits);

	return high | ((uint64) key << shift) | low;
}

/*
 * Read a packed table entry: rest and packed TID.  It reads 16 bytes,
 * past the entry: entries end before the page's special space, which is
 * 16 bytes, so this stays inside the page.
 */
static inline void
MihReadEntry(const char *p, int restbits, uint64 *rest, uint64 *tid)
{
	unsigned __int128 v;

	memcpy(&v, p, sizeof(v));
	*rest = (uint64) v & ((UINT64CONST(1) << restbits) - 1);
	*tid = (uint64) (v >> restbits) & ((UINT64CONST(1) << PACKED_TID_BITS) - 1);
}

static inline void
MihWriteEntry(char *p, int restbits, int entry_size, uint64 rest, uint64 tid)
{
	unsigned __int128 v = ((unsigned __int128) tid << restbits) | rest;

	memcpy(p, &v, entry_size);
}

/* The locations of a table page's parts */
#define MihTablePageHeaderOf(page) ((MihTablePageHeader *) PageGetContents(page))
#define MihTablePageKeys(page) ((uint32 *) (MihTablePageHeaderOf(page) + 1))
#define MihTablePageStarts(page) \
	((uint16 *) (MihTablePageKeys(page) + MihTablePageHeaderOf(page)->nkeys))
#define MihTablePageEntries(page) \
	((char *) (MihTablePageStarts(page) + MihTablePageHeaderOf(page)->nkeys + 1))

#define MihListPageCount(page) ((uint32 *) PageGetContents(page))
#define MihListPageEntries(page) ((MihListEntry *) (MihListPageCount(page) + 1))
#define MihMapPageCount(page) ((uint32 *) PageGetContents(page))
#define MihMapPageEntries(page) ((MihMapEntry *) (MihMapPageCount(page) + 1))

/* Usable bytes after the page header and before the special space */
StaticAssertDecl(MAXALIGN(sizeof(MihPageOpaqueData)) >= 16 - 11,
				 "MihReadEntry may read 5 bytes past the last entry");
#define MIH_PAGE_CONTENT_SIZE \
	(BLCKSZ - MAXALIGN(SizeOfPageHeaderData) - MAXALIGN(sizeof(MihPageOpaqueData)))
#define MIH_LIST_PAGE_CAPACITY \
	((MIH_PAGE_CONTENT_SIZE - sizeof(uint32)) / MIH_LIST_ENTRY_SIZE)
#define MIH_MAP_PAGE_CAPACITY \
	((MIH_PAGE_CONTENT_SIZE - sizeof(uint32)) / sizeof(MihMapEntry))

static inline void
MihListEntrySet(MihListEntry *e, PHash code, uint64 tid)
{
	e->code_lo = (uint32) code;
	e->code_hi = (uint32) (code >> 32);
	e->tid[0] = (uint16) tid;
	e->tid[1] = (uint16) (tid >> 16);
	e->tid[2] = (uint16) (tid >> 32);
}

static inline PHash
MihListEntryCode(const MihListEntry *e)
{
	return ((uint64) e->code_hi << 32) | e->code_lo;
}

static inline uint64
MihListEntryTid(const MihListEntry *e)
{
	return (uint64) e->tid[0] | ((uint64) e->tid[1] << 16) |
		((uint64) e->tid[2] << 32);
}

/*
 * One entry on its way into a segment: a code and its packed TID.  Build,
 * flush and merge all produce a segment from arrays or streams of these.
 */
typedef struct MihItem
{
	PHash		code;
	uint64		tid;
} MihItem;

/*
 * The cached view of the index a scan works from: the metapage contents
 * and the map of every table of every segment.  Kept per backend in a
 * memory context of its own (mihutils.c), valid while the metapage's
 * layout version is the same.
 */
typedef struct MihTableMap
{
	uint32		npages;
	uint32	   *first_keys;		/* first key of each page */
	BlockNumber *blknos;
} MihTableMap;

typedef struct MihCache
{
	MemoryContext cxt;			/* holds this cache and nothing else */
	int			refcount;		/* scans and maintenance using it */
	bool		superseded;		/* the layout has moved on */
	MihMetaPageData meta;
	MihLayout	layout;
	MihTableMap maps[MIH_MAX_SEGMENTS][MIH_MAX_SUBSTRINGS];
} MihCache;

/* Build phases shown in pg_stat_progress_create_index */
#define MIH_PHASE_SCAN			2
#define MIH_PHASE_WRITE			3

/* The heavyweight lock that serialises flushes, merges and VACUUM */
#define MihLockMaintenance(index) \
	LockPage((index), MIH_METAPAGE_BLKNO, ExclusiveLock)
#define MihConditionalLockMaintenance(index) \
	ConditionalLockPage((index), MIH_METAPAGE_BLKNO, ExclusiveLock)
#define MihUnlockMaintenance(index) \
	UnlockPage((index), MIH_METAPAGE_BLKNO, ExclusiveLock)

/* mihutils.c */
extern void MihInitOptions(void);
extern bytea *mihoptions(Datum reloptions, bool validate);
extern int	MihChooseSubstrings(double nrows);
extern void MihLayoutFromMeta(const MihMetaPageData *meta, MihLayout *layout);
extern void MihInitMeta(MihMetaPageData *meta, int m);
extern void MihInitPage(Page page, uint16 kind, uint16 table, uint32 owner);
extern Buffer MihNewBuffer(Relation index, bool from_fsm);
extern void MihReadMeta(Relation index, MihMetaPageData *meta);
extern MihCache *MihGetCache(Relation index, MihMetaPageData *meta);
extern Page MihCheckPage(Relation index, Buffer buf, uint16 kind, uint32 owner,
						 bool in_scan);
extern int	MihPendingLimitEntries(Relation index);
extern char *mihbuildphasename(int64 phasenum);
extern void MihForgetCache(Relation index);
extern void MihRecordDrop(MihMetaPageData *meta, uint32 owner, FullTransactionId when);
extern bool MihDroppedPageReusable(const MihMetaPageData *meta, uint32 owner);
extern void MihPinCache(MihCache *cache);
extern void MihReleaseCache(MihCache *cache);
extern bool mihproperty(Oid index_oid, int attno, IndexAMProperty prop,
						const char *propname, bool *res, bool *isnull);

/* mihsegment.c */
typedef struct MihSegmentSource MihSegmentSource;
extern void MihSortItems(MihItem *items, MihItem *scratch, int64 n,
						 int shift, int bits);
extern void MihWriteSegmentFromItems(Relation index, const MihLayout *layout,
									 MihItem *items, int64 n, uint32 owner,
									 MihSegment *seg, bool report_progress);
extern void MihWriteSegmentFromRuns(Relation index, const MihLayout *layout,
									BufFile **runs, const int64 *lengths,
									int nchunks, uint32 owner, MihSegment *seg);
extern void MihWriteMergedSegment(Relation index, const MihLayout *layout,
								  const MihCache *cache, const int *segnos,
								  int nsegs, uint32 owner, MihSegment *seg);

/*
 * How much MihFlushAndMerge merges after flushing the pending list.
 */
typedef enum MihMergePolicy
{
	MIH_MERGE_TIERED,			/* inserts: merge the newest segments while
								 * they outweigh the one before; skip if the
								 * maintenance lock is taken */
	MIH_MERGE_VACUUM			/* VACUUM: also merge everything when the
								 * smaller segments or the dead entries add up
								 * to a tenth of the index */
} MihMergePolicy;

/* mihinsert.c: changes to the metapage */
extern uint32 MihAllocateOwner(Relation index);
extern void MihInstallSegment(Relation index, const MihSegment *seg,
							  int first, int count, bool drop_flushing);

/* mihbuild.c */
extern IndexBuildResult *mihbuild(Relation heap, Relation index,
								  struct IndexInfo *indexInfo);
extern void mihbuildempty(Relation index);

/* mihinsert.c */
extern bool mihinsert(Relation index, Datum *values, bool *isnull,
					  ItemPointer ht_ctid, Relation heapRel,
					  IndexUniqueCheck checkUnique,
					  bool indexUnchanged,
					  struct IndexInfo *indexInfo);
extern uint64 MihAppendToChain(Relation index, bool nulls, PHash code,
							   ItemPointer tid);
extern bool MihFlushAndMerge(Relation index, MihMergePolicy policy);
extern void MihCollectChain(Relation index, BlockNumber head, uint32 owner,
							MihItem **items, int64 *nitems, int64 *capacity);

/* mihscan.c */
extern IndexScanDesc mihbeginscan(Relation r, int nkeys, int norderbys);
extern void mihrescan(IndexScanDesc scan, ScanKey scankey, int nscankeys,
					  ScanKey orderbys, int norderbys);
extern bool mihgettuple(IndexScanDesc scan, ScanDirection dir);
extern int64 mihgetbitmap(IndexScanDesc scan, TIDBitmap *tbm);
extern void mihendscan(IndexScanDesc scan);

/* mihvacuum.c */
extern IndexBulkDeleteResult *mihbulkdelete(IndexVacuumInfo *info,
											IndexBulkDeleteResult *stats,
											IndexBulkDeleteCallback callback,
											void *callback_state);
extern IndexBulkDeleteResult *mihvacuumcleanup(IndexVacuumInfo *info,
											   IndexBulkDeleteResult *stats);

/* mihcost.c */
extern void mihcostestimate(PlannerInfo *root, IndexPath *path,
							double loop_count, Cost *indexStartupCost,
							Cost *indexTotalCost, Selectivity *indexSelectivity,
							double *indexCorrelation, double *indexPages);

/* the scan (mihscan.c and the files it names) */
extern double MihProbeCount(int bits, int radius);

/* The balls of one "<@ ANY (array)" key: a row must be in one of them */
typedef struct MihBallSet
{
	int			n;
	HammingBall *balls;
} MihBallSet;

extern MihBallSet MihArrayBalls(ArrayType *arr, int strategy);

/* mihvalidate.c */
extern bool mihvalidate(Oid opclassoid);

#endif							/* MIH_H */
