/*-------------------------------------------------------------------------
 *
 * sample.c
 *	  Process one sample in a worker thread: parse its JSON, decode and hash
 *	  its image with the same core as the SQL functions, and format the
 *	  COPY text row.
 *
 * tools/img2pgsql/sample.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "img2pgsql.h"

/* Longest key: well under what a btree index entry can hold */
#define MAX_KEY_BYTES	1000

/* A growing string buffer for the row */
typedef struct RowBuffer
{
	char	   *data;
	size_t		len;
	size_t		capacity;
} RowBuffer;

/* Append len bytes */
static void
RowAppend(RowBuffer *buf, const char *s, size_t len)
{
	if (buf->len + len + 1 > buf->capacity)
	{
		size_t		capacity = buf->capacity ? buf->capacity : 256;
		char	   *bigger;

		while (buf->len + len + 1 > capacity)
			capacity *= 2;
		bigger = realloc(buf->data, capacity);
		if (bigger == NULL)
			Fatal("out of memory");
		buf->data = bigger;
		buf->capacity = capacity;
	}
	memcpy(buf->data + buf->len, s, len);
	buf->len += len;
	buf->data[buf->len] = '\0';
}

/* Append a value in COPY text format (NULL as \N), escaping as COPY needs */
static void
RowAppendText(RowBuffer *buf, const char *value)
{
	const char *p;

	if (value == NULL)
	{
		RowAppend(buf, "\\N", 2);
		return;
	}
	for (p = value; *p != '\0'; p++)
	{
		switch (*p)
		{
			case '\\':
				RowAppend(buf, "\\\\", 2);
				break;
			case '\t':
				RowAppend(buf, "\\t", 2);
				break;
			case '\n':
				RowAppend(buf, "\\n", 2);
				break;
			case '\r':
				RowAppend(buf, "\\r", 2);
				break;
			default:
				RowAppend(buf, p, 1);
				break;
		}
	}
}

/* Mark the sample failed, with a reason */
static void SampleFail(Sample *sample, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));

static void
SampleFail(Sample *sample, const char *fmt,...)
{
	va_list		args;
	char		reason[512];

	va_start(args, fmt);
	vsnprintf(reason, sizeof(reason), fmt, args);
	va_end(args);
	sample->failed = 1;
	sample->reason = XStrdup(reason);
}

/* A non-empty string member of a JSON object, or NULL */
static const char *
JsonString(json_t *object, const char *name)
{
	json_t	   *value = json_object_get(object, name);

	if (!json_is_string(value) || json_string_length(value) == 0)
		return NULL;
	return json_string_value(value);
}

/*
 * Whether text of len bytes is valid UTF-8 without NUL bytes (what the
 * database will accept in a text column).
 */
static int
IsValidText(const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *) text;
	const unsigned char *end = p + len;

	while (p < end)
	{
		int			n;
		unsigned	c = *p;

		if (c == 0)
			return 0;
		if (c < 0x80)
		{
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3;
		else
			return 0;
		if (end - p <= n)
			return 0;
		/* no overlong forms, surrogates or code points past U+10FFFF */
		if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f) ||
			(c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))
			return 0;
		for (int i = 1; i <= n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return 0;
		p += n + 1;
	}
	return 1;
}

/* Say what went wrong with an image, in the SQL functions' words */
static const char *
StatusText(ImgStatus status)
{
	switch (status)
	{
		case IMG_OK:
			return "ok";
		case IMG_ERR_UNRECOGNISED:
			return "image format not recognised";
		case IMG_ERR_TRUNCATED:
			return "truncated image";
		case IMG_ERR_CORRUPT:
			return "corrupt image";
		case IMG_ERR_UNSUPPORTED:
			return "unsupported image";
		case IMG_ERR_TOO_LARGE:
			return "image too large";
		case IMG_ERR_NO_MEMORY:
			return "out of memory";
	}
	return "error";
}

/*
 * Decode and hash the sample's image and format its row; on any problem
 * mark it failed instead.
 */
