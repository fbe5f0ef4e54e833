/*-------------------------------------------------------------------------
 *
 * capindex.h
 *	  The caption index access method: the words of each caption, with
 *	  their positions, in an inverted index of its own, so that caption
 *	  search is answered exactly from the index with no word pairs.
 *
 *	  CREATE INDEX ON images USING caption (caption);
 *	  SELECT ... WHERE caption @@@ 'greg rutkowski';
 *
 * The operator class caption_ops (the default for text) has one operator,
 * text @@@ text, which means caption_matches(caption, query).  The index
 * stores the words caption_tsvector gives (CaptionTokenize's
 * normalisation) without word pairs, each with its positions, and answers
 * the query caption_tsquery writes without word pairs: words and phrases,
 * or, -word, a lone CJK character's prefix.  The two forms are the same
 * query (a pair lexeme 'a b' is a <-> b), so the index returns exactly
 * the rows caption_matches accepts, and needs no recheck.
 *
 * On disk, block 0 is the metapage; the rest are:
 *
 * - Segments, immutable once written except that VACUUM marks documents
 *	 dead in place.  A segment numbers its documents 0..n-1 ("ordinals",
 *	 in the order they were indexed) and holds:
 *	 - the document table: for each ordinal, the heap TID packed with the
 *	   caption's length, its last word's position (PackTid; offset 0 once
 *	   VACUUM removed it),
 *	   CAP_DOCS_PER_PAGE to a page, reached by ordinal through a root
 *	   directory page and directory pages of block numbers;
 *	 - the dictionary: a B-tree built bottom up.  Leaves hold words in
 *	   byte order (shorter first on a tie, as tsvector orders lexemes), each
 *	   with its document frequency, highest frequency and the location of
 *	   its posting list's skip table; upper pages hold the first word and
 *	   block of each page below; leaves are chained left to right, so a
 *	   prefix is a descent and a walk;
 *	 - the posting lists, in a chain of pages read as one byte stream: for
 *	   each word its blocks (postings.h: up to 128 postings, delta and
 *	   bit-packed ordinals, frequencies and positions), then its skip
 *	   table, one CapSkipEntry per block (last ordinal, where the block
 *	   starts, its length, its highest frequency and shortest caption), so
 *	   that an AND jumps over whole blocks without reading them.
 * - The pending list: a chain of pages that inserts append to, read by
 *	 every scan, written as a new segment past pending_list_limit
 *	 (capflush.c); segments are merged (capmerge.c).  An entry is a header (a body length and the packed TID)
 *	 that never straddles a page, then the caption's tsvector without word
 *	 pairs, which may.  The metapage holds the chain's head, tail and the
 *	 bytes used in the tail: a scan reads no further, so an insert
 *	 interrupted by a crash leaves nothing visible.
 *
 * Every page carries its kind and the id of its owner (segment or chain)
 * in the special space, checked on every read.  Every change is generic
 * WAL; pages of a new segment are logged whole.
 *
 * src/caption/index/capindex.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef IMGSEARCH_CAPINDEX_H
#define IMGSEARCH_CAPINDEX_H

#include "imgsearch.h"
#include "page_drops.h"

#include "access/amapi.h"
#include "access/generic_xlog.h"
#include "nodes/execnodes.h"
#include "nodes/pathnodes.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "tsearch/ts_type.h"
#include "utils/rel.h"

#include "postings.h"

/* Strategy numbers of caption_ops */
#define CAP_MATCH_STRATEGY		1	/* text @@@ text */
#define CAP_NSTRATEGIES			1

#define CAP_MAGIC				0x43415031	/* "CAP1" */
#define CAP_VERSION				1
#define CAP_METAPAGE_BLKNO		0
#define CAP_MAX_SEGMENTS		64
#define CAP_MAX_DROPS			64

/* Owner ids: the first pending list's, then the build's segment's */
#define CAP_FIRST_PENDING_OWNER	1
#define CAP_FIRST_SEGMENT_OWNER	2

/* Page kinds */
#define CAP_PAGE_META			1
#define CAP_PAGE_DOCS			2	/* document table */
#define CAP_PAGE_DOCDIR			3	/* document directory (level 1, root 2) */
#define CAP_PAGE_DICT			4	/* dictionary: leaf at level 0 */
#define CAP_PAGE_POSTINGS		5	/* posting list bytes */
#define CAP_PAGE_PENDING		6	/* pending list bytes */

typedef struct CapPageOpaqueData
{
	uint16		kind;
	uint16		level;			/* dictionary and directory pages */
	uint32		owner;
	BlockNumber next;			/* next page of a chain, or InvalidBlockNumber */
	uint16		count;			/* entries, or bytes used */
	uint16		page_id;		/* CAP_PAGE_ID, for tools like pg_filedump */
} CapPageOpaqueData;

