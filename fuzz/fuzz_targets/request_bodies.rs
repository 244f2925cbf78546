//! JSON request bodies: projects (create and patch), with the validation the API applies.
//! (Generation bodies are checked by the same field validators through the HTTP tests.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use visions_domain::project::{NewProject, Project, ProjectPatch};

fuzz_target!(|data: &[u8]| {
    let now = time::OffsetDateTime::UNIX_EPOCH;
    if let Ok(input) = serde_json::from_slice::<NewProject>(data) {
        if let Ok(project) = Project::create(input, now) {
            let _ = project.etag();
            if let Ok(patch) = serde_json::from_slice::<ProjectPatch>(data) {
                let _ = project.patched(patch, now);
            }
        }
    }
});
