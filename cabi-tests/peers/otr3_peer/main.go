// otr3_peer: the im_peer line protocol (see cabi-tests/peers/im_peer.c and
// cabi-tests/interop/README.md) spoken by Go otr3 (Debian's
// golang-github-twstrike-otr3-dev, github.com/twstrike/otr3 of 2016-10-15: OTR v3 and
// v2, instance tags, fragments, SMP, extra symmetric key), so the interop driver can
// pit a libotr peer against a third, independent implementation.
//
//	otr3_peer STATEDIR ACCOUNT BUDDY PROTOCOL
//
// Build it with cabi-tests/peers/otr3_peer/build.sh (GOPATH mode, offline). The build
// adds shim/otr3_export.go to the otr3 package through `go build -overlay`: state
// getters and setters that this otr3 version lacks (SMP abort, received-key handler,
// resend prefix). It changes no protocol step.
//
// otr3 reports message, security and SMP events itself; they are printed as the
// matching libotr callbacks (handle_msg_event, gone_secure / still_secure /
// gone_insecure, handle_smp_event). otr3 keeps no fingerprints or trust, so this peer
// does, with libotr's file format and rules; everything it makes up is marked synth=1:
//
//	new_fingerprint        on gone_secure / still_secure with an unknown key
//	write_fingerprints     whenever the peer rewrites otr.fingerprints
//	TLV type=1             otr3 went FINISHED on a received data message
//	TLV type=8             otr3 called the received-key handler (use || usedata)
//	still_secure is_reply  otr3 does not say; always -1
//
// SMP trust follows libotr 4.1.1: the initiator sets "smp" or "" on the result, the
// responder only when no question was asked.
package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/twstrike/otr3"
)

// ---- line protocol helpers ----

func esc(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		switch {
		case c == '\\':
			sb.WriteString(`\\`)
		case c >= 0x20 && c < 0x7f:
			sb.WriteByte(c)
		default:
			fmt.Fprintf(&sb, `\x%02x`, c)
		}
	}
	return sb.String()
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func unesc(s string) []byte {
	b := []byte(s)
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == '\\' && i+1 < len(b) {
			switch n := b[i+1]; {
			case n == '\\':
				out = append(out, '\\')
				i++
				continue
			case n == 'x' && i+3 < len(b) && isHex(b[i+2]) && isHex(b[i+3]):
				v, _ := strconv.ParseUint(string(b[i+2:i+4]), 16, 8)
				out = append(out, byte(v))
				i += 3
				continue
			case n == 'n':
				out = append(out, '\n')
				i++
				continue
			case n == 't':
				out = append(out, '\t')
				i++
				continue
			}
		}
		out = append(out, b[i])
	}
	return out
}

func hexOrDash(b []byte) string {
	if len(b) == 0 {
		return "-"
	}
	return hex.EncodeToString(b)
}

var stdout = bufio.NewWriter(os.Stdout)

func out(format string, a ...interface{}) {
	fmt.Fprintf(stdout, format, a...)
	stdout.WriteByte('\n')
	stdout.Flush()
}

// ---- fingerprints (libotr's otr.fingerprints: user, account, protocol, fp, trust) ----

type fpEntry struct{ user, account, protocol, fp, trust string }

type peer struct {
	statedir, account, buddy, protocol string
	fpfile                             string
	fps                                []*fpEntry
	c                                  *otr3.Conversation
	policy                             int
	ourFP                              string

	// per Receive call
	inReceive   bool
	unencrypted bool
	pendingTLVs []string

	// SMP bookkeeping for the trust rules
	smpInitiator bool
	smpQuestion  bool
	smpProg      int
}

func (p *peer) readFingerprints() (uint32, error) {
	data, err := os.ReadFile(p.fpfile)
	if os.IsNotExist(err) {
		return 0, nil
	} else if err != nil {
		return 1, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Split(line, "\t")
		if len(f) < 4 {
			continue
		}
		e := &fpEntry{f[0], f[1], f[2], strings.ToLower(f[3]), ""}
		if len(f) > 4 {
			e.trust = f[4]
		}
		p.fps = append(p.fps, e)
	}
	return 0, nil
}

func (p *peer) writeFingerprints() {
	var sb strings.Builder
	for _, e := range p.fps {
		fmt.Fprintf(&sb, "%s\t%s\t%s\t%s\t%s\n", e.user, e.account, e.protocol, e.fp, e.trust)
	}
	code := 0
	if err := os.WriteFile(p.fpfile, []byte(sb.String()), 0600); err != nil {
		code = 1
	}
	out("CB write_fingerprints err=0x%08x synth=1", code)
}

