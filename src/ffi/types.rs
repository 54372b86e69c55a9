//! `#[repr(C)]` mirrors of every public libotr 4.1.1 struct, with libotr's exact layout
//! (`../shared/reference/layout.tsv`; checked by `tests/layout.rs` and `cabi-tests/layout`).
//!
//! The names are the C names on purpose: cbindgen renders prototypes from these types and
//! the generated header is compiled together with `include/libotr/*.h`.
#![allow(non_camel_case_types, non_snake_case, non_upper_case_globals)]

use libc::{c_char, c_int, c_uchar, c_uint, c_ushort, c_void, size_t, time_t};

/// `gpg_error_t` / `gcry_error_t`: libgcrypt's 32-bit error value (source << 24 | code).
pub type gcry_error_t = c_uint;

/// Opaque pointees of the libgcrypt handle types. We never link libgcrypt: a field of
/// one of these types holds one of *our* objects (or NULL); see `ffi::handles`.
#[repr(C)]
pub struct gcry_mpi {
    _private: [u8; 0],
}
#[repr(C)]
pub struct gcry_sexp {
    _private: [u8; 0],
}
#[repr(C)]
pub struct gcry_md_handle {
    _private: [u8; 0],
}
#[repr(C)]
pub struct gcry_cipher_handle {
    _private: [u8; 0],
}
pub type gcry_mpi_t = *mut gcry_mpi;
pub type gcry_sexp_t = *mut gcry_sexp;
pub type gcry_md_hd_t = *mut gcry_md_handle;
pub type gcry_cipher_hd_t = *mut gcry_cipher_handle;

pub type otrl_instag_t = c_uint;
pub type OtrlPolicy = c_uint;

// Enums are `int`-sized C enums; we carry them as plain unsigned ints.
pub type OtrlSessionIdHalf = c_uint;
pub type NextExpectedSMP = c_uint;
pub type OtrlSMProgState = c_int;
pub type OtrlAuthState = c_uint;
pub type OtrlMessageState = c_uint;
pub type OtrlMessageType = c_uint;
pub type OtrlFragmentResult = c_uint;
pub type OtrlFragmentPolicy = c_uint;
pub type OtrlErrorCode = c_uint;
pub type OtrlSMPEvent = c_uint;
pub type OtrlMessageEvent = c_uint;
pub type OtrlNotifyLevel = c_uint;
pub type OtrlConvertType = c_uint;
pub type OtrlOtrOffer = c_uint;

pub const OTRL_INSTAG_MASTER: otrl_instag_t = 0;
pub const OTRL_INSTAG_BEST: otrl_instag_t = 1;
pub const OTRL_INSTAG_RECENT: otrl_instag_t = 2;
pub const OTRL_INSTAG_RECENT_RECEIVED: otrl_instag_t = 3;
pub const OTRL_INSTAG_RECENT_SENT: otrl_instag_t = 4;
pub const OTRL_MIN_VALID_INSTAG: otrl_instag_t = 0x100;

pub const OTRL_MSGSTATE_PLAINTEXT: OtrlMessageState = 0;
pub const OTRL_MSGSTATE_ENCRYPTED: OtrlMessageState = 1;
pub const OTRL_MSGSTATE_FINISHED: OtrlMessageState = 2;

pub const OTRL_AUTHSTATE_NONE: OtrlAuthState = 0;

pub const OTRL_SMP_EXPECT1: NextExpectedSMP = 0;
pub const OTRL_SMP_PROG_OK: OtrlSMProgState = 0;

pub const OFFER_NOT: OtrlOtrOffer = 0;

pub const OTRL_PUBKEY_TYPE_DSA: c_ushort = 0;

// DH_keypair, DH_sesskeys and OtrlAuthInfo are typedefs of untagged structs in C; the
// Rust structs carry made-up tag names and the C names are aliases, so that cbindgen
// writes the bare C names in prototypes.
pub type DH_keypair = s_DH_keypair;
pub type DH_sesskeys = s_DH_sesskeys;
pub type OtrlAuthInfo = s_OtrlAuthInfo;

#[repr(C)]
pub struct s_DH_keypair {
    pub groupid: c_uint,
    pub priv_: gcry_mpi_t,
    pub pub_: gcry_mpi_t,
}

#[repr(C)]
pub struct s_DH_sesskeys {
    pub sendctr: [c_uchar; 16],
    pub rcvctr: [c_uchar; 16],
    pub sendenc: gcry_cipher_hd_t,
    pub rcvenc: gcry_cipher_hd_t,
    pub sendmac: gcry_md_hd_t,
    pub sendmackey: [c_uchar; 20],
    pub sendmacused: c_int,
    pub rcvmac: gcry_md_hd_t,
    pub rcvmackey: [c_uchar; 20],
    pub rcvmacused: c_int,
    pub extrakey: [c_uchar; 32],
}

