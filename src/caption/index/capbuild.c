/*-------------------------------------------------------------------------
 *
 * capbuild.c
 *	  Build a caption index: scan the table, number each caption in the
 *	  order it comes, and gather each word's postings (ordinal, caption
 *	  length, positions) in memory; when the memory given is used up, each
 *	  word's postings so far become one record for tuplesort, which spills
 *	  to temporary files beyond its own share.  The sorted records are the
 *	  posting lists of one segment, written as they come (capsegment.c).
 *	  Flushes and merges make their segments the same way.
 *
 * A record is a bytea compared as bytes: the word, a 0 byte (no word holds
 * one, so a word sorts before the longer words it begins, as the
 * dictionary orders them), the ordinal of its first posting big-endian
 * (a word's postings come in ascending ordinals, so its records sort in
 * their order), then the postings: ordinal, length, number of positions
 * and the positions, native uint32 and uint16s.
 *
 * src/caption/index/capbuild.c
 *
 *-------------------------------------------------------------------------
 */
#include "capindex.h"

#include "access/tableam.h"
#include "catalog/index.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "commands/progress.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/smgr.h"
#include "common/hashfn.h"
#include "utils/memutils.h"
#include "utils/tuplesort.h"

#include "../caption_int.h"

#define CAP_PHASE_SCAN		2
#define CAP_PHASE_WRITE		3

/* A word's postings gathered in memory */
typedef struct CapAccKey
{
	const char *word;
	int			len;
} CapAccKey;

typedef struct CapAccWord
{
	CapAccKey	key;
	uint32		hash;
	char		status;
	uint32		first_ord;
	char	   *data;			/* the postings, as in a record */
	uint32		used;
	uint32		cap;
} CapAccWord;

#define SH_PREFIX capacc
#define SH_ELEMENT_TYPE CapAccWord
#define SH_KEY_TYPE CapAccKey
#define SH_KEY key
#define SH_HASH_KEY(tb, k) hash_bytes((const unsigned char *) (k).word, (k).len)
#define SH_EQUAL(tb, a, b) ((a).len == (b).len && memcmp((a).word, (b).word, (a).len) == 0)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) ((a)->hash)
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* A segment being made from captions: the writer, the words, the sort */
struct CapSegmentBuild
{
	Tuplesortstate *sort;
	CapSegmentWriter *writer;
	MemoryContext tmpcxt;
	MemoryContext acccxt;		/* the words gathered, reset at each spill */
	capacc_hash *words;
	Size		accmem;			/* bytes they take, about */
	Size		acclimit;
	double		ndocs;
};

typedef struct CapBuildState
{
	CapSegmentBuild *build;
	MemoryContext tmpcxt;
	double		heap_tuples;	/* NULL captions too */
} CapBuildState;

static void CapWriteSorted(Tuplesortstate *sort, CapSegmentWriter *w,
						   MemoryContext tmpcxt);

/*
 * A caption's length as the index keeps it: its words' last position (at
 * most the number of words caption_rank counts, which the top-k scan
 * relies on)
 */
int
CapVectorLength(TSVector vector)
{
	WordEntry  *we = ARRPTR(vector);
	int			len = 0;

	for (int i = 0; i < vector->size; i++)
	{
		WordEntryPos *pos = POSDATAPTR(vector, &we[i]);
		int			npos = POSDATALEN(vector, &we[i]);

		if (npos > 0)
			len = Max(len, WEP_GETPOS(pos[npos - 1]));
	}
	return len;
}

