# The img2pgsql loader, end to end: a webdataset shard (written here with
# Archive::Tar from the valid fixtures, plus broken samples) and a plain
# folder go into a table straight through libpq, as a psql script and as
# COPY text.  The rows, the failures named on stderr and the summary counts
# are compared with what was put in; the hashes, sizes and SHA-256 with what
# the extension's SQL functions compute on the same bytes; -j 1 with -j 2;
# a re-run must add nothing; --strict must stop at the first failure; and
# --fast must stay within a few bits of the exact phash.
#
# The loader is IMG2PGSQL if set, else tools/img2pgsql/img2pgsql of the
# source tree (make installcheck), else img2pgsql on PATH (make test puts
# PostgreSQL's bindir, where make install puts it, first on PATH).
use strict;
use warnings;
use Archive::Tar;
use Encode;
use File::Basename;
use File::Copy;
use File::Path qw(make_path);
use File::Spec;
use IPC::Run;
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $src_dir = $ENV{IMGSEARCH_SRC_DIR} // File::Spec->rel2abs(dirname(__FILE__) . '/../..');
my $valid = "$src_dir/test/fixtures/valid";
my $broken = "$src_dir/test/fixtures/broken";

# Find the loader
my $loader = $ENV{IMG2PGSQL} || undef;
if (!defined $loader && -x "$src_dir/tools/img2pgsql/img2pgsql")
{
	$loader = "$src_dir/tools/img2pgsql/img2pgsql";
}
if (!defined $loader)
{
	foreach my $dir (File::Spec->path())
	{
		if (-x "$dir/img2pgsql")
		{
			$loader = "$dir/img2pgsql";
			last;
		}
	}
}
BAIL_OUT('img2pgsql not found: build it (make) or install it (make install)')
  unless defined $loader && -x $loader;
note("loader: $loader");

my $ALL_COLUMNS = 'key,path,url,caption,width,height,format,phash,dhash,ahash,sha256,bytes';

# Run the loader with the given arguments: (exit status, stdout, stderr);
# a death by signal is reported as 128 + the signal number
sub run_loader
{
	my @args = @_;
	my ($stdout, $stderr) = ('', '');
	IPC::Run::run([ $loader, @args ], '<', \undef, '>', \$stdout, '2>', \$stderr,
		IPC::Run::timeout(180));
	my $status = ($? & 127) ? 128 + ($? & 127) : $? >> 8;
	return ($status, $stdout, $stderr);
}

sub slurp_bytes
{
	my ($path) = @_;
	open(my $fh, '<:raw', $path) or die "cannot read $path: $!";
	local $/;
	my $data = <$fh>;
	close($fh);
	return $data;
}

sub write_bytes
{
	my ($path, $data) = @_;
	make_path(dirname($path));
	open(my $fh, '>:raw', $path) or die "cannot write $path: $!";
	print $fh $data;
	close($fh);
}

# Number of differing bits between two hashes in hex
sub hamming
{
	my ($a, $b) = @_;
	return unpack('%32b*', pack('H16', $a) ^ pack('H16', $b));
}

# The "img2pgsql: N loaded, N skipped, N failed in ..." line, as [N, N, N]
sub summary_counts
{
	my ($stderr) = @_;
	return [ $1, $2, $3 ]
	  if $stderr =~ /^img2pgsql: (\d+) loaded, (\d+) skipped, (\d+) failed in [0-9.]+ s \([0-9.]+ items\/s, [0-9.]+ MB\/s\)$/m;
	return undef;
}

my $node = PostgreSQL::Test::Cluster->new('loader');
$node->init(extra => [ '--encoding=UTF8', '--locale=C' ]);
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION imgsearch');
my $connstr = $node->connstr('postgres');
my $base = $node->basedir;

# ------------------------------------------------------------------ inputs

