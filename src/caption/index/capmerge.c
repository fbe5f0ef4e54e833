/*-------------------------------------------------------------------------
 *
 * capmerge.c
 *	  Merge segments of a caption index into one, leaving out the documents
 *	  VACUUM marked dead, so that a search looks its words up in few
 *	  segments and dead postings go away.
 *
 * Policy (CapMergeLocked, after each flush and at VACUUM): the newest
 * segments are merged while together they hold at least half as many
 * live documents as the segment before them, so segment sizes grow
 * geometrically and an index holds O(log n) of them; VACUUM also merges
 * everything when a tenth of the documents are dead.
 *
 * A merge holds the maintenance lock (so no flush, VACUUM or other merge
 * runs meanwhile and dead marks do not change).  It numbers the inputs'
 * live documents anew, oldest segment first, and sorts every posting of
 * theirs into a new segment (capbuild.c's sort, capsegment.c's writer) in
 * pages no scan reaches; then one metapage record swaps the inputs for it
 * and records their drop.  Scans that copied the metapage before keep
 * reading the inputs, whose pages are reused only once no snapshot from
 * before the swap remains (capvacuum.c).  A crash before the swap leaves
 * the inputs in place and the new pages to VACUUM.
 *
 * src/caption/index/capmerge.c
 *
 *-------------------------------------------------------------------------
 */
#include "capindex.h"

#include "access/transam.h"
#include "miscadmin.h"

/* A segment's documents renumbered: new ordinals (CAP_END: dead), lengths */
typedef struct CapMergeInput
{
	Relation	index;
	const CapSegment *seg;
	uint32	   *remap;
	uint16	   *lens;
	CapSegmentBuild *build;
	uint16	   *positions;
} CapMergeInput;

/* Every live posting of one word of an input, into the new segment */
static bool
CapMergeWord(void *arg, const char *word, int len, const CapDictInfo *info)
{
	CapMergeInput *in = arg;
	CapCursor  *c = CapCursorOpen(in->index, in->seg, info);

	CHECK_FOR_INTERRUPTS();
	for (uint32 ord = CapCursorNext(c, 0); ord != CAP_END; ord = CapCursorNext(c, ord + 1))
	{
		int			n;

		if (in->remap[ord] == CAP_END)
			continue;
		n = CapCursorPositions(c, in->positions);
		CapSegmentBuildAddPosting(in->build, word, len, in->remap[ord], in->lens[ord],
								  in->positions, n);
	}
	CapCursorClose(c);
	return true;
}

/*
 * Merge segments first .. first + count - 1 of the metapage into one,
 * sorting in workmem kB; the caller holds the maintenance lock
 */
static void
CapMergeSegments(Relation index, int first, int count, int workmem)
{
	CapMetaPageData meta;
	Buffer		metabuf;
	GenericXLogState *state;
	CapMetaPageData *m;
	CapSegmentBuild *b;
	CapSegment	seg;
	uint32		owner;
	FullTransactionId when;

	CapReadMeta(index, &meta);
	Assert(first >= 0 && count >= 1 && first + count <= meta.nsegments);

	owner = CapAllocateOwner(index);

	b = CapSegmentBuildBegin(index, owner, workmem, true);
	for (int s = first; s < first + count; s++)
	{
		const CapSegment *in_seg = &meta.segments[s];
		CapMergeInput in;
		CapDocReader *docs = CapDocReaderOpen(index, in_seg);

		in.index = index;
		in.seg = in_seg;
		in.build = b;
		in.remap = palloc_extended(Max(in_seg->ndocs, 1) * sizeof(uint32), MCXT_ALLOC_HUGE);
		in.lens = palloc_extended(Max(in_seg->ndocs, 1) * sizeof(uint16), MCXT_ALLOC_HUGE);
		in.positions = palloc(CAP_MAX_POS * sizeof(uint16));
		for (uint32 ord = 0; ord < in_seg->ndocs; ord++)
		{
			uint64		entry = CapDocGet(docs, ord);
			ItemPointerData tid;

			in.lens[ord] = CapDocLen(entry);
			if (PackedTidIsDead(CapDocTid(entry)))
			{
				in.remap[ord] = CAP_END;
				continue;
			}
			UnpackTid(CapDocTid(entry), &tid);
			in.remap[ord] = CapSegmentBuildAddDoc(b, &tid, CapDocLen(entry));
		}
		CapDocReaderClose(docs);
		/* every word: a prefix search for the empty word */
		CapDictFind(index, in_seg, "", 0, true, CapMergeWord, &in);
		pfree(in.remap);
		pfree(in.lens);
		pfree(in.positions);
	}
	CapSegmentBuildFinish(b, &seg);

	metabuf = ReadBuffer(index, CAP_METAPAGE_BLKNO);
	LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
	state = GenericXLogStart(index);
	m = CapPageGetMeta(GenericXLogRegisterBuffer(state, metabuf, 0));
	for (int s = first; s < first + count; s++)
		if (m->nsegments != meta.nsegments || m->segments[s].owner != meta.segments[s].owner)
			elog(ERROR, "caption index \"%s\": its segments changed during a merge",
				 RelationGetRelationName(index));
	when = ReadNextFullTransactionId();
	for (int s = first; s < first + count; s++)
		PageDropRecord(m->drops, &m->ndrops, CAP_MAX_DROPS, &m->last_drop,
					   m->segments[s].owner, when);
	m->segments[first] = seg;
	memmove(&m->segments[first + 1], &m->segments[first + count],
			(m->nsegments - first - count) * sizeof(CapSegment));
	m->nsegments -= count - 1;
	GenericXLogFinish(state);
	UnlockReleaseBuffer(metabuf);
}

static inline double
CapLiveDocs(const CapSegment *seg)
{
	return (double) seg->ndocs - seg->ndead;
}

/*
 * Merge as the policy says (see above); all: also everything when a tenth
 * of the documents are dead (VACUUM).  The caller holds the maintenance
 * lock.
 */
void
CapMergeLocked(Relation index, int workmem, bool all)
{
	for (;;)
	{
		CapMetaPageData meta;
		double		newest = 0;
		double		docs = 0;
		double		dead = 0;
		int			k = 0;

		CHECK_FOR_INTERRUPTS();
		CapReadMeta(index, &meta);
		for (int s = 0; s < meta.nsegments; s++)
		{
			docs += meta.segments[s].ndocs;
			dead += meta.segments[s].ndead;
		}
		if (all && meta.nsegments >= 1 && dead > 0 && dead >= docs / 10)
		{
			CapMergeSegments(index, 0, meta.nsegments, workmem);
			continue;
		}
		/* the newest k segments hold half as many as the one before */
		while (k < meta.nsegments)
		{
			newest += CapLiveDocs(&meta.segments[meta.nsegments - 1 - k]);
			k++;
			if (k == meta.nsegments ||
				2 * newest < CapLiveDocs(&meta.segments[meta.nsegments - 1 - k]))
				break;
		}
		if (k < 2)
			return;
		CapMergeSegments(index, meta.nsegments - k, k, workmem);
	}
}
