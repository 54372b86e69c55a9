#!/usr/bin/env bash
# ABI/API checks of include/libotr against the facts measured from the real libotr 4.1.1
# (../shared/reference) and against the Rust exports (cbindgen's header).
#   cabi-tests/abi/run.sh [TARGET_PROFILE_DIR]    (default: target/release)
# Prints PASS/FAIL per check; exits non-zero if any check failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ref="$root/../shared/reference"
prof="${1:-$root/target/release}"
case "$prof" in /*) ;; *) prof="$root/$prof" ;; esac
inc="$root/include"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$here/all.h" "$tmp/"
CC=${CC:-gcc}
pass=0 fail=0
check() { # name command...
    local name=$1; shift
    if "$@" >"$tmp/out.txt" 2>&1; then echo "PASS abi: $name"; pass=$((pass+1));
    else echo "FAIL abi: $name"; sed 's/^/    /' "$tmp/out.txt" | head -30; fail=$((fail+1)); fi
}

if [ ! -d "$ref" ]; then echo "FAIL abi: reference folder $ref missing"; exit 1; fi

# 1. Struct layouts: the reference's own generator, compiled against our headers.
cp "$ref/gen/layout.c" "$ref/gen/constants.c" "$tmp/"
layout() {
    $CC -std=gnu11 -Wall -DOTRL_NO_GCRYPT_H -I"$inc" -I"$tmp" "$tmp/layout.c" -o "$tmp/layout" &&
    "$tmp/layout" > "$tmp/layout.tsv" && diff "$tmp/layout.tsv" "$ref/layout.tsv"
}
check "struct layouts equal layout.tsv" layout

# 2. Constants.
constants() {
    $CC -std=gnu11 -Wall -DOTRL_NO_GCRYPT_H -I"$inc" -I"$tmp" "$tmp/constants.c" -o "$tmp/constants" &&
    "$tmp/constants" | python3 "$here/checks.py" constants "$ref/constants.tsv"
}
check "constants equal constants.tsv" constants

# 3. Every header compiles on its own, with and without <gcrypt.h>, in C99/C11,
#    and <gcrypt.h> may come after it.
selfcontained() {
    local h std d
    for h in "$inc"/libotr/*.h; do
        for std in gnu99 gnu11 c11; do
            for d in "" -DOTRL_NO_GCRYPT_H; do
                printf '#include <libotr/%s>\n' "$(basename "$h")" > "$tmp/one.c"
                $CC -std=$std $d -Wall -Wextra -Werror -I"$inc" -c "$tmp/one.c" -o "$tmp/one.o" || return 1
            done
        done
    done
    if printf '#include <gcrypt.h>\n' | $CC -E -x c - >/dev/null 2>&1; then
        printf '#include <libotr/proto.h>\n#include <libotr/message.h>\n#include <gcrypt.h>\n' > "$tmp/after.c"
        $CC -std=gnu11 -DOTRL_NO_GCRYPT_H -Wall -Werror -I"$inc" -c "$tmp/after.c" -o "$tmp/after.o" || return 1
        printf '#include <gcrypt.h>\n#include <libotr/proto.h>\n#include <libotr/message.h>\n' > "$tmp/before.c"
        $CC -std=gnu11 -Wall -Werror -I"$inc" -c "$tmp/before.c" -o "$tmp/before.o" || return 1
    fi
}
check "headers self-contained, with and without gcrypt.h" selfcontained

# 4. Every prototype of functions.tsv has exactly libotr's type in our headers.
protos() {
    python3 "$here/checks.py" protos "$ref/functions.tsv" > "$tmp/protos.c" &&
    $CC -std=gnu11 -Wall -Werror -Wno-unused-variable -I"$inc" -I"$tmp" -c "$tmp/protos.c" -o "$tmp/protos.o"
}
check "all 118 declared prototypes match functions.tsv" protos

# 5. The macros plugins use, OTRL_INIT included.
macros() {
    python3 "$here/checks.py" macros > "$tmp/macros.c" &&
    $CC -std=gnu11 -Wall -Werror -I"$inc" -I"$tmp" -c "$tmp/macros.c" -o "$tmp/macros.o"
}
check "plugin macros compile" macros

# 6. The Rust exports, as cbindgen renders them, agree with our prototypes.
rustsigs() {
    [ -f "$prof/otr-ffi-generated.h" ] || { echo "no $prof/otr-ffi-generated.h (build first)"; return 1; }
    printf '#include "all.h"\n#include "otr-ffi-generated.h"\n' > "$tmp/rust.c"
    # -Wno-array-parameter: cbindgen writes `char *x` where libotr writes `char x[45]`.
    $CC -std=gnu11 -Wall -Werror -Wno-array-parameter -I"$inc" -I"$tmp" -I"$prof" -c "$tmp/rust.c" -o "$tmp/rust.o"
}
check "Rust exports match the public prototypes (cbindgen)" rustsigs

echo "abi: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
