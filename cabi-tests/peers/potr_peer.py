#!/usr/bin/python3
"""potr_peer: the im_peer line protocol (see im_peer.c) spoken by python-potr
(Debian's python3-potr 1.0.2, OTR v2 only), so the interop driver can pit a libotr
peer against an independent implementation.

    potr_peer.py STATEDIR ACCOUNT BUDDY PROTOCOL

potr has no callback interface like libotr's OtrlMessageAppOps. This peer prints the
same event lines where potr has an equivalent, and synthesizes the rest from potr's
return values and exceptions (marked "synth=1" on the line):
  gone_secure / still_secure / new_fingerprint   on potr's state change to ENCRYPTED
  handle_msg_event RCVDMSG_UNREADABLE            potr raised InvalidParameterError on a
                                                 data message; like libotr, this peer then
                                                 injects "?OTR Error: ..." to the buddy
  handle_msg_event RCVDMSG_UNENCRYPTED           potr raised UnencryptedMessage
  handle_msg_event RCVDMSG_GENERAL_ERR           potr raised ErrorReceived
  handle_msg_event RCVDMSG_NOT_IN_PRIVATE        potr raised NotEncryptedError on receive
  handle_msg_event CONNECTION_ENDED              potr raised NotEncryptedError on send
  handle_msg_event ENCRYPTION_REQUIRED           sending plaintext under REQUIRE_ENCRYPTION
  handle_smp_event ...                           around potr's SMPHandler.handle: the event
                                                 libotr reports for each SMP TLV (see the
                                                 SMP section below)
  write_fingerprints                             potr's saveTrusts (on every trust change)
potr does not implement WHITESPACE_START_AKE / ERROR_START_AKE (a tagged plaintext or
query always starts the AKE when ALLOW_V2; an error never does), resending held
messages, instance tags or the extra symmetric key of OTR v3.

Shims for pycryptodome 3.11 (the system package is not modified): potr's AESCTR passes
a callable counter (pycryptodome wants nonce/initial_value), and its DSAKey calls
pycrypto's DSA sign()/verify(), which pycryptodome names _sign()/_verify(). And one
Python 3 port bug of potr itself (bytes vs str, see below). And two fixes to potr's SMP
flow when the secrets differ (see the SMP section below).
"""
import os
import sys

try:
    import potr  # noqa: F401
    from Cryptodome.Cipher import AES  # noqa: F401
except Exception:
    # Debian's potr lives in /usr/lib/python3/dist-packages; another interpreter
    # (pyenv etc.) cannot load its compiled pycryptodome.
    if sys.executable != '/usr/bin/python3' and os.path.exists('/usr/bin/python3'):
        os.execv('/usr/bin/python3', ['/usr/bin/python3'] + sys.argv)
    raise

import re
import struct
from numbers import Number

from Cryptodome.Cipher import AES
import potr
import potr.compatcrypto
import potr.compatcrypto.pycrypto as pcc
import potr.crypt
import potr.proto
from potr.context import (Account, Context, FRAGMENT_SEND_ALL, STATE_ENCRYPTED, STATE_FINISHED,
                          STATE_PLAINTEXT, NotEncryptedError, UnencryptedMessage, ErrorReceived,
                          NotOTRMessage)
from potr.utils import bytes_to_long, long_to_bytes


# ---- shims for pycryptodome ----

def _aesctr(key, counter=0):
    if isinstance(counter, Number):
        counter = pcc.Counter(counter)
    return AES.new(key, AES.MODE_CTR, nonce=counter.byteprefix(), initial_value=counter.val)


def _dsa_sign(self, data):
    k = pcc.randrange(2, self.priv.q)
    r, s = self.priv._sign(bytes_to_long(data), k)
    return long_to_bytes(r, 20) + long_to_bytes(s, 20)


def _dsa_verify(self, data, sig):
    r, s = bytes_to_long(sig[:20]), bytes_to_long(sig[20:])
    return self.pub._verify(bytes_to_long(data), (r, s))


pcc.AESCTR = _aesctr
potr.compatcrypto.AESCTR = _aesctr
potr.crypt.AESCTR = _aesctr
pcc.DSAKey.sign = _dsa_sign
pcc.DSAKey.verify = _dsa_verify
# potr.context tests received plaintext with isinstance(message, basestring), where its
# Python 3 port set basestring = str, but messages are bytes: plaintext received while
# ENCRYPTED (or under REQUIRE_ENCRYPTION) was delivered silently instead of raising
# UnencryptedMessage, and a plain reply never marked the whitespace offer as rejected.
potr.context.basestring = (str, bytes)