func (p *peer) entry(fp string) *fpEntry {
	for _, e := range p.fps {
		if e.user == p.buddy && e.account == p.account && e.protocol == p.protocol && e.fp == fp {
			return e
		}
	}
	return nil
}

func (p *peer) theirFP() string {
	k := p.c.GetTheirKey()
	if k == nil {
		return ""
	}
	return hex.EncodeToString(k.Fingerprint())
}

func (p *peer) setTrust(trust string) {
	if e := p.entry(p.theirFP()); e != nil {
		e.trust = trust
		p.writeFingerprints()
	}
}

// ---- otr3 event handlers ----

var msgEventNames = map[otr3.MessageEvent]string{
	otr3.MessageEventEncryptionRequired:              "ENCRYPTION_REQUIRED",
	otr3.MessageEventEncryptionError:                 "ENCRYPTION_ERROR",
	otr3.MessageEventConnectionEnded:                 "CONNECTION_ENDED",
	otr3.MessageEventSetupError:                      "SETUP_ERROR",
	otr3.MessageEventMessageReflected:                "MSG_REFLECTED",
	otr3.MessageEventMessageSent:                     "MSG_SENT", // otr3 only: a held message went out
	otr3.MessageEventMessageResent:                   "MSG_RESENT",
	otr3.MessageEventReceivedMessageNotInPrivate:     "RCVDMSG_NOT_IN_PRIVATE",
	otr3.MessageEventReceivedMessageUnreadable:       "RCVDMSG_UNREADABLE",
	otr3.MessageEventReceivedMessageMalformed:        "RCVDMSG_MALFORMED",
	otr3.MessageEventLogHeartbeatReceived:            "LOG_HEARTBEAT_RCVD",
	otr3.MessageEventLogHeartbeatSent:                "LOG_HEARTBEAT_SENT",
	otr3.MessageEventReceivedMessageGeneralError:     "RCVDMSG_GENERAL_ERR",
	otr3.MessageEventReceivedMessageUnencrypted:      "RCVDMSG_UNENCRYPTED",
	otr3.MessageEventReceivedMessageUnrecognized:     "RCVDMSG_UNRECOGNIZED",
	otr3.MessageEventReceivedMessageForOtherInstance: "RCVDMSG_FOR_OTHER_INSTANCE",
}

func (p *peer) HandleMessageEvent(ev otr3.MessageEvent, message []byte, err error, trace ...interface{}) {
	name, ok := msgEventNames[ev]
	if !ok {
		name = fmt.Sprintf("UNKNOWN_%d", int(ev))
	}
	if ev == otr3.MessageEventReceivedMessageUnencrypted && p.inReceive {
		p.unencrypted = true
	}
	code := uint32(0)
	if err != nil {
		code = 1
		out("NOTE %s: %s", name, esc([]byte(err.Error())))
	}
	msg := "-"
	if message != nil {
		msg = esc(message)
	}
	out("CB handle_msg_event %s err=0x%08x msg=%s", name, code, msg)
}

func (p *peer) summary() string {
	_, ver, their, _, _, _, _ := p.c.PeerState()
	ssid := p.c.GetSSID()
	fp := p.theirFP()
	if fp == "" {
		fp = "-"
	}
	return fmt.Sprintf("ver=%d their_instance=%08x ssid=%s fp=%s", ver, their, hex.EncodeToString(ssid[:]), fp)
}

func (p *peer) HandleSecurityEvent(ev otr3.SecurityEvent) {
	switch ev {
	case otr3.GoneSecure, otr3.StillSecure:
		fp := p.theirFP()
		if fp != "" && p.entry(fp) == nil {
			out("CB new_fingerprint user=%s fp=%s synth=1", p.buddy, fp)
			p.fps = append(p.fps, &fpEntry{p.buddy, p.account, p.protocol, fp, ""})
			p.writeFingerprints()
		}
		if ev == otr3.GoneSecure {
			out("CB gone_secure %s", p.summary())
		} else {
			out("CB still_secure is_reply=-1 %s synth=1", p.summary())
		}
	case otr3.GoneInsecure:
		if ms, _, _, _, _, _, _ := p.c.PeerState(); ms == 2 && p.inReceive {
			// Only a received TLV 1 (disconnected) makes otr3 FINISHED.
			p.pendingTLVs = append(p.pendingTLVs, "TLV type=1 len=0 data=- synth=1")
		}
		out("CB gone_insecure %s", p.summary())
	default:
		out("NOTE unknown security event %d", int(ev))
	}
}

