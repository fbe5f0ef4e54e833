/*-------------------------------------------------------------------------
 *
 * main.c
 *	  img2pgsql: hash image files, folders and img2dataset webdataset shards
 *	  in parallel into COPY rows, on stdout or straight into a table.
 *
 * This file parses the options, starts the reader and worker threads,
 * writes the rows in input order, reports failed items and prints the
 * summary.  See img2pgsql.h for the other parts.
 *
 * tools/img2pgsql/main.c
 *
 *-------------------------------------------------------------------------
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "img2pgsql.h"

#define DEFAULT_COLUMNS "key,url,caption,width,height,phash"

static const char *const usage_text =
"img2pgsql hashes images (JPEG, PNG), folders of them and img2dataset\n"
"webdataset shards (.tar, also compressed) with perceptual hashes that are\n"
"bit-identical to Python ImageHash and to imgsearch's SQL phash(), dhash()\n"
"and ahash(), in parallel, and writes one row per image.\n"
"\n"
"Usage:\n"
"  img2pgsql [OPTION]... INPUT...                      COPY text on stdout\n"
"  img2pgsql -t TABLE [--create] INPUT... | psql       a SQL script on stdout\n"
"  img2pgsql -d CONNINFO -t TABLE [--create] INPUT...  straight into a table\n"
"\n"
"Inputs:\n"
"  FILE            an image; or a webdataset shard if named *.tar, *.tar.gz, *.tgz,\n"
"                  *.tar.bz2, *.tar.xz or *.tar.zst\n"
"  FOLDER          every *.jpg, *.jpeg, *.png and shard below it, in name order\n"
"  In a shard, the members sharing a key form one sample: KEY.jpg (or .jpeg,\n"
"  .png) the image, KEY.txt the caption, KEY.json with \"url\", \"caption\",\n"
"  \"key\" (img2dataset's layout).  Rows come out in input order.\n"
"\n"
"Options:\n"
"  -d, --dbname=CONNINFO  load into the table through this connection (a libpq\n"
"                         connection string or URI; PG* variables apply)\n"
"  -t, --table=TABLE      the table to load (may be schema.table)\n"
"  -c, --create           create the table if missing, with fitting types\n"
"                         (phash for hashes) and \"key\" as primary key\n"
"  -C, --columns=LIST     columns to load, from: key, path, url, caption, width,\n"
"                         height, format, phash, dhash, ahash, sha256, bytes\n"
"                         (default: " DEFAULT_COLUMNS ")\n"
"  -j, --jobs=N           worker threads (default: the number of cores)\n"
"  -f, --fast             decode JPEGs at reduced size: several times faster,\n"
"                         hashes within a few bits of the exact ones\n"
"  -s, --strict           stop at the first item that fails\n"
"  -b, --batch=N          rows per committed transaction with -d (default 10000)\n"
"  -m, --max-pixels=N     refuse images of more pixels (width x height) than N,\n"
"                         from their header (default 100000000, as the server's\n"
"                         imgsearch.max_image_pixels)\n"
"  -q, --quiet            no progress bar and no summary\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n"
"\n"
"Column values: key is the sample's key (JSON \"key\", else the file name\n"
"without extension); path the file, or SHARD:MEMBER; url and caption come\n"
"from the sample's .json and .txt; width, height and format from the image;\n"
"sha256 is the hex digest of the image bytes; bytes their number.\n"
"\n"
"Loading into a table commits every batch and skips rows whose key is\n"
"already there (with a unique key, as --create makes), so re-running the\n"
"same inputs adds nothing and an interrupted load can simply be re-run.\n"
"\n"
"Items that cannot be loaded (unreadable file, corrupt, truncated or\n"
"unsupported image, bad JSON, sample without image) are reported on stderr\n"
"as \"img2pgsql: INPUT: KEY: reason\", counted and skipped.\n"
"\n"
"Exit status: 0 when every item was loaded, 1 when some failed, 2 on a fatal\n"
"error (bad option, connection or SQL error).\n";

/* Report a fatal error and exit with status 2 */
void
Fatal(const char *fmt,...)
{
	va_list		args;

	fflush(stdout);
	fprintf(stderr, "img2pgsql: error: ");
	va_start(args, fmt);
	vfprintf(stderr, fmt, args);
	va_end(args);
	fprintf(stderr, "\n");
	exit(2);
}