# ---- SMP: libotr's handle_smp_event lines, and two fixes to potr's SMP flow ----
#
# potr's SMPHandler has no callbacks; the wrapper below prints the event libotr 4.1.1
# would report for each SMP TLV (marked synth=1): ASK_FOR_ANSWER / ASK_FOR_SECRET (25)
# when TLV 7 / TLV 2 arrives, IN_PROGRESS (60) when TLV 3 arrives and TLV 4 goes out,
# SUCCESS / FAILURE (100) when TLV 4 or TLV 5 arrives, ABORT (0) for TLV 6, ERROR (0) for
# a TLV in the wrong state and CHEATED (0) for a failed proof (potr itself answers those
# two with an abort TLV; im_peer does the same in its callback).
#
# The secret derivation needs no shim: potr hashes 0x01 || initiator fp || responder fp ||
# ssid || secret with SHA-256, as libotr does, and its SMP arithmetic is pure Python.
# But potr 1.0.2 departs from the protocol when the secrets differ, and these two steps
# are replaced (the maths is potr's own code, only the flow changes):
#   - TLV 4 (SMP3) arrives at the responder: potr sends an SMP abort (TLV 6) instead of
#     the final TLV 5, so the initiator never learns the result (libotr would report
#     ABORT, not FAILURE). The spec, and libotr, always send TLV 5; so does the shim.
#   - TLV 5 (SMP4) arrives at the initiator: on a mismatch potr also sends an abort TLV,
#     which libotr reports as a second event (ABORT) after its FAILURE. The shim does not.
# potr's trust rules are kept: success sets "smp" (the responder only when no question
# was asked), and a failure sets "" on both sides even after a question (libotr leaves the
# responder's trust alone when a question was asked; the driver expects that difference).

def smp_event(name, progress, question=None):
    out('CB handle_smp_event %s progress=%d synth=1 question=%s'
        % (name, progress, '-' if question is None else esc(question)))


_M = potr.crypt.DH_MODULUS
_smp_handle_orig = potr.crypt.SMPHandler.handle
_SMP_EXPECT = {potr.proto.SMP1TLV: 1, potr.proto.SMP1QTLV: 1, potr.proto.SMP2TLV: 2,
               potr.proto.SMP3TLV: 3, potr.proto.SMP4TLV: 4}


def _smp_cheated(h, appdata):
    h.abort(appdata=appdata)
    h.prog = potr.crypt.SMPPROG_CHEATED
    smp_event('CHEATED', 0)


def _smp_result(h, ok):
    h.prog = potr.crypt.SMPPROG_SUCCEEDED if ok else potr.crypt.SMPPROG_FAILED
    h.state = 1


def _smp3(h, tlv, appdata):
    """potr's SMP3 step (responder), sending TLV 5 whatever the result."""
    C = potr.crypt
    msg = tlv.mpis
    if not C.check_group(msg[0]) or not C.check_group(msg[1]) or not C.check_group(msg[5]) \
            or not C.check_exp(msg[3]) or not C.check_exp(msg[4]) or not C.check_exp(msg[7]) \
            or not h.check_equal_coords(msg[:5], 6):
        return _smp_cheated(h, appdata)
    h.pab = msg[0] * C.invMod(h.p) % _M
    h.qab = msg[1] * C.invMod(h.q) % _M
    if not h.check_equal_logs(msg[5:8], 7):
        return _smp_cheated(h, appdata)
    reply = [pow(h.qab, h.x3, _M)] + list(h.proof_equal_logs(8))
    ok = h.pab == pow(msg[5], h.x3, _M)
    _smp_result(h, ok)
    if not ok:
        h.crypto.ctx.setCurrentTrust('')
    elif not h.questionReceived:
        h.crypto.ctx.setCurrentTrust('smp')
    h.sendTLV(potr.proto.SMP4TLV(reply), appdata=appdata)
    smp_event('SUCCESS' if ok else 'FAILURE', 100)