var smpEventNames = map[otr3.SMPEvent]string{
	otr3.SMPEventError:        "ERROR",
	otr3.SMPEventAbort:        "ABORT",
	otr3.SMPEventCheated:      "CHEATED",
	otr3.SMPEventAskForAnswer: "ASK_FOR_ANSWER",
	otr3.SMPEventAskForSecret: "ASK_FOR_SECRET",
	otr3.SMPEventInProgress:   "IN_PROGRESS",
	otr3.SMPEventSuccess:      "SUCCESS",
	otr3.SMPEventFailure:      "FAILURE",
}

func (p *peer) HandleSMPEvent(ev otr3.SMPEvent, progress int, question string) {
	switch ev {
	case otr3.SMPEventAskForAnswer, otr3.SMPEventAskForSecret:
		p.smpInitiator = false
		p.smpQuestion = ev == otr3.SMPEventAskForAnswer
		p.smpProg = 0
	case otr3.SMPEventSuccess, otr3.SMPEventFailure:
		ok := ev == otr3.SMPEventSuccess
		if ok {
			p.smpProg = 1
		} else {
			p.smpProg = -1
		}
		// libotr 4.1.1 (set_smp_trust): the initiator always, the responder only
		// when no question was asked; the trust is written before the event.
		if p.smpInitiator || !p.smpQuestion {
			if ok {
				p.setTrust("smp")
			} else {
				p.setTrust("")
			}
		}
	case otr3.SMPEventCheated:
		p.smpProg = -2
	}
	q := "-"
	if ev == otr3.SMPEventAskForAnswer {
		q = esc([]byte(question))
	}
	out("CB handle_smp_event %s progress=%d question=%s", smpEventNames[ev], progress, q)
}

var errCodeNames = map[otr3.ErrorCode]string{
	otr3.ErrorCodeEncryptionError:     "ENCRYPTION_ERROR",
	otr3.ErrorCodeMessageUnreadable:   "MSG_UNREADABLE",
	otr3.ErrorCodeMessageMalformed:    "MSG_MALFORMED",
	otr3.ErrorCodeMessageNotInPrivate: "MSG_NOT_IN_PRIVATE",
}

// The same texts as im_peer's otr_error_message callback.
var errCodeTexts = map[otr3.ErrorCode]string{
	otr3.ErrorCodeEncryptionError:     "Error occurred encrypting message.",
	otr3.ErrorCodeMessageUnreadable:   "You transmitted an unreadable encrypted message.",
	otr3.ErrorCodeMessageMalformed:    "You transmitted a malformed data message.",
	otr3.ErrorCodeMessageNotInPrivate: "You sent encrypted data to im_peer, who wasn't expecting it.",
}

func (p *peer) HandleErrorMessage(code otr3.ErrorCode) []byte {
	out("CB otr_error_message code=%s", errCodeNames[code])
	return []byte(errCodeTexts[code])
}

func (p *peer) ReceivedSymmetricKey(use uint32, usedata []byte, key []byte) {
	out("CB received_symkey use=%d usedata=%s key=%s", use, hexOrDash(usedata), hex.EncodeToString(key))
	tlv := binary.BigEndian.AppendUint32(nil, use)
	tlv = append(tlv, usedata...)
	p.pendingTLVs = append(p.pendingTLVs, fmt.Sprintf("TLV type=8 len=%d data=%s synth=1", len(tlv), hex.EncodeToString(tlv)))
}

// ---- commands ----

func (p *peer) emit(msgs []otr3.ValidMessage) {
	for _, m := range msgs {
		out("MSG %s", esc(m))
	}
}