typedef CapPageOpaqueData *CapPageOpaque;

#define CAP_PAGE_ID				0xFF85
#define CapPageGetOpaque(page) ((CapPageOpaque) PageGetSpecialPointer(page))

/* Usable bytes after the page header and before the special space */
#define CAP_PAGE_CONTENT \
	(BLCKSZ - MAXALIGN(SizeOfPageHeaderData) - MAXALIGN(sizeof(CapPageOpaqueData)))

/* Document table entries: the packed TID, and the length above it */
#define CAP_DOCS_PER_PAGE		(CAP_PAGE_CONTENT / sizeof(uint64))
#define CAP_DIR_FANOUT			(CAP_PAGE_CONTENT / sizeof(BlockNumber))
#define CAP_MAX_DOC_LEN			0xFFFF

static inline uint64
CapDocEntry(uint64 packed_tid, int len)
{
	return packed_tid | ((uint64) Min(len, CAP_MAX_DOC_LEN) << PACKED_TID_BITS);
}

#define CapDocTid(entry)	((entry) & ((UINT64CONST(1) << PACKED_TID_BITS) - 1))
#define CapDocLen(entry)	((int) ((entry) >> PACKED_TID_BITS))

/*
 * Dictionary pages: count uint16 offsets of entries (in word order), then
 * the entries.  An entry is a length byte, the word, then (leaves) a
 * CapDictInfo or (upper pages) a child block number, unaligned.
 */
typedef struct CapDictInfo
{
	uint32		df;				/* documents holding the word */
	BlockNumber skip_blkno;		/* where its skip table starts */
	uint16		skip_off;
	uint16		max_tf;			/* its highest frequency in a document */
} CapDictInfo;

/* One block of a posting list, in its skip table */
typedef struct CapSkipEntry
{
	uint32		last_ord;		/* the block's last ordinal */
	BlockNumber blkno;			/* where its bytes start */
	uint32		len;			/* how many */
	uint16		off;
	uint16		max_tf;			/* its highest frequency */
	uint16		min_len;		/* its shortest caption (last position) */
	uint16		unused;
} CapSkipEntry;

/* Pending list entries: this header, then len bytes of tsvector */
typedef struct CapPendingHeader
{
	uint32		len;
	uint16		tid[3];			/* PackTid, in 16-bit pieces; offset 0: dead */
} CapPendingHeader;

#define CAP_PENDING_HEADER		sizeof(CapPendingHeader)	/* 10 */

/* A segment, as the metapage records it */
typedef struct CapSegment
{
	uint32		owner;
	uint32		ndocs;			/* documents, counting those marked dead */
	uint32		ndead;
	BlockNumber doc_root;		/* the document directory's root */
	BlockNumber dict_root;		/* the dictionary's root */
	uint16		dict_levels;	/* levels above the leaves */
	uint16		unused;
	uint32		nwords;			/* distinct words */
	uint64		total_len;		/* the documents' lengths, in words */
} CapSegment;

/* A chain of pending-list pages */
typedef struct CapChain
{
	BlockNumber head;			/* InvalidBlockNumber when empty */
	BlockNumber tail;
	uint32		owner;
	uint32		tail_used;		/* bytes used in the tail page */
	uint64		nentries;
	uint32		npages;
	uint32		unused;
} CapChain;

typedef struct CapMetaPageData
{
	uint32		magic;
	uint32		version;
	uint32		next_owner;		/* next segment or chain id */
	uint32		unused;
	CapChain	pending;		/* inserts go here */
	CapChain	flushing;		/* a pending list being written as a segment */
	uint16		nsegments;		/* oldest first */
	CapSegment	segments[CAP_MAX_SEGMENTS];
	/* segments and chains dropped, for reusing their pages (page_drops.h) */
	FullTransactionId last_drop;
	uint16		ndrops;
	PageDrop	drops[CAP_MAX_DROPS];
} CapMetaPageData;

#define CapPageGetMeta(page) ((CapMetaPageData *) PageGetContents(page))

StaticAssertDecl(sizeof(CapMetaPageData) <= CAP_PAGE_CONTENT,
				 "the caption metapage must fit in a page");

/* Options (WITH clause) */
typedef struct CapOptions
{
	int32		vl_len_;		/* varlena header (do not touch directly!) */
	int			pending_list_limit; /* kB */
} CapOptions;

/*
 * The heavyweight lock that serialises flushes (and VACUUM's passes);
 * inserts only ever wait for the metapage's buffer lock
 */