def _smp4(h, tlv, appdata):
    """potr's SMP4 step (initiator), without the abort TLV after a mismatch."""
    C = potr.crypt
    msg = tlv.mpis
    if not C.check_group(msg[0]) or not C.check_exp(msg[2]) or not h.check_equal_logs(msg[:3], 8):
        return _smp_cheated(h, appdata)
    ok = h.pab == pow(msg[0], h.x3, _M)
    _smp_result(h, ok)
    h.crypto.ctx.setCurrentTrust('smp' if ok else '')
    smp_event('SUCCESS' if ok else 'FAILURE', 100)


def _smp_handle(self, tlv, appdata=None):
    if isinstance(tlv, potr.proto.SMPABORTTLV):
        _smp_handle_orig(self, tlv, appdata=appdata)
        smp_event('ABORT', 0)
        return
    expect = _SMP_EXPECT.get(type(tlv))
    if expect is None:
        return _smp_handle_orig(self, tlv, appdata=appdata)
    before = self.state
    if before == expect == 3:
        return _smp3(self, tlv, appdata)
    if before == expect == 4:
        return _smp4(self, tlv, appdata)
    _smp_handle_orig(self, tlv, appdata=appdata)
    if before != expect:
        smp_event('ERROR', 0)
    elif self.prog == potr.crypt.SMPPROG_CHEATED:
        smp_event('CHEATED', 0)
    elif expect == 1:
        q = isinstance(tlv, potr.proto.SMP1QTLV)
        smp_event('ASK_FOR_ANSWER' if q else 'ASK_FOR_SECRET', 25, tlv.msg if q else None)
    else:
        smp_event('IN_PROGRESS', 60)


potr.crypt.SMPHandler.handle = _smp_handle


# ---- line protocol helpers ----

def esc(b):
    if isinstance(b, str):
        b = b.encode('utf-8')
    out = []
    for c in b:
        if c == 0x5c:
            out.append('\\\\')
        elif 0x20 <= c < 0x7f:
            out.append(chr(c))
        else:
            out.append('\\x%02x' % c)
    return ''.join(out)


def unesc(s):
    b = s.encode('latin-1', 'replace') if isinstance(s, str) else s
    out = bytearray()
    i = 0
    while i < len(b):
        if b[i] == 0x5c and i + 1 < len(b):
            n = b[i + 1]
            if n == 0x5c:
                out.append(0x5c); i += 2; continue
            if n == ord('x') and i + 3 < len(b) + 0 and re.match(rb'[0-9a-fA-F]{2}', b[i + 2:i + 4]):
                out.append(int(b[i + 2:i + 4], 16)); i += 4; continue
            if n == ord('n'):
                out.append(10); i += 2; continue
            if n == ord('t'):
                out.append(9); i += 2; continue
        out.append(b[i]); i += 1
    return bytes(out)


def out(line):
    sys.stdout.write(line + '\n')
    sys.stdout.flush()


# ---- key file (libotr's s-expression) ----

def parse_sexp(text):
    toks = re.findall(r'\(|\)|"(?:[^"\\]|\\.)*"|#[0-9A-Fa-f]*#|[^\s()"]+', text)
    pos = 0

    def walk():
        nonlocal pos
        t = toks[pos]; pos += 1
        if t == '(':
            lst = []
            while toks[pos] != ')':
                lst.append(walk())
            pos += 1
            return lst
        if t.startswith('"'):
            return t[1:-1]
        if t.startswith('#'):
            return int(t[1:-1], 16)
        return t
    return walk()


def load_key(path, account, protocol):
    tree = parse_sexp(open(path).read())
    for acc in tree[1:]:
        d = {x[0]: x[1:] for x in acc[1:]}
        if d['name'][0] == account and d['protocol'][0] == protocol:
            dsa = {x[0]: x[1] for x in d['private-key'][0][1:]}
            return pcc.DSAKey((dsa['y'], dsa['g'], dsa['p'], dsa['q'], dsa['x']), private=True)
    raise LookupError('no key for %s/%s in %s' % (account, protocol, path))


# ---- potr glue ----

POLICY_BITS = {'V1': 0x01, 'V2': 0x02, 'V3': 0x04, 'REQUIRE': 0x08, 'WS_TAG': 0x10,
               'WS_START': 0x20, 'ERR_START': 0x40, 'NEVER': 0, 'MANUAL': 0x06,
               'OPPORTUNISTIC': 0x76, 'ALWAYS': 0x6e, 'DEFAULT': 0x76}