func (p *peer) send(text []byte) {
	msgs, err := p.c.Send(otr3.ValidMessage(text))
	p.emit(msgs)
	if err != nil {
		out("NOTE Send: %s", esc([]byte(err.Error())))
		out("SENT err=0x00000001 otr=0")
		return
	}
	changed := !(len(msgs) == 1 && bytes.Equal(msgs[0], text))
	out("SENT err=0x00000000 otr=%d", b2i(changed))
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (p *peer) receive(data []byte) {
	p.inReceive, p.unencrypted, p.pendingTLVs = true, false, nil
	plain, toSend, err := p.c.Receive(otr3.ValidMessage(data))
	p.inReceive = false
	p.emit(toSend)
	for _, t := range p.pendingTLVs {
		out("%s", t)
	}
	if err != nil {
		out("NOTE Receive: %s", esc([]byte(err.Error())))
	}
	switch {
	case plain == nil || p.unencrypted:
		// libotr reports a plaintext received while ENCRYPTED only through
		// RCVDMSG_UNENCRYPTED and returns 1.
		out("RECV ret=1 otr=0 text=-")
	default:
		out("RECV ret=0 otr=%d text=%s", b2i(!bytes.Equal(plain, data)), esc(plain))
	}
}

var policyBits = map[string]int{
	"NEVER": 0, "MANUAL": 0x06, "OPPORTUNISTIC": 0x76, "ALWAYS": 0x6e, "DEFAULT": 0x76,
	"V1": 0x01, "V2": 0x02, "V3": 0x04, "REQUIRE": 0x08, "WS_TAG": 0x10, "WS_START": 0x20, "ERR_START": 0x40,
}

func (p *peer) setPolicy(spec string) {
	v := 0
	if spec != "" && spec[0] >= '0' && spec[0] <= '9' {
		n, _ := strconv.ParseInt(spec, 0, 32)
		v = int(n)
	} else {
		for _, tok := range strings.Split(spec, "|") {
			b, ok := policyBits[tok]
			if !ok {
				out("ERROR unknown policy name %s", tok)
			}
			v |= b
		}
	}
	p.policy = v
	// otr3's policy bits are libotr's (v1 does not exist in otr3).
	p.c.Policies = 0
	for _, x := range []struct {
		bit int
		set func()
	}{
		{0x02, p.c.Policies.AllowV2}, {0x04, p.c.Policies.AllowV3},
		{0x08, p.c.Policies.RequireEncryption}, {0x10, p.c.Policies.SendWhitespaceTag},
		{0x20, p.c.Policies.WhitespaceStartAKE}, {0x40, p.c.Policies.ErrorStartAKE},
	} {
		if v&x.bit != 0 {
			x.set()
		}
	}
	out("POLICY 0x%x", v)
}

func (p *peer) smp(cmd, arg string) {
	var msgs []otr3.ValidMessage
	var err error
	secret, question := arg, ""
	if i := strings.IndexByte(arg, ' '); i >= 0 {
		secret, question = arg[:i], arg[i+1:]
	}
	switch cmd {
	case "SMP-ABORT":
		msgs, err = p.c.PeerAbortSMP()
		p.smpProg = 0
	case "SMP-INIT":
		q := unesc(question)
		if i := bytes.IndexByte(q, 0); i >= 0 {
			q = q[:i]
		}
		p.smpInitiator, p.smpQuestion, p.smpProg = true, len(q) > 0, 0
		msgs, err = p.c.StartAuthenticate(string(q), unesc(secret))
	case "SMP-RESPOND":
		msgs, err = p.c.ProvideAuthenticationSecret(unesc(secret))
	}
	p.emit(msgs)
	if err != nil {
		out("ERROR %s: %s", cmd, esc([]byte(err.Error())))
		return
	}
	if cmd != "SMP-ABORT" {
		out("SMP-STARTED %s", cmd)
	}
}

func (p *peer) symkey(arg string) {
	f := strings.SplitN(arg, " ", 2)
	use, _ := strconv.ParseUint(f[0], 0, 32)
	var data []byte
	if len(f) > 1 && f[1] != "-" {
		data, _ = hex.DecodeString(f[1])
	}
	key, msgs, err := p.c.UseExtraSymmetricKey(uint32(use), data)
	p.emit(msgs)
	code := 0
	if err != nil {
		code = 1
		out("NOTE UseExtraSymmetricKey: %s", esc([]byte(err.Error())))
	}
	k := make([]byte, 32)
	copy(k, key)
	out("SYMKEY-RESULT err=0x%08x key=%s", code, hex.EncodeToString(k))
}

func (p *peer) state() {
	ms, ver, their, our, auth, offer, _ := p.c.PeerState()
	fp, trust, ssid, half := "-", "-", "-", 0
	if f := p.theirFP(); f != "" {
		fp = f
		if e := p.entry(f); e != nil && e.trust != "" {
			trust = e.trust
		}
		s := p.c.GetSSID()
		ssid = hex.EncodeToString(s[:])
		_, half = p.c.SecureSessionID()
	}
	out("STATE msgstate=%d version=%d their_instance=%08x our_instance=%08x authstate=%d contexts=1 fp=%s trust=%s ssid=%s ssid_half=%d offer=%d smp=%d",
		ms, ver, their, our, auth, fp, trust, ssid, half, offer, p.smpProg)
}

func readInstag(path, account, protocol string) (uint32, uint32) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, 1
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Split(line, "\t")
		if len(f) == 3 && f[0] == account && f[1] == protocol {
			v, err := strconv.ParseUint(strings.TrimSpace(f[2]), 16, 32)
			if err == nil {
				return uint32(v), 0
			}
		}
	}
	return 0, 1
}

