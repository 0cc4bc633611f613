//! The report: plain data describing what a run found, and its renderers.
//!
//! Renderers read verdicts, never compute them. The JSON form is the stable contract
//! `conn.report/v1` (spec/report.md); the human form is for people and may change.

pub mod annotations;
pub mod human;
pub mod json;
pub mod junit;
pub mod safe;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::exit::Category;
use crate::failure::Warning;
use crate::oauth::server_error::ServerError;

/// Schema name of the JSON report.
pub const SCHEMA: &str = "conn.report/v1";

/// Status of a profile or step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Passed.
    Pass,
    /// Passed with warnings.
    Warn,
    /// Failed.
    Fail,
    /// Not run because an earlier step failed.
    Skip,
}

/// Step names, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StepName {
    /// Secrets and settings.
    Config,
    /// Discovery / tenant pre-flight.
    Discovery,
    /// Name resolution.
    Dns,
    /// TCP connect.
    Connect,
    /// TLS handshake.
    Tls,
    /// Token request.
    Token,
    /// Refresh of a stored login.
    Refresh,
    /// Requested vs granted scopes.
    Scopes,
    /// The read-only API call.
    Probe,
}

impl StepName {
    /// As in the report.
    pub fn as_str(self) -> &'static str {
        match self {
            StepName::Config => "config",
            StepName::Discovery => "discovery",
            StepName::Dns => "dns",
            StepName::Connect => "connect",
            StepName::Tls => "tls",
            StepName::Token => "token",
            StepName::Refresh => "refresh",
            StepName::Scopes => "scopes",
            StepName::Probe => "probe",
        }
    }
}

/// One step of a profile's test.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// Which step.
    pub name: StepName,
    /// Its status.
    pub status: Status,
    /// How long it took (absent when skipped).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// HTTP status, for HTTP steps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// The URL called, without credentials.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// What was seen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Step {
    /// A skipped step.
    pub fn skip(name: StepName) -> Step {
        Step {
            name,
            status: Status::Skip,
            duration_ms: None,
            http_status: None,
            url: None,
            detail: None,
        }
    }
}

/// What is shown of a token: never the token itself.
#[derive(Debug, Clone, Serialize)]
pub struct TokenInfo {
    /// `Bearer`.
    pub token_type: String,
    /// `sha256:xxxxxxxx`.
    pub fingerprint: String,
    /// Length in characters.
    pub length: usize,
    /// Lifetime in seconds, when given.
    pub expires_in: Option<u64>,
    /// Scopes requested.
    pub scopes_requested: Vec<String>,
    /// Scopes granted, when the server said.
    pub scopes_granted: Option<Vec<String>>,
    /// Decoded, unverified JWT claims (a fixed set), when the token is a JWT.
    pub claims: Option<Map<String, Value>>,
}

/// The result of one profile.
#[derive(Debug, Clone)]
pub struct ProfileReport {
    /// Profile name.
    pub profile: String,
    /// Environment, when one was selected.
    pub environment: Option<String>,
    /// `hypatos`, `hypergene` or `rest`.
    pub ty: String,
    /// Auth kind.
    pub auth: String,
    /// Verdict.
    pub status: Status,
    /// Failure kind (`ok` unless failed); serialised with its exit code beside it
    /// (`"category": …, "exit_code": …`), which is never stored.
    pub category: Category,
    /// The failure's stable kind (`dns_not_found`, …), when failed.
    pub kind: Option<&'static str>,
    /// One line for people.
    pub summary: String,
    /// What to do about the failure.
    pub hints: Vec<String>,
    /// What passed but deserves attention.
    pub warnings: Vec<Warning>,
    /// Remarks shown after the warnings.
    pub notes: Vec<String>,
    /// Total time.
    pub duration_ms: u64,
    /// Steps in order.
    pub steps: Vec<Step>,
    /// The token obtained, described.
    pub token: Option<TokenInfo>,
    /// What the server said when it refused.
    pub server_error: Option<ServerError>,
}