# The shard's samples, in member order.  "key" is the member key; the image
# member KEY.ext comes from a valid fixture ("image"), another file
# ("image_path") or bytes made here ("image_bytes"), or is absent
# ("no_image"); "txt" is the .txt member; the .json member, img2dataset's,
# holds "row_key" (default "key"), "url" and "json_caption", unless
# "no_json" or "raw_json" (its bytes as is); "json_first" puts the .json
# before the image.  "fails" says what is wrong with a broken sample and
# "reason" what its error should mention.  The row expected of a good
# sample: key row_key, url (NULL without a .json), caption from the .txt,
# else from the JSON.
my $full_jpeg = slurp_bytes("$valid/jpeg_320x240_natural.jpg");
my $img2dataset_json = sub {
	my ($key, $url, $caption, %extra) = @_;
	return {
		key => $key, url => $url, caption => $caption, status => 'success',
		error_message => undef, width => 512, height => 512,
		original_width => 1024, original_height => 768,
		exif => '{"Image Orientation": "Horizontal (normal)"}', %extra
	};
};
my $unicode_caption = "Zdzis\x{142}aw Beksi\x{144}ski \x{2014} \x{201c}Untitled\x{201d} \x{1f3a8} \x{845b}\x{98fe}\x{5317}\x{658e}";
my @samples = (
	{ key => '00000', image => 'jpeg_1000x700_q80.jpg', ext => 'jpg',
	  txt => 'a dragon over the sea, by Greg Rutkowski',
	  url => 'https://example.com/art/dragon.jpg?size=large&v=2' },
	{ key => '00001', image => 'jpeg_320x240_natural.jpg', ext => 'jpeg',
	  txt => 'trending on artstation, 4k', url => 'http://example.org/p/1%20b.jpeg' },
	# caption from the JSON (non-ASCII written as \u escapes, with a surrogate pair)
	{ key => '00002', image => 'png_rgb8.png', ext => 'png', json_caption => $unicode_caption,
	  url => 'https://example.net/beksinski.png' },
	# the JSON key names the row, not the member name
	{ key => '00003', row_key => 'renamed-00003', image => 'jpeg_420.jpg', ext => 'jpg',
	  txt => 'renamed sample', url => 'https://example.com/3.jpg' },
	# no .json: url NULL, key from the member name
	{ key => '00004', image => 'png_pal8.png', ext => 'png', txt => 'palette picture', no_json => 1 },
	# no .txt and a null JSON caption: caption NULL; the .json comes before the image
	{ key => '00005', image => 'jpeg_gray.jpg', ext => 'jpg', json_first => 1,
	  url => 'https://example.com/5.jpg' },
	{ key => '00006', image_bytes => substr($full_jpeg, 0, int(length($full_jpeg) * 0.6)), ext => 'jpg',
	  txt => 'truncated jpeg', url => 'https://example.com/6.jpg',
	  fails => 'truncated JPEG', reason => qr/jpe?g|truncat|premature|corrupt|end of/i },
	# the .txt wins over the JSON caption; it holds a tab, a newline and backslashes
	{ key => '00007', image => 'jpeg_cmyk_adobe.jpg', ext => 'jpg',
	  txt => "tab\there, newline\nthere, C:\\art\\cmyk \\N not null",
	  json_caption => 'the JSON caption, not used', url => 'https://example.com/7.jpg' },
	{ key => '00008', image_path => "$broken/png_bad_deflate.png", ext => 'png',
	  txt => 'corrupt png', url => 'https://example.com/8.png',
	  fails => 'corrupt PNG', reason => qr/png|corrupt|deflate|data|inflate|zlib/i },
	{ key => '00009', image => 'png_gray16_over255.png', ext => 'png',
	  txt => 'sixteen-bit gray', url => 'https://example.com/9.png' },
	{ key => '00010', image => 'jpeg_restart_420.jpg', ext => 'jpg', txt => 'bad json',
	  raw_json => '{"key": "00010", "url": "https://example.com/10.jpg", "caption": "unterminated',
	  fails => 'malformed JSON', reason => qr/json/i },
	{ key => '00011', image => 'jpeg_37x23_420.jpg', ext => 'jpg',
	  txt => 'small, odd-sized', url => 'https://example.com/11.jpg' },
	{ key => '00012', no_image => 1, txt => 'a caption without an image', no_json => 1,
	  fails => 'no image', reason => qr/image|missing|no /i },
	{ key => '00013', image => 'png_rgba8.png', ext => 'png',
	  txt => 'alpha channel', url => 'https://example.com/13.png' },
	{ key => '00014', image => 'jpeg_33x17_progressive.jpg', ext => 'jpg',
	  txt => 'progressive', url => 'https://example.com/14.jpg' },
	{ key => '00015', image => 'png_gray1.png', ext => 'png',
	  txt => 'one-bit gray', url => 'https://example.com/15.png' },
);

