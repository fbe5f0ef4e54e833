# Crash safety and replication of the caption index.
#  1. A primary with a streaming standby.  A table with a caption index
#     (a small pending list, so that it is often written as a segment)
#     goes through inserts (entries of several pages), deletes, VACUUM
#     (flush, dead marks, pages freed and reused by later flushes) and
#     REINDEX.  After each round, once the standby has replayed
#     everything: every page of the index is byte for byte the same on
#     both, and on the standby the index gives for every query exactly the
#     rows of caption_matches evaluated on every row.
#  2. Counts (the count scan, which trusts the visibility map) agree with
#     sequential counts in the same snapshot while another session
#     deletes, inserts and VACUUMs.
#  3. The primary is killed with SIGKILL (the postmaster and every server
#     process at once) while two clients insert rows into the pending list.
#     After recovery every row whose COMMIT was acknowledged is found by
#     the index, rolled-back rows are not, and the index agrees with the
#     sequential scan on every query; the same after more inserts and a
#     VACUUM.
use strict;
use warnings;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep time);
# crash and page_digests: test/perl/NodeTest.pm
use FindBin;
use lib "$FindBin::RealBin/../perl";
use NodeTest;

my $setup_sql = q{
CREATE EXTENSION imgsearch;
CREATE EXTENSION pageinspect;
-- a caption for each id: names with accents, camelCase, CJK, common and rare words
CREATE FUNCTION cap_text(i bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT concat_ws(' ',
    (ARRAY['Greg Rutkowski','GregRutkowski','Björk Guðmundsdóttir','Antonín Dvořák','Hokusai 葛飾北斎','Alfons Mucha''s','McDonald farm'])[1 + (i * 7) % 7],
    (ARRAY['painting','portrait','of','the','dragon','castle','art','by'])[1 + (i * 13) % 8],
    (ARRAY['painting','portrait','of','the','dragon','castle','art','by'])[1 + (i * 5 + 3) % 8],
    'w' || ((i * 7919) % 2999),
    CASE WHEN i % 500 = 0 THEN repeat('dragon castle greg ', 1500) END)
$$;
CREATE TABLE queries (qid serial, query text);
INSERT INTO queries (query) VALUES
 ('greg rutkowski'), ('"greg rutkowski"'), ('gregrutkowski'), ('bjork'), ('dvorak'), ('北斎'), ('北'),
 ('mucha'), ('"alfons mucha"'), ('dragon'), ('"dragon castle"'), ('"castle dragon"'), ('dragon -castle'),
 ('-dragon'), ('dragon or castle'), ('"of the"'), ('mcdonald farm'), ('w17'), ('w17 or w2998'), ('nothing');
INSERT INTO queries (query) SELECT 'w' || (i * 37 % 2999) || ' painting' FROM generate_series(1, 20) i;
};

# Rows of every query through the index, and by caption_matches row by row
# (caption_tsvector(c) @@ caption_tsquery(q), its definition), as text
sub compare_scans
{
	my ($node, $label) = @_;
	my $via_index = $node->safe_psql('postgres', q{
SET enable_seqscan = off; SET enable_indexscan = off;
SELECT q.qid || ':' || c.id FROM queries q, LATERAL (SELECT id FROM t WHERE caption @@@ q.query) c ORDER BY 1;
});
	my $via_seq = $node->safe_psql('postgres', q{
SET enable_bitmapscan = off; SET enable_indexscan = off;
WITH v AS MATERIALIZED (SELECT id, caption_tsvector(caption) AS v FROM t),
     s AS MATERIALIZED (SELECT qid, caption_tsquery(query) AS s FROM queries)
SELECT s.qid || ':' || v.id FROM s JOIN v ON v.v @@ s.s ORDER BY 1;
});
	my $n = () = $via_seq =~ /\n/g;
	ok($n > 1000, "$label: the queries match rows ($n)");
	is($via_index, $via_seq, "$label: the index gives the rows of caption_matches for every query");
}

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->append_conf('postgresql.conf', qq{
jit = off
autovacuum = off
log_min_messages = warning
});
$primary->start;
$primary->backup('b');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'b', has_streaming => 1);
$standby->start;

$primary->safe_psql('postgres', $setup_sql);
$primary->safe_psql('postgres', q{
CREATE TABLE t (id bigint PRIMARY KEY, caption text);
INSERT INTO t SELECT g, cap_text(g) FROM generate_series(1, 5000) g;
CREATE INDEX t_caption ON t USING caption (caption) WITH (pending_list_limit = 64);
});