/* malloc or die */
void *
XMalloc(size_t size)
{
	void	   *p = malloc(size ? size : 1);

	if (p == NULL)
		Fatal("out of memory");
	return p;
}

/* strdup or die */
char *
XStrdup(const char *s)
{
	char	   *p = strdup(s);

	if (p == NULL)
		Fatal("out of memory");
	return p;
}

/* Format into a new string */
char *
XPrintf(const char *fmt,...)
{
	va_list		args;
	char	   *result;

	va_start(args, fmt);
	if (vasprintf(&result, fmt, args) < 0)
		Fatal("out of memory");
	va_end(args);
	return result;
}

static Options options;

/* The reader thread */
static void *
ReaderMain(void *arg)
{
	(void) arg;
	ReadInputs(&options);
	return NULL;
}

/* A worker thread: process samples until there are none */
static void *
WorkerMain(void *arg)
{
	ImgJob	   *job = ImgJobCreate();
	Sample	   *sample;

	(void) arg;
	if (job == NULL)
		Fatal("out of memory");
	while ((sample = PipelineNextWork()) != NULL)
	{
		ProcessSample(&options, job, sample);
		PipelineWorkDone(sample);
	}
	ImgJobFree(job);
	return NULL;
}

/* Parse a positive integer option */
static long
ParsePositive(const char *text, const char *option)
{
	char	   *end;
	long		value = strtol(text, &end, 10);

	if (*text == '\0' || *end != '\0' || value < 1 || value > 100000000)
		Fatal("invalid value \"%s\" for %s (a positive integer)", text, option);
	return value;
}