# Write the shard (and the images again as plain files, for the server)
my $shard = "$base/shard-00000.tar";
my $shard_gz = "$base/shard-00000.tar.gz";
my $files = "$base/files";
my $json = JSON::PP->new->ascii->canonical;
my %expected;       # row key -> { path, url, caption, file }
my @failed;         # [ input, key, what, reason pattern ]
my @shard_order;    # row keys of the good samples, in order
my $tar = Archive::Tar->new;
foreach my $s (@samples)
{
	my $key = $s->{key};
	my $row_key = $s->{row_key} // $key;
	my $image = $s->{image_bytes};
	$image = slurp_bytes("$valid/$s->{image}") if defined $s->{image};
	$image = slurp_bytes($s->{image_path}) if defined $s->{image_path};
	my @members;
	push @members, [ "$key.$s->{ext}", $image ] unless $s->{no_image};
	push @members, [ "$key.txt", Encode::encode('UTF-8', $s->{txt}) ] if defined $s->{txt};
	if (defined $s->{raw_json})
	{
		push @members, [ "$key.json", $s->{raw_json} ];
	}
	elsif (!$s->{no_json})
	{
		push @members, [ "$key.json",
			$json->encode($img2dataset_json->($row_key, $s->{url}, $s->{json_caption})) ];
	}
	@members = reverse @members if $s->{json_first};
	$tar->add_data($_->[0], $_->[1], { mtime => 1700000000, mode => 0644 }) foreach @members;

	if ($s->{fails})
	{
		push @failed, [ $shard, $key, $s->{fails}, $s->{reason} ];
		write_bytes("$files/$key.$s->{ext}", $image) unless $s->{no_image};
		next;
	}
	write_bytes("$files/$row_key.$s->{ext}", $image);
	$expected{$row_key} = {
		path => "$shard:$key.$s->{ext}",
		url => $s->{no_json} ? undef : $s->{url},
		caption => $s->{txt} // $s->{json_caption},
		file => "$files/$row_key.$s->{ext}",
	};
	push @shard_order, $row_key;
}
$tar->write($shard) or die 'cannot write the shard: ' . $tar->error;
$tar->write($shard_gz, COMPRESS_GZIP) or die 'cannot write the gzipped shard: ' . $tar->error;

# A plain folder: walked recursively in name order, images recognised by
# content (f_jpeg_named.png is a JPEG), one broken file; keys keep the
# subfolder (b_sub/c_inner)
my $folder = "$base/plain";
my @folder_files = (
	[ 'a_first.png', "$valid/png_gray8.png" ],
	[ 'b_sub/c_inner.jpg', "$valid/jpeg_444.jpg" ],
	[ 'd_last.jpg', "$valid/jpeg_restart_gray.jpg" ],
	[ 'e_broken.png', "$broken/png_trunc_mid_idat.png" ],
	[ 'f_jpeg_named.png', "$valid/jpeg_handmade_422_odd.jpg" ],
);
my @folder_order;
foreach my $f (@folder_files)
{
	my ($name, $from) = @$f;
	write_bytes("$folder/$name", slurp_bytes($from));
	# the key: the path below the input folder, without the last extension
	(my $key = $name) =~ s/\.[^.\/]*$//;
	if ($name =~ /broken/)
	{
		push @failed, [ $folder, $key, 'truncated PNG in a folder', qr/png|truncat|corrupt|end of|data/i ];
		next;
	}
	$expected{$key} = { path => "$folder/$name", url => undef, caption => undef,
		file => "$folder/$name" };
	push @folder_order, $key;
}
my @good_order = (@shard_order, @folder_order);
my $n_good = scalar @good_order;
my $n_failed = scalar @failed;

# The broken images are broken for the extension too
foreach my $path ("$files/00006.jpg", "$files/00008.png", "$folder/e_broken.png")
{
	my ($ret, $out, $err) = $node->psql('postgres', "SELECT phash(pg_read_binary_file('$path'))");
	like($err, qr/ERROR:/, 'phash() in SQL refuses ' . basename($path) . ' with an error');
}

