// This file is added to the otr3 package at build time (go build -overlay, see
// cabi-tests/peers/otr3_peer/build.sh); the Debian sources stay untouched. It only
// exposes state and adds what later otr3 releases export (coyim/otr3 has
// AbortAuthentication and a received-key setter); no protocol step is changed.
package otr3

// PeerState reports the conversation state with libotr's numbering: msgstate
// (0 PLAINTEXT, 1 ENCRYPTED, 2 FINISHED), the protocol version (0 if none yet), the
// instance tags, the AKE state (0 NONE, 1 AWAITING_DHKEY, 2 AWAITING_REVEALSIG,
// 3 AWAITING_SIG), the whitespace offer (0 NOT, 1 SENT, 2 REJECTED) and the SMP state
// (otr3's "next expected" number, -1 if none).
func (c *Conversation) PeerState() (msgstate, version int, their, our uint32, authstate, offer, smpstate int) {
	msgstate = int(c.msgState)
	if c.version != nil {
		version = int(c.version.protocolVersion())
	}
	their, our = c.theirInstanceTag, c.ourInstanceTag
	if c.ake != nil && c.ake.state != nil {
		authstate = c.ake.state.identity()
	}
	offer = int(c.whitespaceState)
	smpstate = -1
	if c.smp.state != nil {
		smpstate = c.smp.state.identity()
	}
	return
}

// PeerAbortSMP sends an SMP abort (TLV 6) and resets the SMP state, as libotr's
// otrl_message_abort_smp does (coyim/otr3 later added AbortAuthentication for this).
func (c *Conversation) PeerAbortSMP() ([]ValidMessage, error) {
	c.smp.wipe()
	c.smp.ensureSMP()
	msgs, _, err := c.createSerializedDataMessage(nil, messageFlagIgnoreUnreadable, []tlv{smpMessageAbort{}.tlv()})
	return msgs, err
}

// PeerSetReceivedKeyHandler sets the handler for TLV 8 (extra symmetric key); this
// otr3 version has the field but no setter.
func (c *Conversation) PeerSetReceivedKeyHandler(h ReceivedKeyHandler) {
	c.receivedKeyHandler = h
}

// PeerSetResentMessageTransform sets how a resent message is rewritten (default:
// "[resent] " + text); this otr3 version has the field but no setter. nil restores
// the default.
func (c *Conversation) PeerSetResentMessageTransform(f func([]byte) []byte) {
	c.resend.messageTransform = f
}