#define CapLockMaintenance(index) \
	LockPage((index), CAP_METAPAGE_BLKNO, ExclusiveLock)
#define CapConditionalLockMaintenance(index) \
	ConditionalLockPage((index), CAP_METAPAGE_BLKNO, ExclusiveLock)
#define CapUnlockMaintenance(index) \
	UnlockPage((index), CAP_METAPAGE_BLKNO, ExclusiveLock)

/* Compare two words: bytes, then the shorter first */
static inline int
CapWordCmp(const char *a, int alen, const char *b, int blen)
{
	int			cmp = memcmp(a, b, Min(alen, blen));

	if (cmp != 0)
		return cmp;
	return (alen > blen) - (alen < blen);
}

/* capindex_utils.c: pages, the metapage, options, the handler */
extern void CapInitPage(Page page, uint16 kind, uint16 level, uint32 owner);
extern Buffer CapNewBuffer(Relation index, const CapMetaPageData *meta);
extern void CapWriteNewPage(Relation index, Buffer buf, uint16 kind, uint16 level,
							uint32 owner, BlockNumber next, uint16 count,
							const char *content, Size len);
extern Page CapCheckPage(Relation index, Buffer buf, uint16 kind, uint32 owner);
extern Buffer CapReadPage(Relation index, BlockNumber blkno, uint16 kind,
						  uint32 owner, int mode);
extern void CapReadMeta(Relation index, CapMetaPageData *meta);
extern void CapInitMeta(CapMetaPageData *meta);
extern uint32 CapAllocateOwner(Relation index);
extern void CapStreamRead(Relation index, uint16 kind, uint32 owner,
						  BlockNumber *blkno, uint32 *off, char *dst, Size len);
extern void CapInitOptions(void);
extern int	CapPendingLimitPages(Relation index);
extern bool CapPageIsLive(const CapMetaPageData *meta, Page page);
extern bool CapPageReusable(const CapMetaPageData *meta, Page page);

/* capsegment.c: write a segment */
typedef struct CapSegmentWriter CapSegmentWriter;
extern CapSegmentWriter *CapSegmentBegin(Relation index, uint32 owner,
										 bool reuse_pages);
extern uint32 CapSegmentAddDoc(CapSegmentWriter *w, ItemPointer tid, int len);
extern void CapSegmentBeginWord(CapSegmentWriter *w, const char *word, int len);
extern void CapSegmentAddPosting(CapSegmentWriter *w, uint32 ord, int doclen,
								 const uint16 *positions, int npos);
extern void CapSegmentEndWord(CapSegmentWriter *w);
extern void CapSegmentFinish(CapSegmentWriter *w, CapSegment *seg);

/* capbuild.c: a segment from captions (TID and tsvector), sorted in memory */
typedef struct CapSegmentBuild CapSegmentBuild;
extern CapSegmentBuild *CapSegmentBuildBegin(Relation index, uint32 owner, int workmem,
											 bool reuse_pages);
extern void CapSegmentBuildAdd(CapSegmentBuild *b, ItemPointer tid, TSVector vector);
extern uint32 CapSegmentBuildAddDoc(CapSegmentBuild *b, ItemPointer tid, int doclen);
extern void CapSegmentBuildAddPosting(CapSegmentBuild *b, const char *word, int wlen,
									  uint32 ord, int doclen, const uint16 *positions,
									  int npos);
extern double CapSegmentBuildFinish(CapSegmentBuild *b, CapSegment *seg);
extern int	CapVectorLength(TSVector vector);

/* capflush.c: the pending list into a segment */
extern bool CapFlushPending(Relation index, bool wait);
extern void CapFlushLocked(Relation index, int workmem);
extern int	CapMaintenanceWorkMem(void);

/* capmerge.c: segments into one */
extern void CapMergeLocked(Relation index, int workmem, bool all);

/* capbuild.c */
extern IndexBuildResult *capbuild(Relation heap, Relation index,
								  struct IndexInfo *indexInfo);
extern void capbuildempty(Relation index);
extern char *capbuildphasename(int64 phasenum);

/* capinsert.c */
extern bool capinsert(Relation index, Datum *values, bool *isnull,
					  ItemPointer ht_ctid, Relation heapRel,
					  IndexUniqueCheck checkUnique, bool indexUnchanged,
					  struct IndexInfo *indexInfo);

/* capread.c: read a segment and the pending list */
typedef struct CapCursor CapCursor;
typedef struct CapDocReader CapDocReader;
typedef bool (*CapWordCallback) (void *arg, const char *word, int len,
								 const CapDictInfo *info);
extern void CapDictFind(Relation index, const CapSegment *seg,
						const char *word, int len, bool prefix,
						CapWordCallback callback, void *arg);
