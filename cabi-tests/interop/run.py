#!/usr/bin/env python3
"""Two-process OTR interop driver (python3 standard library only).

    run.py --a CMD --b CMD [--only NAME[,NAME...]] [--skip NAME[,NAME...]] [--list] [--log-dir DIR]
           [--timeout-scale X] [-v]

CMD is a peer command line, e.g. "build/cabi/im_peer.real" or
"python3 cabi-tests/peers/potr_peer.py"; the driver appends STATEDIR ACCOUNT BUDDY
PROTOCOL. Peer A is alice@example.org, peer B is bob@example.org; their keys and
instance tags are the committed files under cabi-tests/data/interop/. Every scenario
runs twice, with fresh peers: A initiates, then B initiates. Output: one line
"PASS|FAIL|SKIP <scenario> <initiator>-><responder> [reason]" per run, then a summary;
the exit code is 1 if anything failed. See cabi-tests/interop/README.md.
"""
import argparse
import base64
import os
import queue
import random
import re
import shlex
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
DATA = os.path.join(ROOT, 'cabi-tests', 'data', 'interop')
PROTO = 'prpl-interop'
WHO = {'A': ('alice', 'alice@example.org'), 'B': ('bob', 'bob@example.org')}
WS_BASE = b' \t  \t\t\t\t \t \t \t  '
TIMEOUT = 20.0   # seconds, for any single wait (times --timeout-scale)


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def esc(b):
    if isinstance(b, str):
        b = b.encode('utf-8')
    o = []
    for c in b:
        if c == 0x5c:
            o.append('\\\\')
        elif 0x20 <= c < 0x7f:
            o.append(chr(c))
        else:
            o.append('\\x%02x' % c)
    return ''.join(o)


def unesc(s):
    b = s.encode('latin-1')
    o = bytearray()
    i = 0
    while i < len(b):
        if b[i] == 0x5c and b[i + 1:i + 2] == b'\\':
            o.append(0x5c); i += 2
        elif b[i] == 0x5c and b[i + 1:i + 2] == b'x' and re.fullmatch(rb'[0-9a-fA-F]{2}', b[i + 2:i + 4]):
            o.append(int(b[i + 2:i + 4], 16)); i += 4
        else:
            o.append(b[i]); i += 1
    return bytes(o)


class Peer:
    def __init__(self, net, role, cmd, statedir):
        self.net, self.role, self.statedir = net, role, statedir
        self.name, self.account = WHO[role]
        self.buddy = WHO['B' if role == 'A' else 'A'][1]
        self.events = []
        self.dead = False
        self.label = net.labels[role]
        # Paths given relative to the caller's directory still work although peers run in ROOT.
        args = [os.path.abspath(t) if '/' in t and os.path.exists(t) else t for t in shlex.split(cmd)]
        args += [statedir, self.account, self.buddy, PROTO]
        self.stderr = open(os.path.join(statedir, 'stderr.txt'), 'wb')
        try:
            self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=self.stderr, cwd=ROOT)
        except OSError as e:
            raise Fail('%s: cannot start %r: %s' % (role, cmd, e))
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self):
        for raw in self.proc.stdout:
            self.net.q.put((self, raw.rstrip(b'\n').decode('latin-1')))
        self.net.q.put((self, None))

    def cmd(self, line):
        self.net.log('%s< %s' % (self.role, line))
        try:
            self.proc.stdin.write((line + '\n').encode('latin-1'))
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise Fail('%s (%s) is gone (exit code %s); see its stderr' % (self.role, self.label, self.proc.poll()))

    def mark(self):
        return len(self.events)

    def find(self, pattern, since=0, until=None):
        rx = re.compile(pattern)
        for i in range(since, len(self.events) if until is None else until):
            m = rx.search(self.events[i])
            if m:
                return i, m
        return None, None

    def findall(self, pattern, since=0):
        rx = re.compile(pattern)
        return [(i, m) for i in range(since, len(self.events)) for m in [rx.search(self.events[i])] if m]

    def wait(self, pattern, since=0, timeout=None):
        deadline = time.monotonic() + (timeout or TIMEOUT) * self.net.scale
        while True:
            i, m = self.find(pattern, since)
            if m:
                return i, m
            left = deadline - time.monotonic()
            if self.dead and self.net.q.empty():
                raise Fail('%s: exited before printing /%s/' % (self.role, pattern))
            if left <= 0:
                raise Fail('%s: no /%s/ within %.0fs' % (self.role, pattern, (timeout or TIMEOUT) * self.net.scale))
            self.net.pump(min(left, 0.5))

    def state(self):
        since = self.mark()
        self.cmd('STATE?')
        _, m = self.wait(r'^STATE ', since)
        line = self.events[_]
        check(line != 'STATE none', '%s has no context for its buddy' % self.role)
        return dict(kv.split('=', 1) for kv in line.split()[1:])

    def received(self, since=0):
        """Texts delivered to the user (RECV ret=0), with their otr flag."""
        return [(unesc(m.group(2)), m.group(1) == '1')
                for _, m in self.findall(r'^RECV ret=0 otr=(\d) text=(.*)$', since)]