# ------------------------------------------------------------------ checks on a table

# The table's rows as { key => { column => value } } (NULL as undef)
sub table_rows
{
	my ($table, $columns) = @_;
	my $fields = join(', ', map { "'$_', $_" } split(/,/, $columns));
	my $out = $node->safe_psql('postgres',
		"SELECT coalesce(json_object_agg(key, json_build_object($fields)), '{}') FROM $table");
	return decode_json($out);
}

# Check the failure lines and the summary of one run
sub check_stderr
{
	my ($stderr, $name, $loaded, $skipped) = @_;
	foreach my $f (@failed)
	{
		my ($input, $key, $what, $reason) = @$f;
		# the input is the shard, or the folder (or the file in it)
		if ($stderr =~ /^img2pgsql: \Q$input\E(?:\/[^\n]*)?: \Q$key\E: ([^\n]+)$/m)
		{
			my $said = $1;
			like($said, $reason, "$name: $what ($key) is reported with its reason");
		}
		else
		{
			fail("$name: $what ($key) is reported as \"img2pgsql: $input: $key: <reason>\"");
		}
	}
	my @named = grep { $stderr =~ /: \Q$_\E: /m } @good_order;
	is_deeply(\@named, [], "$name: no good sample is reported as failed");
	is_deeply(summary_counts($stderr), [ $loaded, $skipped, $n_failed ],
		"$name: summary says $loaded loaded, $skipped skipped, $n_failed failed");
}

# ------------------------------------------------------------------ direct load

my ($status, $stdout, $stderr) = run_loader('-d', $connstr, '-t', 'images', '--create',
	'--columns', $ALL_COLUMNS, $shard, $folder);
note("first load, stderr:\n$stderr");
is($status, 1, 'direct load: exit status 1 (some items failed)');
is($stdout, '', 'direct load: nothing on stdout');
check_stderr($stderr, 'direct load', $n_good, 0);

is($node->safe_psql('postgres',
	"SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum) "
	  . "FROM pg_attribute WHERE attrelid = 'images'::regclass AND attnum > 0 AND NOT attisdropped"),
	'key text, path text, url text, caption text, width integer, height integer, format text, '
	  . 'phash phash, dhash phash, ahash phash, sha256 text, bytes bigint',
	'--create: the columns in --columns order, with their types');
is($node->safe_psql('postgres',
	"SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'images'::regclass AND contype = 'p'"),
	'PRIMARY KEY (key)', '--create: key is the primary key');

my $rows = table_rows('images', $ALL_COLUMNS);
is_deeply([ sort keys %$rows ], [ sort @good_order ], 'the table holds exactly the good samples, by key');
is_deeply({ map { $_ => { url => $rows->{$_}{url}, caption => $rows->{$_}{caption} } } keys %$rows },
	{ map { $_ => { url => $expected{$_}{url}, caption => $expected{$_}{caption} } } keys %expected },
	'url and caption as put in the shard (.txt over the JSON caption, NULL when absent)');
is_deeply({ map { $_ => $rows->{$_}{path} } keys %$rows },
	{ map { $_ => $expected{$_}{path} } keys %expected },
	'path: SHARD:MEMBER for shard members, the file path for plain files');

# Everything derived from the image, against the extension on the same bytes
my $values = join(",\n", map { "('$_', '$expected{$_}{file}')" } sort keys %expected);
my $from_sql = decode_json($node->safe_psql('postgres', <<"EOF"));
SELECT json_object_agg(f.key, json_build_object(
		'width', i.width, 'height', i.height, 'format', i.format,
		'phash', h.phash::text, 'dhash', h.dhash::text, 'ahash', h.ahash::text,
		'sha256', encode(sha256(b), 'hex'), 'bytes', length(b)::bigint))
FROM (VALUES $values) AS f(key, file),
	pg_read_binary_file(f.file) AS b,
	image_info(b) AS i,
	image_hashes(b) AS h
EOF
foreach my $column (qw(phash dhash ahash width height format sha256 bytes))
{
	is_deeply({ map { $_ => $rows->{$_}{$column} } keys %$rows },
		{ map { $_ => $from_sql->{$_}{$column} } keys %expected },
		"$column of every row equals the SQL functions' on the same bytes");
}

