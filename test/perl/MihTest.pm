# MihTest: helpers shared by the TAP tests of the mih index (test/t/004 to
# 006: crash recovery, streaming standby, concurrency).  It provides
#
#   $setup_sql       SQL that creates the extensions, the functions giving
#                    every row id a deterministic code (rnd64, code_of,
#                    row_code) and the table qs of query points
#   %mode_sql        SET commands forcing index, bitmap or sequential scans
#   run_sql          run SQL on a node; a failure is a test failure
#   by_qid           "qid|a|b..." query output as { qid => [a, b, ...] }
#   knn_errors       the errors of one k-nearest result against the truth
#   compare_scans    index scans against sequential scans for every qs query
#   check_all_rows   every row of a table reachable through its mih index
#   check_log        no crash, corruption or scan error in a server log
#   index_state      layout version, segment and page counts of a mih index
#   flushed_since    whether n flushes or merges happened between two states
#
# all exported by default.  The test files find this module relative to
# themselves:
#
#   use FindBin;
#   use lib "$FindBin::RealBin/../perl";
#   use MihTest;
package MihTest;

use strict;
use warnings;
use Exporter 'import';
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

our @EXPORT = qw(
  $setup_sql
  start_test_node
  %mode_sql
  run_sql
  by_qid
  knn_errors
  compare_scans
  check_all_rows
  check_log
  index_state
  flushed_since
);

# SQL that sets up a test database: extensions, code functions, table qs.
# Extensions imgsearch and pageinspect; functions giving every row id a
# deterministic code (row_code, from code_of and rnd64): one id in four gets a
# uniformly random code, the others a code a few bits (about 2, 4 or 8)
# away from one of 211 centres, so that radius queries return rows; one id
# in 53 gets NULL.  And qs, the query points: near-duplicates of row codes,
# points near the centres, random points, with radii 0 to 18 and k from 1
# to 40 for the k-nearest queries.
our $setup_sql = <<'EOSQL';
CREATE EXTENSION imgsearch;
CREATE EXTENSION pageinspect;
CREATE FUNCTION rnd64(t text) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE
	AS $$ SELECT ('x' || substr(md5(t), 1, 16))::bit(64)::bigint $$;
CREATE FUNCTION code_of(i bigint) RETURNS phash LANGUAGE sql IMMUTABLE PARALLEL SAFE
	AS $$ SELECT (CASE WHEN i % 4 = 0 THEN rnd64('r' || i)
		ELSE rnd64('c' || i % 211) # (rnd64('a' || i) & rnd64('b' || i) & rnd64('d' || i)
			& CASE WHEN i % 4 >= 2 THEN rnd64('e' || i) ELSE -1 END
			& CASE WHEN i % 4 = 3 THEN rnd64('f' || i) ELSE -1 END) END)::phash $$;
CREATE FUNCTION row_code(i bigint) RETURNS phash LANGUAGE sql IMMUTABLE PARALLEL SAFE
	AS $$ SELECT CASE WHEN i % 53 = 0 THEN NULL ELSE code_of(i) END $$;
CREATE TABLE qs (qid int PRIMARY KEY, q phash NOT NULL, r int NOT NULL, k int NOT NULL);
INSERT INTO qs SELECT g, code_of(g * 7919 + 13), g % 13, (ARRAY[1, 10, 40])[g % 3 + 1]
	FROM generate_series(1, 40) g;