class Net:
    """Two peers and the IM network between them."""

    def __init__(self, cmds, labels, scale, verbose, transcript):
        self.q = queue.Queue()
        self.labels = labels
        self.scale = scale
        self.verbose = verbose
        self.transcript = transcript
        self.t0 = time.monotonic()
        self.hold = {'A': False, 'B': False}        # hold messages sent by this role
        self.held = {'A': [], 'B': []}
        self.wire = []                              # [sender role, bytes] in sending order
        self.filters = []                           # callables(sender_role, raw) -> raw|None|False
        self.delivered = 0
        self.tmp = tempfile.mkdtemp(prefix='otr-interop-')
        self.peers = {}
        self.cmds = cmds

    def start(self, setup=None):
        for role in ('A', 'B'):
            d = os.path.join(self.tmp, role)
            os.mkdir(d)
            name = WHO[role][0]
            shutil.copy(os.path.join(DATA, name + '.private_key'), os.path.join(d, 'otr.private_key'))
            shutil.copy(os.path.join(DATA, name + '.instance_tags'), os.path.join(d, 'otr.instance_tags'))
            if setup:
                setup(role, d)
            self.peers[role] = Peer(self, role, self.cmds[role], d)
        for p in self.peers.values():
            _, m = p.wait(r'^READY (.*)$', timeout=30)
            p.info = dict(kv.split('=', 1) for kv in m.group(1).split())
            p.versions = set(int(v) for v in p.info['versions'].split(','))
            p.impl = p.info['impl']
            p.fp = p.info['fp'].replace('_', '').lower()
            p.instag = p.info['instag']
            check(p.info['keyread'] == '0x00000000', '%s: otrl_privkey_read failed %s' % (p.role, p.info['keyread']))

    def log(self, s):
        line = '%7.3f %s' % (time.monotonic() - self.t0, s)
        self.transcript.append(line)
        if self.verbose:
            print(line, flush=True)

    def other(self, peer):
        return self.peers['B' if peer.role == 'A' else 'A']

    def pump(self, timeout):
        try:
            peer, line = self.q.get(timeout=timeout)
        except queue.Empty:
            return False
        if line is None:
            peer.dead = True
            self.log('%s> <EOF>' % peer.role)
            return True
        self.log('%s> %s' % (peer.role, line))
        peer.events.append(line)
        if line.startswith('ERROR '):
            raise Fail('%s reported: %s' % (peer.role, line))
        if line.startswith('MSG '):
            self.route(peer, unesc(line[4:]))
        return True

    def route(self, src, raw):
        self.wire.append((src.role, raw))
        for f in list(self.filters):
            r = f(src.role, raw)
            if r is None:            # filter not interested
                continue
            self.filters.remove(f)   # one-shot
            if r is False:
                self.log('-- dropped message from %s' % src.role)
                return
            raw = r
        if self.hold[src.role]:
            self.held[src.role].append(raw)
        else:
            self.deliver(self.other(src), raw)

    def deliver(self, dst, raw):
        self.delivered += 1
        dst.cmd('MSG ' + esc(raw))

    def inject(self, dst, raw):
        """A message that does not come from the buddy's OTR client (e.g. plaintext)."""
        self.deliver(dst, raw)

    def barrier(self):
        tok = str(random.getrandbits(32))
        marks = {r: p.mark() for r, p in self.peers.items()}
        for p in self.peers.values():
            p.cmd('PING ' + tok)
        for r, p in self.peers.items():
            p.wait('^PONG %s$' % tok, marks[r])

    def settle(self, rounds=100):
        """Wait until nothing is in flight: a full PING round in which nothing was relayed."""
        for _ in range(rounds):
            before = self.delivered
            self.barrier()
            if self.delivered == before:
                return
        raise Fail('the conversation does not settle')

    def release(self, rng=None):
        """Deliver the held messages, both directions interleaved (per-direction order kept)."""
        a, b = self.held['A'], self.held['B']
        self.held = {'A': [], 'B': []}
        self.hold = {'A': False, 'B': False}
        order = ['A'] * len(a) + ['B'] * len(b)
        if rng:
            rng.shuffle(order)
        ia = ib = 0
        for r in order:
            if r == 'A':
                self.deliver(self.peers['B'], a[ia]); ia += 1
            else:
                self.deliver(self.peers['A'], b[ib]); ib += 1
        return len(order)

    def wire_from(self, role, since=0):
        return [raw for r, raw in self.wire[since:] if r == role]

    def stop(self):
        for p in self.peers.values():
            try:
                p.proc.stdin.write(b'QUIT\n')
                p.proc.stdin.close()
            except (BrokenPipeError, OSError, ValueError):
                pass
        problems = []
        deadline = time.monotonic() + 10 * self.scale
        for p in self.peers.values():
            try:
                rc = p.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.proc.kill()
                p.proc.wait()
                rc = 'killed (did not exit on QUIT)'
            p.stderr.close()
            if rc != 0:
                err = open(os.path.join(p.statedir, 'stderr.txt'), 'rb').read()[-2000:].decode('utf-8', 'replace')
                problems.append('%s exited with %s; stderr tail: %s' % (p.role, rc, err.strip()))
        # Drain what the readers still queued, for the transcript.
        while self.pump(0.01):
            pass
        return problems

    def cleanup(self):
        for p in self.peers.values():
            if p.proc.poll() is None:
                p.proc.kill()
                p.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)


# ---------------------------------------------------------------- helpers

def expect_version(i, r):
    if getattr(i, 'v2only', False) or getattr(r, 'v2only', False):
        return 2
    return 3 if 3 in i.versions and 3 in r.versions else 2


def set_v2_only(p):
    p.cmd('POLICY V2|WS_START|ERR_START')
    p.v2only = True


def establish(net, i, r, expect_new_fp=True):
    mi, mr = i.mark(), r.mark()
    i.cmd('QUERY')
    net.settle()
    si, sr = i.state(), r.state()
    check(si['msgstate'] == '1' and sr['msgstate'] == '1',
          'not ENCRYPTED after the AKE: msgstate %s/%s' % (si['msgstate'], sr['msgstate']))
    for p in (i, r):
        i1, _ = p.find(r'^CB gone_secure ', mi if p is i else mr)
        check(i1 is not None, '%s: gone_secure not fired' % p.role)
    return si, sr


def ssid_checks(i, r, si, sr):
    v = expect_version(i, r)
    for p, s, q in ((i, si, r), (r, sr, i)):
        check(s['version'] == str(v), '%s: protocol_version %s, expected %d' % (p.role, s['version'], v))
        check(s['fp'] == q.fp, '%s: active fingerprint %s is not %s\'s %s' % (p.role, s['fp'], q.role, q.fp))
        if v == 3:
            check(s['their_instance'] == q.instag, '%s: their_instance %s, expected %s'
                  % (p.role, s['their_instance'], q.instag))
            check(s['our_instance'] == p.instag, '%s: our_instance %s' % (p.role, s['our_instance']))
        else:
            check(s['their_instance'] == '00000000', '%s: their_instance %s in a v2 session'
                  % (p.role, s['their_instance']))
    check(si['ssid'] != '-' and len(si['ssid']) == 16, 'bad session id %s' % si['ssid'])
    check(si['ssid'] == sr['ssid'], 'session ids differ: %s / %s' % (si['ssid'], sr['ssid']))
    check(si['ssid_half'] != sr['ssid_half'], 'both sides bold the same session id half (%s)' % si['ssid_half'])


def roundtrip(net, src, dst, text):
    md, w = dst.mark(), len(net.wire)
    src.cmd('SEND ' + esc(text))
    net.settle()
    got = dst.received(md)
    check(got == [(text.encode('utf-8'), True)], '%s sent %r, %s received %r' % (src.role, text, dst.role, got))
    sent = net.wire_from(src.role, w)
    check(sent and all(m.startswith(b'?OTR') for m in sent), 'message went out unencrypted: %r' % sent[:1])
    check(all(text.encode('utf-8') not in m for m in sent), 'plaintext visible on the wire')


def honours_requery(p):
    """Go otr3 ignores a query that arrives within 60 s of its last change to ENCRYPTED
    (or of its last AKE step), so no re-key starts; the other peers answer every query."""
    return p.impl != 'otr3'


def skip_if_requery_ignored(i, r):
    if not honours_requery(r):
        return '(otr3 as the responder ignores a query within 60 s of going secure)'
    return None


BAD_EVENTS = r'^CB handle_msg_event (RCVDMSG_\w+|ENCRYPTION_ERROR|SETUP_ERROR|CONNECTION_ENDED|MSG_REFLECTED)'


def no_bad_events(p, since):
    i, m = p.find(BAD_EVENTS, since)
    check(m is None, '%s: unexpected event: %s' % (p.role, p.events[i] if i is not None else ''))


# ---------------------------------------------------------------- scenarios