# ------------------------------------------------------------------ re-runs

($status, $stdout, $stderr) = run_loader('-d', $connstr, '-t', 'images', '--create',
	'--columns', $ALL_COLUMNS, $shard, $folder);
is($status, 1, 're-run: exit status 1 (the same items fail)');
check_stderr($stderr, 're-run', 0, $n_good);
is($node->safe_psql('postgres', 'SELECT count(*) FROM images'), $n_good, 're-run: no row added');

# Only the missing keys are loaded (and the batching does not matter)
$node->safe_psql('postgres', "DELETE FROM images WHERE key IN ('00001', 'renamed-00003', 'd_last')");
($status, $stdout, $stderr) = run_loader('-d', $connstr, '-t', 'images', '-b', '2',
	'--columns', $ALL_COLUMNS, $shard, $folder);
is($status, 1, 'partial re-run: exit status 1');
check_stderr($stderr, 'partial re-run', 3, $n_good - 3);
is_deeply(table_rows('images', $ALL_COLUMNS), $rows, 'partial re-run: the table is whole again, unchanged');

# ------------------------------------------------------------------ COPY text on stdout

my ($status1, $copy1, $err1) = run_loader('-j', '1', $shard, $folder);
my ($status2, $copy2, $err2) = run_loader('-j', '2', $shard, $folder);
is($status1, 1, 'stdout, -j 1: exit status 1');
is($status2, 1, 'stdout, -j 2: exit status 1');
check_stderr($err2, 'stdout, -j 2', $n_good, 0);
ok($copy1 eq $copy2, '-j 1 and -j 2 write the same COPY text, row for row');
# more items than workers, and more workers than cores
my @many = ($shard, $folder, $shard_gz, $folder, $shard);
my (undef, $many1) = run_loader('-q', '-j', '1', '--columns', $ALL_COLUMNS, @many);
my (undef, $many4) = run_loader('-q', '-j', '4', '--columns', $ALL_COLUMNS, @many);
ok($many1 ne '' && $many1 eq $many4, '-j 1 and -j 4 agree over five inputs, row for row');
my @lines = split(/\n/, $copy2, -1);
is(pop(@lines), '', 'the COPY text ends with a newline');
is_deeply([ map { (split /\t/)[0] } @lines ], \@good_order, 'rows come in input order');
is_deeply([ map { scalar(() = /\t/g) + 1 } @lines ], [ (6) x $n_good ],
	'default columns: six fields a row');
my $server_copy = $node->safe_psql('postgres',
	'COPY (SELECT key, url, caption, width, height, phash FROM images) TO STDOUT');
is_deeply([ sort @lines ], [ sort split(/\n/, $server_copy) ],
	'the COPY text equals the server\'s COPY of the default columns (escapes, NULLs)');

# A gzipped shard gives the same rows
my ($status_gz, $copy_gz) = run_loader('--columns', 'key,url,caption,sha256,phash', $shard_gz);
my ($status_tar, $copy_tar) = run_loader('--columns', 'key,url,caption,sha256,phash', $shard);
is($status_gz, 1, '.tar.gz: exit status 1');
ok($copy_gz ne '' && $copy_gz eq $copy_tar, '.tar.gz and .tar give the same rows');

# ------------------------------------------------------------------ psql script

($status, my $script, $stderr) = run_loader('-t', 'images2', '--create', '--columns', $ALL_COLUMNS,
	$shard, $folder);
is($status, 1, 'script: exit status 1');
check_stderr($stderr, 'script', $n_good, 0);
my ($ret, $out, $err) = $node->psql('postgres', $script);
is($ret, 0, 'script: psql runs it without error') or diag($err);
is($node->safe_psql('postgres', <<"EOF"), "$n_good|0|0", 'script: images2 equals images');
SELECT (SELECT count(*) FROM images2),
	(SELECT count(*) FROM (SELECT * FROM images2 EXCEPT SELECT * FROM images) d),
	(SELECT count(*) FROM (SELECT * FROM images EXCEPT SELECT * FROM images2) d)
