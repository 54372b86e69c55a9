//! SMP against the real libotr 4.1.1, live: the real library is loaded with dlopen (its
//! symbols stay local, so they do not meet ours) and plays one side while our core
//! (`otr::smp`) plays the other, in both directions, with equal and different secrets.
//! Skipped (with a message) when the real library is not installed.

use libc::{c_int, c_uint, c_void};
use otr::smp::{combined_secret, Progress, SmState};

const REAL: &str = "/usr/lib/x86_64-linux-gnu/libotr.so.5";
const INV_VALUE: c_uint = 0x2000_0037;

/// libotr's OtrlSMState.
#[repr(C)]
struct RealState {
    mpis: [*mut c_void; 11],
    next_expected: c_int,
    received_question: c_int,
    sm_prog_state: c_int,
}

type Step = unsafe extern "C" fn(*mut RealState, *const u8, c_int, *mut *mut u8, *mut c_int) -> c_uint;
type Step2a = unsafe extern "C" fn(*mut RealState, *const u8, c_int, c_int) -> c_uint;
type Step5 = unsafe extern "C" fn(*mut RealState, *const u8, c_int) -> c_uint;
type StateFn = unsafe extern "C" fn(*mut RealState);

struct Real {
    new: StateFn,
    free: StateFn,
    step1: Step,
    step2a: Step2a,
    step2b: Step,
    step3: Step,
    step4: Step,
    step5: Step5,
}

fn load() -> Option<Real> {
    if !std::path::Path::new(REAL).exists() {
        eprintln!("SKIPPED: {REAL} not installed; no live SMP interop");
        return None;
    }
    // SAFETY: dlopen/dlsym with valid C strings; the symbols have the types above
    // (libotr's sm.h), and the handle stays open for the life of the process.
    unsafe {
        let h = libc::dlopen(c"/usr/lib/x86_64-linux-gnu/libotr.so.5".as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL);
        assert!(!h.is_null(), "dlopen {REAL}");
        let sym = |n: &std::ffi::CStr| {
            let p = libc::dlsym(h, n.as_ptr());
            assert!(!p.is_null(), "{n:?}");
            p
        };
        let init: unsafe extern "C" fn() = std::mem::transmute(sym(c"otrl_sm_init"));
        init();
        Some(Real {
            new: std::mem::transmute::<*mut c_void, StateFn>(sym(c"otrl_sm_state_new")),
            free: std::mem::transmute::<*mut c_void, StateFn>(sym(c"otrl_sm_state_free")),
            step1: std::mem::transmute::<*mut c_void, Step>(sym(c"otrl_sm_step1")),
            step2a: std::mem::transmute::<*mut c_void, Step2a>(sym(c"otrl_sm_step2a")),
            step2b: std::mem::transmute::<*mut c_void, Step>(sym(c"otrl_sm_step2b")),
            step3: std::mem::transmute::<*mut c_void, Step>(sym(c"otrl_sm_step3")),
            step4: std::mem::transmute::<*mut c_void, Step>(sym(c"otrl_sm_step4")),
            step5: std::mem::transmute::<*mut c_void, Step5>(sym(c"otrl_sm_step5")),
        })
    }
}

/// A state of the real library, freed on drop.
struct RealSide<'a> {
    lib: &'a Real,
    st: Box<RealState>,
}

impl<'a> RealSide<'a> {
    fn new(lib: &'a Real) -> Self {
        let mut st = Box::new(RealState { mpis: [std::ptr::null_mut(); 11], next_expected: 0, received_question: 0, sm_prog_state: 0 });
        // SAFETY: st is a valid OtrlSMState.
        unsafe { (lib.new)(&mut *st) };
        RealSide { lib, st }
    }
    fn prog(&self) -> c_int {
        self.st.sm_prog_state
    }
    fn out(f: impl FnOnce(*mut *mut u8, *mut c_int) -> c_uint) -> (c_uint, Option<Vec<u8>>) {
        let (mut p, mut n) = (std::ptr::null_mut::<u8>(), 0 as c_int);
        let e = f(&mut p, &mut n);
        if p.is_null() {
            return (e, None);
        }
        // SAFETY: the library malloc'd n bytes at p; we copy and free them.
        let v = unsafe { std::slice::from_raw_parts(p, n as usize).to_vec() };
        unsafe { libc::free(p as *mut c_void) };
        (e, Some(v))
    }
    fn step1(&mut self, secret: &[u8]) -> (c_uint, Option<Vec<u8>>) {
        let (f, st) = (self.lib.step1, &mut *self.st as *mut RealState);
        // SAFETY: valid state, buffer and out pointers.
        Self::out(|p, n| unsafe { f(st, secret.as_ptr(), secret.len() as c_int, p, n) })
    }
    fn step2a(&mut self, input: &[u8], q: c_int) -> c_uint {
        // SAFETY: as above.
        unsafe { (self.lib.step2a)(&mut *self.st, input.as_ptr(), input.len() as c_int, q) }
    }
    fn step_io(&mut self, f: Step, input: &[u8]) -> (c_uint, Option<Vec<u8>>) {
        let st = &mut *self.st as *mut RealState;
        // SAFETY: as above.
        Self::out(|p, n| unsafe { f(st, input.as_ptr(), input.len() as c_int, p, n) })
    }
    fn step5(&mut self, input: &[u8]) -> c_uint {
        // SAFETY: as above.
        unsafe { (self.lib.step5)(&mut *self.st, input.as_ptr(), input.len() as c_int) }
    }
}