/* Hand every word gathered to the sort as one record, and start afresh */
static void
CapAccSpill(CapSegmentBuild *b)
{
	capacc_iterator it;
	CapAccWord *e;
	MemoryContext old = MemoryContextSwitchTo(b->tmpcxt);

	capacc_start_iterate(b->words, &it);
	while ((e = capacc_iterate(b->words, &it)) != NULL)
	{
		Size		size = VARHDRSZ + e->key.len + 1 + 4 + e->used;
		bytea	   *rec = palloc(size);
		char	   *p = VARDATA(rec);

		SET_VARSIZE(rec, size);
		memcpy(p, e->key.word, e->key.len);
		p += e->key.len;
		*p++ = 0;
		*p++ = (char) (e->first_ord >> 24);
		*p++ = (char) (e->first_ord >> 16);
		*p++ = (char) (e->first_ord >> 8);
		*p++ = (char) e->first_ord;
		memcpy(p, e->data, e->used);
		tuplesort_putdatum(b->sort, PointerGetDatum(rec), false);
		pfree(rec);
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(b->tmpcxt);
	MemoryContextReset(b->acccxt);
	b->words = capacc_create(b->acccxt, 1024, NULL);
	b->accmem = 0;
}

/*
 * Gather one posting: a word in document ord (of doclen) at npos
 * positions, given as uint16 (positions16) or as a tsvector's
 */
static void
CapAccAdd(CapSegmentBuild *b, const char *word, int wlen, uint32 ord, int doclen,
		  const uint16 *positions16, const WordEntryPos *positions, int npos)
{
	CapAccKey	key = {word, wlen};
	bool		found;
	CapAccWord *e = capacc_insert(b->words, key, &found);
	Size		need = 4 + 2 + 2 + 2 * (Size) npos;
	uint16		len16 = Min(doclen, CAP_MAX_DOC_LEN);
	uint16		n16 = npos;
	char	   *p;

	if (!found)
	{
		char	   *copy = MemoryContextAlloc(b->acccxt, wlen);

		memcpy(copy, word, wlen);
		e->key.word = copy;
		e->first_ord = ord;
		e->data = NULL;
		e->used = e->cap = 0;
		b->accmem += wlen + sizeof(CapAccWord) + 16;
	}
	if (e->used + need > e->cap)
	{
		uint32		cap = Max(Max(e->cap * 2, 32), e->used + need);

		e->data = e->data ? repalloc(e->data, cap) : MemoryContextAlloc(b->acccxt, cap);
		b->accmem += cap - e->cap;
		e->cap = cap;
	}
	p = e->data + e->used;
	memcpy(p, &ord, 4);
	memcpy(p + 4, &len16, 2);
	memcpy(p + 6, &n16, 2);
	p += 8;
	for (int k = 0; k < npos; k++)
	{
		uint16		v = positions16 ? positions16[k] : WEP_GETPOS(positions[k]);

		memcpy(p, &v, 2);
		p += 2;
	}
	e->used += need;
}

/*
 * Start a segment of this owner, sorting in workmem kB; reuse_pages (a
 * flush, which holds the maintenance lock) takes pages VACUUM freed first
 */
CapSegmentBuild *
CapSegmentBuildBegin(Relation index, uint32 owner, int workmem, bool reuse_pages)
{
	CapSegmentBuild *b = palloc0(sizeof(CapSegmentBuild));

	b->tmpcxt = AllocSetContextCreate(CurrentMemoryContext, "caption segment build",
									  ALLOCSET_DEFAULT_SIZES);
	b->acccxt = AllocSetContextCreate(CurrentMemoryContext, "caption segment words",
									  ALLOCSET_DEFAULT_SIZES);
	b->words = capacc_create(b->acccxt, 1024, NULL);
	/* three quarters of the memory to gather words, the rest to the sort */
	b->acclimit = (Size) workmem * 1024 / 4 * 3;
	b->sort = tuplesort_begin_datum(BYTEAOID, ByteaLessOperator, InvalidOid,
									false, Max(64, workmem / 4), NULL, TUPLESORT_NONE);
	b->writer = CapSegmentBegin(index, owner, reuse_pages);
	return b;
}

/* Number the next caption and sort its words */
void
CapSegmentBuildAdd(CapSegmentBuild *b, ItemPointer tid, TSVector vector)
{
	int			doclen = CapVectorLength(vector);
	uint32		ord = CapSegmentAddDoc(b->writer, tid, doclen);
	WordEntry  *we = ARRPTR(vector);

	for (int i = 0; i < vector->size; i++)
		CapAccAdd(b, STRPTR(vector) + we[i].pos, we[i].len, ord, doclen,
				  NULL, POSDATAPTR(vector, &we[i]), POSDATALEN(vector, &we[i]));
	if (b->accmem > b->acclimit)
		CapAccSpill(b);
	b->ndocs++;
}

/*
 * A segment from postings already known (a merge): number a document,
 * then give each of its words' postings, in any order
 */
uint32
CapSegmentBuildAddDoc(CapSegmentBuild *b, ItemPointer tid, int doclen)
{
	b->ndocs++;
	return CapSegmentAddDoc(b->writer, tid, doclen);
}

void
CapSegmentBuildAddPosting(CapSegmentBuild *b, const char *word, int wlen, uint32 ord,
						  int doclen, const uint16 *positions, int npos)
{
	CapAccAdd(b, word, wlen, ord, doclen, positions, NULL, npos);
	if (b->accmem > b->acclimit)
		CapAccSpill(b);
}

/* Write the words and postings; returns the number of captions */
double
CapSegmentBuildFinish(CapSegmentBuild *b, CapSegment *seg)
{
	double		ndocs = b->ndocs;

	CapAccSpill(b);
	tuplesort_performsort(b->sort);
	CapWriteSorted(b->sort, b->writer, b->tmpcxt);
	tuplesort_end(b->sort);
	CapSegmentFinish(b->writer, seg);
	MemoryContextDelete(b->tmpcxt);
	MemoryContextDelete(b->acccxt);
	pfree(b);
	return ndocs;
}

static void
CapBuildCallback(Relation index, ItemPointer tid, Datum *values, bool *isnull,
				 bool tupleIsAlive, void *arg)
{
	CapBuildState *st = arg;
	MemoryContext old;

	st->heap_tuples++;
	if (isnull[0])
		return;
	old = MemoryContextSwitchTo(st->tmpcxt);
	CapSegmentBuildAdd(st->build,
					   tid, DatumGetTSVector(CaptionVector(DatumGetTextPP(values[0]), false)));
	MemoryContextSwitchTo(old);
	MemoryContextReset(st->tmpcxt);
}

/* Write the sorted records as the segment's words and postings */
static void
CapWriteSorted(Tuplesortstate *sort, CapSegmentWriter *w, MemoryContext tmpcxt)
{
	char		word[256];
	int			wordlen = -1;
	uint16	   *positions = palloc(CAP_MAX_POS * sizeof(uint16));
	Datum		d;
	bool		isnull;
	int64		n = 0;
	MemoryContext old = MemoryContextSwitchTo(tmpcxt);

	while (tuplesort_getdatum(sort, true, &d, &isnull, NULL))
	{
		bytea	   *rec = DatumGetByteaPP(d);
		const char *p = VARDATA_ANY(rec);
		int			size = VARSIZE_ANY_EXHDR(rec);
		int			wl = strnlen(p, size);
		const char *end = p + size;

		if (wl == 0 || wl > 255 || size < wl + 5 + 8)
			elog(ERROR, "caption index build: a malformed sort record");
		if (wl != wordlen || memcmp(word, p, wl) != 0)
		{
			if (wordlen > 0)
				CapSegmentEndWord(w);
			memcpy(word, p, wl);
			wordlen = wl;
			CapSegmentBeginWord(w, word, wl);
		}
		/* the postings, past the word, its 0 and the first ordinal */
		for (p += wl + 5; p < end;)
		{
			uint32		ord;
			uint16		doclen;
			uint16		npos;

			if (end - p < 8)
				elog(ERROR, "caption index build: a malformed sort record");
			memcpy(&ord, p, 4);
			memcpy(&doclen, p + 4, 2);
			memcpy(&npos, p + 6, 2);
			p += 8;
			if (npos > CAP_MAX_POS || end - p < 2 * (Size) npos)
				elog(ERROR, "caption index build: a malformed sort record");
			memcpy(positions, p, 2 * (Size) npos);
			p += 2 * (Size) npos;
			CapSegmentAddPosting(w, ord, doclen, positions, npos);
		}
		if (++n % 1024 == 0)
		{
			MemoryContextReset(tmpcxt);
			CHECK_FOR_INTERRUPTS();
		}
		else
			pfree(DatumGetPointer(d));
	}
	if (wordlen > 0)
		CapSegmentEndWord(w);
	MemoryContextSwitchTo(old);
	MemoryContextReset(tmpcxt);
	pfree(positions);
}

IndexBuildResult *
capbuild(Relation heap, Relation index, IndexInfo *indexInfo)
{
	IndexBuildResult *result;
	CapBuildState st;
	CapSegment	seg;
	Buffer		metabuf;
	double		ndocs;

	if (RelationGetNumberOfBlocks(index) != 0)
		elog(ERROR, "index \"%s\" already contains data",
			 RelationGetRelationName(index));

	/* block 0 first, so that the segment's pages come after it */
	metabuf = CapNewBuffer(index, NULL);
	if (BufferGetBlockNumber(metabuf) != CAP_METAPAGE_BLKNO)
		elog(ERROR, "caption index: the metapage is not block 0");
	UnlockReleaseBuffer(metabuf);

	memset(&st, 0, sizeof(st));
	st.tmpcxt = AllocSetContextCreate(CurrentMemoryContext, "caption build",
									  ALLOCSET_DEFAULT_SIZES);
	st.build = CapSegmentBuildBegin(index, CAP_FIRST_SEGMENT_OWNER, maintenance_work_mem,
									false);

	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, CAP_PHASE_SCAN);
	table_index_build_scan(heap, index, indexInfo, false, true,
						   CapBuildCallback, &st, NULL);
	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, CAP_PHASE_WRITE);
	ndocs = CapSegmentBuildFinish(st.build, &seg);

	/* the metapage, now that the segment is whole */
	{
		GenericXLogState *state;
		Page		page;
		CapMetaPageData *meta;

		metabuf = ReadBuffer(index, CAP_METAPAGE_BLKNO);
		LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
		state = GenericXLogStart(index);
		page = GenericXLogRegisterBuffer(state, metabuf, GENERIC_XLOG_FULL_IMAGE);
		CapInitPage(page, CAP_PAGE_META, 0, 0);
		meta = CapPageGetMeta(page);
		CapInitMeta(meta);
		meta->next_owner = CAP_FIRST_SEGMENT_OWNER + 1;
		meta->nsegments = 1;
		meta->segments[0] = seg;
		((PageHeader) page)->pd_lower += sizeof(CapMetaPageData);
		GenericXLogFinish(state);
		UnlockReleaseBuffer(metabuf);
	}
	MemoryContextDelete(st.tmpcxt);

	result = palloc(sizeof(IndexBuildResult));
	result->heap_tuples = st.heap_tuples;
	result->index_tuples = ndocs;
	return result;
}

/* The init fork of an unlogged table's index: a metapage, no segment */
void
capbuildempty(Relation index)
{
	Page		page = (Page) palloc(BLCKSZ);

	CapInitPage(page, CAP_PAGE_META, 0, 0);
	CapInitMeta(CapPageGetMeta(page));
	((PageHeader) page)->pd_lower += sizeof(CapMetaPageData);
	PageSetChecksumInplace(page, CAP_METAPAGE_BLKNO);
	smgrwrite(RelationGetSmgr(index), INIT_FORKNUM, CAP_METAPAGE_BLKNO,
			  (char *) page, true);
	log_newpage(&(RelationGetSmgr(index))->smgr_rnode.node, INIT_FORKNUM,
				CAP_METAPAGE_BLKNO, page, true);
	smgrimmedsync(RelationGetSmgr(index), INIT_FORKNUM);
	pfree(page);
}

char *
capbuildphasename(int64 phasenum)
{
	switch (phasenum)
	{
		case PROGRESS_CREATEIDX_SUBPHASE_INITIALIZE:
			return "initializing";
		case CAP_PHASE_SCAN:
			return "reading the table and sorting the words";
		case CAP_PHASE_WRITE:
			return "writing the segment";
		default:
			return NULL;
	}
}
