/*-------------------------------------------------------------------------
 *
 * pipeline.c
 *	  The queues between the reader thread, the worker threads and the
 *	  writer (main) thread, delivering results in input order.
 *
 * The reader numbers samples and appends them to a FIFO of work; workers
 * take from it, process, and put each result into a ring indexed by its
 * number; the writer takes results from the ring strictly in order.  The
 * reader may run at most WINDOW samples ahead of the writer, which bounds
 * memory (a window of decoded-but-unwritten samples, whatever the input
 * size) while a slow sample does not stall the other workers.
 *
 * tools/img2pgsql/pipeline.c
 *
 *-------------------------------------------------------------------------
 */
#include <pthread.h>
#include <stdlib.h>

#include "img2pgsql.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_ready = PTHREAD_COND_INITIALIZER;
static pthread_cond_t space_ready = PTHREAD_COND_INITIALIZER;
static pthread_cond_t result_ready = PTHREAD_COND_INITIALIZER;

static Sample *work_head;
static Sample *work_tail;
static Sample **ring;
static uint64_t window;
static uint64_t next_seq;		/* number of the next sample pushed */
static uint64_t next_out;		/* number of the next result to write */
static int	reader_done;
static int	aborted;

/* Size the window for the number of workers */
void
PipelineInit(int jobs)
{
	window = 4 * (uint64_t) jobs + 16;
	ring = calloc(window, sizeof(Sample *));
	if (ring == NULL)
		Fatal("out of memory");
}

/* Reader: number a sample and queue it, waiting while the window is full */
void
PipelinePush(Sample *sample)
{
	pthread_mutex_lock(&lock);
	while (next_seq - next_out >= window && !aborted)
		pthread_cond_wait(&space_ready, &lock);
	if (aborted)
	{
		pthread_mutex_unlock(&lock);
		SampleFree(sample);
		return;
	}
	sample->seq = next_seq++;
	sample->next = NULL;
	if (work_tail != NULL)
		work_tail->next = sample;
	else
		work_head = sample;
	work_tail = sample;
	pthread_cond_signal(&work_ready);
	pthread_mutex_unlock(&lock);
}

/* Reader: no more samples */
void
PipelineReaderDone(void)
{
	pthread_mutex_lock(&lock);
	reader_done = 1;
	pthread_cond_broadcast(&work_ready);
	pthread_cond_broadcast(&result_ready);
	pthread_mutex_unlock(&lock);
}

/* Worker: take the next sample to process; NULL when there is none left */
Sample *
PipelineNextWork(void)
{
	Sample	   *sample;

	pthread_mutex_lock(&lock);
	while (work_head == NULL && !reader_done && !aborted)
		pthread_cond_wait(&work_ready, &lock);
	sample = aborted ? NULL : work_head;
	if (sample != NULL)
	{
		work_head = sample->next;
		if (work_head == NULL)
			work_tail = NULL;
	}
	pthread_mutex_unlock(&lock);
	return sample;
}

/* Worker: hand a processed sample to the writer */
void
PipelineWorkDone(Sample *sample)
{
	pthread_mutex_lock(&lock);
	ring[sample->seq % window] = sample;
	if (sample->seq == next_out)
		pthread_cond_signal(&result_ready);
	pthread_mutex_unlock(&lock);
}

/* Writer: the next result in input order; NULL when all are written */
Sample *
PipelineNextInOrder(void)
{
	Sample	   *sample;

	pthread_mutex_lock(&lock);
	for (;;)
	{
		sample = ring[next_out % window];
		if (sample != NULL && sample->seq == next_out)
			break;
		if ((reader_done && next_out == next_seq) || aborted)
		{
			sample = NULL;
			break;
		}
		pthread_cond_wait(&result_ready, &lock);
	}
	if (sample != NULL)
	{
		ring[next_out % window] = NULL;
		next_out++;
		pthread_cond_signal(&space_ready);
	}
	pthread_mutex_unlock(&lock);
	return sample;
}

/* Stop everything (--strict after a failure, or a fatal output error) */
void
PipelineAbort(void)
{
	pthread_mutex_lock(&lock);
	aborted = 1;
	pthread_cond_broadcast(&work_ready);
	pthread_cond_broadcast(&space_ready);
	pthread_cond_broadcast(&result_ready);
	pthread_mutex_unlock(&lock);
}

/* Whether PipelineAbort was called */
int
PipelineAborted(void)
{
	int			result;

	pthread_mutex_lock(&lock);
	result = aborted;
	pthread_mutex_unlock(&lock);
	return result;
}