EOF
is($node->safe_psql('postgres',
	"SELECT string_agg(format_type(atttypid, atttypmod), ',' ORDER BY attnum) "
	  . "FROM pg_attribute WHERE attrelid = 'images2'::regclass AND attnum > 0 AND NOT attisdropped"),
	'text,text,text,text,integer,integer,text,phash,phash,phash,text,bigint',
	'script: the same column types as the direct load');

# ------------------------------------------------------------------ --strict

# The first broken sample is the 7th of the shard: at most the six before it
my ($first_failed_key) = map { $_->[1] } @failed;
my $before_first = 0;
foreach my $s (@samples)
{
	last if $s->{fails};
	$before_first++;
}
($status, $stdout, $stderr) = run_loader('--strict', '-j', '2', $shard, $folder);
isnt($status, 0, '--strict: exit status non-zero');
ok($status == 1 || $status == 2, "--strict: exit status 1 or 2 (got $status)");
like($stderr, qr/^img2pgsql: \Q$shard\E: \Q$first_failed_key\E: \S/m,
	'--strict: the first failure is reported');
my @strict_lines = split(/\n/, $stdout);
cmp_ok(scalar @strict_lines, '<=', $before_first, '--strict: no row after the first failure');
ok(substr($copy2, 0, length($stdout)) eq $stdout, '--strict: the rows written are the first rows of a full run');

($status, $stdout, $stderr) = run_loader('--strict', '-b', '2', '-d', $connstr, '-t', 'images_strict',
	'--create', $shard, $folder);
isnt($status, 0, '--strict into a table: exit status non-zero');
my $strict_count = $node->safe_psql('postgres', 'SELECT count(*) FROM images_strict');
cmp_ok($strict_count, '<=', $before_first, "--strict into a table: fewer rows ($strict_count)");

# ------------------------------------------------------------------ --fast

($status, $stdout, $stderr) = run_loader('--fast', '--columns', 'key,format,phash', $shard, $folder);
is($status, 1, '--fast: exit status 1');
my (@distances, @png_differ);
my $fast_rows = 0;
foreach my $line (split /\n/, $stdout)
{
	my ($key, $format, $phash) = split /\t/, $line;
	$fast_rows++;
	my $distance = hamming($phash, $rows->{$key}{phash});
	if ($format eq 'jpeg')
	{
		push @distances, [ $key, $distance ];
	}
	elsif ($distance != 0)
	{
		push @png_differ, $key;
	}
}
is($fast_rows, $n_good, '--fast: every good sample loaded');
note('--fast: phash distance to the exact hash, per JPEG: '
	  . join(', ', map { "$_->[0] $_->[1]" } @distances));
my @far = grep { $_->[1] > 6 } @distances;
is_deeply(\@far, [], '--fast: every JPEG\'s phash within 6 bits of the exact one');
is_deeply(\@png_differ, [], '--fast: PNG hashes are exact');

# ------------------------------------------------------------------ keys and text

# Webdataset keys keep the member's folder: d1/a and d2/a are two samples.
# A caption that is not UTF-8 (here Latin-1) fails its sample alone.
my $keyed_shard = "$base/keyed.tar";
my $keyed = Archive::Tar->new;
$keyed->add_data('d1/a.png', slurp_bytes("$valid/png_gray8.png"));
$keyed->add_data('d1/a.txt', 'first');
$keyed->add_data('d2/a.jpg', slurp_bytes("$valid/jpeg_420.jpg"));
$keyed->add_data('d2/a.txt', 'second');
$keyed->add_data('latin.png', slurp_bytes("$valid/png_rgb8.png"));
$keyed->add_data('latin.txt', "caf\xe9 au lait");
$keyed->write($keyed_shard) or die "cannot write $keyed_shard";
($status, $stdout, $stderr) = run_loader('--columns', 'key,caption', $keyed_shard);
is($status, 1, 'keyed shard: exit status 1 for the Latin-1 caption');
is($stdout, "d1/a\tfirst\nd2/a\tsecond\n", 'keyed shard: keys keep the member folder');
like($stderr, qr/latin: the caption is not valid UTF-8/, 'keyed shard: the Latin-1 caption is reported');