INSERT INTO qs SELECT g, (rnd64('c' || g % 211) # (rnd64('m' || g) & rnd64('n' || g) & rnd64('o' || g)))::phash,
	3 + g % 10, 25 FROM generate_series(41, 56) g;
INSERT INTO qs SELECT g, rnd64('q' || g)::phash, (ARRAY[0, 6, 12, 18])[g % 4 + 1], (ARRAY[3, 30])[g % 2 + 1]
	FROM generate_series(57, 72) g;
INSERT INTO qs SELECT g, code_of(g * 97), 0, 5 FROM generate_series(73, 80) g;
ALTER TABLE qs ADD COLUMN b hamming_ball, ADD COLUMN b6 hamming_ball;
UPDATE qs SET b = hamming_ball(q, r), b6 = hamming_ball(q, r + 6);
EOSQL

# SET commands forcing index scans, bitmap scans or sequential scans
our %mode_sql = (
	index => 'SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_indexscan = on;',
	bitmap => 'SET enable_seqscan = off; SET enable_indexscan = off; SET enable_bitmapscan = on;',
	seq => 'SET enable_seqscan = on; SET enable_indexscan = off; SET enable_bitmapscan = off; '
	  . 'SET enable_indexonlyscan = off;');

# Run SQL on a node; a failure is a test failure showing the error
# A started cluster named $name for the single-node tests, with the settings
# they share (no JIT, no autovacuum, quiet logs) and max_connections, plus
# any further postgresql.conf lines, its database set up by $setup_sql
sub start_test_node
{
	my ($name, $max_connections, $extra_conf) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);

	$node->init;
	$node->append_conf('postgresql.conf', qq{
log_statement = none
log_min_messages = warning
jit = off
autovacuum = off
max_connections = $max_connections
} . ($extra_conf // ''));
	$node->start;
	$node->safe_psql('postgres', $setup_sql);
	return $node;
}

sub run_sql
{
	my ($node, $sql, $what) = @_;
	my ($ret, $stdout, $stderr) = $node->psql('postgres', $sql);
	if ($ret != 0)
	{
		fail("$what: query failed");
		diag("$what: $stderr");
		return undef;
	}
	return $stdout;
}

# "qid|a|b..." lines into { qid => [a, b, ...] }
sub by_qid
{
	my ($out) = @_;
	my %res;
	foreach my $line (split /\n/, $out // '')
	{
		my @f = split /\|/, $line, -1;
		my $qid = shift @f;
		$res{$qid} = \@f;
	}
	return \%res;
}

# Errors of one k-nearest result against the truth (empty list when right).
# The result $got is "id:dist,..." in the order returned; the truth the rows
# within distance $dk (the k-th smallest distance) as { id => dist }, or all
# qualifying rows when $dk is undef (fewer than k).  Ties at distance $dk may
# be broken either way.
sub knn_errors
{
	my ($got, $k, $truth, $dk) = @_;
	my @rows = map { [ split /:/ ] } grep { $_ ne '' } split /,/, $got;
	my @err;
	my $want_n = defined $dk ? $k : scalar(keys %$truth);
	push @err, sprintf('%d rows instead of %d', scalar(@rows), $want_n)
	  if @rows != $want_n;
	my (%seen, $prev);
	foreach my $r (@rows)
	{
		my ($id, $d) = @$r;
		push @err, "row $id twice" if $seen{$id}++;
		push @err, "row $id at distance $d out of order after $prev"
		  if defined $prev && $d < $prev;
		$prev = $d;
		if (!exists $truth->{$id})
		{
			push @err, "row $id (distance $d) is not among the nearest";
		}
		elsif ($truth->{$id} != $d)
		{
			push @err, "row $id: distance $d, sequential scan says $truth->{$id}";
		}
	}
	foreach my $id (keys %$truth)
	{
		next if defined $dk && $truth->{$id} >= $dk;
		push @err, "row $id (distance $truth->{$id}) missing" unless $seen{$id};
	}
	push @err, "last distance $prev instead of $dk"
	  if defined $dk && defined $prev && $prev != $dk;
	return @err;
}

# Test that index scans agree with sequential scans on every query in qs.
# Compares index scans (plain and bitmap radius scans, = scans, k-nearest
# scans with and without a WHERE ball, with the default and a tiny
# work_mem) with sequential scans for every query point in qs, on table
# $tab (column id, code h) with mih index $idx.  Returns the number of
# queries compared.
sub compare_scans
{
	my ($node, $tab, $idx, $label) = @_;
	my $radius = "SELECT qid,
		coalesce((SELECT string_agg(id::text, ',' ORDER BY id) FROM $tab t
			WHERE t.h <@ hamming_ball(qs.q, qs.r)), ''),
		coalesce((SELECT string_agg(id::text, ',' ORDER BY id) FROM $tab t
			WHERE t.h = qs.q), '')
		FROM qs ORDER BY qid";
	my $knn = "SELECT qid,
		coalesce((SELECT string_agg(id || ':' || d, ',') FROM
			(SELECT id, t.h <~> qs.q AS d FROM $tab t
			 ORDER BY t.h <~> qs.q LIMIT qs.k) s), ''),
		coalesce((SELECT string_agg(id || ':' || d, ',') FROM
			(SELECT id, t.h <~> qs.q AS d FROM $tab t
			 WHERE t.h <@ hamming_ball(qs.q, qs.r + 6)
			 ORDER BY t.h <~> qs.q LIMIT qs.k) s), '')
		FROM qs ORDER BY qid";

	# the truth, by sequential scans: for each query the k-th smallest
	# distance dk, then every row within dk or r + 6 or in the ball, with
	# its distance and whether it is in the ball, in the ball of radius
	# r + 6, and equal to the query
	my $truth_sql = "WITH z AS MATERIALIZED (SELECT qs.*, (SELECT t.h <~> qs.q FROM $tab t
			WHERE t.h IS NOT NULL ORDER BY 1 OFFSET qs.k - 1 LIMIT 1) AS dk FROM qs)
		SELECT z.qid, z.dk, coalesce(string_agg(t.id || ':' || (t.h <~> z.q)
			|| ':' || (CASE WHEN t.h <@ z.b THEN 1 ELSE 0 END)
			|| ':' || (CASE WHEN t.h <@ z.b6 THEN 1 ELSE 0 END)
			|| ':' || (CASE WHEN t.h = z.q THEN 1 ELSE 0 END), ','), '')
		FROM z LEFT JOIN $tab t ON (t.h <~> z.q) <= greatest(z.dk, z.r + 6) OR t.h <@ z.b
		GROUP BY z.qid, z.dk ORDER BY z.qid";

	# the plans: the index where wanted, and not in the sequential scans
	my $plan = run_sql($node, "$mode_sql{index} EXPLAIN (COSTS OFF) $radius", "$label: plan");
	like($plan, qr/Index Scan using $idx\b/, "$label: radius query plan uses the index");
	$plan = run_sql($node, "$mode_sql{index} EXPLAIN (COSTS OFF) $knn", "$label: plan");
	like($plan, qr/Index Scan using $idx on[^\n]*\n\s*Order By: \(h <~> qs\.q\)/,
		"$label: k-nearest plan is an ordered index scan");
	$plan = run_sql($node, "$mode_sql{bitmap} EXPLAIN (COSTS OFF) $radius", "$label: plan");
	like($plan, qr/Bitmap Index Scan on $idx\b/, "$label: bitmap plan uses the index");
	$plan = run_sql($node, "$mode_sql{seq} EXPLAIN (COSTS OFF) $truth_sql", "$label: plan");
	unlike($plan, qr/$idx/, "$label: the sequential scan plan does not use the index");

	my $out = run_sql($node, "$mode_sql{seq} $truth_sql", "$label: sequential scans");
	return 0 unless defined $out;
	my $truth = by_qid($out);
	my $qs = by_qid(run_sql($node, "SELECT qid, r, k FROM qs ORDER BY qid", "$label: qs"));
	my %got;
	$got{index} = by_qid(run_sql($node, "$mode_sql{index} $radius", "$label: index scans"));
	$got{bitmap} = by_qid(run_sql($node, "$mode_sql{bitmap} $radius", "$label: bitmap scans"));
	$got{knn} = by_qid(run_sql($node, "$mode_sql{index} $knn", "$label: k-nearest scans"));
	$got{knn_small} = by_qid(run_sql($node, "$mode_sql{index} SET work_mem = '64kB'; $knn",
		"$label: k-nearest scans, work_mem 64kB"));

	my @err;
	my $nonempty = 0;
	foreach my $qid (sort { $a <=> $b } keys %$qs)
	{
		my ($r, $k) = @{ $qs->{$qid} };
		my ($dk, $rows) = @{ $truth->{$qid} // [ '', '' ] };
		my (%dist, @inr, @eq, %inr6);
		foreach my $item (grep { $_ ne '' } split /,/, $rows)
		{
			my ($id, $d, $in, $in6, $e) = split /:/, $item;
			$dist{$id} = $d;
			push @inr, $id if $in;
			push @eq, $id if $e;
			$inr6{$id} = $d if $in6;
		}
		@inr = sort { $a <=> $b } @inr;
		@eq = sort { $a <=> $b } @eq;
		$nonempty++ if @inr;
		my $want_radius = join(',', @inr);
		my $want_eq = join(',', @eq);
		foreach my $m ('index', 'bitmap')
		{
			my ($g_radius, $g_eq) = @{ $got{$m}{$qid} // [ 'missing', 'missing' ] };
			push @err, "q$qid r=$r $m scan: got [$g_radius], seqscan [$want_radius]"
			  if $g_radius ne $want_radius;
			push @err, "q$qid = $m scan: got [$g_eq], seqscan [$want_eq]"
			  if $g_eq ne $want_eq;
		}
		if ($dk eq '')
		{
			push @err, "q$qid: fewer than $k rows with a code, test table too small";
			next;
		}
		my %near = map { $_ => $dist{$_} } grep { $dist{$_} <= $dk } keys %dist;
		# the k nearest within the ball of radius r + 6
		my @in6 = sort { $inr6{$a} <=> $inr6{$b} } keys %inr6;
		my $dk6 = @in6 >= $k ? $inr6{ $in6[ $k - 1 ] } : undef;
		my %near6 = map { $_ => $inr6{$_} } grep { !defined $dk6 || $inr6{$_} <= $dk6 } @in6;
		foreach my $m ('knn', 'knn_small')
		{
			my ($g_knn, $g_knn6) = @{ $got{$m}{$qid} // [ '', '' ] };
			push @err, map { "q$qid k=$k $m: $_" } knn_errors($g_knn, $k, \%near, $dk);
			push @err, map { "q$qid k=$k within r+6=" . ($r + 6) . " $m: $_" }
			  knn_errors($g_knn6, $k, \%near6, $dk6);
		}
	}
	is(scalar(@err), 0, "$label: index and sequential scans agree on "
		  . scalar(keys %$qs) . " queries ($nonempty radius queries with rows)")
	  or diag(join("\n", (@err > 30 ? @err[0 .. 29] : @err)));
	return scalar(keys %$qs);
}

# Test that every row of table $tab is reachable through mih index $idx.
# A radius-64 index scan must return every row with a code, and a full
# ordered index scan every row, NULL codes last, in distance order (with the
# default and with a tiny work_mem, which makes the scan take several
# passes).
sub check_all_rows
{
	my ($node, $tab, $idx, $label) = @_;
	my $all_coded = run_sql($node, "$mode_sql{seq} SELECT count(*) || ':' || "
		  . "coalesce(md5(string_agg(id::text, ',' ORDER BY id)), '') FROM $tab WHERE h IS NOT NULL",
		"$label: seqscan");
	my $all = run_sql($node, "$mode_sql{seq} SELECT count(*) || ':' || "
		  . "coalesce(md5(string_agg(id::text, ',' ORDER BY id)), '') FROM $tab", "$label: seqscan");
	foreach my $centre ('0000000000000000', 'c3a5f00d12345678')
	{
		my $ball = "SELECT count(*) || ':' || coalesce(md5(string_agg(id::text, ',' ORDER BY id)), '') "
		  . "FROM $tab WHERE h <@ hamming_ball('$centre', 64)";
		like(run_sql($node, "$mode_sql{index} EXPLAIN (COSTS OFF) $ball", "$label: plan"),
			qr/Index Scan using $idx\b/, "$label: the radius-64 scan uses the index");
		is(run_sql($node, "$mode_sql{index} $ball", "$label: radius 64"), $all_coded,
			"$label: radius-64 index scan around $centre finds every row with a code");
	}
	my $ordered = "SELECT count(*) || ':' || coalesce(md5(string_agg(id::text, ',' ORDER BY id)), '') "
	  . "|| ':' || count(*) FILTER (WHERE bad) FROM "
	  . "(SELECT id, coalesce(d < lag(d) OVER (ORDER BY n), false) "
	  . "  OR (d IS NOT NULL AND lag(d) OVER (ORDER BY n) IS NULL AND n > 1) AS bad "
	  . " FROM (SELECT id, d, row_number() OVER () AS n FROM "
	  . "  (SELECT id, h <~> '5a5a00ff00ff1234'::phash AS d FROM $tab "
	  . "   ORDER BY h <~> '5a5a00ff00ff1234'::phash) o) s) v";
	like(run_sql($node, "$mode_sql{index} EXPLAIN (COSTS OFF) $ordered", "$label: plan"),
		qr/Index Scan using $idx\b/, "$label: the ordered full scan uses the index");
	is(run_sql($node, "$mode_sql{index} $ordered", "$label: ordered scan"), "$all:0",
		"$label: a full ordered index scan returns every row once, in distance order");
	is(run_sql($node, "$mode_sql{index} SET work_mem = '64kB'; $ordered", "$label: ordered scan"),
		"$all:0", "$label: the same with work_mem 64kB (several passes)");
	# count(*) with sequential scans disabled: whatever the plan (an
	# index-only scan with no key would have to return every row, NULL
	# codes included), it must work and count every row
	my $count = "SELECT count(*) FROM $tab";
	my $plan = run_sql($node, "$mode_sql{index} EXPLAIN (COSTS OFF) $count", "$label: plan") // '';
	note("$label: count(*) plan: " . join(' / ', map { s/^\s+//r } split /\n/, $plan));
	is(run_sql($node, "$mode_sql{index} $count", "$label: count(*) with enable_seqscan off"),
		(split /:/, $all)[0], "$label: count(*) with sequential scans disabled counts every row");
}

# The server log must not show a crash, a corrupted page or a scan error
sub check_log
{
	my ($node, $label) = @_;
	my $log = slurp_file($node->logfile);
	my @bad = grep { /PANIC|TRAP:|was reorganised|terminated by signal|could not read block|invalid page|corrupt|unexpected zero page|not a mih index|ends early|cannot install segment/ }
	  split /\n/, $log;
	is(scalar(@bad), 0, "$label: no PANIC, assertion failure or index error in the server log")
	  or diag(join("\n", @bad[0 .. ($#bad > 20 ? 20 : $#bad)]));
}

# State of mih index $idx: { layout, nsegments, pages } from its metapage.
# layout_version (bumped by every flush and merge) and nsegments, read from
# the metapage's raw bytes: MihMetaPageData in src/mih/mih.h, x86-64 layout,
# after the 24-byte page header: magic at byte 0, version at 4,
# layout_version at 32, nsegments at 120.  If the magic or the version is
# not the one these offsets are for, layout and nsegments are undef.
sub index_state
{
	my ($node, $idx) = @_;
	my $u32 = sub { my $o = shift; join(' + ', map { "get_byte(p, " . ($o + $_) . ")::bigint * " . (256**$_) } 0 .. 3) };
	my $out = $node->safe_psql('postgres',
		"SELECT " . $u32->(24) . ", " . $u32->(28) . ", " . $u32->(56) . ", "
		  . "get_byte(p, 144) + 256 * get_byte(p, 145), pg_relation_size('$idx') / 8192 "
		  . "FROM get_raw_page('$idx', 0) p");
	my ($magic, $version, $layout, $nseg, $pages) = split /\|/, $out;
	if ($magic != 0x4D494831 || $version != 1)
	{
		note("metapage of $idx: magic $magic, version $version: layout unknown to this test");
		($layout, $nseg) = (undef, undef);
	}
	return { layout => $layout, nsegments => $nseg // '?', pages => $pages };
}

# Did $n flushes or merges happen between two index states (1 or 0)?
# Undef when the metapage layout is unknown.
sub flushed_since
{
	my ($before, $after, $n) = @_;
	return undef unless defined $before->{layout} && defined $after->{layout};
	return $after->{layout} - $before->{layout} >= $n ? 1 : 0;
}

1;
