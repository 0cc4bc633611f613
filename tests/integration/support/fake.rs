//! The fake vendors (`conn::demo::fake`) in process for a test, and the report fields the
//! vendor tests read: a profile's steps and its hints.

use conn::demo::fake::{FakeService, World};
use serde_json::Value;

/// The fake Hypatos, Entra with Portfolios and REST API of this world, on 127.0.0.1.
pub fn start(world: World) -> FakeService {
    super::rt().block_on(FakeService::start(world)).expect("fake service")
}

/// A report profile's steps as `(name, status)`.
pub fn steps(p: &Value) -> Vec<(String, String)> {
    p["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A report profile's hints, one a line.
pub fn hints(p: &Value) -> String {
    p["hints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}