int
main(int argc, char **argv)
{
	static const struct option long_options[] = {
		{"dbname", required_argument, NULL, 'd'},
		{"table", required_argument, NULL, 't'},
		{"create", no_argument, NULL, 'c'},
		{"columns", required_argument, NULL, 'C'},
		{"jobs", required_argument, NULL, 'j'},
		{"fast", no_argument, NULL, 'f'},
		{"strict", no_argument, NULL, 's'},
		{"batch", required_argument, NULL, 'b'},
		{"max-pixels", required_argument, NULL, 'm'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}
	};
	const char *columns = DEFAULT_COLUMNS;
	pthread_t	reader;
	pthread_t  *workers;
	Sample	   *sample;
	uint64_t	loaded = 0;
	uint64_t	failed = 0;
	uint64_t	items = 0;
	uint64_t	bytes = 0;
	long		skipped = 0;
	long		rejected = 0;
	int			opt;
	int			i;

	/* a closed stdout (img2pgsql ... | head) is a write error, not a signal */
	signal(SIGPIPE, SIG_IGN);
	options.jobs = (int) sysconf(_SC_NPROCESSORS_ONLN);
	options.batch = 10000;
	options.max_pixels = 100000000;
	while ((opt = getopt_long(argc, argv, "d:t:cC:j:fsb:m:qhV", long_options, NULL)) != -1)
	{
		switch (opt)
		{
			case 'd':
				options.conninfo = optarg;
				break;
			case 't':
				options.table = optarg;
				break;
			case 'c':
				options.create = 1;
				break;
			case 'C':
				columns = optarg;
				break;
			case 'j':
				options.jobs = (int) ParsePositive(optarg, "--jobs");
				break;
			case 'f':
				options.fast = 1;
				break;
			case 's':
				options.strict = 1;
				break;
			case 'b':
				options.batch = ParsePositive(optarg, "--batch");
				if (options.batch > 1000000)
					Fatal("--batch is at most 1000000 rows");
				break;
			case 'm':
				{
					char	   *end;
					unsigned long long value = strtoull(optarg, &end, 10);

					if (*optarg == '\0' || *end != '\0' || *optarg == '-' || value == 0)
						Fatal("invalid value \"%s\" for --max-pixels (a positive integer)", optarg);
					options.max_pixels = value;
				}
				break;
			case 'q':
				options.quiet = 1;
				break;
			case 'h':
				fputs(usage_text, stdout);
				return 0;
			case 'V':
				printf("img2pgsql (imgsearch) %s\n", IMG2PGSQL_VERSION);
				return 0;
			default:
				fprintf(stderr, "Try \"img2pgsql --help\" for more information.\n");
				return 2;
		}
	}
	if (options.jobs < 1)
		options.jobs = 1;
	ParseColumns(columns, options.columns, &options.ncolumns);
	options.inputs = argv + optind;
	options.ninputs = argc - optind;
	if (options.ninputs == 0)
		Fatal("no input given (try \"img2pgsql --help\")");
	if (options.conninfo != NULL && options.table == NULL)
		Fatal("-d needs -t TABLE");
	if (options.create && options.table == NULL)
		Fatal("--create needs -t TABLE");

	OutputBegin(&options);
	ProgressInit(!options.quiet && isatty(fileno(stderr)));
	if (!options.quiet && isatty(fileno(stderr)))
		ProgressSetTotal(InputTotalBytes(&options));
	PipelineInit(options.jobs);
	if (pthread_create(&reader, NULL, ReaderMain, NULL) != 0)
		Fatal("cannot start a thread");
	workers = XMalloc(sizeof(pthread_t) * options.jobs);
	for (i = 0; i < options.jobs; i++)
		if (pthread_create(&workers[i], NULL, WorkerMain, NULL) != 0)
			Fatal("cannot start a thread");

	while ((sample = PipelineNextInOrder()) != NULL)
	{
		items++;
		bytes += sample->image_len;
		if (sample->failed)
		{
			failed++;
			ProgressUpdate(items, bytes, 1);
			if (isatty(fileno(stderr)) && !options.quiet)
				fprintf(stderr, "\r\033[K");
			fprintf(stderr, "img2pgsql: %s: %s: %s\n", sample->input,
					sample->key, sample->reason);
			if (options.strict)
			{
				SampleFree(sample);
				PipelineAbort();
				break;
			}
		}
		else
		{
			OutputRow(&options, sample);
			loaded++;
		}
		SampleFree(sample);
		ProgressUpdate(items, bytes, 0);
	}

	pthread_join(reader, NULL);
	for (i = 0; i < options.jobs; i++)
		pthread_join(workers[i], NULL);
	free(workers);
	if (options.strict && failed > 0)
	{
		/* commit what came before the failure, as without --strict */
		OutputEnd(&options, &skipped, &rejected);
		ProgressFinish();
		fprintf(stderr, "img2pgsql: stopped at the first failure (--strict)\n");
		return 1;
	}
	OutputEnd(&options, &skipped, &rejected);
	failed += rejected;
	loaded -= rejected;
	ProgressUpdate(items, bytes, 1);
	ProgressFinish();
	if (!options.quiet)
	{
		double		seconds = ProgressElapsed();

		fprintf(stderr, "img2pgsql: %llu loaded, %ld skipped, %llu failed in %.1f s "
				"(%.0f items/s, %.1f MB/s)\n",
				(unsigned long long) (loaded - skipped), skipped,
				(unsigned long long) failed, seconds,
				items / (seconds > 0 ? seconds : 1), bytes / (seconds > 0 ? seconds : 1) / 1e6);
	}
	return failed > 0 ? 1 : 0;
}