#[repr(C)]
pub struct OtrlSMState {
    pub secret: gcry_mpi_t,
    pub x2: gcry_mpi_t,
    pub x3: gcry_mpi_t,
    pub g1: gcry_mpi_t,
    pub g2: gcry_mpi_t,
    pub g3: gcry_mpi_t,
    pub g3o: gcry_mpi_t,
    pub p: gcry_mpi_t,
    pub q: gcry_mpi_t,
    pub pab: gcry_mpi_t,
    pub qab: gcry_mpi_t,
    pub nextExpected: NextExpectedSMP,
    pub received_question: c_int,
    pub sm_prog_state: OtrlSMProgState,
}
pub type OtrlSMAliceState = OtrlSMState;
pub type OtrlSMBobState = OtrlSMState;

#[repr(C)]
pub struct s_OtrlAuthInfo {
    pub authstate: OtrlAuthState,
    pub context: *mut ConnContext,
    pub our_dh: DH_keypair,
    pub our_keyid: c_uint,
    pub encgx: *mut c_uchar,
    pub encgx_len: size_t,
    pub r: [c_uchar; 16],
    pub hashgx: [c_uchar; 32],
    pub their_pub: gcry_mpi_t,
    pub their_keyid: c_uint,
    pub enc_c: gcry_cipher_hd_t,
    pub enc_cp: gcry_cipher_hd_t,
    pub mac_m1: gcry_md_hd_t,
    pub mac_m1p: gcry_md_hd_t,
    pub mac_m2: gcry_md_hd_t,
    pub mac_m2p: gcry_md_hd_t,
    pub their_fingerprint: [c_uchar; 20],
    pub initiated: c_int,
    pub protocol_version: c_uint,
    pub secure_session_id: [c_uchar; 20],
    pub secure_session_id_len: size_t,
    pub session_id_half: OtrlSessionIdHalf,
    pub lastauthmsg: *mut c_char,
    pub commit_sent_time: time_t,
}

#[repr(C)]
pub struct s_OtrlPrivKey {
    pub next: *mut s_OtrlPrivKey,
    pub tous: *mut *mut s_OtrlPrivKey,
    pub accountname: *mut c_char,
    pub protocol: *mut c_char,
    pub pubkey_type: c_ushort,
    pub privkey: gcry_sexp_t,
    pub pubkey_data: *mut c_uchar,
    pub pubkey_datalen: size_t,
}
pub type OtrlPrivKey = s_OtrlPrivKey;

#[repr(C)]
pub struct s_OtrlPendingPrivKey {
    pub next: *mut s_OtrlPendingPrivKey,
    pub tous: *mut *mut s_OtrlPendingPrivKey,
    pub accountname: *mut c_char,
    pub protocol: *mut c_char,
}
pub type OtrlPendingPrivKey = s_OtrlPendingPrivKey;

#[repr(C)]
pub struct context_priv {
    pub fragment: *mut c_char,
    pub fragment_len: size_t,
    pub fragment_n: c_ushort,
    pub fragment_k: c_ushort,
    pub their_keyid: c_uint,
    pub their_y: gcry_mpi_t,
    pub their_old_y: gcry_mpi_t,
    pub our_keyid: c_uint,
    pub our_dh_key: DH_keypair,
    pub our_old_dh_key: DH_keypair,
    pub sesskeys: [[DH_sesskeys; 2]; 2],
    pub numsavedkeys: c_uint,
    pub saved_mac_keys: *mut c_uchar,
    pub generation: c_uint,
    pub lastsent: time_t,
    pub lastrecv: time_t,
    pub lastmessage: *mut c_char,
    pub may_retransmit: c_int,
}
pub type ConnContextPriv = context_priv;

#[repr(C)]
pub struct s_OtrlInsTag {
    pub next: *mut s_OtrlInsTag,
    pub tous: *mut *mut s_OtrlInsTag,
    pub accountname: *mut c_char,
    pub protocol: *mut c_char,
    pub instag: otrl_instag_t,
}
pub type OtrlInsTag = s_OtrlInsTag;

#[repr(C)]
pub struct s_fingerprint {
    pub next: *mut s_fingerprint,
    pub tous: *mut *mut s_fingerprint,
    pub fingerprint: *mut c_uchar,
    pub context: *mut ConnContext,
    pub trust: *mut c_char,
}
pub type Fingerprint = s_fingerprint;