extern CapCursor *CapCursorOpen(Relation index, const CapSegment *seg,
								const CapDictInfo *info);
extern uint32 CapCursorNext(CapCursor *c, uint32 target);
extern int	CapCursorPositions(CapCursor *c, uint16 *out);
extern int	CapCursorFrequency(CapCursor *c);
extern void CapCursorClose(CapCursor *c);
extern CapDocReader *CapDocReaderOpen(Relation index, const CapSegment *seg);
extern uint64 CapDocGet(CapDocReader *r, uint32 ord);
extern void CapDocReaderClose(CapDocReader *r);

#define CAP_END		UINT32_MAX	/* no more postings */

typedef bool (*CapPendingCallback) (void *arg, uint64 tid, TSVector vector,
									BlockNumber blkno, uint32 header_off);
extern void CapPendingWalk(Relation index, const CapChain *chain,
						   CapPendingCallback callback, void *arg);

/* capsearch.c: the rows matching some queries, to a callback */
typedef struct CapSearch CapSearch;

/* A row found: its TID and where it was found */
typedef struct CapMatch
{
	uint64		tid;			/* PackTid */
	bool		pinned;			/* from a segment, its page pinned (capsearch.c) */
	const CapSegment *seg;		/* the segment, or NULL for a pending list */
	uint32		ord;			/* its ordinal there */
	int			doclen;			/* the caption's last position (segments) */
	TSVector	vector;			/* the caption's words (pending lists) */
	bool		recheck;		/* maybe not a match: CapSearchRecheck decides */
} CapMatch;

typedef void (*CapMatchCallback) (void *arg, const CapMatch *match);
extern CapSearch *CapSearchBegin(void);
extern void CapSearchSetQueries(CapSearch *s, int nkeys, const Datum *texts,
								const bool *nulls);
extern void CapSearchRun(CapSearch *s, Relation index, CapMatchCallback callback,
						 void *arg);
extern bool CapSearchRecheck(CapSearch *s, text *caption);
extern void CapSearchEnd(CapSearch *s);

/* capcost.c: estimates; the caption index on rel that serves a qual */
extern double CapClauseSelectivity(PlannerInfo *root, List *args, int varRelid);
extern bool CapFunctionIs(Oid funcid, PGFunction fn);
extern Oid	CapQualIndex(RelOptInfo *rel, Expr *clause, Expr **query);
extern Datum caption_match_op(PG_FUNCTION_ARGS);

/* capexec.c: what the custom scans share at execution */
struct ExplainState;
typedef struct CapExec
{
	Relation	heap;
	Relation	index;
	AttrNumber	attno;			/* the indexed column */
	List	   *exprs;			/* ExprStates of the plan's custom_exprs */
	CapSearch  *search;
	Snapshot	snapshot;
	struct IndexFetchTableData *fetch;
	TupleTableSlot *heapslot;
	int64		heap_fetches;	/* for EXPLAIN ANALYZE */
} CapExec;

extern void CapExecBegin(CapExec *x, CustomScanState *node, EState *estate,
						 int eflags, Oid indexoid);
extern int	CapExecSetQueries(CapExec *x, ExprContext *econtext, int first);
extern bool CapExecFetch(CapExec *x, uint64 packed_tid);
extern bool CapExecRecheck(CapExec *x);
extern void CapExecEnd(CapExec *x);
extern void CapExecExplain(CapExec *x, struct ExplainState *es);

/* capcount.c, captopk.c */
extern void CapInitCount(void);
extern void CapInitTopK(void);

/* capscan.c */
extern IndexScanDesc capbeginscan(Relation r, int nkeys, int norderbys);
extern void caprescan(IndexScanDesc scan, ScanKey scankey, int nscankeys,
					  ScanKey orderbys, int norderbys);
extern int64 capgetbitmap(IndexScanDesc scan, TIDBitmap *tbm);
extern void capendscan(IndexScanDesc scan);
extern void capcostestimate(PlannerInfo *root, IndexPath *path,
							double loop_count, Cost *indexStartupCost,
							Cost *indexTotalCost, Selectivity *indexSelectivity,
							double *indexCorrelation, double *indexPages);

/* capvacuum.c */
extern IndexBulkDeleteResult *capbulkdelete(IndexVacuumInfo *info,
											IndexBulkDeleteResult *stats,
											IndexBulkDeleteCallback callback,
											void *callback_state);
extern IndexBulkDeleteResult *capvacuumcleanup(IndexVacuumInfo *info,
											   IndexBulkDeleteResult *stats);

/* capvalidate.c */
extern bool capvalidate(Oid opclassoid);

#endif							/* IMGSEARCH_CAPINDEX_H */
