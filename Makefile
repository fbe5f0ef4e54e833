# imgsearch: PostgreSQL extension for perceptual image hashes and Hamming search
#
#   make && make install      build and install into the PostgreSQL that pg_config names
#   make test                 everything, on a fresh machine (see test/run_tests.sh)
#   make installcheck         regression and TAP tests against a running server
#   make fuzz                 build the libFuzzer harness (clang)
#   make bench                hashing and loader benchmarks against the Python reference

EXTENSION = imgsearch
MODULE_big = imgsearch
DATA = imgsearch--0.1.sql imgsearch--0.1--0.2.sql imgsearch--0.2--0.3.sql \
	imgsearch--0.3--0.4.sql
PGFILEDESC = "imgsearch - perceptual image hashes and Hamming search"

# caption search: tokenizer, tsvector, query syntax, highlight, rank
CAPTION_OBJS = src/caption/tokenize.o src/caption/tsvector.o src/caption/query.o \
	src/caption/highlight.o src/caption/rank.o

# the caption index access method (src/caption/index/capindex.h)
CAPINDEX_OBJS = $(addprefix src/caption/index/,capindex_utils.o capsegment.o capbuild.o \
	capflush.o capmerge.o capinsert.o capread.o capsearch.o capscan.o capexec.o capcount.o captopk.o \
	capcost.o capsupport.o capvacuum.o capvalidate.o postings.o)

# URL normalisation: plain C (libidn2), shared with the fuzzer and the test tool
URL_OBJS = src/url/url_normalize.o src/url/url_host.o

# the image hashing core: plain C, shared with the fuzzer and the loader
CORE_OBJS = src/hash/imghash.o src/hash/decode_jpeg.o src/hash/decode_png.o \
	src/hash/gray.o src/hash/resample.o src/hash/dct.o src/hash/hashbits.o src/hash/variants.o
OBJS = src/imgsearch.o src/phash.o src/hamming.o src/hamming_selfuncs.o \
	src/image_sql.o src/page_drops.o $(CAPTION_OBJS) $(CAPINDEX_OBJS) \
	src/mih/mihutils.o src/mih/mihsegment.o src/mih/mihbuild.o src/mih/mihinsert.o \
	src/mih/mihscan.o src/mih/mihprobe.o src/mih/mihradius.o src/mih/mihordered.o src/mih/mihvacuum.o src/mih/mihcost.o src/mih/mihvalidate.o \
	$(URL_OBJS) src/url/url_sql.o src/optout/check_urls.o \
	$(CORE_OBJS)

REGRESS = phash_type hamming image_hash image_errors caption caption_index mih robust url optout upgrade
TAP_TESTS = 1
PROVE_TESTS = test/t/*.pl

PNG_CFLAGS := $(shell pkg-config --cflags libpng 2>/dev/null)
PNG_LIBS := $(or $(shell pkg-config --libs libpng 2>/dev/null),-lpng16)

PG_CPPFLAGS = -I$(srcdir)/src -I$(srcdir)/src/hash -I$(srcdir)/src/mih $(PNG_CFLAGS)
# bit-exact floating point: never fuse multiply-adds (DCT, resampling weights)
PG_CFLAGS = -ffp-contract=off
SHLIB_LINK = -ljpeg $(PNG_LIBS) -lidn2 -lpsl -lm

# the img2pgsql loader, built on the same core, installed beside psql
LOADER = tools/img2pgsql/img2pgsql
LOADER_SRCS = $(addprefix tools/img2pgsql/,main.c input.c sample.c pipeline.c output.c progress.c column.c)

EXTRA_CLEAN = test/fuzz/fuzz_imghash test/fuzz/fuzz_url test/tools/imghash_cli test/tools/variants_cli test/tools/url_cli test/tools/postings_cli tmp_check $(LOADER)

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

CORE_SRCS = $(CORE_OBJS:.o=.c)
URL_SRCS = $(URL_OBJS:.o=.c)

# PGXS does not track headers: rebuild every object when one changes
$(OBJS): $(wildcard src/*.h src/*/*.h)

.PHONY: test fuzz bench print-regress install-loader

all: $(LOADER)