func main() {
	if len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: otr3_peer STATEDIR ACCOUNT BUDDY PROTOCOL")
		os.Exit(2)
	}
	p := &peer{statedir: os.Args[1], account: os.Args[2], buddy: os.Args[3], protocol: os.Args[4]}
	p.fpfile = filepath.Join(p.statedir, "otr.fingerprints")
	p.c = &otr3.Conversation{}

	keyread := uint32(0)
	var key otr3.PrivateKey
	accs, err := otr3.ImportKeysFromFile(filepath.Join(p.statedir, "otr.private_key"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "key file:", err)
		keyread = 1
	}
	for _, a := range accs {
		if a.Name == p.account && a.Protocol == p.protocol {
			key = a.Key
		}
	}
	if key == nil {
		keyread = 1
		out("ERROR no key for %s/%s", p.account, p.protocol)
	} else {
		p.c.SetOurKeys([]otr3.PrivateKey{key})
		p.ourFP = hex.EncodeToString(key.PublicKey().Fingerprint())
	}
	tag, instagread := readInstag(filepath.Join(p.statedir, "otr.instance_tags"), p.account, p.protocol)
	tag = p.c.InitializeInstanceTag(tag)
	fpread, err := p.readFingerprints()
	if err != nil {
		fmt.Fprintln(os.Stderr, "fingerprints:", err)
	}

	p.c.SetMessageEventHandler(p)
	p.c.SetSecurityEventHandler(p)
	p.c.SetSMPEventHandler(p)
	p.c.SetErrorMessageHandler(p)
	p.c.PeerSetReceivedKeyHandler(p)
	p.setPolicyQuiet(0x76) // OTRL_POLICY_DEFAULT, as im_peer starts

	out("READY impl=otr3 account=%s instag=%08x fp=%s keyread=0x%08x instagread=0x%08x fpread=0x%08x versions=2,3 interval=0",
		p.account, tag, p.ourFP, keyread, instagread, fpread)

	in := bufio.NewReaderSize(os.Stdin, 1<<16)
	for {
		raw, err := in.ReadString('\n')
		if raw == "" && err != nil {
			if err != io.EOF {
				fmt.Fprintln(os.Stderr, "stdin:", err)
			}
			break
		}
		line := strings.TrimRight(raw, "\r\n")
		cmd, arg := line, ""
		if i := strings.IndexByte(line, ' '); i >= 0 {
			cmd, arg = line[:i], line[i+1:]
		}
		switch cmd {
		case "MSG":
			p.receive(unesc(arg))
		case "SEND":
			p.send(unesc(arg))
		case "QUERY":
			// libotr turns "?OTR?" into its default query; otr3 has QueryMessage.
			q := p.c.QueryMessage()
			out("MSG %s", esc(q))
			out("SENT err=0x00000000 otr=1")
		case "DISCONNECT", "DISCONNECT-ALL":
			msgs, err := p.c.End()
			p.emit(msgs)
			if err != nil {
				out("NOTE End: %s", esc([]byte(err.Error())))
			}
			out("DISCONNECTED")
		case "POLICY":
			p.setPolicy(arg)
		case "MAXSIZE":
			n, _ := strconv.Atoi(arg)
			p.c.SetFragmentSize(uint16(n))
			out("MAXSIZE %d", n)
		case "RESENTPREFIX":
			if arg == "-" {
				p.c.PeerSetResentMessageTransform(nil)
				out("RESENTPREFIX NULL")
			} else {
				prefix := unesc(arg)
				p.c.PeerSetResentMessageTransform(func(m []byte) []byte {
					return append(append(append([]byte{}, prefix...), ' '), m...)
				})
				out("RESENTPREFIX %s", esc(prefix))
			}
		case "SYMKEY":
			p.symkey(arg)
		case "SMP-INIT", "SMP-RESPOND", "SMP-ABORT":
			p.smp(cmd, arg)
		case "STATE?":
			p.state()
		case "PING":
			out("PONG %s", arg)
		case "LOGGEDIN", "POLL":
			out("%s ignored-by-otr3", cmd)
		case "QUIT":
			out("BYE")
			return
		default:
			out("ERROR unknown or unsupported command %s", cmd)
		}
	}
	out("BYE")
}

func (p *peer) setPolicyQuiet(v int) {
	save := stdout
	stdout = bufio.NewWriter(io.Discard)
	p.setPolicy(strconv.Itoa(v))
	stdout = save
}
