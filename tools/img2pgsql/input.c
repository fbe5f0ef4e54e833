/*-------------------------------------------------------------------------
 *
 * input.c
 *	  Turn the command-line inputs into samples, in order: image files,
 *	  folders (walked recursively, names sorted) and webdataset shards.
 *
 * A webdataset shard (what img2dataset writes) is a tar file in which the
 * members of one sample share a key, the member path up to the first dot
 * of its file name: 000012.jpg, 000012.txt and 000012.json.  Members of a
 * sample are adjacent, so we group them as they stream by (libarchive
 * reads plain and compressed tars alike) and never hold more than one
 * sample of a shard in memory here.  Anything we cannot read becomes a
 * sample carrying an error, so it is reported and counted in order.
 *
 * tools/img2pgsql/input.c
 *
 *-------------------------------------------------------------------------
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <stdatomic.h>

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>

#include "img2pgsql.h"

/* Bytes of input files consumed so far, for the progress bar */
static _Atomic uint64_t bytes_read;

/* Largest member or file we read (an image this size is absurd anyway) */
#define MAX_ITEM_BYTES	((size_t) 1 << 30)

/* Whether a name ends with a suffix, ignoring case */
static int
EndsWith(const char *name, const char *suffix)
{
	size_t		n = strlen(name);
	size_t		m = strlen(suffix);

	return n >= m && strcasecmp(name + n - m, suffix) == 0;
}

/* Whether a file name looks like a tar shard */
static int
IsShardName(const char *name)
{
	static const char *const suffixes[] = {
		".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar.zst", NULL
	};
	int			i;

	for (i = 0; suffixes[i] != NULL; i++)
		if (EndsWith(name, suffixes[i]))
			return 1;
	return 0;
}

/* Whether a file name found in a folder is an image to load */
static int
IsImageName(const char *name)
{
	return EndsWith(name, ".jpg") || EndsWith(name, ".jpeg") ||
		EndsWith(name, ".png");
}

/*
 * The key of an image file: its path below the input folder it was found
 * in (skip bytes of the path), without the last extension, so that
 * 2020/img_001.jpg and 2021/img_001.jpg are two keys.
 */
static char *
KeyOfFile(const char *path, size_t skip)
{
	char	   *key = XStrdup(path + skip);
	char	   *slash = strrchr(key, '/');
	char	   *dot = strrchr(slash ? slash + 1 : key, '.');

	if (dot != NULL && dot != (slash ? slash + 1 : key))
		*dot = '\0';
	return key;
}

/* The length of the folder part of a path ("a/b/" of "a/b/c.jpg") */
static size_t
FolderLength(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? (size_t) (slash - path + 1) : 0;
}

/* A new empty sample */
static Sample *
SampleNew(const char *input, const char *name, char *key)
{
	Sample	   *sample = XMalloc(sizeof(Sample));

	memset(sample, 0, sizeof(Sample));
	sample->input = XStrdup(input);
	sample->name = XStrdup(name);
	sample->key = key;
	return sample;
}

/* Read a whole image file into a sample */
static void
ReadImageFile(const char *path, size_t key_skip)
{
	Sample	   *sample = SampleNew(path, path, KeyOfFile(path, key_skip));
	FILE	   *file = fopen(path, "rb");
	struct stat st;

	if (file == NULL || fstat(fileno(file), &st) != 0)
		sample->error = XPrintf("cannot read file: %s", strerror(errno));
	else if ((size_t) st.st_size > MAX_ITEM_BYTES)
		sample->error = XPrintf("file of %lld bytes is too large",
								(long long) st.st_size);
	else
	{
		sample->image_len = (size_t) st.st_size;
		sample->image = XMalloc(sample->image_len + 1);
		if (fread(sample->image, 1, sample->image_len, file) != sample->image_len)
			sample->error = XPrintf("cannot read file: %s",
									ferror(file) ? strerror(errno) : "file shrank");
	}
	if (file != NULL)
		fclose(file);
	atomic_fetch_add(&bytes_read, sample->image_len);
	PipelinePush(sample);
}

/* Read the current archive member (size known from its header) */
static unsigned char *
ReadMember(struct archive *archive, struct archive_entry *entry,
		   size_t *len, char **error)
{
	la_int64_t	size = archive_entry_size(entry);
	unsigned char *data;
	la_ssize_t	got;

	if (size < 0 || (size_t) size > MAX_ITEM_BYTES)
	{
		*error = XPrintf("member of %lld bytes is too large", (long long) size);
		archive_read_data_skip(archive);
		return NULL;
	}
	data = XMalloc((size_t) size + 1);
	got = archive_read_data(archive, data, (size_t) size);
	if (got != size)
	{
		*error = XPrintf("cannot read member: %s",
						 got < 0 ? archive_error_string(archive) : "archive ends early");
		free(data);
		return NULL;
	}
	data[size] = '\0';			/* captions and JSON are text */
	*len = (size_t) size;
	return data;
}

