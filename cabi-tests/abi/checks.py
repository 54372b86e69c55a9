#!/usr/bin/env python3
"""Helpers for cabi-tests/abi/run.sh.

  checks.py constants REFERENCE_TSV < output-of-constants.c   compare values by name
  checks.py protos FUNCTIONS_TSV > protos.c                   one pointer per prototype
  checks.py macros > macros.c                                  every macro plugins use
"""
import sys


def rows(path):
    with open(path) as f:
        lines = [l.rstrip("\n").split("\t") for l in f if not l.startswith("#")]
    head = lines[0]
    return [dict(zip(head, r)) for r in lines[1:]]


def constants(ref):
    want = {}
    for r in rows(ref):
        if r["kind"] in ("define-int", "enum"):
            want[r["name"]] = ("I", r["value"])
        elif r["kind"] == "define-string":
            want[r["name"]] = ("S", r["hex"])
    got = {}
    for line in sys.stdin:
        k, name, val, extra = line.rstrip("\n").split("\t")
        got[name] = ("I", val) if k == "I" else ("S", extra)
    bad = 0
    for name, v in want.items():
        if got.get(name) != v:
            print(f"constant {name}: want {v}, ours {got.get(name)}")
            bad += 1
    print(f"{len(want)} constants compared, {bad} differ")
    return 1 if bad else 0


def protos(path):
    print('#include "all.h"')
    n = 0
    for r in rows(path):
        if r["header"] == "(none)":
            continue
        decl = r["c_declaration"]
        name = r["name"]
        i = decl.index(name + "(")
        # "RET name(ARGS)" -> "RET (*p_name)(ARGS) = name;": compiles only if our
        # declaration has exactly this type.
        print(decl[:i] + "(*p_" + name + ")" + decl[i + len(name):] + " = " + name + ";")
        n += 1
    print(f"/* {n} prototypes */")
    return 0


MACROS = """#include "all.h"
int use_macros(void) {
    OtrlPolicy p[] = { OTRL_POLICY_ALWAYS, OTRL_POLICY_DEFAULT, OTRL_POLICY_MANUAL,
        OTRL_POLICY_NEVER, OTRL_POLICY_OPPORTUNISTIC, OTRL_POLICY_WHITESPACE_START_AKE };
    otrl_instag_t t[] = { OTRL_INSTAG_BEST, OTRL_INSTAG_MASTER, OTRL_INSTAG_RECENT,
        OTRL_INSTAG_RECENT_RECEIVED, OTRL_MIN_VALID_INSTAG };
    char human[OTRL_PRIVKEY_FPRINT_HUMAN_LEN];
    unsigned short k = OTRL_PUBKEY_TYPE_DSA + OTRL_TLV_DISCONNECTED;
    OTRL_INIT;
    (void)human;
    return (int)(p[0] + t[0] + k + OTRL_B64_MAX_DECODED_SIZE(8));
}
"""


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "constants":
        sys.exit(constants(sys.argv[2]))
    if cmd == "protos":
        sys.exit(protos(sys.argv[2]))
    if cmd == "macros":
        sys.stdout.write(MACROS)
        sys.exit(0)
    sys.exit(2)