def sc_first_contact(net, i, r):
    """First contact: new_fingerprint, gone_secure, ENCRYPTED, same ssid, version."""
    mi, mr = i.mark(), r.mark()
    si, sr = establish(net, i, r)
    ssid_checks(i, r, si, sr)
    for p, q, m in ((i, r, mi), (r, i, mr)):
        nf = p.findall(r'^CB new_fingerprint user=(\S+) fp=([0-9a-f]{40})', m)
        check(len(nf) == 1, '%s: new_fingerprint fired %d times' % (p.role, len(nf)))
        check(nf[0][1].group(1) == q.account and nf[0][1].group(2) == q.fp,
              '%s: new_fingerprint for %s %s' % (p.role, nf[0][1].group(1), nf[0][1].group(2)))
        gs = p.findall(r'^CB gone_secure ', m)
        check(len(gs) == 1, '%s: gone_secure fired %d times' % (p.role, len(gs)))
        check(nf[0][0] < gs[0][0], '%s: new_fingerprint after gone_secure' % p.role)
        wf, _ = p.find(r'^CB write_fingerprints err=0x00000000', m)
        check(wf is not None and nf[0][0] < wf, '%s: write_fingerprints not fired after new_fingerprint' % p.role)
        check(p.find(r'^CB still_secure', m)[0] is None, '%s: still_secure on first contact' % p.role)
        s = si if p is i else sr
        check(s['trust'] == '-', '%s: a new fingerprint has trust %r' % (p.role, s['trust']))
        stored = open(os.path.join(p.statedir, 'otr.fingerprints')).read()
        check('%s\t%s\t%s\t%s' % (q.account, p.account, PROTO, q.fp) in stored,
              '%s: the fingerprint file does not list %s\'s key: %r' % (p.role, q.role, stored))
        no_bad_events(p, m)
    roundtrip(net, i, r, 'hello after first contact')
    roundtrip(net, r, i, 'hello back')


def setup_trusted(role, d):
    shutil.copy(os.path.join(DATA, WHO[role][0] + '.fingerprints.trusted'), os.path.join(d, 'otr.fingerprints'))


def sc_known_fingerprint(net, i, r):
    """Trusted fingerprints loaded from a file: no new_fingerprint, trust 'verified'."""
    mi, mr = i.mark(), r.mark()
    si, sr = establish(net, i, r)
    ssid_checks(i, r, si, sr)
    for p, s, m in ((i, si, mi), (r, sr, mr)):
        check(p.info['fpread'] == '0x00000000', '%s: reading fingerprints failed' % p.role)
        n, _ = p.find(r'^CB new_fingerprint', m)
        check(n is None, '%s: new_fingerprint fired for a known key' % p.role)
        check(s['trust'] == 'verified', '%s: trust %r, expected verified' % (p.role, s['trust']))
        no_bad_events(p, m)
    roundtrip(net, i, r, 'known key')
sc_known_fingerprint.setup = setup_trusted


PHRASES = ['plain ascii', 'h\u00e9llo w\u00f6rld', '\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8',
           '\u2713 check \u2192 arrow', 'emoji \U0001f600\U0001f510', '<b>html</b> &amp; %s %n \\ back\\slash',
           '\u0420\u0443\u0441\u0441\u043a\u0438\u0439 \u0442\u0435\u043a\u0441\u0442', 'tab\tinside',
           'a' * 300]


def sc_messages(net, i, r, n=400):
    """400 messages each way, UTF-8, many of them crossing in flight; all arrive in order."""
    establish(net, i, r)
    mi, mr, w = i.mark(), r.mark(), len(net.wire)
    rng = random.Random(4000 + (i.role == 'A'))
    sent = {i.role: [], r.role: []}
    peers = {i.role: i, r.role: r}

    def send(p):
        k = len(sent[p.role])
        text = '%s#%d %s' % (p.role, k, rng.choice(PHRASES))
        sent[p.role].append(text.encode('utf-8'))
        p.cmd('SEND ' + esc(text))

    crossed = 0
    while len(sent['A']) < n or len(sent['B']) < n:
        burst = [role for role in ('A', 'B') for _ in range(min(rng.randint(1, 4), n - len(sent[role])))]
        rng.shuffle(burst)
        if rng.random() < 0.6:
            net.hold = {'A': True, 'B': True}      # both sides send before seeing the other's
            for role in burst:
                send(peers[role])
            net.barrier()
            if net.held['A'] and net.held['B']:
                crossed += 1
            net.release(rng)
        else:
            for role in burst:
                send(peers[role])
        net.settle()
    for p, q in ((i, r), (r, i)):
        got = [t for t, _ in q.received(mi if q is i else mr)]
        check(len(got) == n, '%s received %d of %d messages from %s' % (q.role, len(got), n, p.role))
        for k, (a, b) in enumerate(zip(sent[p.role], got)):
            check(a == b, '%s->%s message %d: sent %r, received %r' % (p.role, q.role, k, a, b))
        check(all(o for _, o in q.received(mi if q is i else mr)), 'a message was not decrypted by OTR')
        no_bad_events(q, mi if q is i else mr)
        sres = [m.group(1) for _, m in p.findall(r'^SENT err=(0x[0-9a-f]+)', mi if p is i else mr)]
        check(len(sres) == n and set(sres) == {'0x00000000'}, '%s: otrl_message_sending errors %s' % (p.role, set(sres)))
    for role, raw in net.wire[w:]:
        check(raw.startswith(b'?OTR:'), 'non-OTR data on the wire from %s: %r' % (role, raw[:60]))
    check(crossed >= 20, 'only %d bursts crossed in flight' % crossed)
    si, sr = i.state(), r.state()
    check(si['msgstate'] == '1' and sr['msgstate'] == '1', 'no longer ENCRYPTED')


def big_text(n=10240):
    parts, size, k = [], 0, 0
    while size < n:
        s = '[%05d] %s ' % (k, PHRASES[k % 7])
        parts.append(s)
        size += len(s.encode('utf-8'))
        k += 1
    b = ''.join(parts).encode('utf-8')[:n]
    return b.decode('utf-8', 'ignore').encode('utf-8')