/* Put one member into the sample according to its extension */
static void
AddMember(Sample *sample, const char *member, const char *extension,
		  unsigned char *data, size_t len, char *error)
{
	if (error != NULL)
	{
		if (sample->error == NULL)
			sample->error = XPrintf("%s: %s", member, error);
		free(error);
		return;
	}
	if (strcasecmp(extension, "jpg") == 0 || strcasecmp(extension, "jpeg") == 0 ||
		strcasecmp(extension, "png") == 0 || strcasecmp(extension, "webp") == 0)
	{
		free(sample->image);
		free(sample->name);
		sample->name = XPrintf("%s:%s", sample->input, member);
		sample->image = data;
		sample->image_len = len;
	}
	else if (strcasecmp(extension, "txt") == 0)
	{
		/* the caption, without the line end a text file may close with */
		while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
			data[--len] = '\0';
		free(sample->caption);
		sample->caption = (char *) data;
		sample->caption_len = len;
	}
	else if (strcasecmp(extension, "json") == 0)
	{
		free(sample->json);
		sample->json = (char *) data;
		sample->json_len = len;
	}
	else
		free(data);				/* other members (.cls, .npy...) are not ours */
}

/* Read a webdataset shard, pushing one sample per key */
static void
ReadShard(const char *path)
{
	struct archive *archive = archive_read_new();
	struct archive_entry *entry;
	uint64_t	bytes_before = atomic_load(&bytes_read);
	json_t	   *keys_done = json_object();	/* a set: keys already pushed */
	Sample	   *sample = NULL;
	char	   *sample_prefix = NULL;	/* member path up to the key's end */
	int			status;

	archive_read_support_filter_all(archive);
	archive_read_support_format_tar(archive);
	archive_read_support_format_gnutar(archive);
	if (archive_read_open_filename(archive, path, 1 << 16) != ARCHIVE_OK)
	{
		Sample	   *bad = SampleNew(path, path, KeyOfFile(path, FolderLength(path)));

		bad->error = XPrintf("cannot open shard: %s", archive_error_string(archive));
		PipelinePush(bad);
		archive_read_free(archive);
		return;
	}

	while ((status = archive_read_next_header(archive, &entry)) == ARCHIVE_OK ||
		   status == ARCHIVE_WARN)
	{
		const char *member = archive_entry_pathname(entry);
		const char *base;
		const char *dot;
		char	   *prefix;
		char	   *error = NULL;
		unsigned char *data;
		size_t		len = 0;

		if (member == NULL || archive_entry_filetype(entry) != AE_IFREG)
			continue;
		base = strrchr(member, '/');
		base = base ? base + 1 : member;
		dot = strchr(base, '.');
		if (dot == NULL || dot == base)
			continue;			/* no extension: not part of a sample */
		prefix = XPrintf("%.*s", (int) (dot - member), member);

		if (sample_prefix == NULL || strcmp(prefix, sample_prefix) != 0)
		{
			if (sample != NULL)
			{
				json_object_set_new(keys_done, sample_prefix, json_true());
				PipelinePush(sample);
			}
			free(sample_prefix);
			sample_prefix = prefix;
			/* the webdataset key: the member path without extensions */
			sample = SampleNew(path, path, XStrdup(prefix));
			if (json_object_get(keys_done, prefix) != NULL)
				sample->error = XPrintf("the members of sample %s are not next to each other in the shard",
										prefix);
		}
		else
			free(prefix);

		data = ReadMember(archive, entry, &len, &error);
		AddMember(sample, member, dot + 1, data, len, error);
		/* compressed bytes consumed from the shard file */
		atomic_store(&bytes_read, bytes_before + (uint64_t) archive_filter_bytes(archive, -1));
		if (PipelineAborted())
			break;
	}

	if (status != ARCHIVE_EOF && status != ARCHIVE_OK && !PipelineAborted())
	{
		/* a damaged archive: report it after what could be read */
		Sample	   *bad;

		if (sample != NULL)
		{
			if (sample->error == NULL)
				sample->error = XStrdup("the shard is damaged before the end of this sample");
			PipelinePush(sample);
		}
		sample = NULL;
		bad = SampleNew(path, path, KeyOfFile(path, FolderLength(path)));
		bad->error = XPrintf("damaged shard: %s", archive_error_string(archive));
		PipelinePush(bad);
	}
	if (sample != NULL)
		PipelinePush(sample);
	free(sample_prefix);
	json_decref(keys_done);
	archive_read_free(archive);
}

