//! libotr's intrusive singly linked lists: each node has `next` and `tous`, the address
//! of the pointer that points at it (the list head or the previous node's `next`), so a
//! node can unlink itself. Plugins walk these lists, so the links must be exactly
//! libotr's; every list of ours goes through [`link_at`] and [`unlink`].

use super::types::*;
use super::util::cstr;
use libc::c_char;
use std::ptr::null_mut;

/// A `#[repr(C)]` libotr struct with `next` and `tous` links.
pub(crate) trait Tous: Sized {
    /// The address of the node's `next` field.
    ///
    /// # Safety
    /// `node` points to a live node.
    unsafe fn next_slot(node: *mut Self) -> *mut *mut Self;

    /// The address of the node's `tous` field.
    ///
    /// # Safety
    /// `node` points to a live node.
    unsafe fn tous_slot(node: *mut Self) -> *mut *mut *mut Self;
}

macro_rules! impl_tous {
    ($($t:ty),*) => {$(
        impl Tous for $t {
            unsafe fn next_slot(node: *mut Self) -> *mut *mut Self {
                // SAFETY: per the contract node is live; we only take a field address.
                unsafe { &raw mut (*node).next }
            }
            unsafe fn tous_slot(node: *mut Self) -> *mut *mut *mut Self {
                // SAFETY: as above.
                unsafe { &raw mut (*node).tous }
            }
        }
    )*};
}

impl_tous!(OtrlInsTag, OtrlPrivKey, OtrlPendingPrivKey, Fingerprint, ConnContext);

/// Link `node` in at `link` (a list head, or some node's `next`): it goes in front of
/// the node `*link` pointed at. With the head as `link` this pushes onto the front.
///
/// # Safety
/// `link` is a live link of a well-formed list; `node` is live and not in any list.
pub(crate) unsafe fn link_at<T: Tous>(link: *mut *mut T, node: *mut T) {
    // SAFETY: per the contract every pointer touched is live.
    unsafe {
        let next = *link;
        *T::next_slot(node) = next;
        if !next.is_null() {
            *T::tous_slot(next) = T::next_slot(node);
        }
        *link = node;
        *T::tous_slot(node) = link;
    }
}

/// Take `node` out of its list (if `tous` is NULL it is in none) and clear its links.
/// The node itself is not freed.
///
/// # Safety
/// `node` is live and either in a well-formed list or has a NULL `tous`.
pub(crate) unsafe fn unlink<T: Tous>(node: *mut T) {
    // SAFETY: per the contract every pointer touched is live.
    unsafe {
        let tous = *T::tous_slot(node);
        let next = *T::next_slot(node);
        if !tous.is_null() {
            *tous = next;
        }
        if !next.is_null() {
            *T::tous_slot(next) = tous;
        }
        *T::next_slot(node) = null_mut();
        *T::tous_slot(node) = null_mut();
    }
}

/// Free every node of the list at `head`, first to last, with `forget` (which must
/// unlink the node it is given, so the head moves on).
///
/// # Safety
/// `head` is the live head of a well-formed list; `forget` unlinks and frees one node.
pub(crate) unsafe fn forget_all<T: Tous>(head: *mut *mut T, forget: unsafe fn(*mut T)) {
    // SAFETY: per the contract; each call removes the node the head points at.
    unsafe {
        while !(*head).is_null() {
            forget(*head);
        }
    }
}

/// A list node that belongs to an (account, protocol): our keys, pending keys and tags.
pub(crate) trait AccountNode: Tous {
    /// The node's `accountname` and `protocol` strings.
    ///
    /// # Safety
    /// `node` points to a live node.
    unsafe fn names(node: *mut Self) -> (*const c_char, *const c_char);
}

macro_rules! impl_account_node {
    ($($t:ty),*) => {$(
        impl AccountNode for $t {
            unsafe fn names(node: *mut Self) -> (*const c_char, *const c_char) {
                // SAFETY: per the contract node is live.
                unsafe { ((*node).accountname, (*node).protocol) }
            }
        }
    )*};
}

impl_account_node!(OtrlInsTag, OtrlPrivKey, OtrlPendingPrivKey);

/// The first node of the list starting at `head` for (accountname, protocol), or NULL.
///
/// # Safety
/// `head` is NULL or the first node of a well-formed list whose strings are NULL or
/// NUL-terminated.
pub(crate) unsafe fn find_account<T: AccountNode>(head: *mut T, accountname: &[u8], protocol: &[u8]) -> *mut T {
    // SAFETY: per the contract every node reached is live.
    unsafe {
        let mut p = head;
        while !p.is_null() {
            let (a, pr) = T::names(p);
            if cstr(a) == Some(accountname) && cstr(pr) == Some(protocol) {
                return p;
            }
            p = *T::next_slot(p);
        }
        null_mut()
    }
}
