/*-------------------------------------------------------------------------
 *
 * output.c
 *	  Write the rows: COPY text on stdout, a SQL script on stdout (-t), or
 *	  straight into a table through libpq's COPY (-d -t).
 *
 * Loading into a table goes in batches, each its own transaction: rows are
 * copied into a temporary table, then inserted with ON CONFLICT DO
 * NOTHING, so a batch that is committed stays committed if a later one
 * fails, and re-running the same inputs adds nothing when the table has a
 * unique key (--create makes "key" the primary key).  The SQL script does
 * the same in one transaction.
 *
 * tools/img2pgsql/output.c
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "img2pgsql.h"

#define STAGING_TABLE "img2pgsql_batch"

static PGconn *conn;
static char *table_sql;			/* the table name, quoted where needed */
static char *column_list;		/* "key, url, ..." */
static long batch_rows;			/* rows in the open COPY */
static long skipped_rows;		/* rows the table already had */

/* Quote a (possibly schema-qualified) table name unless plainly lower case */
static char *
QuoteTableName(const char *name)
{
	const char *p;
	int			plain = (name[0] != '\0' && !isdigit((unsigned char) name[0]));
	char	   *result;
	char	   *copy;
	char	   *part;
	char	   *saveptr = NULL;

	if (strchr(name, '"') != NULL)
		Fatal("table name \"%s\" contains a double quote", name);
	for (p = name; *p != '\0' && plain; p++)
		if (!(islower((unsigned char) *p) || isdigit((unsigned char) *p) ||
			  *p == '_' || *p == '.'))
			plain = 0;
	if (plain)
		return XStrdup(name);

	/* quote each dot-separated part */
	result = XStrdup("");
	copy = XStrdup(name);
	for (part = strtok_r(copy, ".", &saveptr); part != NULL;
		 part = strtok_r(NULL, ".", &saveptr))
	{
		char	   *joined = XPrintf("%s%s\"%s\"", result, result[0] ? "." : "", part);

		free(result);
		result = joined;
	}
	free(copy);
	return result;
}

/* The CREATE TABLE statement for --create */
static char *
CreateTableSql(const Options *options)
{
	char	   *sql = XPrintf("CREATE TABLE IF NOT EXISTS %s (", table_sql);
	int			i;

	for (i = 0; i < options->ncolumns; i++)
	{
		char	   *longer = XPrintf("%s%s%s %s", sql, i ? ", " : "",
									 ColumnName(options->columns[i]),
									 ColumnType(options->columns[i]));

		free(sql);
		sql = longer;
	}
	{
		char	   *done = XPrintf("%s)", sql);

		free(sql);
		sql = done;
	}
	return sql;
}

/* Whether the columns include a hash (the table then needs the extension) */
static int
NeedsExtension(const Options *options)
{
	int			i;

	for (i = 0; i < options->ncolumns; i++)
		if (options->columns[i] == COL_PHASH || options->columns[i] == COL_DHASH ||
			options->columns[i] == COL_AHASH)
			return 1;
	return 0;
}

/* Run a statement, dying on failure */
static PGresult *
Execute(const char *sql, ExecStatusType expected)
{
	PGresult   *result = PQexec(conn, sql);

	if (PQresultStatus(result) != expected)
		Fatal("%s\nthe statement was: %s", PQerrorMessage(conn), sql);
	return result;
}

/*
 * Warn when nothing stops a re-run from loading rows twice: no unique
 * index on "key" alone (ON CONFLICT DO NOTHING then has nothing to hit).
 */
static void
WarnWithoutUniqueKey(const Options *options)
{
	const char *params[1] = {table_sql};
	PGresult   *result;

	result = PQexecParams(conn,
						  "SELECT 1 FROM pg_index i JOIN pg_attribute a "
						  "ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] "
						  "WHERE i.indrelid = $1::regclass AND i.indisunique "
						  "AND i.indnkeyatts = 1 AND a.attname = 'key'",
						  1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(result) != PGRES_TUPLES_OK)
		Fatal("%s", PQerrorMessage(conn));
	if (PQntuples(result) == 0 && !options->quiet)
		fprintf(stderr, "img2pgsql: warning: table %s has no unique index on \"key\": "
				"loading the same items again will add them again\n", table_sql);
	PQclear(result);
}

/* Open a batch: a transaction with an empty staging table in COPY mode */
static void
BatchBegin(void)
{
	char	   *sql;

	PQclear(Execute("BEGIN", PGRES_COMMAND_OK));
	sql = XPrintf("COPY " STAGING_TABLE " (%s) FROM STDIN", column_list);
	PQclear(Execute(sql, PGRES_COPY_IN));
	free(sql);
	batch_rows = 0;
}