$(LOADER): $(LOADER_SRCS) tools/img2pgsql/img2pgsql.h $(CORE_SRCS) src/hash/*.h
	$(CC) $(CFLAGS) -D_GNU_SOURCE -ffp-contract=off -pthread -I src/hash -I tools/img2pgsql \
		-I$(shell $(PG_CONFIG) --includedir) $(PNG_CFLAGS) -o $@ \
		$(LOADER_SRCS) $(CORE_SRCS) \
		-L$(shell $(PG_CONFIG) --libdir) -lpq -larchive -ljansson -lcrypto \
		-ljpeg $(PNG_LIBS) -lm

install: install-loader
install-loader: $(LOADER)
	$(INSTALL_PROGRAM) $(LOADER) '$(DESTDIR)$(bindir)/img2pgsql'

print-regress:
	@echo $(REGRESS)

test:
	bash test/run_tests.sh

# libFuzzer harnesses over the hashing core and URL normalisation, with AddressSanitizer
fuzz: test/fuzz/fuzz_imghash test/fuzz/fuzz_url
test/fuzz/fuzz_url: test/fuzz/fuzz_url.c $(URL_SRCS) src/url/*.h
	clang -g -O1 -fsanitize=fuzzer,address,undefined -I src -o $@ \
		test/fuzz/fuzz_url.c $(URL_SRCS) -lidn2
test/fuzz/fuzz_imghash: test/fuzz/fuzz_imghash.c $(CORE_SRCS) src/hash/*.h
	clang -g -O1 -ffp-contract=off -fsanitize=fuzzer,address,undefined \
		-I src/hash $(PNG_CFLAGS) -o $@ test/fuzz/fuzz_imghash.c $(CORE_SRCS) \
		-ljpeg $(PNG_LIBS) -lm

# command-line front end of the core, used by the benchmark and the fuzz corpus checks
test/tools/imghash_cli: test/tools/imghash_cli.c test/tools/read_file.h $(CORE_SRCS) src/hash/*.h
	$(CC) -O2 -ffp-contract=off -Wall -I src/hash $(PNG_CFLAGS) -o $@ \
		test/tools/imghash_cli.c $(CORE_SRCS) -ljpeg $(PNG_LIBS) -lm

# the robust-search variants of image files, for tuning and the benchmark
test/tools/variants_cli: test/tools/variants_cli.c test/tools/read_file.h $(CORE_SRCS) src/hash/*.h
	$(CC) -O2 -ffp-contract=off -Wall -I src/hash $(PNG_CFLAGS) -o $@ \
		test/tools/variants_cli.c $(CORE_SRCS) -ljpeg $(PNG_LIBS) -lm

# the caption index's posting codec, with AddressSanitizer and UBSan: test/tools/postings_reference.py drives it
test/tools/postings_cli: test/tools/postings_cli.c src/caption/index/postings.c src/caption/index/postings.h
	$(CC) -O1 -g -Wall -fsanitize=address,undefined -fno-sanitize-recover=all -I src -o $@ \
		test/tools/postings_cli.c src/caption/index/postings.c

# URL normalisation from the command line, for the tests' reference and the benchmark
test/tools/url_cli: test/tools/url_cli.c $(URL_SRCS) src/url/*.h
	$(CC) -O2 -Wall -I src -o $@ test/tools/url_cli.c $(URL_SRCS) -lidn2

# near pairs across pictures, for the false matches of test/bench/robust/tune.py
test/tools/near_pairs: test/tools/near_pairs.c
	$(CC) -O3 -march=native -Wall -o $@ test/tools/near_pairs.c

bench: test/tools/imghash_cli $(LOADER)
	bash test/bench/bench_hash.sh
	bash test/bench/bench_loader.sh

# ---- demo (issue 6): the main job in one command; see demo/run_demo.sh ----
#   make demo [LIMIT=N]   build, install, start the private cluster in demo/data,
#                         load the OpenClipart sample set, run the example searches,
#                         write demo/out/results.html
#   make demo-stop        stop the demo cluster
#   make demo-test        check the results page in headless Chromium
.PHONY: demo demo-stop demo-test
demo:
	LIMIT='$(LIMIT)' bash demo/run_demo.sh
demo-stop:
	bash demo/stop_demo.sh
demo-test:
	bash demo/test_results_page.sh
# ---- end of demo ----