POTR_KEYS = {'ALLOW_V1': 0x01, 'ALLOW_V2': 0x02, 'REQUIRE_ENCRYPTION': 0x08, 'SEND_TAG': 0x10,
             'WHITESPACE_START_AKE': 0x20, 'ERROR_START_AKE': 0x40}


class Peer:
    def __init__(self, statedir, account, buddy, protocol):
        self.statedir, self.buddy = statedir, buddy
        self.policy = 0x76
        self.fpfile = os.path.join(statedir, 'otr.fingerprints')
        peer = self

        class Ctx(Context):
            def getPolicy(self, key):
                v = bool(peer.policy & POTR_KEYS.get(key, 0))
                out('CB policy key=%s -> %d' % (key, v))
                return v

            def inject(self, msg, appdata=None):
                out('MSG ' + esc(msg))

            def setState(self, newstate):
                old = self.state
                Context.setState(self, newstate)
                if newstate == STATE_ENCRYPTED:
                    peer.went_encrypted(self, old)

        class Acc(Account):
            contextclass = Ctx

            def loadPrivkey(self):
                return load_key(os.path.join(statedir, 'otr.private_key'), account, protocol)

            def savePrivkey(self):
                pass

            def saveTrusts(self):
                peer.write_fingerprints()

        self.account = Acc(account, protocol, 0)
        self.load_fingerprints()
        self.ctx = self.account.getContext(buddy)
        self.key = self.account.getPrivkey()

    def load_fingerprints(self):
        if not os.path.exists(self.fpfile):
            return
        for line in open(self.fpfile):
            f = line.rstrip('\n').split('\t')
            if len(f) >= 4 and f[1] == self.account.name and f[2] == self.account.protocol:
                self.account.trusts.setdefault(f[0], {})[f[3]] = f[4] if len(f) > 4 else ''

    def write_fingerprints(self):
        with open(self.fpfile, 'w') as fh:
            for user, fps in sorted(self.account.trusts.items()):
                for fp, trust in sorted(fps.items()):
                    fh.write('%s\t%s\t%s\t%s\t%s\n' % (user, self.account.name, self.account.protocol,
                                                       fp, trust))
        out('CB write_fingerprints err=0x00000000 synth=1')

    def went_encrypted(self, ctx, old):
        fp = ctx.crypto.theirPubkey.cfingerprint()
        if ctx.getTrust(fp, None) is None:
            out('CB new_fingerprint user=%s fp=%s synth=1' % (self.buddy, fp))
            ctx.setTrust(fp, '')
        summary = 'ver=2 their_instance=00000000 ssid=%s fp=%s' % (ctx.crypto.sessionId.hex(), fp)
        if old == STATE_ENCRYPTED:
            out('CB still_secure is_reply=-1 %s synth=1' % summary)
        else:
            out('CB gone_secure %s synth=1' % summary)

    def event(self, name, msg=None):
        out('CB handle_msg_event %s err=0x00000000 synth=1 msg=%s' % (name, '-' if msg is None else esc(msg)))

    def send(self, text):
        ctx = self.ctx
        if ctx.state == STATE_PLAINTEXT and self.policy & 0x08 and ctx.parseExplicitQuery(text) is None:
            self.event('ENCRYPTION_REQUIRED')
        try:
            r = ctx.sendMessage(FRAGMENT_SEND_ALL, text)
        except NotEncryptedError:
            self.event('CONNECTION_ENDED')
            out('SENT err=0x00000001 otr=0')
            return
        if r is not None:
            out('MSG ' + esc(r))
        out('SENT err=0x00000000 otr=%d' % (r is None or r != text))

    def receive(self, data):
        ctx = self.ctx
        try:
            plaintext, tlvs = ctx.receiveMessage(data)
        except UnencryptedMessage as e:
            self.event('RCVDMSG_UNENCRYPTED', e.args[0])
            out('RECV ret=1 otr=0 text=-')
            return
        except ErrorReceived as e:
            err = e.args[0].error
            self.event('RCVDMSG_GENERAL_ERR', err[1:] if err.startswith(b' ') else err)
            out('RECV ret=1 otr=0 text=-')
            return
        except NotEncryptedError:
            self.event('RCVDMSG_NOT_IN_PRIVATE')
            out('RECV ret=1 otr=0 text=-')
            return
        except NotOTRMessage as e:
            text = e.args[0]
            out('RECV ret=0 otr=%d text=%s' % (int(text != data), esc(text)))
            return
        except potr.crypt.InvalidParameterError:
            self.event('RCVDMSG_UNREADABLE')
            out('MSG ' + esc(b'?OTR Error: You transmitted an unreadable encrypted message.'))
            out('RECV ret=1 otr=0 text=-')
            return
        for t in tlvs:
            raw = bytes(t)
            typ, ln = struct.unpack('!HH', raw[:4])
            out('TLV type=%d len=%d data=%s' % (typ, ln, raw[4:].hex() or '-'))
        if plaintext is None:
            out('RECV ret=1 otr=0 text=-')
        else:
            out('RECV ret=0 otr=1 text=%s' % esc(plaintext))

    def smp(self, cmd, arg):
        secret, _, question = arg.partition(' ')
        try:
            if cmd == 'SMP-ABORT':
                self.ctx.smpAbort()
                return
            if cmd == 'SMP-INIT':
                self.ctx.smpInit(unesc(secret), unesc(question) if question else None)
            else:
                self.ctx.smpGotSecret(unesc(secret))
        except NotEncryptedError:
            out('ERROR %s while not ENCRYPTED' % cmd)
            return
        out('SMP-STARTED %s' % cmd)

    def state(self):
        ctx = self.ctx
        c = ctx.crypto
        fp, trust, ssid, half = '-', '-', '-', 0
        if c.theirPubkey is not None:
            fp = c.theirPubkey.cfingerprint()
            trust = ctx.getTrust(fp, '') or '-'
        if ctx.state != STATE_PLAINTEXT and c.sessionId:
            ssid = c.sessionId.hex()
            half = 1 if c.sessionIdHalf else 0
        ver = 2 if ctx.state != STATE_PLAINTEXT else 0
        authstate = c.ake.state if c.ake is not None else 0
        authstate = {0: 0, 1: 1, 2: 2, 4: 3, 5: 4}.get(authstate, authstate)
        out('STATE msgstate=%d version=%d their_instance=00000000 our_instance=00000000 authstate=%d '
            'contexts=1 fp=%s trust=%s ssid=%s ssid_half=%d offer=%d smp=%d'
            % (ctx.state, ver, authstate, fp, trust, ssid, half, ctx.tagOffer,
               c.smp.prog if c.smp is not None else -99))

    def run(self):
        out('READY impl=potr account=%s instag=00000000 fp=%s keyread=0x00000000 instagread=0x00000000 '
            'fpread=0x00000000 versions=2 interval=0' % (self.account.name, self.key.cfingerprint()))
        for raw in sys.stdin.buffer:
            line = raw.rstrip(b'\r\n').decode('latin-1')
            cmd, _, arg = line.partition(' ')
            if cmd == 'MSG':
                self.receive(unesc(arg))
            elif cmd == 'SEND':
                self.send(unesc(arg))
            elif cmd == 'QUERY':
                self.send(b'?OTR?')
            elif cmd in ('DISCONNECT', 'DISCONNECT-ALL'):
                self.ctx.disconnect()
                out('DISCONNECTED')
            elif cmd == 'POLICY':
                if arg[:1].isdigit():
                    self.policy = int(arg, 0)
                else:
                    self.policy = 0
                    for tok in arg.split('|'):
                        self.policy |= POLICY_BITS[tok]
                out('POLICY 0x%x' % self.policy)
            elif cmd == 'MAXSIZE':
                self.account.maxMessageSize = int(arg)
                out('MAXSIZE %d' % int(arg))
            elif cmd == 'STATE?':
                self.state()
            elif cmd == 'PING':
                out('PONG ' + arg)
            elif cmd == 'QUIT':
                break
            elif cmd in ('SMP-INIT', 'SMP-RESPOND', 'SMP-ABORT'):
                self.smp(cmd, arg)
            elif cmd in ('LOGGEDIN', 'RESENTPREFIX', 'POLL'):
                out('%s ignored-by-potr' % cmd)
            else:
                out('ERROR unknown or unsupported command %s' % cmd)
        out('BYE')


if __name__ == '__main__':
    if len(sys.argv) != 5:
        sys.stderr.write('usage: potr_peer.py STATEDIR ACCOUNT BUDDY PROTOCOL\n')
        sys.exit(2)
    Peer(*sys.argv[1:]).run()