# Without a unique key, a re-run would load rows twice: the loader warns
$node->safe_psql('postgres', 'CREATE TABLE no_key (key text, caption text)');
($status, $stdout, $stderr) = run_loader('-d', $connstr, '-t', 'no_key', '--columns', 'key,caption', $keyed_shard);
like($stderr, qr/no unique index on "key"/, 'a table without a unique key: the loader warns');
is($node->safe_psql('postgres', 'SELECT count(*) FROM no_key'), '2', 'a table without a unique key: the good rows are loaded');

# ------------------------------------------------------------------ robustness

# A row the server refuses (here a CHECK constraint) fails alone: the batch
# is retried row by row, the rest is loaded, and a re-run gets as far
$node->safe_psql('postgres',
	'CREATE TABLE "user" (key text PRIMARY KEY, width integer CHECK (width < 900), phash phash)');
foreach my $run (1, 2)
{
	($status, $stdout, $stderr) = run_loader('-b', '3', '-d', $connstr, '-t', 'user',
		'--columns', 'key,width,phash', $keyed_shard, $shard);
	is($status, 1, "a refused row, run $run: exit status 1");
	like($stderr, qr/00000: the server refused the row: .*check constraint/,
		"a refused row, run $run: the 1000-pixel-wide image is reported");
}
is($node->safe_psql('postgres', 'SELECT count(*) FROM "user" WHERE key = \'00000\''), '0',
	'a refused row: not in the table');
cmp_ok($node->safe_psql('postgres', 'SELECT count(*) FROM "user"'), '>=', 3,
	'a refused row: the other rows are loaded (into a table named by a reserved word)');

# Members of one sample that are not next to each other are reported, and
# the sample being read when a shard turns out damaged is not loaded as if
# complete
my $scattered_shard = "$base/scattered.tar";
my $scattered = Archive::Tar->new;
$scattered->add_data('1.jpg', slurp_bytes("$valid/jpeg_420.jpg"));
$scattered->add_data('2.png', slurp_bytes("$valid/png_rgb8.png"));
$scattered->add_data('1.txt', 'late caption');
$scattered->write($scattered_shard) or die "cannot write $scattered_shard";
($status, $stdout, $stderr) = run_loader('--columns', 'key', $scattered_shard);
like($stderr, qr/members of sample 1 are not next to each other/, 'scattered members are reported');
my $damaged_shard = "$base/damaged.tar";
write_bytes($damaged_shard, substr(slurp_bytes($shard), 0, 3000));
($status, $stdout, $stderr) = run_loader('--columns', 'key', $damaged_shard);
is($status, 1, 'a damaged shard: exit status 1');
like($stderr, qr/: 00000: .*(damaged before the end of this sample|cannot read member)/,
	'a damaged shard: the sample cut short is reported, not loaded');
unlike($stdout, qr/^00000$/m, 'a damaged shard: the sample cut short is not loaded');
like($stderr, qr/damaged shard/, 'a damaged shard: the shard is reported');

# --max-pixels refuses larger images from their header (png_gray8 is 61 x 47)
($status, $stdout, $stderr) = run_loader('--max-pixels', '2867', '--columns', 'key', $keyed_shard);
like($stdout, qr/^d1\/a$/m, '--max-pixels: an image of exactly that many pixels loads');
like($stderr, qr/d2\/a: image too large: 6144 pixels, over the limit of 2867/,
	'--max-pixels: a larger one is refused from its header');

# A symbolic link looping back to its folder is not followed
my $looped = "$base/looped";
write_bytes("$looped/a.png", slurp_bytes("$valid/png_gray8.png"));
symlink('.', "$looped/loop") or die "cannot make a link: $!";
($status, $stdout, $stderr) = run_loader('--columns', 'key', $looped);
is($stdout, "a\n", 'a folder with a looping link: its image once');

# ------------------------------------------------------------------ fatal errors

($status, $stdout, $stderr) = run_loader('--no-such-option', $shard);
is($status, 2, 'a bad option: exit status 2');
($status, $stdout, $stderr) = run_loader('-d', $node->connstr('no_such_database'), '-t', 'images', $shard);
is($status, 2, 'a failed connection: exit status 2');
like($stderr, qr/no_such_database/, 'a failed connection: the error says why');
($status, $stdout, $stderr) = run_loader('-h');
is($status, 0, '-h: exit status 0');
like($stdout, qr/--columns/, '-h: usage on stdout');

$node->stop;
done_testing();