void
ProcessSample(const Options *options, ImgJob *job, Sample *sample)
{
	json_t	   *json = NULL;
	const char *url = NULL;
	const char *caption = sample->caption;
	const char *key = sample->key;
	ImgOptions	img_options;
	ImgInfo		info;
	ImgHashes	hashes;
	ImgStatus	status;
	RowBuffer	row = {NULL, 0, 0};
	char		text[80];
	int			i;

	if (sample->error != NULL)
	{
		SampleFail(sample, "%s", sample->error);
		return;
	}
	if (sample->json != NULL)
	{
		json_error_t error;

		json = json_loadb(sample->json, sample->json_len, 0, &error);
		if (json == NULL || !json_is_object(json))
		{
			SampleFail(sample, "bad JSON: %s (line %d)",
					   json ? "not an object" : error.text,
					   json ? 1 : error.line);
			json_decref(json);
			return;
		}
		url = JsonString(json, "url");
		if (caption == NULL)
			caption = JsonString(json, "caption");
		if (JsonString(json, "key") != NULL)
			key = JsonString(json, "key");
	}
	if (sample->image == NULL)
	{
		SampleFail(sample, "no image in the sample");
		json_decref(json);
		return;
	}
	if (sample->caption != NULL &&
		!IsValidText(sample->caption, sample->caption_len))
	{
		SampleFail(sample, "the caption is not valid UTF-8 text");
		json_decref(json);
		return;
	}
	if (strlen(key) > MAX_KEY_BYTES)
	{
		SampleFail(sample, "a key of %zu bytes is too long (at most %d)",
				   strlen(key), MAX_KEY_BYTES);
		json_decref(json);
		return;
	}
	if (!IsValidText(key, strlen(key)) || !IsValidText(sample->name, strlen(sample->name)))
	{
		SampleFail(sample, "the key or file name is not valid UTF-8");
		json_decref(json);
		return;
	}

	memset(&img_options, 0, sizeof(img_options));
	img_options.max_pixels = options->max_pixels;
	img_options.fast = options->fast;
	for (i = 0; i < options->ncolumns; i++)
	{
		if (options->columns[i] == COL_PHASH)
			img_options.hashes |= IMG_HASH_PHASH;
		else if (options->columns[i] == COL_DHASH)
			img_options.hashes |= IMG_HASH_DHASH;
		else if (options->columns[i] == COL_AHASH)
			img_options.hashes |= IMG_HASH_AHASH;
	}
	if (img_options.hashes == 0)
		img_options.hashes = IMG_HASH_PHASH;	/* decode anyway, to validate */
	status = ImgJobRun(job, sample->image, sample->image_len, &img_options,
					   &info, &hashes);
	if (status != IMG_OK)
	{
		SampleFail(sample, "%s: %s", StatusText(status), ImgJobMessage(job));
		json_decref(json);
		return;
	}

	for (i = 0; i < options->ncolumns; i++)
	{
		if (i > 0)
			RowAppend(&row, "\t", 1);
		switch (options->columns[i])
		{
			case COL_KEY:
				RowAppendText(&row, key);
				break;
			case COL_PATH:
				RowAppendText(&row, sample->name);
				break;
			case COL_URL:
				RowAppendText(&row, url);
				break;
			case COL_CAPTION:
				RowAppendText(&row, caption);
				break;
			case COL_WIDTH:
				snprintf(text, sizeof(text), "%u", info.width);
				RowAppendText(&row, text);
				break;
			case COL_HEIGHT:
				snprintf(text, sizeof(text), "%u", info.height);
				RowAppendText(&row, text);
				break;
			case COL_FORMAT:
				RowAppendText(&row, ImgFormatName(info.format));
				break;
			case COL_PHASH:
				snprintf(text, sizeof(text), "%016llx", (unsigned long long) hashes.phash);
				RowAppendText(&row, text);
				break;
			case COL_DHASH:
				snprintf(text, sizeof(text), "%016llx", (unsigned long long) hashes.dhash);
				RowAppendText(&row, text);
				break;
			case COL_AHASH:
				snprintf(text, sizeof(text), "%016llx", (unsigned long long) hashes.ahash);
				RowAppendText(&row, text);
				break;
			case COL_SHA256:
				{
					unsigned char digest[EVP_MAX_MD_SIZE];
					unsigned int digest_len = 0;
					unsigned int j;

					EVP_Digest(sample->image, sample->image_len, digest,
							   &digest_len, EVP_sha256(), NULL);
					for (j = 0; j < digest_len; j++)
						snprintf(text + 2 * j, 3, "%02x", digest[j]);
					RowAppendText(&row, text);
				}
				break;
			case COL_BYTES:
				snprintf(text, sizeof(text), "%zu", sample->image_len);
				RowAppendText(&row, text);
				break;
			case NUM_COLUMNS:
				break;
		}
	}
	RowAppend(&row, "\n", 1);
	sample->row = row.data;
	sample->row_len = row.len;
	json_decref(json);

	/* the bytes are not needed any more: keep the window small */
	free(sample->image);
	sample->image = NULL;
	free(sample->json);
	sample->json = NULL;
}

/* Free a sample and everything it holds */
void
SampleFree(Sample *sample)
{
	free(sample->input);
	free(sample->name);
	free(sample->key);
	free(sample->image);
	free(sample->caption);
	free(sample->json);
	free(sample->error);
	free(sample->reason);
	free(sample->row);
	free(sample);
}
