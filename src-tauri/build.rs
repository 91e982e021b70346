//! The desktop shell's build script: tauri.conf.json sits at the repository
//! root (this package's manifest folder); capabilities live in src-tauri/.
fn main() {
    let attrs = tauri_build::Attributes::new().capabilities_path_pattern("./src-tauri/capabilities/**/*");
    if let Err(e) = tauri_build::try_build(attrs) {
        eprintln!("tauri build script failed: {e:#}");
        std::process::exit(1);
    }
}