/// `hints` of `conn.report/v1`: the failure's hints, then each warning as `warning: …`, then
/// the notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HintLine<'a> {
    /// Something to change.
    Hint(&'a str),
    /// A warning.
    Warning(&'a Warning),
}

impl HintLine<'_> {
    /// As `conn.report/v1` lists it: a warning as `warning: …`.
    pub fn report_text(&self) -> String {
        match self {
            HintLine::Hint(h) => h.to_string(),
            HintLine::Warning(w) => format!("warning: {}", w.message),
        }
    }
}

impl Serialize for ProfileReport {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let hints: Vec<String> = self.hint_lines().iter().map(HintLine::report_text).collect();
        let mut st = s.serialize_struct("ProfileReport", 16)?;
        st.serialize_field("profile", &self.profile)?;
        st.serialize_field("environment", &self.environment)?;
        st.serialize_field("type", &self.ty)?;
        st.serialize_field("auth", &self.auth)?;
        st.serialize_field("status", &self.status)?;
        st.serialize_field("category", &self.category)?;
        match self.kind {
            Some(k) => st.serialize_field("kind", k)?,
            None => st.skip_field("kind")?,
        }
        st.serialize_field("exit_code", &self.exit_code())?;
        st.serialize_field("summary", &self.summary)?;
        st.serialize_field("hints", &hints)?;
        st.serialize_field("warnings", &self.warnings)?;
        st.serialize_field("duration_ms", &self.duration_ms)?;
        st.serialize_field("steps", &self.steps)?;
        st.serialize_field("token", &self.token)?;
        st.serialize_field("server_error", &self.server_error)?;
        st.end()
    }
}

impl ProfileReport {
    /// Hints, warnings and notes, in the order they are shown.
    pub fn hint_lines(&self) -> Vec<HintLine<'_>> {
        let mut v: Vec<HintLine<'_>> = self.hints.iter().map(|h| HintLine::Hint(h)).collect();
        v.extend(self.warnings.iter().map(HintLine::Warning));
        v.extend(self.notes.iter().map(|h| HintLine::Hint(h)));
        v
    }

    /// The category's exit code (`"exit_code"` in the report): it follows from the
    /// category, so it is written, not kept.
    pub fn exit_code(&self) -> u8 {
        self.category.exit_code()
    }

    /// `profile` or `profile@env`.
    pub fn display_name(&self) -> String {
        match &self.environment {
            Some(e) => format!("{}@{e}", self.profile),
            None => self.profile.clone(),
        }
    }
}

/// Counts of a run.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Summary {
    /// Profiles tested.
    pub total: usize,
    /// Passed without warnings.
    pub passed: usize,
    /// Passed with warnings.
    pub warned: usize,
    /// Failed.
    pub failed: usize,
}

/// A whole run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// `conn.report/v1`.
    pub schema: &'static str,
    /// conn's version.
    pub version: &'static str,
    /// RFC 3339 start time.
    pub started_at: String,
    /// Total time.
    pub duration_ms: u64,
    /// Counts.
    pub summary: Summary,
    /// The run's exit code.
    pub exit_code: u8,
    /// Per profile, in the order asked.
    pub profiles: Vec<ProfileReport>,
}

impl Report {
    /// Assemble a run's report; the exit code follows `spec/cli.md`. With `strict`, a warned
    /// profile counts as failed.
    pub fn new(started_at: String, duration_ms: u64, mut profiles: Vec<ProfileReport>, strict: bool) -> Report {
        if strict {
            for p in &mut profiles {
                if p.status == Status::Warn {
                    p.status = Status::Fail;
                    p.category = p.warnings.first().map_or(Category::Config, |w| w.category);
                    p.kind = p.warnings.first().map(|w| w.kind);
                    p.summary = format!("{} (warnings fail with --strict)", p.summary);
                }
            }
        }
        let mut summary = Summary {
            total: profiles.len(),
            ..Default::default()
        };
        for p in &profiles {
            match p.status {
                Status::Pass => summary.passed += 1,
                Status::Warn => summary.warned += 1,
                _ => summary.failed += 1,
            }
        }
        let exit_code = crate::exit::of_run(profiles.iter().filter(|p| p.status == Status::Fail).map(|p| p.category));
        Report {
            schema: SCHEMA,
            version: env!("CARGO_PKG_VERSION"),
            started_at,
            duration_ms,
            summary,
            exit_code,
            profiles,
        }
    }
}