#[repr(C)]
pub struct context {
    pub next: *mut context,
    pub tous: *mut *mut context,
    pub context_priv: *mut ConnContextPriv,
    pub username: *mut c_char,
    pub accountname: *mut c_char,
    pub protocol: *mut c_char,
    pub m_context: *mut context,
    pub recent_rcvd_child: *mut context,
    pub recent_sent_child: *mut context,
    pub recent_child: *mut context,
    pub our_instance: otrl_instag_t,
    pub their_instance: otrl_instag_t,
    pub msgstate: OtrlMessageState,
    pub auth: OtrlAuthInfo,
    pub fingerprint_root: Fingerprint,
    pub active_fingerprint: *mut Fingerprint,
    pub sessionid: [c_uchar; 20],
    pub sessionid_len: size_t,
    pub sessionid_half: OtrlSessionIdHalf,
    pub protocol_version: c_uint,
    pub otr_offer: OtrlOtrOffer,
    pub app_data: *mut c_void,
    pub app_data_free: Option<unsafe extern "C" fn(*mut c_void)>,
    pub smstate: *mut OtrlSMState,
}
pub type ConnContext = context;

#[repr(C)]
pub struct s_OtrlUserState {
    pub context_root: *mut ConnContext,
    pub privkey_root: *mut OtrlPrivKey,
    pub instag_root: *mut OtrlInsTag,
    pub pending_root: *mut OtrlPendingPrivKey,
    pub timer_running: c_int,
}
pub type OtrlUserState = *mut s_OtrlUserState;

#[repr(C)]
pub struct s_OtrlTLV {
    pub type_: c_ushort,
    pub len: c_ushort,
    pub data: *mut c_uchar,
    pub next: *mut s_OtrlTLV,
}
pub type OtrlTLV = s_OtrlTLV;

/// `add_app_data` callback type used by context lookups and the fingerprint reader.
pub type AddAppDataFn = Option<unsafe extern "C" fn(*mut c_void, *mut ConnContext)>;

/// Callbacks a plugin hands to every `otrl_message_*` call (24 slots, each may be NULL).
#[repr(C)]
pub struct s_OtrlMessageAppOps {
    pub policy: Option<unsafe extern "C" fn(*mut c_void, *mut ConnContext) -> OtrlPolicy>,
    pub create_privkey: Option<unsafe extern "C" fn(*mut c_void, *const c_char, *const c_char)>,
    pub is_logged_in:
        Option<unsafe extern "C" fn(*mut c_void, *const c_char, *const c_char, *const c_char) -> c_int>,
    pub inject_message: Option<
        unsafe extern "C" fn(*mut c_void, *const c_char, *const c_char, *const c_char, *const c_char),
    >,
    pub update_context_list: Option<unsafe extern "C" fn(*mut c_void)>,
    pub new_fingerprint: Option<
        unsafe extern "C" fn(
            *mut c_void,
            OtrlUserState,
            *const c_char,
            *const c_char,
            *const c_char,
            *mut c_uchar,
        ),
    >,
    pub write_fingerprints: Option<unsafe extern "C" fn(*mut c_void)>,
    pub gone_secure: Option<unsafe extern "C" fn(*mut c_void, *mut ConnContext)>,
    pub gone_insecure: Option<unsafe extern "C" fn(*mut c_void, *mut ConnContext)>,
    pub still_secure: Option<unsafe extern "C" fn(*mut c_void, *mut ConnContext, c_int)>,
    pub max_message_size: Option<unsafe extern "C" fn(*mut c_void, *mut ConnContext) -> c_int>,
    pub account_name:
        Option<unsafe extern "C" fn(*mut c_void, *const c_char, *const c_char) -> *const c_char>,
    pub account_name_free: Option<unsafe extern "C" fn(*mut c_void, *const c_char)>,
    pub received_symkey: Option<
        unsafe extern "C" fn(*mut c_void, *mut ConnContext, c_uint, *const c_uchar, size_t, *const c_uchar),
    >,
    pub otr_error_message:
        Option<unsafe extern "C" fn(*mut c_void, *mut ConnContext, OtrlErrorCode) -> *const c_char>,
    pub otr_error_message_free: Option<unsafe extern "C" fn(*mut c_void, *const c_char)>,
    pub resent_msg_prefix: Option<unsafe extern "C" fn(*mut c_void, *mut ConnContext) -> *const c_char>,
    pub resent_msg_prefix_free: Option<unsafe extern "C" fn(*mut c_void, *const c_char)>,
    pub handle_smp_event:
        Option<unsafe extern "C" fn(*mut c_void, OtrlSMPEvent, *mut ConnContext, c_ushort, *mut c_char)>,
    pub handle_msg_event: Option<
        unsafe extern "C" fn(*mut c_void, OtrlMessageEvent, *mut ConnContext, *const c_char, gcry_error_t),
    >,
    pub create_instag: Option<unsafe extern "C" fn(*mut c_void, *const c_char, *const c_char)>,
    pub convert_msg: Option<
        unsafe extern "C" fn(*mut c_void, *mut ConnContext, OtrlConvertType, *mut *mut c_char, *const c_char),
    >,
    pub convert_free: Option<unsafe extern "C" fn(*mut c_void, *mut ConnContext, *mut c_char)>,
    pub timer_control: Option<unsafe extern "C" fn(*mut c_void, c_uint)>,
}
pub type OtrlMessageAppOps = s_OtrlMessageAppOps;