/* Order names for the folder walk */
static int
CompareNames(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

static void ReadPath(const char *path, int explicit, size_t key_skip);

/*
 * Walk a folder: its entries in name order, loading images and shards.
 * Symbolic links to folders are not followed (they could loop).
 */
static void
ReadFolder(const char *path, size_t key_skip)
{
	DIR		   *dir = opendir(path);
	struct dirent *entry;
	char	  **names = NULL;
	size_t		count = 0;
	size_t		capacity = 0;
	size_t		i;

	if (dir == NULL)
	{
		Sample	   *bad = SampleNew(path, path, KeyOfFile(path, FolderLength(path)));

		bad->error = XPrintf("cannot read folder: %s", strerror(errno));
		PipelinePush(bad);
		return;
	}
	while ((entry = readdir(dir)) != NULL)
	{
		if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
			continue;
		if (count == capacity)
		{
			char	  **bigger;

			capacity = capacity ? 2 * capacity : 64;
			bigger = realloc(names, capacity * sizeof(char *));
			if (bigger == NULL)
				Fatal("out of memory");
			names = bigger;
		}
		names[count++] = XPrintf("%s/%s", path, entry->d_name);
	}
	closedir(dir);
	qsort(names, count, sizeof(char *), CompareNames);
	for (i = 0; i < count && !PipelineAborted(); i++)
	{
		struct stat st;

		if (lstat(names[i], &st) == 0 && S_ISLNK(st.st_mode) &&
			stat(names[i], &st) == 0 && S_ISDIR(st.st_mode))
			continue;			/* a linked folder */
		ReadPath(names[i], 0, key_skip);
	}
	for (i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

/*
 * Load one path: a folder, a shard, or an image.  Files named on the
 * command line (explicit) are images unless they look like shards; files
 * found in folders are taken only when they look like images or shards.
 * key_skip is the length of the input folder's path, cut from file keys.
 */
static void
ReadPath(const char *path, int explicit, size_t key_skip)
{
	struct stat st;

	if (stat(path, &st) != 0)
	{
		Sample	   *bad = SampleNew(path, path, KeyOfFile(path, FolderLength(path)));

		bad->error = XPrintf("cannot read: %s", strerror(errno));
		PipelinePush(bad);
	}
	else if (S_ISDIR(st.st_mode))
		ReadFolder(path, explicit ? strlen(path) + 1 : key_skip);
	else if (IsShardName(path))
		ReadShard(path);
	else if (explicit || IsImageName(path))
		ReadImageFile(path, explicit ? FolderLength(path) : key_skip);
}

/* Add up the sizes of the files ReadPath would read below path */
static uint64_t
PathBytes(const char *path, int explicit)
{
	struct stat st;
	uint64_t	total = 0;
	DIR		   *dir;
	struct dirent *entry;

	if (stat(path, &st) != 0)
		return 0;
	if (!S_ISDIR(st.st_mode))
		return (explicit || IsShardName(path) || IsImageName(path)) ?
			(uint64_t) st.st_size : 0;
	dir = opendir(path);
	if (dir == NULL)
		return 0;
	while ((entry = readdir(dir)) != NULL)
	{
		char	   *child;

		if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
			continue;
		child = XPrintf("%s/%s", path, entry->d_name);
		if (lstat(child, &st) == 0 && !S_ISLNK(st.st_mode))
			total += PathBytes(child, 0);
		else if (stat(child, &st) == 0 && !S_ISDIR(st.st_mode))
			total += PathBytes(child, 0);	/* a linked file */
		free(child);
	}
	closedir(dir);
	return total;
}

/* The size of all the input, for the progress bar's estimate */
uint64_t
InputTotalBytes(const Options *options)
{
	uint64_t	total = 0;
	int			i;

	for (i = 0; i < options->ninputs; i++)
		total += PathBytes(options->inputs[i], 1);
	return total;
}

/* Input bytes consumed so far (any thread) */
uint64_t
InputBytesRead(void)
{
	return atomic_load(&bytes_read);
}

/* The reader thread's work: every input in order */
void
ReadInputs(const Options *options)
{
	int			i;

	for (i = 0; i < options->ninputs && !PipelineAborted(); i++)
		ReadPath(options->inputs[i], 1, 0);
	PipelineReaderDone();
}
