/*-------------------------------------------------------------------------
 *
 * img2pgsql.h
 *	  Shared declarations of img2pgsql, the loader that hashes image files,
 *	  folders and img2dataset webdataset shards into COPY rows.
 *
 * The loader is a pipeline: a reader thread turns the inputs into samples
 * (input.c), worker threads decode, hash and format each sample into one
 * COPY row (sample.c), and the main thread writes the rows in input order
 * to stdout or to PostgreSQL (output.c), drawing the progress bar
 * (progress.c); pipeline.c holds the queues between them.
 *
 * tools/img2pgsql/img2pgsql.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef IMG2PGSQL_H
#define IMG2PGSQL_H

#include <stddef.h>
#include <stdint.h>

#include "imghash.h"

#define IMG2PGSQL_VERSION "0.1"

/* The columns a row can carry, in the order the user lists them */
typedef enum Column
{
	COL_KEY,
	COL_PATH,
	COL_URL,
	COL_CAPTION,
	COL_WIDTH,
	COL_HEIGHT,
	COL_FORMAT,
	COL_PHASH,
	COL_DHASH,
	COL_AHASH,
	COL_SHA256,
	COL_BYTES,
	NUM_COLUMNS
} Column;

#define MAX_COLUMNS NUM_COLUMNS

typedef struct Options
{
	const char *conninfo;		/* -d: load through libpq */
	const char *table;			/* -t */
	int			create;			/* -c */
	Column		columns[MAX_COLUMNS];
	int			ncolumns;
	int			jobs;			/* -j */
	int			fast;			/* -f */
	int			strict;			/* -s */
	int			quiet;			/* -q */
	long		batch;			/* -b: rows per committed batch */
	uint64_t	max_pixels;		/* -m: largest image decoded */
	char	  **inputs;
	int			ninputs;
} Options;

/* One item: an image file, or one webdataset sample of a shard */
typedef struct Sample
{
	uint64_t	seq;			/* position in input order */
	char	   *input;			/* the file or shard it came from */
	char	   *name;			/* path, or SHARD:MEMBER of the image */
	char	   *key;			/* file name or member key, no extension */
	unsigned char *image;
	size_t		image_len;
	char	   *caption;		/* KEY.txt */
	size_t		caption_len;
	char	   *json;			/* KEY.json, raw */
	size_t		json_len;
	char	   *error;			/* set by the reader: cannot be processed */

	/* filled by a worker */
	int			failed;
	char	   *reason;			/* why it failed */
	char	   *row;			/* the COPY text line, newline included */
	size_t		row_len;
	struct Sample *next;		/* work queue link */
} Sample;

/* column.c */
extern const char *ColumnName(Column column);
extern int	ParseColumns(const char *list, Column *columns, int *ncolumns);
extern const char *ColumnType(Column column);

/* input.c: ReadInputs runs in the reader thread and pushes every sample */
extern void ReadInputs(const Options *options);
extern uint64_t InputTotalBytes(const Options *options);
extern uint64_t InputBytesRead(void);

/* sample.c */
extern void ProcessSample(const Options *options, ImgJob *job, Sample *sample);
extern void SampleFree(Sample *sample);

/* pipeline.c */
extern void PipelineInit(int jobs);
extern void PipelinePush(Sample *sample);	/* reader: blocks when full */
extern void PipelineReaderDone(void);
extern Sample *PipelineNextWork(void);	/* worker: NULL when no more */
extern void PipelineWorkDone(Sample *sample);
extern Sample *PipelineNextInOrder(void);	/* writer: NULL when all done */
extern void PipelineAbort(void);
extern int	PipelineAborted(void);

/* output.c */
extern int	OutputBegin(const Options *options);
extern int	OutputRow(const Options *options, const Sample *sample);
extern int	OutputEnd(const Options *options, long *skipped, long *rejected);

/* progress.c */
extern void ProgressInit(int enabled);
extern void ProgressSetTotal(uint64_t input_bytes);
extern void ProgressUpdate(uint64_t items, uint64_t bytes, int force);
extern void ProgressFinish(void);
extern double ProgressElapsed(void);

/* main.c */
extern void Fatal(const char *fmt,...) __attribute__((format(printf, 1, 2), noreturn));
extern void *XMalloc(size_t size);
extern char *XStrdup(const char *s);
extern char *XPrintf(const char *fmt,...) __attribute__((format(printf, 1, 2)));

#endif							/* IMG2PGSQL_H */
