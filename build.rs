//! Build script: give the shared library libotr's SONAME, and render a C header from the
//! Rust side of the ABI with cbindgen. `cabi-tests/abi/` compiles that header together
//! with `include/libotr/*.h`, so any exported signature that drifts from libotr's
//! prototype breaks `make test`.
use std::env;
use std::path::PathBuf;

fn main() {
    // SONAME libotr.so.5; no version script of ours, so exports stay unversioned.
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libotr.so.5");
    println!("cargo:rerun-if-changed=src/ffi");
    println!("cargo:rerun-if-changed=cbindgen.toml");

    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    // target/<profile>/ — three levels above OUT_DIR (build/<pkg>-<hash>/out).
    let profile_dir = out.ancestors().nth(3).map(PathBuf::from).unwrap_or(out.clone());
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("cbindgen.toml");
    match cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
    {
        Ok(b) => {
            b.write_to_file(profile_dir.join("otr-ffi-generated.h"));
        }
        Err(e) => panic!("cbindgen failed: {e}"),
    }
}
