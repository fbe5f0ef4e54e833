/*-------------------------------------------------------------------------
 *
 * imgsearch.c
 *	  Module entry point of the imgsearch extension: the module magic and
 *	  the settings under the "imgsearch." prefix.
 *
 * The types, operators and functions live in files named after them:
 * phash.c (the type), hamming.c (distance and hamming_ball), image_sql.c
 * (hashing images in SQL); the image hashing core they call is plain C
 * (imghash.h).
 *
 * src/imgsearch.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "fmgr.h"
#include "utils/guc.h"

#include "imgsearch.h"
#include "mih.h"
#include "caption/index/capindex.h"

PG_MODULE_MAGIC;

/* Refuse images with more pixels than this, from their header */
int			imgsearch_max_image_pixels = 100000000;

/* May the planner use the caption index's count and top-k scans */
bool		imgsearch_enable_caption_count = true;
bool		imgsearch_enable_caption_topk = true;

void		_PG_init(void);

/* Define the settings */
void
_PG_init(void)
{
	DefineCustomIntVariable("imgsearch.max_image_pixels",
							"Largest image, in pixels (width times height), that the hashing functions decode.",
							"Larger images are refused from their header, before any pixel is decoded. "
							"Decoding memory grows with this: up to one byte per pixel for interlaced PNGs "
							"and about six for progressive JPEGs.",
							&imgsearch_max_image_pixels,
							100000000, 1, INT_MAX,
							PGC_SUSET, 0,
							NULL, NULL, NULL);
	DefineCustomBoolVariable("imgsearch.enable_caption_count",
							 "Lets the planner count caption searches from a caption index (the CaptionCount scan).",
							 NULL,
							 &imgsearch_enable_caption_count,
							 true,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);
	DefineCustomBoolVariable("imgsearch.enable_caption_topk",
							 "Lets the planner take caption searches in caption_rank order from a caption index (the CaptionTopK scan).",
							 NULL,
							 &imgsearch_enable_caption_topk,
							 true,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);
	MarkGUCPrefixReserved("imgsearch");
	MihInitOptions();
	CapInitOptions();
	CapInitCount();
	CapInitTopK();
}