my $round = 0;
sub check_round
{
	my ($what) = @_;
	my $label = 'round ' . ++$round . " ($what)";
	$primary->wait_for_catchup($standby, 'replay', $primary->lsn('insert'));
	my $p = page_digests($primary, 't_caption');
	my $s = page_digests($standby, 't_caption');
	my $npages = () = $p =~ /:/g;
	is($s, $p, "$label: the $npages index pages are the same on the standby");
	compare_scans($standby, "$label, standby");
}

check_round('build');

$primary->safe_psql('postgres', join('',
	map { "INSERT INTO t SELECT g, cap_text(g) FROM generate_series(" . (10_000 + $_ * 500)
		  . ', ' . (10_499 + $_ * 500) . ") g;\n" } 0 .. 5));
check_round('inserts into the pending list');

$primary->safe_psql('postgres', 'DELETE FROM t WHERE id % 4 = 1');
$primary->safe_psql('postgres', 'SELECT txid_current()');
$primary->safe_psql('postgres', 'VACUUM t');
check_round('deletes, VACUUM');

$primary->safe_psql('postgres', q{
BEGIN;
INSERT INTO t SELECT g, cap_text(g) FROM generate_series(20000, 20999) g;
ROLLBACK;
UPDATE t SET caption = cap_text(id + 1) WHERE id % 5 = 2;
});
$primary->safe_psql('postgres', 'VACUUM t');
check_round('rolled-back inserts, updates (flushes into pages VACUUM freed), VACUUM');

$primary->safe_psql('postgres', 'REINDEX INDEX t_caption');
check_round('REINDEX');
compare_scans($primary, 'primary after REINDEX');

