# WAL of the mih index on a streaming standby: every page change of a mih
# index is generic WAL, so a hot standby replaying it must hold the same
# index as the primary.  A table with a mih index (small pending list, so
# that flushes and merges happen) goes through rounds of inserts, deletes,
# VACUUM (which marks dead entries, merges and recycles pages), updates,
# rolled-back inserts, NULL codes and REINDEX on the primary.  After each
# round, once the standby has replayed everything:
#  - every page of the index is byte for byte the same on both;
#  - radius, = and k-nearest queries through the index give identical
#    output on both;
#  - on the standby (and on the primary in the first and last rounds),
#    index scans agree with sequential scans over many radius and
#    k-nearest queries, and every row is reachable through the index.
# Last, a scan on the standby paused halfway while the primary merges,
# VACUUMs and recycles pages must return exactly the rows of its snapshot
# (hot_standby_feedback keeps the pages it may read).
# Modelled on contrib/bloom/t/001_wal.pl.
use strict;
use warnings;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
# test data, query points and scan checks shared by the mih tests: test/perl/MihTest.pm
use FindBin;
use lib "$FindBin::RealBin/../perl";
use MihTest;
use NodeTest;		# crash, page_digests

# Output of the radius, = and k-nearest queries through the index
sub index_outputs
{
	my ($node, $tab) = @_;
	my $out = '';
	$out .= run_sql($node, "$mode_sql{index} SELECT qid, "
		  . "(SELECT string_agg(id::text, ',') FROM $tab t WHERE t.h <@ hamming_ball(qs.q, qs.r)), "
		  . "(SELECT string_agg(id::text, ',') FROM $tab t WHERE t.h = qs.q), "
		  . "(SELECT string_agg(id || ':' || d, ',') FROM (SELECT id, t.h <~> qs.q AS d FROM $tab t "
		  . "  ORDER BY t.h <~> qs.q LIMIT qs.k) s) FROM qs ORDER BY qid", 'index outputs') // 'error';
	$out .= run_sql($node, "$mode_sql{bitmap} SELECT qid, "
		  . "(SELECT string_agg(id::text, ',' ORDER BY id) FROM $tab t WHERE t.h <@ hamming_ball(qs.q, qs.r + 3)) "
		  . "FROM qs ORDER BY qid", 'bitmap outputs') // 'error';
	return $out;
}

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->append_conf('postgresql.conf', qq{
jit = off
autovacuum = off
log_min_messages = warning
});
$primary->start;
my $backup_name = 'my_backup';
$primary->backup($backup_name);
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, $backup_name, has_streaming => 1);
$standby->append_conf('postgresql.conf', qq{
hot_standby_feedback = on
wal_receiver_status_interval = 1s
});
$standby->start;

$primary->safe_psql('postgres', $setup_sql);
$primary->safe_psql('postgres', 'CREATE EXTENSION pg_freespacemap');
$primary->safe_psql('postgres', q{
CREATE TABLE t (id bigint NOT NULL, h phash);
INSERT INTO t SELECT g, row_code(g) FROM generate_series(1, 5000) g;
CREATE INDEX t_h ON t USING mih (h) WITH (pending_list_limit = 64);
});

