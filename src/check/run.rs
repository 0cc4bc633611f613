//! One profile's run in progress: the steps recorded so far, the failure, the warnings, and
//! the one place that skips what is left of the plan after a failure.

use std::time::Instant;

use super::plan::Plan;
use crate::config::Profile;
use crate::failure::{Failure, Warning};
use crate::oauth::server_error::ServerError;
use crate::report::{ProfileReport, Status, Step, StepName, TokenInfo};

/// A step failed: the run stops and the pipeline skips the rest.
#[derive(Debug)]
pub struct Stop;

/// What a run has found so far.
pub struct Record {
    /// Steps in the order they ran.
    pub steps: Vec<Step>,
    failure: Option<Failure>,
    /// Warnings, each once.
    pub warnings: Vec<Warning>,
    /// Remarks shown after the warnings.
    pub notes: Vec<String>,
    /// What the server said when it refused.
    pub server_error: Option<ServerError>,
    /// The token obtained, described.
    pub token: Option<TokenInfo>,
    /// Planned steps that turned out not to apply: neither run nor skipped.
    dropped: Vec<StepName>,
    started: Instant,
}

impl Default for Record {
    fn default() -> Record {
        Record::new()
    }
}

impl Record {
    /// An empty record, timed from now.
    pub fn new() -> Record {
        Record {
            steps: Vec::new(),
            failure: None,
            warnings: Vec::new(),
            notes: Vec::new(),
            server_error: None,
            token: None,
            dropped: Vec::new(),
            started: Instant::now(),
        }
    }

    /// Record a passed step.
    pub fn pass(&mut self, name: StepName, ms: u64, detail: impl Into<String>) -> &mut Step {
        self.push(Step {
            name,
            status: Status::Pass,
            duration_ms: Some(ms),
            http_status: None,
            url: None,
            detail: Some(detail.into()).filter(|d: &String| !d.is_empty()),
        })
    }

    /// Record the failed step; the run stops after it.
    pub fn fail(&mut self, name: StepName, ms: u64, f: Failure) -> &mut Step {
        let detail = f.summary();
        self.failure = Some(f);
        self.push(Step {
            name,
            status: Status::Fail,
            duration_ms: Some(ms),
            http_status: None,
            url: None,
            detail: Some(detail),
        })
    }

    fn push(&mut self, s: Step) -> &mut Step {
        self.steps.push(s);
        let last = self.steps.len() - 1;
        &mut self.steps[last]
    }

    /// Add a warning, unless the same words were already given.
    pub fn warn(&mut self, w: Warning) {
        if !self.warnings.iter().any(|x| x.message == w.message) {
            self.warnings.push(w);
        }
    }

    /// A planned step that does not apply to this profile: it is neither run nor skipped.
    pub fn drop_steps(&mut self, names: &[StepName]) {
        self.dropped.extend_from_slice(names);
    }

    /// Mark every planned step that neither ran nor was dropped as skipped, in plan order.
    fn skip_rest(&mut self, plan: &Plan) {
        for n in &plan.steps {
            if !self.dropped.contains(n) && !self.steps.iter().any(|s| s.name == *n) {
                self.steps.push(Step::skip(*n));
            }
        }
    }

    /// The profile's report: after a stop, the rest of the plan is skipped.
    pub fn finish(mut self, p: &Profile, plan: &Plan, outcome: Result<String, Stop>) -> ProfileReport {
        let pass_summary = match outcome {
            Ok(s) => s,
            Err(Stop) => {
                self.skip_rest(plan);
                String::new()
            }
        };
        let duration_ms = self.started.elapsed().as_millis() as u64;
        let (status, category, kind, summary, hints) = match self.failure {
            Some(f) => (Status::Fail, f.category(), Some(f.kind()), f.summary(), f.hints()),
            None if !self.warnings.is_empty() => {
                (Status::Warn, crate::exit::Category::Ok, None, pass_summary, Vec::new())
            }
            None => (Status::Pass, crate::exit::Category::Ok, None, pass_summary, Vec::new()),
        };
        ProfileReport {
            profile: p.name.clone(),
            environment: p.env.clone(),
            ty: p.ty.as_str().to_string(),
            auth: p.auth.kind().to_string(),
            status,
            category,
            kind,
            summary,
            hints,
            warnings: self.warnings,
            notes: self.notes,
            duration_ms,
            steps: self.steps,
            token: self.token,
            server_error: self.server_error,
        }
    }
}
