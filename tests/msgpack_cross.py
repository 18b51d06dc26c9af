"""The python3-msgpack side of the cross-check (run by tests/msgpack_python_test.sh).

usage: msgpack_cross.py PATH_TO_msgpack_cross WORKDIR

1. Runs `msgpack_cross write` and decodes its file with python3-msgpack: each value must equal
   the catalogue below (computed here, independently of the C program) and its bytes must equal
   msgpack.packb of that value (both sides choose the smallest encoding).
2. Packs the catalogue with msgpack.packb (use_bin_type=True; a second run with
   use_single_float=True) and runs `msgpack_cross read`: its token line for each value must equal
   the tokens computed here.
Every value of every direction is one case; prints "msgpack_python: N passed, N failed".
"""
import struct
import subprocess
import sys

import msgpack

MASK64 = (1 << 64) - 1


class F32(float):
    """A catalogue float the C side writes as float 32."""


def f32_round(v):
    try:
        return struct.unpack(">f", struct.pack(">f", v))[0]
    except OverflowError:  # beyond float 32: the C cast python3-msgpack does gives an infinity
        return float("inf") if v > 0 else float("-inf")


def catalogue():
    v = [None, True, False]
    v += [0, 1, 127, 128, 255, 256, 65535, 65536, 2**32 - 1, 2**32, 2**63 - 1, 2**63, 2**64 - 1]
    v += [-1, -32, -33, -128, -129, -32768, -32769, -(2**31), -(2**31) - 1, -(2**63)]
    x = 88172645463325252
    for i in range(64):  # 64-bit LCG (Knuth MMIX constants)
        x = (x * 6364136223846793005 + 1442695040888963407) & MASK64
        v.append(x >> i)
        v.append(-(x >> (i + 1)) - 1)
    v += [0.0, -0.0, 1.5, 0.1, -2.5e-300, 1e308, 5e-324, float("inf"), float("-inf")]
    v += [F32(1.5), F32(f32_round(0.1)), F32(f32_round(3.4028234663852886e38)), F32(-0.0)]
    for n in [0, 1, 31, 32, 255, 256, 65535, 65536]:
        v.append("".join(chr(97 + i % 26) for i in range(n)))
    v.append("\u00e9\u20ac\U0001F600")
    for n in [0, 1, 255, 256, 65535, 65536]:
        v.append(bytes(i % 256 for i in range(n)))
    # python3-msgpack allows only codes 0..127 (negative ones are reserved, -1 = timestamp)
    for t, n in [(0, 0), (1, 1), (2, 2), (5, 3), (127, 4), (100, 8), (9, 16), (10, 17), (11, 255), (12, 256), (13, 65536)]:
        v.append(msgpack.ExtType(t, bytes((i * 7) % 256 for i in range(n))))
    for n in [0, 15, 16, 65535, 65536]:
        v.append([i % 300 for i in range(n)])
    for n in [0, 15, 16, 65536]:
        v.append({"k%d" % i: i for i in range(n)})
    nested = None
    for _ in range(40):
        nested = [nested]
    v.append(nested)
    v.append({"a": [1, {"b": None}], "c": {"d": -1.5}})
    v.append({1: "x", -2: [True]})
    return v


def tokens(v, out, single=False):
    if v is None:
        out.append("n")
    elif v is True:
        out.append("T")
    elif v is False:
        out.append("F")
    elif isinstance(v, int):
        out.append("u:%d" % v if v >= 0 else "i:%d" % v)
    elif isinstance(v, float):
        d = f32_round(v) if single or isinstance(v, F32) else v
        out.append("f:" + struct.pack(">d", d).hex())
    elif isinstance(v, str):
        out.append("s:" + v.encode("utf-8").hex())
    elif isinstance(v, bytes):
        out.append("b:" + v.hex())
    elif isinstance(v, msgpack.ExtType):
        out.append("e:%d:%s" % (v.code, v.data.hex()))
    elif isinstance(v, (list, tuple)):
        out.append("a:%d" % len(v))
        for e in v:
            tokens(e, out, single)
    elif isinstance(v, dict):
        out.append("m:%d" % len(v))
        for k, e in v.items():
            tokens(k, out, single)
            tokens(e, out, single)
    else:
        raise TypeError(type(v))
    return out


def line(v, single=False):
    return " ".join(tokens(v, [], single))


def main():
    prog, work = sys.argv[1], sys.argv[2]
    cat = catalogue()
    passed = failed = 0

    def fail(what):
        nonlocal failed
        failed += 1
        if failed <= 10:
            print("FAIL " + what[:300])

    # 1. our writer -> python3-msgpack
    path = work + "/ours.msgpack"
    res = subprocess.run([prog, "write", path], check=False)
    data = open(path, "rb").read() if res.returncode == 0 else b""
    if res.returncode != 0:
        fail("write: exit %d" % res.returncode)
    up = msgpack.Unpacker(raw=False, strict_map_key=False, max_buffer_size=len(data) + 1)
    up.feed(data)
    pos = 0
    for i, want in enumerate(cat):
        try:
            got = up.unpack()
        except Exception as e:  # noqa: BLE001 - any decoder complaint is a failure
            fail("write #%d: python3-msgpack could not decode: %r" % (i, e))
            break
        end = up.tell()
        ours = data[pos:end]
        pos = end
        ref = msgpack.packb(want, use_bin_type=True, use_single_float=isinstance(want, F32))
        if line(got) != line(want):
            fail("write #%d: decoded %s, want %s" % (i, line(got)[:120], line(want)[:120]))
        elif ours != ref:
            fail("write #%d: bytes %s, python3-msgpack packs %s" % (i, ours[:24].hex(), ref[:24].hex()))
        else:
            passed += 1
    if pos != len(data):
        fail("write: %d trailing bytes" % (len(data) - pos))

    # 2. python3-msgpack -> our reader, float 64 then float 32
    for single in (False, True):
        path = work + ("/python_f32.msgpack" if single else "/python.msgpack")
        with open(path, "wb") as f:
            for v in cat:
                f.write(msgpack.packb(v, use_bin_type=True, use_single_float=single or isinstance(v, F32)))
        res = subprocess.run([prog, "read", path], stdout=subprocess.PIPE, check=False)
        got_lines = res.stdout.decode().split("\n")
        if res.returncode != 0:
            fail("read (single=%s): exit %d, %s" % (single, res.returncode, got_lines[-2:]))
        for i, v in enumerate(cat):
            want = line(v, single)
            got = got_lines[i] if i < len(got_lines) else "<missing>"
            if got != want:
                fail("read (single=%s) #%d: got %s, want %s" % (single, i, got[:120], want[:120]))
            else:
                passed += 1
        if res.returncode == 0 and got_lines[len(cat):] != [""]:
            fail("read (single=%s): extra output %r" % (single, got_lines[len(cat):][:3]))

    print("msgpack_python: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