# ---- 2. counts while other sessions delete, insert and VACUUM ----
# The count scan trusts the visibility map for matches on all-visible
# pages; VACUUM sets those bits and removes the rows deletes left, while
# the counts run.  Each count is compared with a sequential count in the
# same REPEATABLE READ snapshot.
$standby->stop;
$primary->safe_psql('postgres', 'VACUUM t');
my $churn = '';
foreach my $i (1 .. 150)
{
	my $lo = 40_000 + $i * 200;
	$churn .= "DELETE FROM t WHERE id % 151 = $i;\n"
	  . "INSERT INTO t SELECT g, cap_text(g) FROM generate_series($lo, $lo + 199) g;\n"
	  . "VACUUM t;\n\\echo step\n";
}
my $dir = $primary->basedir;
open(my $cfh, '>', "$dir/churn.sql") or die;
print $cfh $churn;
close($cfh);
my $churner = IPC::Run::start(
	[ 'psql', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', $primary->connstr('postgres'), '-f', "$dir/churn.sql" ],
	'<', \undef, '>', "$dir/churn.out", '2>', "$dir/churn.err");
my ($rounds, $wrong) = (0, 0);
my $steps = sub { -e "$dir/churn.out" ? () = slurp_file("$dir/churn.out") =~ /^step$/mg : 0 };
while ($steps->() < 150 && $rounds < 1000)
{
	$rounds++;
	my $out = $primary->safe_psql('postgres', q{
BEGIN ISOLATION LEVEL REPEATABLE READ;
SET LOCAL enable_bitmapscan = off; SET LOCAL enable_seqscan = off;
CREATE TEMP TABLE c1 ON COMMIT DROP AS
  SELECT qid, (SELECT count(*) FROM t WHERE caption @@@ q.query) AS n FROM queries q WHERE qid % 4 = 0;
SET LOCAL enable_seqscan = on;
WITH v AS MATERIALIZED (SELECT id, caption_tsvector(caption) AS v FROM t),
     s AS (SELECT q.qid, count(v.id) AS n FROM queries q LEFT JOIN v ON v.v @@ caption_tsquery(q.query)
           WHERE q.qid % 4 = 0 GROUP BY q.qid)
SELECT count(*) FROM c1 JOIN s USING (qid) WHERE c1.n <> s.n;
COMMIT;
});
	$wrong++ if $out ne '0';
}
$churner->finish;
is(slurp_file("$dir/churn.err"), '', 'the deletes, inserts and VACUUMs ran');
cmp_ok($rounds, '>=', 3, "rounds of counts ran while they did ($rounds)");
is($wrong, 0, 'every count scan agreed with a sequential count in the same snapshot');
like($primary->safe_psql('postgres', q{
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM t WHERE caption @@@ 'dragon'}), qr/CaptionCount/,
	'the counts were count scans');

# ---- 3. kill -9 during concurrent inserts ----

# A client's script: single-row, multi-row and multi-statement inserts,
# each acknowledged after its COMMIT, and rolled-back ones (ids from
# 5,000,000 above the client's base)
my @clients;
foreach my $client (1 .. 2)
{
	my $next = $client * 10_000_000;
	my $aborted = $next + 5_000_000;
	my $sql = '';
	foreach my $g (0 .. 3999)
	{
		if ($g % 4 == 0)
		{
			$sql .= "INSERT INTO t VALUES ($next, cap_text($next));\n\\echo ack $next $next\n";
			$next++;
		}
		elsif ($g % 4 == 1)
		{
			my $last = $next + 5 + $g % 20;
			$sql .= "INSERT INTO t SELECT g, cap_text(g) FROM generate_series($next, $last) g;\n"
			  . "\\echo ack $next $last\n";
			$next = $last + 1;
		}
		elsif ($g % 4 == 2)
		{
			my $last = $next + 9;
			$sql .= "BEGIN;\nINSERT INTO t SELECT g, cap_text(g) FROM generate_series($next, $last) g;\n"
			  . "COMMIT;\n\\echo ack $next $last\n";
			$next = $last + 1;
		}
		else
		{
			my $last = $aborted + 9;
			$sql .= "BEGIN;\nINSERT INTO t SELECT g, cap_text(g) FROM generate_series($aborted, $last) g;\n"
			  . "ROLLBACK;\n";
			$aborted = $last + 1;
		}
	}
	open(my $fh, '>', "$dir/client$client.sql") or die;
	print $fh $sql;
	close($fh);
	push @clients, IPC::Run::start(
		[ 'psql', '-XAtq', '-d', $primary->connstr('postgres'), '-f', "$dir/client$client.sql" ],
		'<', \undef, '>', "$dir/client$client.out", '2>', "$dir/client$client.err");
}

# let them run until a good number of rows is acknowledged, then crash
my $deadline = time() + 120;
sub acked_lines
{
	my $n = 0;
	foreach my $c (1 .. 2)
	{
		my $f = $primary->basedir . "/client$c.out";
		next unless -e $f;
		$n += () = slurp_file($f) =~ /^ack /mg;
	}
	return $n;
}
usleep(100_000) while acked_lines() < 400 && time() < $deadline;
crash($primary);
$_->finish foreach @clients;
my @acked;
foreach my $c (1 .. 2)
{
	foreach my $line (split /\n/, slurp_file($primary->basedir . "/client$c.out"))
	{
		push @acked, [ $1, $2 ] if $line =~ /^ack (\d+) (\d+)$/;
	}
}
cmp_ok(scalar(@acked), '>=', 400, 'the clients had acknowledged commits when the server was killed');

$primary->start;
my $acked_values = join(',', map { "($_->[0], $_->[1])" } @acked);
my $missing = $primary->safe_psql('postgres', qq{
SET enable_seqscan = off; SET enable_indexscan = off;
WITH acked (lo, hi) AS (VALUES $acked_values),
     ids AS (SELECT generate_series(lo, hi) AS id FROM acked)
SELECT count(*) FROM ids
WHERE NOT EXISTS (SELECT 1 FROM t WHERE t.caption @@@ ('w' || ((ids.id::bigint * 7919) % 2999)) AND t.id = ids.id);
});
is($missing, '0', 'after the crash every acknowledged row is found by the index');
is($primary->safe_psql('postgres', 'SELECT count(*) FROM t WHERE id % 10000000 >= 5000000'), '0',
	'no rolled-back row is visible');
compare_scans($primary, 'after the crash');

$primary->safe_psql('postgres', 'INSERT INTO t SELECT g, cap_text(g) FROM generate_series(30000, 31999) g');
$primary->safe_psql('postgres', 'DELETE FROM t WHERE id % 3 = 0');
$primary->safe_psql('postgres', 'VACUUM t');
compare_scans($primary, 'after the crash, inserts, deletes and VACUUM');

my $log = slurp_file($primary->logfile);
unlike($log, qr/PANIC|TRAP:|corrupted/, 'the server log shows no PANIC, assertion failure or corruption');

done_testing();
