/*-------------------------------------------------------------------------
 *
 * column.c
 *	  The columns img2pgsql can load: their names, SQL types and the
 *	  parsing of --columns.
 *
 * tools/img2pgsql/column.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#include "img2pgsql.h"

static const struct
{
	const char *name;
	const char *type;			/* for --create */
}			column_info[NUM_COLUMNS] = {
	[COL_KEY] = {"key", "text PRIMARY KEY"},
	[COL_PATH] = {"path", "text"},
	[COL_URL] = {"url", "text"},
	[COL_CAPTION] = {"caption", "text"},
	[COL_WIDTH] = {"width", "integer"},
	[COL_HEIGHT] = {"height", "integer"},
	[COL_FORMAT] = {"format", "text"},
	[COL_PHASH] = {"phash", "phash"},
	[COL_DHASH] = {"dhash", "phash"},
	[COL_AHASH] = {"ahash", "phash"},
	[COL_SHA256] = {"sha256", "text"},
	[COL_BYTES] = {"bytes", "bigint"},
};

/* Name a column as in --columns and in the table */
const char *
ColumnName(Column column)
{
	return column_info[column].name;
}

/* The SQL type --create gives a column */
const char *
ColumnType(Column column)
{
	return column_info[column].type;
}

/*
 * Parse a comma-separated list of column names; 0 on success, -1 with a
 * message on stderr for an unknown or repeated name.
 */
int
ParseColumns(const char *list, Column *columns, int *ncolumns)
{
	char	   *copy = XStrdup(list);
	char	   *saveptr = NULL;
	char	   *name;
	int			seen[NUM_COLUMNS] = {0};

	*ncolumns = 0;
	for (name = strtok_r(copy, ",", &saveptr); name != NULL;
		 name = strtok_r(NULL, ",", &saveptr))
	{
		int			c;

		for (c = 0; c < NUM_COLUMNS; c++)
			if (strcmp(name, column_info[c].name) == 0)
				break;
		if (c == NUM_COLUMNS || seen[c])
		{
			Fatal("%s column \"%s\" in --columns (choose from key, path, url, caption, "
				  "width, height, format, phash, dhash, ahash, sha256, bytes)",
				  c == NUM_COLUMNS ? "unknown" : "repeated", name);
		}
		seen[c] = 1;
		columns[(*ncolumns)++] = (Column) c;
	}
	if (*ncolumns == 0)
		Fatal("--columns lists no column");
	free(copy);
	return 0;
}
