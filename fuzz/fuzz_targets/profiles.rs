//! The profiles file: any text is read, validated and every profile selected without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(cfg) = conn::config::Config::from_text(std::path::Path::new("fuzz.toml"), text.to_string()) {
        let _ = cfg.validate();
        for name in cfg.names() {
            let _ = cfg.select(name, None);
            for env in cfg.environments(name) {
                let _ = cfg.select(name, Some(&env));
            }
        }
    }
});
