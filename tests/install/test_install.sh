#!/usr/bin/env bash
# test_install.sh MODEL.ffm: `make install` into a temporary prefix, then build
# programs OUTSIDE the repository against the installed copy only, through
# pkg-config: examples/detect.c linked to the shared library (run with
# LD_LIBRARY_PATH) and to the static library, and a C++ program using
# ffnlp/ffnlp.h. Run by `make test` (test-install).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
model=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
make=${MAKE:-make}
prefix=$(mktemp -d)
work=$(mktemp -d)
trap 'rm -rf "$prefix" "$work"' EXIT

echo "== install into $prefix"
"$make" -C "$repo" --no-print-directory -s install PREFIX="$prefix" >/dev/null
for f in include/ffnlp/ffnlp.h include/ffnlp/ffnlp_c.h include/ffnlp/embed.h include/ffnlp/module.modulemap \
         lib/libffnlp.a lib/libffnlp.so.1.0.0 lib/libffnlp.so.1 lib/libffnlp.so lib/pkgconfig/ffnlp.pc; do
  test -e "$prefix/$f" || { echo "missing after install: $f"; exit 1; }
done
test "$(readlink "$prefix/lib/libffnlp.so.1")" = libffnlp.so.1.0.0
test "$(readlink "$prefix/lib/libffnlp.so")" = libffnlp.so.1

export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
test "$(pkg-config --modversion ffnlp)" = 1.0.0
cflags=$(pkg-config --cflags ffnlp)
libs=$(pkg-config --libs ffnlp)
echo "pkg-config: $cflags $libs"

# Outside the repository: only the installed headers and libraries are visible.
cp "$repo/examples/detect.c" "$work/"
cd "$work"
texts=("The quick brown fox jumps over the lazy dog." "Быстрая коричневая лиса прыгает через ленивую собаку." "")

echo "== shared: cc detect.c \$(pkg-config --cflags --libs ffnlp)"
cc -std=c99 -Wall -Wextra -Werror detect.c $cflags $libs -o detect
readelf -d detect | grep -q 'NEEDED.*libffnlp.so.1' || { echo "detect does not link libffnlp.so.1"; exit 1; }
LD_LIBRARY_PATH="$prefix/lib" ./detect -m "$model" "${texts[@]}" | tee shared.out
test "$(wc -l < shared.out)" = 3

echo "== static: cc detect.c libffnlp.a \$(pkg-config --static --libs ffnlp)"
static_libs=$(pkg-config --static --libs ffnlp | sed -e 's/-lffnlp//')
cc -std=c99 -Wall -Wextra -Werror detect.c $cflags "$(pkg-config --variable=libdir ffnlp)/libffnlp.a" $static_libs \
  -o detect_static
if readelf -d detect_static | grep -q 'NEEDED.*libffnlp'; then echo "detect_static needs libffnlp.so"; exit 1; fi
./detect_static -m "$model" "${texts[@]}" > static.out
cmp shared.out static.out

echo "== C++ API: c++ app.cpp \$(pkg-config --cflags --libs ffnlp)"
cat > app.cpp <<'CPP'
#include <cstdio>
#include <cstring>
#include "ffnlp/ffnlp.h"
int main(int argc, char** argv) {
  ffnlp::MappedFile file;
  ffnlp::Model model;
  ffnlp::Error error;
  if (ffnlp::load_file(argv[1], &file, &model, &error) != ffnlp::Status::kOk) {
    std::fprintf(stderr, "%s\n", error.message);
    return 1;
  }
  ffnlp::Workspace ws(model);
  for (int i = 2; i < argc; ++i) {
    ffnlp::Prediction top[1];
    size_t n = 0;
    if (model.classify(argv[i], std::strlen(argv[i]), ws, top, 1, &n) != ffnlp::Status::kOk) return 1;
    std::printf("%s\t%.4f\n", n ? top[0].label : "-", n ? static_cast<double>(top[0].probability) : 0.0);
  }
  return 0;
}
CPP
c++ -std=c++17 -Wall -Wextra -Werror app.cpp $cflags $libs -o app
LD_LIBRARY_PATH="$prefix/lib" ./app "$model" "${texts[@]}" > app.out
cut -f1,2 shared.out | cmp - app.out

echo "install test: OK"