my $round = 0;
sub check_round
{
	my ($what) = @_;
	$round++;
	my $label = "round $round ($what)";
	$primary->wait_for_catchup($standby, 'replay', $primary->lsn('insert'));
	my $state = index_state($primary, 't_h');
	note("$label: layout version " . ($state->{layout} // '?') . ", $state->{nsegments} segments, "
		  . "$state->{pages} pages, "
		  . (run_sql($primary, "$mode_sql{seq} SELECT count(*) FROM t", "$label: count") // '?') . ' rows');

	my $pages_primary = page_digests($primary, 't_h');
	my $pages_standby = page_digests($standby, 't_h');
	my @p = split /\n/, $pages_primary;
	my @s = split /\n/, $pages_standby;
	my @differ = grep { ($p[$_] // 'missing') ne ($s[$_] // 'missing') } 0 .. ($#p > $#s ? $#p : $#s);
	is(scalar(@differ), 0, "$label: the " . scalar(@p) . " index pages are the same on the standby")
	  or diag('differing blocks: ' . join(' ', map { (split /:/, ($p[$_] // $s[$_]))[0] } @differ[0 .. ($#differ > 20 ? 20 : $#differ)]));

	is(index_outputs($standby, 't'), index_outputs($primary, 't'),
		"$label: index searches give the same output on the standby and the primary");
	compare_scans($standby, 't', 't_h', "$label, standby");
	check_all_rows($standby, 't', 't_h', "$label, standby");
	# the primary too, in the first and the last rounds
	compare_scans($primary, 't', 't_h', "$label, primary") if $round == 1 || $what =~ /paused/;
}

# 1. inserts: the pending list is flushed (every 4096 entries) and merged
$primary->safe_psql('postgres',
	join('', map { "INSERT INTO t SELECT g, row_code(g) FROM generate_series("
		  . (100_000 + $_ * 1000) . ', ' . (100_999 + $_ * 1000) . ") g;\n" } 0 .. 19));
check_round('inserts');

# 2. deletes and VACUUM: dead entries marked, segments merged
$primary->safe_psql('postgres', 'DELETE FROM t WHERE id % 4 = 1');
$primary->safe_psql('postgres', 'VACUUM t');
check_round('deletes, VACUUM');

# 3. updates (new codes for old rows) and inserts, some rolled back
$primary->safe_psql('postgres', q{
UPDATE t SET h = row_code(id + 333333) WHERE id % 5 = 2;
BEGIN;
INSERT INTO t SELECT g, row_code(g) FROM generate_series(200000, 205999) g;
ROLLBACK;
INSERT INTO t SELECT g, row_code(g) FROM generate_series(210000, 215999) g;
});
check_round('updates, rolled-back and committed inserts');

# 4. VACUUM recycles the pages earlier merges dropped, and flushes and
# merges after it reuse them.  Pages are recycled once no snapshot from
# before they were dropped remains, which needs a transaction id assigned
# after the drop: txid_current() takes one.
foreach (1 .. 2)
{
	$primary->safe_psql('postgres', 'SELECT txid_current()');
	$primary->safe_psql('postgres', 'VACUUM t');
}
my $free_pages = "SELECT count(*) FROM pg_freespace('t_h') WHERE avail > 0";
my $free_before = $primary->safe_psql('postgres', $free_pages);
cmp_ok($free_before, '>', 0, 'VACUUM handed the pages of dropped segments to the free space map');
$primary->safe_psql('postgres',
	join('', map { "INSERT INTO t SELECT g, row_code(g) FROM generate_series("
		  . (300_000 + $_ * 1000) . ', ' . (300_999 + $_ * 1000) . ") g;\n" } 0 .. 11));
note("free pages in the index's free space map: $free_before after VACUUM, "
	  . $primary->safe_psql('postgres', $free_pages) . ' after the inserts');
check_round('VACUUM, inserts into recycled pages');

# 5. NULL codes: rows set to NULL and back, some deleted, VACUUM
$primary->safe_psql('postgres', q{
UPDATE t SET h = NULL WHERE id % 11 = 3;
UPDATE t SET h = row_code(id + 1) WHERE id % 22 = 3;
DELETE FROM t WHERE id % 13 = 4;
});
$primary->safe_psql('postgres', 'VACUUM t');
$primary->safe_psql('postgres',
	"INSERT INTO t SELECT g, row_code(g) FROM generate_series(400000, 404999) g");
check_round('NULL codes, deletes, VACUUM');

# 6. a larger pending list, flushed by VACUUM alone
$primary->safe_psql('postgres', q{
ALTER INDEX t_h SET (pending_list_limit = 4096);
INSERT INTO t SELECT g, row_code(g) FROM generate_series(500000, 519999) g;
DELETE FROM t WHERE id BETWEEN 500000 AND 519999 AND id % 3 = 0;
});
check_round('long pending list');
$primary->safe_psql('postgres', 'VACUUM t');
check_round('VACUUM of the long pending list');

# 7. REINDEX: the build writes the whole index anew
$primary->safe_psql('postgres', q{
ALTER INDEX t_h SET (pending_list_limit = 64);
REINDEX INDEX t_h;
INSERT INTO t SELECT g, row_code(g) FROM generate_series(600000, 609999) g;
});
check_round('REINDEX, inserts');

# 8. A long scan on the standby, paused in the middle while the primary
# flushes, merges, deletes, VACUUMs and recycles pages: with
# hot_standby_feedback the primary keeps the pages the scan may still read,
# and the scan returns exactly the rows of its snapshot.  The scan pauses at
# its 10th row until the test creates a file in the standby's data folder.
$primary->safe_psql('postgres', q{
CREATE FUNCTION scan_row_number(pause_at bigint, flag text) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	n bigint := coalesce(nullif(current_setting('mih.n', true), ''), '0')::bigint + 1;
	t0 timestamptz := clock_timestamp();
BEGIN
	PERFORM set_config('mih.n', n::text, false);
	IF n = pause_at THEN
		WHILE (pg_stat_file(flag, true)).size IS NULL LOOP
			IF clock_timestamp() > t0 + interval '180 s' THEN
				RAISE EXCEPTION 'no % after 180 s', flag;
			END IF;
			PERFORM pg_sleep(0.01);
		END LOOP;
	END IF;
	RETURN n;
END $$;
});
$primary->wait_for_catchup($standby, 'replay', $primary->lsn('insert'));
my $q = "'5a5a00ff00ff1234'::phash";
my $truth = $standby->safe_psql('postgres', "$mode_sql{seq} SELECT count(*) || ':' || "
	  . "md5(string_agg(id || ':' || coalesce(d::text, 'null'), ',' ORDER BY d, id)) || ':0' "
	  . "FROM (SELECT id, h <~> $q AS d FROM t) s");
my $paused_sql = "SELECT count(*) || ':' || "
  . "md5(string_agg(id || ':' || coalesce(d::text, 'null'), ',' ORDER BY d, id)) || ':' || "
  . "count(*) FILTER (WHERE d < prev OR (prev IS NULL AND d IS NOT NULL AND n > 1)) "
  . "FROM (SELECT id, d, n, lag(d) OVER (ORDER BY n) AS prev "
  . "      FROM (SELECT id, d, scan_row_number(10, 'mih_go') AS n "
  . "            FROM (SELECT id, h <~> $q AS d FROM t ORDER BY h <~> $q) o) o2) o3";
like($standby->safe_psql('postgres', "$mode_sql{index} EXPLAIN (COSTS OFF) $paused_sql"),
	qr/Index Scan using t_h on t\s*\n\s*Order By:/, 'the paused standby scan is an ordered index scan');
my ($paused_out, $paused_err) = ('', '');
my $paused = IPC::Run::start(
	[ 'psql', '-XAtq', '-d', $standby->connstr('postgres'), '-c',
	  "$mode_sql{index} SET mih.n = 0; $paused_sql" ],
	'>', \$paused_out, '2>', \$paused_err);
# wait until the scan pauses, and until the primary knows its xmin
$standby->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE query LIKE '%scan_row_number(10%' "
	  . "AND wait_event = 'PgSleep'")
  or die 'the standby scan did not pause';
# (it sleeps in short steps, so it may be between two of them now)
my $scan_xmin = $standby->safe_psql('postgres',
	"SELECT backend_xmin FROM pg_stat_activity WHERE query LIKE '%scan_row_number(10%' "
	  . "AND backend_xmin IS NOT NULL AND pid <> pg_backend_pid()");
die 'no xmin for the paused standby scan' if $scan_xmin eq '';
$primary->poll_query_until('postgres',
	"SELECT backend_xmin IS NOT NULL AND backend_xmin::text::bigint <= $scan_xmin "
	  . "FROM pg_stat_replication")
  or die 'the primary did not get the standby xmin';
my $layout_before = index_state($primary, 't_h');
foreach my $i (0 .. 2)
{
	$primary->safe_psql('postgres',
		join('', map { "INSERT INTO t SELECT g, row_code(g) FROM generate_series("
			  . (700_000 + $i * 10_000 + $_ * 1000) . ', ' . (700_999 + $i * 10_000 + $_ * 1000)
			  . ") g;\n" } 0 .. 9)
		  . "DELETE FROM t WHERE id % 17 = $i;\nSELECT txid_current();\n");
	$primary->safe_psql('postgres', 'VACUUM t');
}
my $layout_after = index_state($primary, 't_h');
note('during the paused scan: layout version ' . ($layout_before->{layout} // '?') . ' -> '
	  . ($layout_after->{layout} // '?') . ", $layout_after->{pages} pages");
$primary->wait_for_catchup($standby, 'replay', $primary->lsn('insert'));
append_to_file($standby->data_dir . '/mih_go', 'go');
$paused->finish;
chomp($paused_out);
is($paused_err, '', 'the paused standby scan finished without error');
is($paused_out, $truth, 'the paused standby scan returned exactly the rows of its snapshot, in order');
check_round('after the paused standby scan');

$standby->stop;
$primary->stop;
check_log($primary, 'primary');
check_log($standby, 'standby');
done_testing();
