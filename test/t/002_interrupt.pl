# Decoding a large image can be cancelled: statement_timeout and
# pg_cancel_backend stop phash() in the middle of the decode (not after it),
# and the backend goes on working.  The large images are PNGs written here
# (flat black, so tiny on disk but 96 and 64 million pixels to decode).
use strict;
use warnings;
use Compress::Zlib;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

# Write a flat black 8-bit gray PNG, optionally Adam7-interlaced
sub write_black_png
{
	my ($path, $width, $height, $interlaced) = @_;
	my $chunk = sub {
		my ($type, $data) = @_;
		return pack('N', length($data)) . $type . $data
		  . pack('N', crc32($type . $data));
	};
	my ($deflate) = deflateInit(-Level => Z_BEST_COMPRESSION);
	my $idat = '';
	my @passes = $interlaced
	  ? ([0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4],
		[0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2])
	  : ([0, 0, 1, 1]);
	foreach my $p (@passes)
	{
		my ($x0, $y0, $dx, $dy) = @$p;
		my $cols = int(($width - $x0 + $dx - 1) / $dx);
		my $rows = int(($height - $y0 + $dy - 1) / $dy);
		next if $cols <= 0 || $rows <= 0;
		my $row = "\0" x (1 + $cols);    # filter byte + pixels
		for (1 .. $rows)
		{
			my ($out) = $deflate->deflate($row);
			$idat .= $out;
		}
	}
	my ($out) = $deflate->flush();
	$idat .= $out;
	open(my $fh, '>:raw', $path) or die "cannot write $path: $!";
	print $fh "\x89PNG\r\n\x1a\n",
	  $chunk->('IHDR', pack('NNCCCCC', $width, $height, 8, 0, 0, 0, $interlaced ? 1 : 0)),
	  $chunk->('IDAT', $idat), $chunk->('IEND', '');
	close($fh);
}

my $node = PostgreSQL::Test::Cluster->new('interrupt');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION imgsearch');

my $dir = $node->basedir;
my $flat = "$dir/black_12000x8000.png";
my $interlaced = "$dir/black_8000x8000_adam7.png";
write_black_png($flat, 12000, 8000, 0);
write_black_png($interlaced, 8000, 8000, 1);

# A flat image: all DCT coefficients are 0, so no bit is above the median;
# no pixel is brighter than its neighbour or than the mean: all hashes 0.
my $start = time();
my $full = $node->safe_psql('postgres',
	"SELECT h.phash || ' ' || h.dhash || ' ' || h.ahash FROM image_hashes(pg_read_binary_file('$flat')) h");
my $full_seconds = time() - $start;
is($full, '0000000000000000 0000000000000000 0000000000000000',
	'the large image decodes to the hand-computed hashes');
note(sprintf('full decode of 96 million pixels: %.2f s', $full_seconds));

foreach my $case ([ $flat, 'sequential' ], [ $interlaced, 'interlaced' ])
{
	my ($path, $name) = @$case;
	$start = time();
	my ($ret, $stdout, $stderr) = $node->psql('postgres',
		"SET statement_timeout = '50ms'; SELECT image_hashes(pg_read_binary_file('$path'));");
	my $cancel_seconds = time() - $start;
	isnt($ret, 0, "$name: statement_timeout stops the decode");
	like($stderr, qr/canceling statement due to statement timeout/,
		"$name: the error is the statement timeout");
	note(sprintf('%s: cancelled after %.3f s', $name, $cancel_seconds));
	# the decode was stopped from inside: far sooner than a full decode
	cmp_ok($cancel_seconds, '<', $full_seconds / 2,
		"$name: cancelled during the decode, not after it");
}

# pg_cancel_backend from another session
my ($stdout, $stderr) = ('', '');
my $psql = IPC::Run::start(
	[ 'psql', '-XAtq', '-d', $node->connstr('postgres'), '-c',
	  "SELECT 'imgsearch-cancel-me', image_hashes(pg_read_binary_file('$flat'))" ],
	'>', \$stdout, '2>', \$stderr);
my $cancelled = 0;
for (my $i = 0; $i < 400 && !$cancelled; $i++)
{
	$cancelled = $node->safe_psql('postgres',
		"SELECT count(pg_cancel_backend(pid)) FROM pg_stat_activity "
		  . "WHERE query LIKE 'SELECT ''imgsearch-cancel-me''%' AND state = 'active'");
	Time::HiRes::usleep(10_000) unless $cancelled;
}
$psql->finish;
is($cancelled, 1, 'found the decoding backend and cancelled it');
like($stderr, qr/canceling statement due to user request/,
	'pg_cancel_backend stops the decode');

# the same session goes on after a cancelled decode
my ($ret, $out, $err) = $node->psql('postgres',
	"SET statement_timeout = '50ms';\n"
	  . "SELECT phash(pg_read_binary_file('$interlaced'));\n"
	  . "RESET statement_timeout;\n"
	  . "SELECT phash(pg_read_binary_file('$flat'));",
	on_error_stop => 0);
like($err, qr/canceling statement due to statement timeout/, 'the first decode was cancelled');
is($out, '0000000000000000', 'the same backend then decodes normally');

$node->stop;
done_testing();