def sc_fragments(net, i, r):
    """A 10 KiB message with max_message_size 400: fragments <= 400 bytes, reassembled intact;
    then a re-AKE with both sides fragmenting at 400."""
    si, sr = establish(net, i, r)
    v = expect_version(i, r)
    msg = big_text()
    i.cmd('MAXSIZE 400')
    mr, w = r.mark(), len(net.wire)
    i.cmd('SEND ' + esc(msg))
    net.settle()
    frags = net.wire_from(i.role, w)
    check(len(frags) >= 10240 * 4 // 3 // 400, 'only %d fragments for 10 KiB' % len(frags))
    check(all(len(f) <= 400 for f in frags), 'fragment longer than 400 bytes: %d' % max(len(f) for f in frags))
    pre = b'?OTR|' if v == 3 else b'?OTR,'
    check(all(f.startswith(pre) for f in frags), 'fragment without %r: %r' % (pre, frags[0][:20]))
    if v == 3:
        want = b'?OTR|%x|%x,' % (int(i.instag, 16), int(r.instag, 16))
        check(all(f.startswith(want) for f in frags), 'fragment instance tags: %r' % frags[0][:30])
    nfr = len(frags)
    heads = [re.match(rb'\?OTR[|,](?:[0-9a-f]+\|[0-9a-f]+,)?(\d+),(\d+),', f) for f in frags]
    check(all(h for h in heads), 'unparsable fragment header')
    check([(int(h.group(1)), int(h.group(2))) for h in heads] == [(k + 1, nfr) for k in range(nfr)],
          'fragment numbering is not 1..%d of %d' % (nfr, nfr))
    got = r.received(mr)
    check(got == [(msg, True)], 'reassembled message differs (got %d deliveries, lengths %s)'
          % (len(got), [len(t) for t, _ in got]))
    rets = [m.group(1) for _, m in r.findall(r'^RECV ret=(\d)', mr)]
    check(rets == ['1'] * (nfr - 1) + ['0'], 'receiver results per fragment: %s' % ''.join(rets))
    roundtrip(net, r, i, 'got your long message')
    # Re-key with every AKE message fragmented too. The query comes from i, or from r
    # when r is otr3, which would ignore i's query (see honours_requery); two otr3 peers
    # ignore each other's, so that part is left out for them.
    if not honours_requery(i) and not honours_requery(r):
        return
    r.cmd('MAXSIZE 400')
    mi, mr, w = i.mark(), r.mark(), len(net.wire)
    (r if not honours_requery(r) else i).cmd('QUERY')
    net.settle()
    si2, sr2 = i.state(), r.state()
    check(si2['msgstate'] == '1' and sr2['msgstate'] == '1', 'not ENCRYPTED after the fragmented AKE')
    check(si2['ssid'] == sr2['ssid'] and si2['ssid'] != si['ssid'], 'fragmented re-AKE: ssid %s/%s (old %s)'
          % (si2['ssid'], sr2['ssid'], si['ssid']))
    check(all(len(m) <= 400 for _, m in net.wire[w:]), 'an AKE message longer than 400 bytes')
    check(any(m.startswith(pre) for _, m in net.wire[w:]), 'no AKE message was fragmented')
    for p, m in ((i, mi), (r, mr)):
        no_bad_events(p, m)
    roundtrip(net, i, r, 'after the fragmented AKE')


def sc_disconnect(net, i, r):
    """DISCONNECT: the peer gets TLV 1 and FINISHED, cannot send; re-query re-keys to ENCRYPTED."""
    si, _ = establish(net, i, r)
    mi, mr, w = i.mark(), r.mark(), len(net.wire)
    i.cmd('DISCONNECT')
    net.settle()
    if i.impl == 'libotr':
        check(i.find(r'^CB is_logged_in recipient=%s -> 1' % re.escape(r.account), mi)[0] is not None,
              '%s: is_logged_in not asked before sending the disconnect' % i.role)
    out = net.wire_from(i.role, w)
    check(len(out) == 1 and out[0].startswith(b'?OTR:'), '%s sent %r for DISCONNECT' % (i.role, out))
    check(i.state()['msgstate'] == '0', '%s: not PLAINTEXT after DISCONNECT' % i.role)
    t, m = r.find(r'^TLV type=1 len=0 data=-(?: synth=1)?$', mr)
    check(t is not None, '%s: no DISCONNECTED TLV' % r.role)
    check(r.find(r'^RECV ret=1', mr)[0] is not None, '%s: the disconnect message was shown to the user' % r.role)
    check(r.state()['msgstate'] == '2', '%s: not FINISHED after the disconnect' % r.role)
    no_bad_events(r, mr)
    # Sending now must fail with CONNECTION_ENDED, and nothing readable goes out.
    mr, mi, w = r.mark(), i.mark(), len(net.wire)
    r.cmd('SEND are you still there?')
    net.settle()
    check(r.find(r'^CB handle_msg_event CONNECTION_ENDED', mr)[0] is not None,
          '%s: no CONNECTION_ENDED when sending in FINISHED' % r.role)
    out = net.wire_from(r.role, w)
    check(all(b'still there' not in m for m in out), 'the message leaked after the session ended: %r' % out)
    check(all(t != b'are you still there?' for t, _ in i.received(mi)), 'the message was delivered')
    if r.impl == 'libotr':
        # libotr 4.1.1 quirk (README): otrl_message_sending in FINISHED makes *messagep "" and,
        # with OTRL_FRAGMENT_SEND_ALL, injects that empty message.
        check(out == [b''], '%s sent %r in FINISHED; libotr injects exactly one empty message' % (r.role, out))
    else:
        check(out == [], '%s sent %r in FINISHED' % (r.role, out))
    # Re-query from the FINISHED side.
    mi, mr = i.mark(), r.mark()
    r.cmd('QUERY')
    net.settle()
    si2, sr2 = i.state(), r.state()
    check(si2['msgstate'] == '1' and sr2['msgstate'] == '1', 'not ENCRYPTED after the re-query: %s/%s'
          % (si2['msgstate'], sr2['msgstate']))
    check(si2['ssid'] == sr2['ssid'] and si2['ssid'] != si['ssid'], 'ssid after re-key %s/%s (old %s)'
          % (si2['ssid'], sr2['ssid'], si['ssid']))
    for p, m in ((i, mi), (r, mr)):
        check(p.find(r'^CB gone_secure ', m)[0] is not None, '%s: no gone_secure after the re-query' % p.role)
        check(p.find(r'^CB new_fingerprint', m)[0] is None, '%s: new_fingerprint for a known key' % p.role)
    roundtrip(net, i, r, 'back again')
    roundtrip(net, r, i, 'welcome back')


def sc_requery(net, i, r):
    """Re-query while ENCRYPTED: a new AKE, still ENCRYPTED, new ssid; the querying side gets
    still_secure (v3: the side that answers the query with a DH-Commit gets gone_secure, see README)."""
    si, sr = establish(net, i, r)
    v = expect_version(i, r)
    roundtrip(net, i, r, 'before re-key')
    mi, mr = i.mark(), r.mark()
    i.cmd('QUERY')
    net.settle()
    si2, sr2 = i.state(), r.state()
    check(si2['msgstate'] == '1' and sr2['msgstate'] == '1', 'not ENCRYPTED after re-query')
    check(si2['version'] == sr2['version'] == str(v), 'protocol version %s/%s after re-query'
          % (si2['version'], sr2['version']))
    check(si2['ssid'] == sr2['ssid'] and si2['ssid'] != si['ssid'], 'ssid after re-key %s/%s (old %s)'
          % (si2['ssid'], sr2['ssid'], si['ssid']))
    for p, m in ((i, mi), (r, mr)):
        ss = p.findall(r'^CB still_secure is_reply=(-?\d)', m)
        gs = p.findall(r'^CB gone_secure', m)
        if p is r and v == 3 and p.impl == 'libotr':
            # libotr 4.1.1: the DH-Key arrives on the instance context, which first copies the
            # master's msgstate (PLAINTEXT), so this side reports gone_secure.
            check(len(gs) == 1 and not ss, '%s: expected gone_secure only (libotr v3 re-key), got %d gone, %d still'
                  % (p.role, len(gs), len(ss)))
        else:
            check(len(ss) == 1 and not gs, '%s: expected still_secure only, got %d still, %d gone'
                  % (p.role, len(ss), len(gs)))
            if p.impl == 'libotr':
                # is_reply is auth.initiated: 1 on the side that sent the DH-Commit.
                want = '0' if p is i else '1'
                check(ss[0][1].group(1) == want, '%s: still_secure is_reply=%s, expected %s'
                      % (p.role, ss[0][1].group(1), want))
        check(p.find(r'^CB new_fingerprint', m)[0] is None, '%s: new_fingerprint on a re-key' % p.role)
        no_bad_events(p, m)
    roundtrip(net, i, r, 'after re-key')
    roundtrip(net, r, i, 'after re-key too')


sc_requery.skip_if = skip_if_requery_ignored


def sc_requery_v2(net, i, r):
    """Re-query while ENCRYPTED in an OTR v2 session: still_secure on both sides."""
    for p in (i, r):
        set_v2_only(p)
    sc_requery(net, i, r)
sc_requery_v2.skip_if = skip_if_requery_ignored


def _v2_only(net, i, r):
    si, sr = establish(net, i, r)
    for p, s in ((i, si), (r, sr)):
        check(s['version'] == '2', '%s: protocol_version %s, expected 2' % (p.role, s['version']))
        check(s['their_instance'] == '00000000', '%s: their_instance %s in v2' % (p.role, s['their_instance']))
    check(si['ssid'] == sr['ssid'], 'session ids differ')
    otr = [m for _, m in net.wire if m.startswith(b'?OTR:')]
    check(otr and all(m.startswith(b'?OTR:AAI') for m in otr), 'a non-v2 OTR message on the wire: %r'
          % [m[:12] for m in otr if not m.startswith(b'?OTR:AAI')][:1])
    roundtrip(net, i, r, 'v2 only')
    roundtrip(net, r, i, 'v2 only back')


def sc_v2_only_initiator(net, i, r):
    """The initiator allows only OTR v2: the session is v2."""
    set_v2_only(i)
    _v2_only(net, i, r)


def sc_v2_only_responder(net, i, r):
    """The responder allows only OTR v2: the session is v2."""
    set_v2_only(r)
    _v2_only(net, i, r)


def sc_whitespace_start(net, i, r):
    """SEND_WHITESPACE_TAG + WHITESPACE_START_AKE: a tagged plaintext starts the AKE."""
    for p in (i, r):
        p.cmd('POLICY OPPORTUNISTIC')
    mi, mr, w = i.mark(), r.mark(), len(net.wire)
    text = 'hi, do you speak OTR? \u263a'
    i.cmd('SEND ' + esc(text))
    net.settle()
    first = net.wire_from(i.role, w)[0]
    check(first.startswith(text.encode('utf-8') + WS_BASE), 'first message is not the tagged plaintext: %r' % first)
    got = r.received(mr)
    check(got[:1] == [(text.encode('utf-8'), True)], '%s received %r (tag not stripped?)' % (r.role, got[:1]))
    check(not any(re.match(rb'\?OTRv?\d*\?', m) for _, m in net.wire[w:]), 'a query message was sent')
    rmsgs = net.wire_from(r.role, w)
    v = expect_version(i, r)
    check(rmsgs and rmsgs[0].startswith(b'?OTR:AAM' if v == 3 else b'?OTR:AAI'),
          '%s did not answer the tag with a DH-Commit: %r' % (r.role, rmsgs[:1]))
    si, sr = i.state(), r.state()
    check(si['msgstate'] == '1' and sr['msgstate'] == '1', 'not ENCRYPTED after the whitespace start')
    ssid_checks(i, r, si, sr)
    for p, m in ((i, mi), (r, mr)):
        check(p.find(r'^CB gone_secure', m)[0] is not None, '%s: no gone_secure' % p.role)
        no_bad_events(p, m)
    roundtrip(net, i, r, 'tagged start worked')


def sc_symkey(net, i, r):
    """Extra symmetric key (v3): same key on both sides, with use code and use data."""
    establish(net, i, r)
    for src, dst, use, data in ((i, r, 0x00012345, 'cafebabe00ff'), (r, i, 7, '-')):
        ms, md = src.mark(), dst.mark()
        src.cmd('SYMKEY %d %s' % (use, data))
        net.settle()
        _, m = src.find(r'^SYMKEY-RESULT err=(0x[0-9a-f]+) key=([0-9a-f]+)', ms)
        check(m and m.group(1) == '0x00000000', '%s: otrl_message_symkey failed: %s' % (src.role, m and m.group(1)))
        key = m.group(2)
        check(len(key) == 64 and key != '0' * 64, 'bad key %s' % key)
        _, n = dst.find(r'^CB received_symkey use=(\d+) usedata=(\S+) key=([0-9a-f]+)$', md)
        check(n is not None, '%s: received_symkey not fired' % dst.role)
        check(int(n.group(1)) == use and n.group(2) == data,
              '%s: use %s data %s, sent %d %s' % (dst.role, n.group(1), n.group(2), use, data))
        check(n.group(3) == key, 'keys differ: %s made %s, %s got %s' % (src.role, key, dst.role, n.group(3)))
        want_tlv = '%08x%s' % (use, '' if data == '-' else data)
        check(dst.find(r'^TLV type=8 len=%d data=%s(?: synth=1)?$' % (len(want_tlv) // 2, want_tlv), md)[0] is not None,
              '%s: no TLV 8 with the use data' % dst.role)
        check(dst.received(md) == [], '%s: the symkey message was shown to the user' % dst.role)
        if dst.impl == 'libotr':
            # The TLV rides on an empty data message, which libotr reports as a heartbeat.
            check(dst.find(r'^CB handle_msg_event LOG_HEARTBEAT_RCVD', md)[0] is not None,
                  '%s: no LOG_HEARTBEAT_RCVD for the empty symkey message' % dst.role)
        no_bad_events(dst, md)
    roundtrip(net, i, r, 'after symkey')
sc_symkey.needs_v3 = True


def tamper_data_message(raw):
    """Flip one bit of the ciphertext of an OTR data message (v2 or v3)."""
    m = re.match(rb'\?OTR:([A-Za-z0-9+/=]+)\.', raw)
    if not m:
        return None
    b = bytearray(base64.b64decode(m.group(1)))
    if len(b) < 3 or b[2] != 0x03:
        return None
    off = 3 + (8 if b[1] == 3 else 0) + 1 + 8
    ylen = struct.unpack('>I', b[off:off + 4])[0]
    off += 4 + ylen + 8
    dlen = struct.unpack('>I', b[off:off + 4])[0]
    off += 4
    b[off if dlen else off + 1] ^= 0x01
    return b'?OTR:' + base64.b64encode(bytes(b)) + b'.'


def sc_tampered(net, i, r):
    """A data message with one flipped bit: RCVDMSG_UNREADABLE at the receiver, which answers with
    an OTR error; the sender gets RCVDMSG_GENERAL_ERR and (ERROR_START_AKE) re-keys. libotr resends
    the lost message with the "[resent]" prefix only in a v2 session (see README)."""
    establish(net, i, r)
    v = expect_version(i, r)
    # libotr and otr3 answer the error with a query (ERROR_START_AKE); the AKE runs unless
    # r is otr3, which ignores a query so soon after going secure. After that AKE, libotr
    # resends the lost message in v2 only (see README), otr3 in v2 and v3.
    rekey = i.impl in ('libotr', 'otr3') and honours_requery(r)
    resend = rekey and (v == 2 or i.impl == 'otr3')
    rounds = [('tamper me', None, '[resent]')]
    if resend:
        rounds.append(('tamper me again', '[again]', '[again]'))
    for text, prefix, want_prefix in rounds:
        if prefix:
            i.cmd('RESENTPREFIX ' + prefix)
        mi, mr, w = i.mark(), r.mark(), len(net.wire)
        tampered = []

        def filt(role, raw):
            if role != i.role:
                return None
            t = tamper_data_message(raw)
            if t is not None:
                tampered.append(t)
            return t
        net.filters.append(filt)
        i.cmd('SEND ' + esc(text))
        net.settle()
        check(tampered, 'no data message to tamper with')
        ui, _ = r.find(r'^CB handle_msg_event RCVDMSG_UNREADABLE', mr)
        check(ui is not None, '%s: no RCVDMSG_UNREADABLE for the tampered message' % r.role)
        rerr = [m for m in net.wire_from(r.role, w) if m.startswith(b'?OTR Error:')]
        check(len(rerr) == 1, '%s sent %d OTR error messages' % (r.role, len(rerr)))
        if r.impl == 'libotr':
            check(r.find(r'^CB otr_error_message code=MSG_UNREADABLE', mr)[0] is not None,
                  '%s: otr_error_message(MSG_UNREADABLE) not asked' % r.role)
        errtext = rerr[0][len(b'?OTR Error:'):].lstrip(b' ')
        _, g = i.find(r'^CB handle_msg_event RCVDMSG_GENERAL_ERR err=0x00000000 (?:synth=1 )?msg=(.*)$', mi)
        check(g is not None, '%s: no RCVDMSG_GENERAL_ERR for the OTR error' % i.role)
        check(unesc(g.group(1)) == errtext, '%s: error text %r, sent %r' % (i.role, unesc(g.group(1)), errtext))
        got = r.received(mr)
        if i.impl in ('libotr', 'otr3'):
            # ERROR_START_AKE: a query goes out and the AKE re-runs.
            check(any(re.match(rb'\?OTRv\d*\?', m) for m in net.wire_from(i.role, w)),
                  '%s: no query after the OTR error (ERROR_START_AKE)' % i.role)
        rk = i.find(r'^CB (still|gone)_secure', mi)[0]
        if rekey:
            check(rk is not None, '%s: no re-key after the error' % i.role)
        elif i.impl != 'potr':
            check(rk is None, '%s: re-keyed although %s ignores the query' % (i.role, r.role))
        rs = i.find(r'^CB handle_msg_event MSG_RESENT', mi)[0]
        if resend:
            check(rs is not None, '%s: no MSG_RESENT' % i.role)
            if i.impl == 'libotr':
                check(i.find(r'^CB resent_msg_prefix -> ', mi)[0] is not None,
                      '%s: resent_msg_prefix not asked' % i.role)
            want = ('%s %s' % (want_prefix, text)).encode()
            if i.impl == 'otr3':
                # otr3 bug: the resend queue keeps the buffer Send() wipes afterwards, so the
                # text is resent as NUL bytes; the receiver shows the prefix only (the
                # message ends at the first NUL).
                want = ('%s ' % want_prefix).encode()
            check(got == [(want, True)], '%s received %r, expected %r' % (r.role, got, want))
        else:
            # v3: the error arrives on the master context, which is not ENCRYPTED, so libotr
            # does not mark the message for retransmission; potr never retransmits; nothing
            # is resent without the AKE.
            check(rs is None, '%s: MSG_RESENT (v%d, re-key %s)' % (i.role, v, rekey))
            check(got == [], '%s received %r' % (r.role, got))
        si, sr = i.state(), r.state()
        check(si['msgstate'] == '1' and sr['msgstate'] == '1', 'not ENCRYPTED after the tampering')
        check(i.find(r'^CB handle_msg_event RCVDMSG_(UNREADABLE|MALFORMED|UNENCRYPTED)', mi)[0] is None,
              '%s: unexpected receive error' % i.role)
    roundtrip(net, i, r, 'after tampering')
    roundtrip(net, r, i, 'after tampering, back')


def sc_tampered_v2(net, i, r):
    """The tampered scenario in an OTR v2 session: libotr resends with the "[resent]" prefix
    (default, the callback returning NULL) and then with a prefix from resent_msg_prefix."""
    for p in (i, r):
        set_v2_only(p)
    sc_tampered(net, i, r)


def sc_plaintext(net, i, r):
    """A plaintext message while ENCRYPTED: RCVDMSG_UNENCRYPTED with the text, not delivered."""
    establish(net, i, r)
    for dst in (r, i):
        md = dst.mark()
        text = b'this is not encrypted <%s>' % dst.role.encode()
        net.inject(dst, text)
        net.settle()
        _, m = dst.find(r'^CB handle_msg_event RCVDMSG_UNENCRYPTED err=0x00000000 (?:synth=1 )?msg=(.*)$', md)
        check(m is not None, '%s: no RCVDMSG_UNENCRYPTED' % dst.role)
        check(unesc(m.group(1)) == text, '%s: event text %r' % (dst.role, m.group(1)))
        check(dst.received(md) == [], '%s: the plaintext was delivered as a normal message' % dst.role)
        check(dst.state()['msgstate'] == '1', '%s: left ENCRYPTED' % dst.role)
    roundtrip(net, i, r, 'still private')
    roundtrip(net, r, i, 'still private, back')


def sc_require_encryption(net, i, r):
    """ALWAYS (REQUIRE_ENCRYPTION): the first message is held back, a query goes out instead,
    and the message is sent encrypted once the AKE completes."""
    i.cmd('POLICY ALWAYS')
    mi, mr, w = i.mark(), r.mark(), len(net.wire)
    text = 'held back until private'
    i.cmd('SEND ' + esc(text))
    net.settle()
    er, _ = i.find(r'^CB handle_msg_event ENCRYPTION_REQUIRED', mi)
    check(er is not None, '%s: no ENCRYPTION_REQUIRED' % i.role)
    first = net.wire_from(i.role, w)
    check(first and re.match(rb'\?OTRv\d*\?', first[0]), '%s sent %r instead of a query' % (i.role, first[:1]))
    check(all(text.encode() not in m for _, m in net.wire[w:]), 'the held message leaked in plaintext')
    si, sr = i.state(), r.state()
    check(si['msgstate'] == '1' and sr['msgstate'] == '1', 'not ENCRYPTED')
    got = r.received(mr)
    if i.impl in ('libotr', 'otr3'):
        # libotr resends a message held back by REQUIRE_ENCRYPTION *without* the "[resent]"
        # prefix and without MSG_RESENT (may_retransmit == 2); see README. otr3 does the
        # same (its own event for it is MSG_SENT).
        check(got == [(text.encode(), True)], '%s received %r' % (r.role, got))
        check(i.find(r'^CB handle_msg_event MSG_RESENT', mi)[0] is None, 'MSG_RESENT for a held-back message')
        # Positions: the encrypted message leaves after the AKE.
        sent = net.wire_from(i.role, w)
        check(sent[-1].startswith(b'?OTR:'), 'the held message was not sent last')
    else:
        check(got == [], '%s received %r' % (r.role, got))
    no_bad_events(r, mr)
    roundtrip(net, i, r, 'now private')


SMP_EVENT = r'^CB handle_smp_event (\w+) progress=(\d+) (?:synth=1 )?question=(.*)$'


def smp_events(p, since):
    """The handle_smp_event calls since a mark, as (event, progress, question-or-None)."""
    return [(m.group(1), int(m.group(2)), None if m.group(3) == '-' else unesc(m.group(3)))
            for _, m in p.findall(SMP_EVENT, since)]


def check_smp_events(p, since, want, when):
    got = smp_events(p, since)
    check(got == want, '%s: SMP events %s %s, expected %s' % (p.role, when, got, want))


def check_trust(net, p, want):
    """Trust of p's active fingerprint (STATE, '' shown as '-') and in its fingerprint file."""
    q = net.other(p)
    st = p.state()
    check(st['msgstate'] == '1', '%s: left ENCRYPTED' % p.role)
    check(st['trust'] == (want or '-'), '%s: trust %r, expected %r' % (p.role, st['trust'], want or '-'))
    path = os.path.join(p.statedir, 'otr.fingerprints')
    stored = open(path).read().splitlines() if os.path.exists(path) else []
    line = '%s\t%s\t%s\t%s\t%s' % (q.account, p.account, PROTO, q.fp, want)
    check(line.rstrip('\t') in [x.rstrip('\t') for x in stored],
          '%s: the fingerprint file does not have %r: %r' % (p.role, line, stored))


class SmpTrust:
    """The trust each side should have, by libotr 4.1.1's rules (message.c, set_smp_trust):
    the initiator sets "smp" or "" when TLV 5 arrives; the responder sets it when TLV 4
    arrives, but only if no question was asked. python-potr as the responder also sets ""
    after a failed answer to a question (see the README). An otr3 responder answers a
    mismatch with an SMP abort instead of TLV 5, so the initiator never learns the result
    and keeps its trust."""

    def __init__(self, net, i, r, initial=''):
        self.net = net
        self.trust = {i.role: initial, r.role: initial}

    def after(self, i, r, question, ok):
        """Update for a completed SMP; returns the roles whose trust was (re)written."""
        written = []
        if ok or r.impl != 'otr3':
            written.append(i.role)
            self.trust[i.role] = 'smp' if ok else ''
        if not question or (r.impl == 'potr' and not ok):
            self.trust[r.role] = 'smp' if ok else ''
            written.append(r.role)
        return written

    def check(self):
        for p in self.net.peers.values():
            check_trust(self.net, p, self.trust[p.role])


def smp_start(net, i, r, secret, question):
    """i starts an SMP; r must report ASK_FOR_ANSWER (with the question) or ASK_FOR_SECRET, 25."""
    mi, mr = i.mark(), r.mark()
    i.cmd('SMP-INIT %s%s' % (esc(secret), ' ' + esc(question) if question else ''))
    net.settle()
    ask = ('ASK_FOR_ANSWER', 25, question.encode('utf-8')) if question else ('ASK_FOR_SECRET', 25, None)
    check_smp_events(r, mr, [ask], 'after SMP-INIT')
    check_smp_events(i, mi, [], 'after its own SMP-INIT')
    for p, m in ((i, mi), (r, mr)):
        no_bad_events(p, m)
    return mi, mr, ask


def smp_round(net, i, r, trust, secret, answer, question=None):
    """A whole SMP, i asking: events with progress 25/60/100 on the right sides, the result
    on both, and the trust (and write_fingerprints) libotr gives."""
    mi, mr, ask = smp_start(net, i, r, secret, question)
    r.cmd('SMP-RESPOND %s' % esc(answer))
    net.settle()
    ok = secret == answer
    result = ('SUCCESS' if ok else 'FAILURE', 100, None)
    want_i, want_r = [('IN_PROGRESS', 60, None), result], [ask, result]
    if not ok and r.impl == 'otr3':
        # otr3 (2016) sends an SMP abort (TLV 6) instead of TLV 5 when TLV 4 does not match,
        # as potr 1.0.2 does unshimmed: the initiator reports ABORT, not FAILURE.
        want_i = [('IN_PROGRESS', 60, None), ('ABORT', 0, None)]
    elif not ok and i.impl == 'otr3':
        # otr3 answers a mismatching TLV 5 with an SMP abort, which the responder reports.
        want_r = [ask, result, ('ABORT', 0, None)]
    check_smp_events(i, mi, want_i, 'as the initiator')
    check_smp_events(r, mr, want_r, 'as the responder')
    written = trust.after(i, r, question, ok)
    for p, m in ((i, mi), (r, mr)):
        no_bad_events(p, m)
        wf = p.findall(r'^CB write_fingerprints err=0x00000000', m)
        end, _ = p.find(r'^CB handle_smp_event (SUCCESS|FAILURE)', m)
        if p.role in written:
            check(len(wf) == 1 and wf[0][0] < end, '%s: write_fingerprints %d times before the SMP %s'
                  % (p.role, len(wf), result[0]))
        else:
            check(not wf, '%s: write_fingerprints called, but its trust must not change' % p.role)
    trust.check()


def sc_smp_question(net, i, r):
    """SMP with a question (UTF-8) and the right answer: ASK_FOR_ANSWER 25 with the question at
    the responder, IN_PROGRESS 60 at the asker, SUCCESS 100 on both; only the asker trusts
    ("smp", written with write_fingerprints)."""
    establish(net, i, r)
    trust = SmpTrust(net, i, r)
    smp_round(net, i, r, trust, 'Bello', 'Bello', 'Wie hei\u00dft der Hund? \U0001f415')
    roundtrip(net, i, r, 'after SMP')


def sc_smp_secret(net, i, r):
    """SMP without a question, the same (UTF-8) secret: ASK_FOR_SECRET 25, IN_PROGRESS 60,
    SUCCESS 100; both sides trust "smp"."""
    establish(net, i, r)
    trust = SmpTrust(net, i, r)
    smp_round(net, i, r, trust, 'geh\u00e9im-42', 'geh\u00e9im-42')
    roundtrip(net, i, r, 'after SMP')


def sc_smp_wrong_secret(net, i, r):
    """SMP with a wrong answer, both sides starting from "verified": FAILURE 100 on both.
    After a question only the asker's trust is reset to ""; without one, both are."""
    establish(net, i, r, expect_new_fp=False)
    trust = SmpTrust(net, i, r, 'verified')
    trust.check()
    smp_round(net, i, r, trust, 'right', 'wrong', 'the password?')
    smp_round(net, i, r, trust, 'shared', 'different')
    roundtrip(net, i, r, 'after a failed SMP')
sc_smp_wrong_secret.setup = setup_trusted


def sc_smp_abort(net, i, r):
    """SMP aborted mid-way: by the responder at ASK_FOR_ANSWER, by the initiator at
    ASK_FOR_ANSWER, and by the initiator at IN_PROGRESS 60 (its TLV 4 lost). The other side
    gets ABORT 0, the aborting side no event, no trust changes; each time a fresh SMP
    (started by either side) then succeeds."""
    establish(net, i, r)
    trust = SmpTrust(net, i, r)

    # 1. The responder declines to answer.
    mi, mr, ask = smp_start(net, i, r, 'one', 'abort me?')
    r.cmd('SMP-ABORT')
    net.settle()
    check_smp_events(i, mi, [('ABORT', 0, None)], 'after the responder aborted')
    check_smp_events(r, mr, [ask], 'after its own SMP-ABORT')
    trust.check()
    smp_round(net, r, i, trust, 'two', 'two')

    # 2. The initiator withdraws its question.
    mi, mr, ask = smp_start(net, i, r, 'three', 'never mind')
    i.cmd('SMP-ABORT')
    net.settle()
    check_smp_events(r, mr, [ask, ('ABORT', 0, None)], 'after the initiator aborted')
    check_smp_events(i, mi, [], 'after its own SMP-ABORT')
    trust.check()
    smp_round(net, i, r, trust, 'four', 'four', 'again?')

    # 3. The initiator aborts after IN_PROGRESS 60; its TLV 4 (SMP3) never arrives.
    mi, mr, ask = smp_start(net, i, r, 'five', None)
    lost = []

    def drop(role, raw):
        if role != i.role:
            return None
        lost.append(raw)
        return False
    net.filters.append(drop)
    r.cmd('SMP-RESPOND five')
    net.settle()
    check(lost, 'nothing to drop')
    check_smp_events(i, mi, [('IN_PROGRESS', 60, None)], 'after TLV 3')
    i.cmd('SMP-ABORT')
    net.settle()
    check_smp_events(r, mr, [ask, ('ABORT', 0, None)], 'after the initiator aborted at 60%')
    check_smp_events(i, mi, [('IN_PROGRESS', 60, None)], 'after its own SMP-ABORT')
    for p, m in ((i, mi), (r, mr)):
        no_bad_events(p, m)
    trust.check()
    smp_round(net, r, i, trust, 'six', 'six')
    roundtrip(net, i, r, 'after the aborts')
    roundtrip(net, r, i, 'after the aborts, back')


def sc_smp_v2(net, i, r):
    """SMP in an OTR v2 session (both sides V2|WS_START|ERR_START): with a question, then
    without one, both succeed as in v3."""
    for p in (i, r):
        set_v2_only(p)
    si, sr = establish(net, i, r)
    check(si['version'] == '2' and sr['version'] == '2', 'not a v2 session: %s/%s' % (si['version'], sr['version']))
    trust = SmpTrust(net, i, r)
    smp_round(net, i, r, trust, 'v2-secret', 'v2-secret', 'in v2?')
    smp_round(net, r, i, trust, 'zwei', 'zwei')
    roundtrip(net, i, r, 'after SMP in v2')


SCENARIOS = [
    ('first_contact', sc_first_contact),
    ('known_fingerprint', sc_known_fingerprint),
    ('messages_400', sc_messages),
    ('fragments_10k', sc_fragments),
    ('disconnect_requery', sc_disconnect),
    ('requery_encrypted', sc_requery),
    ('requery_encrypted_v2', sc_requery_v2),
    ('v2_only_initiator', sc_v2_only_initiator),
    ('v2_only_responder', sc_v2_only_responder),
    ('whitespace_start', sc_whitespace_start),
    ('symkey', sc_symkey),
    ('tampered', sc_tampered),
    ('tampered_v2', sc_tampered_v2),
    ('plaintext_while_encrypted', sc_plaintext),
    ('require_encryption', sc_require_encryption),
    ('smp_question', sc_smp_question),
    ('smp_secret', sc_smp_secret),
    ('smp_wrong_secret', sc_smp_wrong_secret),
    ('smp_abort', sc_smp_abort),
    ('smp_v2', sc_smp_v2),
]


def label_of(cmd):
    toks = shlex.split(cmd)
    paths = [t for t in toks if '/' in t or t.endswith('.py')]
    return os.path.basename(paths[-1] if paths else toks[0])


def main():
    global TIMEOUT
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--a', required=False, help='command for peer A (alice)')
    ap.add_argument('--b', required=False, help='command for peer B (bob)')
    ap.add_argument('--only', help='comma-separated scenario names')
    ap.add_argument('--skip', help='comma-separated scenario names not to run')
    ap.add_argument('--list', action='store_true')
    ap.add_argument('--log-dir', help='write every transcript here (default: only failures, to a temp dir)')
    ap.add_argument('--timeout-scale', type=float, default=None, help='multiply every timeout (default 1, 10 with --valgrind)')
    ap.add_argument('--valgrind', default='', metavar='A|B|AB',
                    help='run these peers under valgrind (memcheck, leaks are errors; timeouts x10 unless '
                         '--timeout-scale is given); logs go to --log-dir')
    ap.add_argument('--suppressions', action='append', default=[],
                    help='extra valgrind suppression file (libotr-real.supp is always used)')
    ap.add_argument('-v', '--verbose', action='store_true')
    args = ap.parse_args()
    if args.list:
        for name, f in SCENARIOS:
            print('%-26s %s' % (name, ' '.join(f.__doc__.split())))
        return 0
    if not args.a or not args.b:
        ap.error('--a and --b are required')
    only = set(args.only.split(',')) if args.only else None
    skip = set(args.skip.split(',')) if args.skip else set()
    unknown = ((only or set()) | skip) - {n for n, _ in SCENARIOS}
    if unknown:
        ap.error('unknown scenario(s): %s' % ', '.join(sorted(unknown)))
    labels = {'A': 'A:' + label_of(args.a), 'B': 'B:' + label_of(args.b)}
    vg_roles = set(args.valgrind.upper()) & {'A', 'B'}
    if args.timeout_scale is None:
        args.timeout_scale = 10.0 if vg_roles else 1.0
    supp = [os.path.join(os.path.dirname(os.path.abspath(__file__)), 'libotr-real.supp')] + args.suppressions
    logdir = args.log_dir or tempfile.mkdtemp(prefix='otr-interop-logs-')
    os.makedirs(logdir, exist_ok=True)
    print('interop: A = alice, %s' % args.a)
    print('interop: B = bob,   %s' % args.b)
    counts = {'PASS': 0, 'FAIL': 0, 'SKIP': 0}
    t_start = time.monotonic()
    for name, func in SCENARIOS:
        if (only and name not in only) or name in skip:
            continue
        for init in ('A', 'B'):
            resp = 'B' if init == 'A' else 'A'
            tag = '%s->%s' % (labels[init], labels[resp])
            transcript = []
            cmds = {'A': args.a, 'B': args.b}
            vglogs = {}
            for role in vg_roles:
                vglogs[role] = os.path.join(logdir, 'valgrind.%s.%s.%s.txt' % (name, init + resp, role))
                cmds[role] = ('valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible '
                              '--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 '
                              '--num-callers=30 %s --log-file=%s %s'
                              % (' '.join('--suppressions=' + shlex.quote(x) for x in supp),
                                 shlex.quote(vglogs[role]), cmds[role]))
            net = Net(cmds, labels, args.timeout_scale, args.verbose, transcript)
            t0 = time.monotonic()
            status, reason = 'PASS', ''
            try:
                net.start(getattr(func, 'setup', None))
                i, r = net.peers[init], net.peers[resp]
                if getattr(func, 'needs_v3', False) and not (3 in i.versions and 3 in r.versions):
                    status, reason = 'SKIP', '(needs OTR v3 on both sides)'
                elif getattr(func, 'needs_impl', None) and not i.impl == r.impl == func.needs_impl:
                    status, reason = 'SKIP', '(needs %s on both sides)' % func.needs_impl
                elif getattr(func, 'skip_if', None) and func.skip_if(i, r):
                    status, reason = 'SKIP', func.skip_if(i, r)
                else:
                    func(net, i, r)
            except Fail as e:
                status, reason = 'FAIL', str(e)
            except Exception as e:  # a bug in the driver or an unexpected peer answer
                import traceback
                status, reason = 'FAIL', 'driver exception: %r\n%s' % (e, traceback.format_exc())
            finally:
                try:
                    problems = net.stop()
                except Exception as e:
                    problems = ['stop: %r' % e]
                net.cleanup()
            for role, fn in sorted(vglogs.items()):
                if os.path.exists(fn) and os.path.getsize(fn) > 0:
                    problems.append('valgrind found problems in %s, see %s' % (role, fn))
                elif os.path.exists(fn):
                    os.unlink(fn)
            if problems and status != 'FAIL':
                status, reason = 'FAIL', '; '.join(problems)
            elif problems:
                reason += ' [' + '; '.join(problems) + ']'
            counts[status] += 1
            dt = time.monotonic() - t0
            print('%s %s %s (%.1fs)%s' % (status, name, tag, dt, (' ' + reason) if reason else ''), flush=True)
            if status == 'FAIL' or args.log_dir:
                fn = os.path.join(logdir, '%s.%s.log' % (name, init + resp))
                with open(fn, 'w') as fh:
                    fh.write('\n'.join(transcript) + '\n')
                if status == 'FAIL':
                    print('    transcript: %s' % fn)
                    for line in transcript[-25:]:
                        print('    | ' + line[:300])
    print('interop summary: %d passed, %d failed, %d skipped (%.0fs)'
          % (counts['PASS'], counts['FAIL'], counts['SKIP'], time.monotonic() - t_start))
    return 1 if counts['FAIL'] else 0


if __name__ == '__main__':
    sys.exit(main())