impl Drop for RealSide<'_> {
    fn drop(&mut self) {
        // SAFETY: the state's values are the real library's.
        unsafe { (self.lib.free)(&mut *self.st) };
    }
}

fn secret(s: &str) -> [u8; 32] {
    *combined_secret(&[1; 20], &[2; 20], b"ssid0123", s.as_bytes())
}

#[test]
fn ours_alice_real_bob() {
    let Some(lib) = load() else { return };
    for (sa, sb) in [("pw", "pw"), ("pw", "other")] {
        let equal = sa == sb;
        let mut a = SmState::new();
        let mut b = RealSide::new(&lib);
        let m1 = a.step1(&secret(sa)).unwrap();
        assert_eq!(b.step2a(&m1, 0), 0);
        let (e, m2) = b.step_io(lib.step2b, &secret(sb));
        assert_eq!(e, 0);
        let m3 = a.step3(&m2.unwrap()).unwrap();
        let (e, m4) = b.step_io(lib.step4, &m3);
        assert_eq!(e, if equal { 0 } else { INV_VALUE });
        assert_eq!(b.prog(), if equal { 1 } else { -1 });
        assert_eq!(a.step5(&m4.expect("libotr returns msg4 in both cases")).unwrap(), equal);
        assert_eq!(a.prog, if equal { Progress::Succeeded } else { Progress::Failed });
    }
}

#[test]
fn real_alice_ours_bob() {
    let Some(lib) = load() else { return };
    for (sa, sb) in [("pw", "pw"), ("pw", "other")] {
        let equal = sa == sb;
        let mut a = RealSide::new(&lib);
        let mut b = SmState::new();
        let (e, m1) = a.step1(&secret(sa));
        assert_eq!(e, 0);
        b.step2a(&m1.unwrap(), 1).unwrap();
        let m2 = b.step2b(&secret(sb)).unwrap();
        let (e, m3) = a.step_io(lib.step3, &m2);
        assert_eq!(e, 0);
        let (m4, same) = b.step4(&m3.unwrap()).unwrap();
        assert_eq!(same, equal);
        assert_eq!(a.step5(&m4), if equal { 0 } else { INV_VALUE });
        assert_eq!(a.prog(), if equal { 1 } else { -1 });
    }
}

/// Our messages with one number changed are refused by the real library, as ours
/// refuses them: the same checks on both sides.
#[test]
fn real_library_refuses_what_we_refuse() {
    let Some(lib) = load() else { return };
    let mut a = SmState::new();
    let m1 = a.step1(&secret("x")).unwrap();
    // Flip one bit in each number of msg1 in turn.
    let mut off = 4;
    for i in 0..6 {
        let len = u32::from_be_bytes(m1[off..off + 4].try_into().unwrap()) as usize;
        let mut t = m1.clone();
        t[off + 4 + len - 1] ^= 1;
        let mut real = RealSide::new(&lib);
        let mut ours = SmState::new();
        let (er, eo) = (real.step2a(&t, 0), ours.step2a(&t, 0));
        assert_eq!(er, INV_VALUE, "number {i}");
        assert!(eo.is_err());
        assert_eq!((real.prog(), ours.prog), (-2, Progress::Cheated));
        off += 4 + len;
    }
    // Wrong count, truncation, trailing bytes.
    let mut t = m1.clone();
    t[3] = 7;
    let mut real = RealSide::new(&lib);
    assert_eq!(real.step2a(&t, 0), INV_VALUE);
    assert_eq!(real.step2a(&m1[..m1.len() - 1], 0), INV_VALUE);
    let mut longer = m1.clone();
    longer.extend_from_slice(&[0xde, 0xad]);
    assert_eq!(real.step2a(&longer, 0), 0);
    assert!(SmState::new().step2a(&longer, 0).is_ok());
}