/* Close a batch: move the new rows into the table and commit */
static void
BatchEnd(void)
{
	PGresult   *result;
	char	   *sql;
	long		inserted;

	if (PQputCopyEnd(conn, NULL) != 1)
		Fatal("COPY failed: %s", PQerrorMessage(conn));
	result = PQgetResult(conn);
	if (PQresultStatus(result) != PGRES_COMMAND_OK)
		Fatal("COPY failed: %s", PQerrorMessage(conn));
	PQclear(result);
	while ((result = PQgetResult(conn)) != NULL)
		PQclear(result);

	sql = XPrintf("INSERT INTO %s (%s) SELECT %s FROM " STAGING_TABLE
				  " ON CONFLICT DO NOTHING", table_sql, column_list, column_list);
	result = Execute(sql, PGRES_COMMAND_OK);
	inserted = atol(PQcmdTuples(result));
	PQclear(result);
	free(sql);
	skipped_rows += batch_rows - inserted;
	PQclear(Execute("TRUNCATE " STAGING_TABLE, PGRES_COMMAND_OK));
	PQclear(Execute("COMMIT", PGRES_COMMAND_OK));
}

/* Start the output; 0 on success (failures are fatal) */
int
OutputBegin(const Options *options)
{
	int			i;

	column_list = XStrdup("");
	for (i = 0; i < options->ncolumns; i++)
	{
		char	   *longer = XPrintf("%s%s%s", column_list, i ? ", " : "",
									 ColumnName(options->columns[i]));

		free(column_list);
		column_list = longer;
	}
	if (options->table != NULL)
		table_sql = QuoteTableName(options->table);

	if (options->conninfo == NULL)
	{
		if (options->table == NULL)
			return 0;			/* bare COPY rows */
		printf("SET client_encoding = 'UTF8';\nBEGIN;\n");
		if (options->create)
		{
			char	   *create = CreateTableSql(options);

			if (NeedsExtension(options))
				printf("CREATE EXTENSION IF NOT EXISTS imgsearch;\n");
			printf("%s;\n", create);
			free(create);
		}
		printf("CREATE TEMP TABLE " STAGING_TABLE " ON COMMIT DROP AS SELECT %s FROM %s WITH NO DATA;\n",
			   column_list, table_sql);
		printf("COPY " STAGING_TABLE " (%s) FROM stdin;\n", column_list);
		return 0;
	}

	conn = PQconnectdb(options->conninfo);
	if (PQstatus(conn) != CONNECTION_OK)
		Fatal("cannot connect: %s", PQerrorMessage(conn));
	PQclear(Execute("SET client_min_messages = warning", PGRES_COMMAND_OK));
	PQclear(Execute("SET client_encoding = 'UTF8'", PGRES_COMMAND_OK));
	if (options->create)
	{
		char	   *create = CreateTableSql(options);

		if (NeedsExtension(options))
			PQclear(Execute("CREATE EXTENSION IF NOT EXISTS imgsearch", PGRES_COMMAND_OK));
		PQclear(Execute(create, PGRES_COMMAND_OK));
		free(create);
	}
	{
		char	   *sql = XPrintf("CREATE TEMP TABLE " STAGING_TABLE
								  " AS SELECT %s FROM %s WITH NO DATA",
								  column_list, table_sql);

		PQclear(Execute(sql, PGRES_COMMAND_OK));
		free(sql);
	}
	WarnWithoutUniqueKey(options);
	BatchBegin();
	return 0;
}

/* Write one row */
int
OutputRow(const Options *options, const Sample *sample)
{
	if (conn == NULL)
	{
		if (fwrite(sample->row, 1, sample->row_len, stdout) != sample->row_len)
			Fatal("cannot write to standard output");
		return 0;
	}
	if (PQputCopyData(conn, sample->row, (int) sample->row_len) != 1)
		Fatal("COPY failed: %s", PQerrorMessage(conn));
	if (++batch_rows >= options->batch)
	{
		BatchEnd();
		BatchBegin();
	}
	return 0;
}

/* Finish: commit the last batch; *skipped counts rows already present */
int
OutputEnd(const Options *options, long *skipped)
{
	*skipped = 0;
	if (conn == NULL)
	{
		if (options->table != NULL)
		{
			printf("\\.\n");
			printf("INSERT INTO %s (%s) SELECT %s FROM " STAGING_TABLE " ON CONFLICT DO NOTHING;\n",
				   table_sql, column_list, column_list);
			printf("COMMIT;\n");
		}
		if (fflush(stdout) != 0)
			Fatal("cannot write to standard output");
		return 0;
	}
	BatchEnd();
	PQfinish(conn);
	conn = NULL;
	*skipped = skipped_rows;
	return 0;
}
