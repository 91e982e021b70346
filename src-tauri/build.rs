//! The desktop shell's build script. tauri.conf.json sits at the repository
//! root, which is this package's manifest folder (the Tauri CLI wants the
//! config beside the app crate's Cargo.toml); the capabilities live in
//! src-tauri/capabilities/.
fn main() {
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    let attrs =
        tauri_build::Attributes::new().capabilities_path_pattern("./src-tauri/capabilities/**/*");
    if let Err(e) = tauri_build::try_build(attrs) {
        eprintln!("the Tauri build script failed: {e:#}");
        std::process::exit(1);
    }
}
